package io.migrationstudio.contracts.spec;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * How data is copied. Defaults: strategy {@code bulk}, parallelism 4 chunks at once; chunks of
 * about {@value #DEFAULT_CHUNK_BYTES} bytes when neither {@code chunk_rows} nor {@code chunk_bytes}
 * is given (as many rows as fit, measured per table); with {@code chunk_bytes} alone as many rows
 * as fit in it; with {@code chunk_rows} alone that many rows; with both the smaller; rows per chunk
 * up to 1 000 000 000 either way. reject_limit 0 (any rejected row fails the stage), dry_run false,
 * no rate limit ({@code max_rows_per_second} null: as fast as the databases go; when set it caps
 * the rows each {@code worker-migrate} process reads per second over all its chunks), no
 * source-load guard.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record MigrateOptions(
    String strategy,
    Integer parallelism,
    @JsonProperty("chunk_rows") Integer chunkRows,
    @JsonProperty("reject_limit") Long rejectLimit,
    @JsonProperty("dry_run") Boolean dryRun,
    @JsonProperty("max_rows_per_second") Long maxRowsPerSecond,
    @JsonProperty("source_load_guard") SourceLoadGuard sourceLoadGuard,
    @JsonProperty("chunk_bytes") Long chunkBytes) {
  /**
   * Rows per chunk of a validation without a ledger when the spec gives no {@code chunk_rows} (the
   * copy's chunks are sized by bytes then; validation cuts by rows).
   */
  public static final int DEFAULT_CHUNK_ROWS = 50_000;

  /**
   * Bytes per chunk when neither {@code chunk_rows} nor {@code chunk_bytes} is given: 256 MiB, a
   * few seconds of copy per chunk, so a chunk's fixed cost (one activity, its workflow round trips,
   * one target transaction; 0.1-0.3 s on a 2-core machine) stays small, while a failed chunk redoes
   * little. 50,000-row chunks made a 10M-row table 200 chunks and its copy 4x slower.
   */
  public static final long DEFAULT_CHUNK_BYTES = 256L * 1024 * 1024;

  /** The row ceiling of a chunk sized by {@code chunk_bytes} alone (no {@code chunk_rows}). */
  public static final int CHUNK_ROWS_WHEN_SIZED_BY_BYTES = 1_000_000_000;

  public MigrateOptions {
    strategy = strategy == null ? "bulk" : strategy;
    parallelism = parallelism == null ? 4 : parallelism;
    if (chunkRows == null && chunkBytes == null) {
      chunkBytes = DEFAULT_CHUNK_BYTES;
    }
    if (chunkRows == null) {
      chunkRows = CHUNK_ROWS_WHEN_SIZED_BY_BYTES;
    }
    rejectLimit = rejectLimit == null ? 0L : rejectLimit;
    dryRun = dryRun != null && dryRun;
  }

  /** The options before throttling existed (no rate limit, no source-load guard). */
  public MigrateOptions(
      String strategy, Integer parallelism, Integer chunkRows, Long rejectLimit, Boolean dryRun) {
    this(strategy, parallelism, chunkRows, rejectLimit, dryRun, null, null);
  }

  /** The options before {@code chunk_bytes} existed (chunks sized by rows alone). */
  public MigrateOptions(
      String strategy,
      Integer parallelism,
      Integer chunkRows,
      Long rejectLimit,
      Boolean dryRun,
      Long maxRowsPerSecond,
      SourceLoadGuard sourceLoadGuard) {
    this(
        strategy,
        parallelism,
        chunkRows,
        rejectLimit,
        dryRun,
        maxRowsPerSecond,
        sourceLoadGuard,
        null);
  }

  public static MigrateOptions defaults() {
    return new MigrateOptions(null, null, null, null, null, null, null, null);
  }
}
