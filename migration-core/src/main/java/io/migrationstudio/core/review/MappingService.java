package io.migrationstudio.core.review;

import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.core.dialect.Connections;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.dialect.Secrets;
import io.migrationstudio.core.diff.DiffReport;
import io.migrationstudio.core.diff.PlannedTargetDiff;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.MappingGenerator;
import io.migrationstudio.core.mapping.MappingLoader;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.EvidenceMask;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.report.StageOutput;
import io.migrationstudio.core.schema.Inventory;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The Mapping stage's work for one spec at a time, built once per worker: {@link MappingGenerator}
 * for {@code mapping.yaml}, and {@link CompatibilityReviewer} on read-only source and target
 * sessions opened through {@link Connections} (one frame; a failing query and a failing close are
 * told apart). The activity adapter only reads artifacts and commits what comes out.
 */
public final class MappingService {
  private final Secrets secrets;
  private final MappingGenerator generator = new MappingGenerator();

  public MappingService(Secrets secrets) {
    this.secrets = Objects.requireNonNull(secrets);
  }

  /**
   * {@code mapping.yaml} for the inventory and the spec, merged with {@code overrides} (the bytes
   * of the spec's overrides file, or null), which are committed next to it when given.
   */
  public StageOutput generate(Inventory inventory, MigrationSpec spec, byte[] overrides) {
    return generate(inventory, spec, overrides, null);
  }

  /**
   * As {@link #generate(Inventory, MigrationSpec, byte[])}, the schema diff's DDL written for the
   * target's server version {@code targetVersion} (the Assessment's {@code throughput.json} records
   * it; null: unknown).
   */
  public StageOutput generate(
      Inventory inventory, MigrationSpec spec, byte[] overrides, String targetVersion) {
    MappingDocument mapping = generator.generate(inventory, spec, overrides);
    int columns = mapping.tables().stream().mapToInt(t -> t.columns().size()).sum();
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put(ArtifactPaths.MAPPING_YAML, MappingLoader.renderBytes(mapping));
    if (overrides != null) {
      files.put(ArtifactPaths.MAPPING_OVERRIDES, overrides);
    }
    // the diff source -> planned target, with forward and rollback DDL, for the reviewers
    DiffReport diff =
        PlannedTargetDiff.of(inventory, mapping, Dialects.target(spec), targetVersion);
    files.put(
        ArtifactPaths.SCHEMA_DIFF_MD, Json.bytes(PlannedTargetDiff.markdown(diff, inventory)));
    files.put(ArtifactPaths.SCHEMA_DIFF_JSON, Json.bytes(diff.json()));
    return new StageOutput(
        files,
        null,
        "mapping.yaml: "
            + mapping.tables().size()
            + " tables, "
            + columns
            + " columns, naming "
            + mapping.naming()
            + "; schema diff source -> target: "
            + diff.counts().get("breaking")
            + " breaking, "
            + diff.counts().get("potentially breaking")
            + " potentially breaking");
  }

  /** Reviews {@code mapping} against the inventory and the real source and target data. */
  public StageOutput review(MigrationSpec spec, Inventory inventory, MappingDocument mapping) {
    return Connections.onBothReadOnly(
        spec,
        secrets,
        "the compatibility review",
        (source, target) ->
            new CompatibilityReviewer(spec.migrate(), spec.reverseReplication())
                .review(
                    source,
                    Dialects.forUrl(spec.source().url()),
                    Dialects.schemaOf(spec.source()),
                    target,
                    inventory,
                    mapping,
                    EvidenceMask.plain(spec.mapping().plainEvidence())));
  }
}
