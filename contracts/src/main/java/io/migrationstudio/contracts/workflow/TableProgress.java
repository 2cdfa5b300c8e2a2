package io.migrationstudio.contracts.workflow;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * Copy progress of one table. {@code startedAtMillis}: when its copy started (workflow time);
 * {@code updatedAtMillis}: when its last chunk finished; {@code rowsPerSecond}: rows copied over
 * that span; {@code etaSeconds}: the estimated rows left at that rate (0 when done). The last four
 * are null until known (before the first chunk, and in histories recorded before they existed).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record TableProgress(
    String table,
    long rowsCopied,
    long rowsEstimated,
    int chunksDone,
    int chunksTotal,
    Long startedAtMillis,
    Long updatedAtMillis,
    Double rowsPerSecond,
    Long etaSeconds) {

  /** Counters only (rate and ETA unknown). */
  public TableProgress(
      String table, long rowsCopied, long rowsEstimated, int chunksDone, int chunksTotal) {
    this(table, rowsCopied, rowsEstimated, chunksDone, chunksTotal, null, null, null, null);
  }

  /**
   * These counters with the rate and ETA measured between {@code startedAt} and {@code updatedAt}
   * (either may be null: then unknown).
   */
  public TableProgress timed(Long startedAt, Long updatedAt) {
    if (startedAt == null || updatedAt == null || updatedAt <= startedAt || rowsCopied <= 0) {
      return new TableProgress(
          table,
          rowsCopied,
          rowsEstimated,
          chunksDone,
          chunksTotal,
          startedAt,
          updatedAt,
          null,
          chunksTotal > 0 && chunksDone >= chunksTotal ? 0L : null);
    }
    double rate = rowsCopied * 1000.0 / (updatedAt - startedAt);
    long left = chunksDone >= chunksTotal ? 0 : Math.max(0, rowsEstimated - rowsCopied);
    return new TableProgress(
        table,
        rowsCopied,
        rowsEstimated,
        chunksDone,
        chunksTotal,
        startedAt,
        updatedAt,
        rate,
        Math.round(left / rate));
  }
}
