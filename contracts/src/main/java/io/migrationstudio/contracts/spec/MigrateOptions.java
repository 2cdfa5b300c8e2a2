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
 * source-load guard, target_not_empty {@code fail} (a target table that already holds rows stops
 * Migrate before anything is written, whatever the review gates say; {@code replace} allows it).
 *
 * <p>{@code strategy}: {@code bulk} (default) copies a source whose writes were stopped before
 * Migrate starts (writes made during or after the copy are not carried); {@code online} copies a
 * source that keeps taking writes and streams its changes (PostgreSQL logical decoding,
 * MariaDB/MySQL binlog) to keep the target in sync; it needs a source dialect that offers change
 * capture. {@code max_lag}: ISO-8601 duration, the lag below which the stream counts as caught up
 * (default {@value #DEFAULT_MAX_LAG}; only {@code online} uses it). {@code max_retained_wal_bytes}:
 * the WAL a PostgreSQL source's slot may retain for the stream before the stream's status warns
 * (default {@value #DEFAULT_MAX_RETAINED_WAL_BYTES}, 10 GiB; when the source bounds slots with
 * {@code max_slot_wal_keep_size}, half of that bound if it is lower; only {@code online} uses it).
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
    @JsonProperty("chunk_bytes") Long chunkBytes,
    @JsonProperty("target_not_empty") String targetNotEmpty,
    @JsonProperty("max_lag") String maxLag,
    @JsonProperty("max_retained_wal_bytes") Long maxRetainedWalBytes) {
  /** {@code strategy: bulk} (default): writes to the source are stopped before Migrate starts. */
  public static final String STRATEGY_BULK = "bulk";

  /** {@code strategy: online}: the source keeps taking writes; a change stream follows them. */
  public static final String STRATEGY_ONLINE = "online";

  /** The default {@code max_lag}: the stream has caught up when it is less than 5 s behind. */
  public static final String DEFAULT_MAX_LAG = "PT5S";

  /**
   * The default {@code max_retained_wal_bytes}: 10 GiB of WAL kept for the stream by a PostgreSQL
   * slot is a stream far behind or stopped, and a disk filling; the status warns above it.
   */
  public static final long DEFAULT_MAX_RETAINED_WAL_BYTES = 10L * 1024 * 1024 * 1024;

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

  /** {@code target_not_empty: fail} (default): Migrate refuses a target table that holds rows. */
  public static final String TARGET_NOT_EMPTY_FAIL = "fail";

  /**
   * {@code target_not_empty: replace}: Migrate writes into target tables that already hold rows;
   * each chunk deletes its key range first, so their rows are replaced or mixed with the source's.
   */
  public static final String TARGET_NOT_EMPTY_REPLACE = "replace";

  public MigrateOptions {
    strategy = strategy == null ? STRATEGY_BULK : strategy;
    parallelism = parallelism == null ? 4 : parallelism;
    if (chunkRows == null && chunkBytes == null) {
      chunkBytes = DEFAULT_CHUNK_BYTES;
    }
    if (chunkRows == null) {
      chunkRows = CHUNK_ROWS_WHEN_SIZED_BY_BYTES;
    }
    rejectLimit = rejectLimit == null ? 0L : rejectLimit;
    dryRun = dryRun != null && dryRun;
    targetNotEmpty = targetNotEmpty == null ? TARGET_NOT_EMPTY_FAIL : targetNotEmpty;
    maxLag = maxLag == null ? DEFAULT_MAX_LAG : maxLag;
    maxRetainedWalBytes =
        maxRetainedWalBytes == null ? DEFAULT_MAX_RETAINED_WAL_BYTES : maxRetainedWalBytes;
  }

  /** Whether the source keeps taking writes and a change stream follows them. */
  public boolean online() {
    return STRATEGY_ONLINE.equals(strategy);
  }

  /** A copy with another strategy, every other option kept. */
  public MigrateOptions withStrategy(String newStrategy) {
    return new MigrateOptions(
        newStrategy,
        parallelism,
        chunkRows,
        rejectLimit,
        dryRun,
        maxRowsPerSecond,
        sourceLoadGuard,
        chunkBytes,
        targetNotEmpty,
        maxLag,
        maxRetainedWalBytes);
  }

  /** Whether Migrate may replace rows a target table already holds (never implied by approval). */
  public boolean replacesNonEmptyTarget() {
    return TARGET_NOT_EMPTY_REPLACE.equals(targetNotEmpty);
  }

  /**
   * A copy with another {@code max_rows_per_second} (null: no cap), for {@code studio throttle}.
   */
  public MigrateOptions withMaxRowsPerSecond(Long rowsPerSecond) {
    return new MigrateOptions(
        strategy,
        parallelism,
        chunkRows,
        rejectLimit,
        dryRun,
        rowsPerSecond,
        sourceLoadGuard,
        chunkBytes,
        targetNotEmpty,
        maxLag,
        maxRetainedWalBytes);
  }

  /** A copy with another {@code max_retained_wal_bytes}, every other option kept. */
  public MigrateOptions withMaxRetainedWalBytes(Long bytes) {
    return new MigrateOptions(
        strategy,
        parallelism,
        chunkRows,
        rejectLimit,
        dryRun,
        maxRowsPerSecond,
        sourceLoadGuard,
        chunkBytes,
        targetNotEmpty,
        maxLag,
        bytes);
  }

  public static MigrateOptions defaults() {
    return new MigrateOptions(null, null, null, null, null, null, null, null, null, null, null);
  }
}
