package io.migrationstudio.worker.assessment;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.activity.ActivityFailures;
import io.migrationstudio.contracts.activity.MappingActivities;
import io.migrationstudio.contracts.activity.StageRequest;
import io.migrationstudio.contracts.activity.StageResult;
import io.migrationstudio.core.assess.Throughput;
import io.migrationstudio.core.evidence.StageArtifacts;
import io.migrationstudio.core.git.ArtifactStore;
import io.migrationstudio.core.mapping.MappingGenerator;
import io.migrationstudio.core.mapping.MappingLoader;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.report.StageOutput;
import io.migrationstudio.core.review.CompatibilityReviewer;
import io.migrationstudio.core.review.MappingService;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.core.spec.SecretResolver;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Mapping stage activities: a thin adapter from Temporal to {@link MappingService} (built once),
 * which runs {@link MappingGenerator} and {@link CompatibilityReviewer}. The adapter reads the
 * artifacts at the request's commit and commits the results on the request's branch by the stage's
 * role; failures become application failures typed by error code ({@link ActivityFailures}).
 */
public final class MappingActivitiesImpl implements MappingActivities {
  private final ArtifactStore store;
  private final StageArtifacts artifacts;
  private final MappingService mapping;

  public MappingActivitiesImpl(ArtifactStore store, SecretResolver secrets) {
    this.store = Objects.requireNonNull(store);
    this.artifacts = new StageArtifacts(store);
    this.mapping = new MappingService(Objects.requireNonNull(secrets));
  }

  /**
   * Reads the inventory at the request's commit and commits {@code mapping.yaml}. The overrides
   * file the spec names is read from this worker's file system when its path is absolute (the CLI
   * makes a path relative to the spec file absolute), else from the migration branch at that commit
   * when it is there, else from the file system; the bytes used are committed next to the mapping
   * as {@code 02-mapping/overrides.yaml}, so the evidence shows what was merged.
   */
  @Override
  public StageResult generateMapping(StageRequest request) {
    return ActivityFailures.run(
        () -> {
          String commit = requireCommit(request);
          byte[] overrides = overrides(request.spec().mapping().overrides(), commit);
          StageOutput out =
              mapping.generate(
                  inventory(commit), request.spec(), overrides, targetServerVersion(commit));
          return artifacts.commit(
              Stage.MAPPING, Stage.MAPPING.producerRole(), request.branch(), "Mapping", out);
        });
  }

  /**
   * Checks the {@code mapping.yaml} at the request's commit (possibly an approver's edit) against
   * the inventory and the real source data, and commits the review.
   */
  @Override
  public StageResult reviewCompatibility(StageRequest request) {
    return ActivityFailures.run(
        () -> {
          String commit = requireCommit(request);
          Inventory inventory = inventory(commit);
          byte[] yaml =
              store
                  .read(commit, ArtifactPaths.MAPPING_YAML)
                  .orElseThrow(
                      () -> missing(ArtifactPaths.MAPPING_YAML, commit, "run the mapping"));
          StageOutput out =
              mapping.review(request.spec(), inventory, MappingLoader.load(yaml, inventory));
          return artifacts.commit(
              Stage.MAPPING, Stage.MAPPING.checkerRole(), request.branch(), "Mapping review", out);
        });
  }

  /** The overrides file's bytes, or null when the spec names none (see generateMapping). */
  private byte[] overrides(String path, String commit) {
    if (path == null || path.isBlank()) {
      return null;
    }
    // an absolute path is a file, never an artifact path (the store refuses it)
    return (Path.of(path).isAbsolute()
            ? MappingGenerator.readOverrides(path)
            : store.read(commit, path).or(() -> MappingGenerator.readOverrides(path)))
        .orElse(null);
  }

  /**
   * The target's server version the Assessment recorded in {@code throughput.json}; null when the
   * file is absent or predates it (the schema diff's DDL then works on every version).
   */
  private String targetServerVersion(String commit) {
    return store
        .read(commit, ArtifactPaths.THROUGHPUT_JSON)
        .map(b -> Json.read(b, Throughput.class, ArtifactPaths.THROUGHPUT_JSON))
        .map(Throughput::targetServerVersion)
        .orElse(null);
  }

  private Inventory inventory(String commit) {
    byte[] bytes =
        store
            .read(commit, ArtifactPaths.INVENTORY_JSON)
            .orElseThrow(
                () -> missing(ArtifactPaths.INVENTORY_JSON, commit, "re-run the assessment"));
    return Json.read(bytes, Inventory.class, ArtifactPaths.INVENTORY_JSON);
  }

  private static String requireCommit(StageRequest request) {
    return Optional.ofNullable(request.commit())
        .orElseThrow(
            () ->
                new MigrationException(
                    ErrorCode.INVALID_COMMIT,
                    "the mapping activity of migration "
                        + request.migrationId()
                        + " got no commit to read its input from; the workflow must pass the"
                        + " approved commit"));
  }

  private static MigrationException missing(String path, String commit, String what) {
    return new MigrationException(
        ErrorCode.INVALID_ARTIFACT,
        path + " is missing at commit " + commit + " of the migration branch; " + what + " first");
  }
}
