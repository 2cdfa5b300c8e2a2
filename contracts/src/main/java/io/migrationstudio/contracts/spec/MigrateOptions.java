package io.migrationstudio.contracts.spec;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * How data is copied. Defaults: strategy {@code bulk}, parallelism 4 chunks at once, 50 000 rows
 * per chunk, reject_limit 0 (any rejected row fails the stage), dry_run false, no rate limit
 * ({@code max_rows_per_second} null: as fast as the databases go; when set it caps the rows each
 * {@code worker-migrate} process reads per second over all its chunks), no source-load guard.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record MigrateOptions(
    String strategy,
    Integer parallelism,
    @JsonProperty("chunk_rows") Integer chunkRows,
    @JsonProperty("reject_limit") Long rejectLimit,
    @JsonProperty("dry_run") Boolean dryRun,
    @JsonProperty("max_rows_per_second") Long maxRowsPerSecond,
    @JsonProperty("source_load_guard") SourceLoadGuard sourceLoadGuard) {
  public MigrateOptions {
    strategy = strategy == null ? "bulk" : strategy;
    parallelism = parallelism == null ? 4 : parallelism;
    chunkRows = chunkRows == null ? 50_000 : chunkRows;
    rejectLimit = rejectLimit == null ? 0L : rejectLimit;
    dryRun = dryRun != null && dryRun;
  }

  /** The options before throttling existed (no rate limit, no source-load guard). */
  public MigrateOptions(
      String strategy, Integer parallelism, Integer chunkRows, Long rejectLimit, Boolean dryRun) {
    this(strategy, parallelism, chunkRows, rejectLimit, dryRun, null, null);
  }

  public static MigrateOptions defaults() {
    return new MigrateOptions(null, null, null, null, null, null, null);
  }
}
