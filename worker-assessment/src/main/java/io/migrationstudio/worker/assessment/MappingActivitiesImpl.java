package io.migrationstudio.worker.assessment;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.activity.ActivityFailures;
import io.migrationstudio.contracts.activity.MappingActivities;
import io.migrationstudio.contracts.activity.StageRequest;
import io.migrationstudio.contracts.activity.StageResult;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.evidence.StageArtifacts;
import io.migrationstudio.core.git.ArtifactStore;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.MappingGenerator;
import io.migrationstudio.core.mapping.MappingLoader;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.EvidenceMask;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.report.StageOutput;
import io.migrationstudio.core.review.CompatibilityReviewer;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.core.spec.SecretResolver;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;

/**
 * Mapping stage activities: a thin adapter from Temporal to {@link MappingGenerator}, {@link
 * MappingLoader} and {@link CompatibilityReviewer}. Artifacts are read at the request's commit and
 * committed on the request's branch by the stage's role; failures become application failures typed
 * by error code ({@link ActivityFailures}).
 */
public final class MappingActivitiesImpl implements MappingActivities {
  private final ArtifactStore store;
  private final StageArtifacts artifacts;
  private final SecretResolver secrets;
  private final MappingGenerator generator = new MappingGenerator();

  public MappingActivitiesImpl(ArtifactStore store, SecretResolver secrets) {
    this.store = store;
    this.artifacts = new StageArtifacts(store);
    this.secrets = secrets;
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
          Inventory inventory = inventory(commit);
          String overridesPath = request.spec().mapping().overrides();
          byte[] overrides = null;
          if (overridesPath != null && !overridesPath.isBlank()) {
            // an absolute path is a file, never an artifact path (the store refuses it)
            overrides =
                (java.nio.file.Path.of(overridesPath).isAbsolute()
                        ? MappingGenerator.readOverrides(overridesPath)
                        : store
                            .read(commit, overridesPath)
                            .or(() -> MappingGenerator.readOverrides(overridesPath)))
                    .orElse(null);
          }
          MappingDocument mapping = generator.generate(inventory, request.spec(), overrides);
          int columns = mapping.tables().stream().mapToInt(t -> t.columns().size()).sum();
          String summary =
              "mapping.yaml: "
                  + mapping.tables().size()
                  + " tables, "
                  + columns
                  + " columns, naming "
                  + mapping.naming();
          return artifacts.commit(
              Stage.MAPPING,
              Stage.MAPPING.producerRole(),
              request.branch(),
              "Mapping",
              new StageOutput(
                  overrides == null
                      ? Map.of(ArtifactPaths.MAPPING_YAML, MappingLoader.renderBytes(mapping))
                      : Map.of(
                          ArtifactPaths.MAPPING_YAML,
                          MappingLoader.renderBytes(mapping),
                          ArtifactPaths.MAPPING_OVERRIDES,
                          overrides),
                  null,
                  summary));
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
          MappingDocument mapping = MappingLoader.load(yaml, inventory);
          Dialect sourceDialect = Dialects.forUrl(request.spec().source().url());
          String sourceSchema = Dialects.schemaOf(request.spec().source());
          StageOutput output;
          try (Connection source =
                  Dialects.openReadOnly(request.spec().source(), secrets, "source");
              Connection target =
                  Dialects.openReadOnly(request.spec().target(), secrets, "target")) {
            output =
                new CompatibilityReviewer(request.spec().migrate())
                    .review(
                        source,
                        sourceDialect,
                        sourceSchema,
                        target,
                        inventory,
                        mapping,
                        EvidenceMask.plain(request.spec().mapping().plainEvidence()));
          } catch (SQLException e) {
            throw sourceDialect.classify(e, "the source connection of the compatibility review");
          }
          return artifacts.commit(
              Stage.MAPPING,
              Stage.MAPPING.checkerRole(),
              request.branch(),
              "Mapping review",
              output);
        });
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
