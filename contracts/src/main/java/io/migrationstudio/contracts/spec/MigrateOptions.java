package io.migrationstudio.contracts.spec;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * How data is copied. Defaults: strategy {@code bulk}, parallelism 4 chunks at once, 50 000 rows
 * per chunk, reject_limit 0 (any rejected row fails the stage), dry_run false.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record MigrateOptions(
    String strategy,
    Integer parallelism,
    @JsonProperty("chunk_rows") Integer chunkRows,
    @JsonProperty("reject_limit") Long rejectLimit,
    @JsonProperty("dry_run") Boolean dryRun) {
  public MigrateOptions {
    strategy = strategy == null ? "bulk" : strategy;
    parallelism = parallelism == null ? 4 : parallelism;
    chunkRows = chunkRows == null ? 50_000 : chunkRows;
    rejectLimit = rejectLimit == null ? 0L : rejectLimit;
    dryRun = dryRun != null && dryRun;
  }

  public static MigrateOptions defaults() {
    return new MigrateOptions(null, null, null, null, null);
  }
}
