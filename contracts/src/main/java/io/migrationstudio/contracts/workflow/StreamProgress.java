package io.migrationstudio.contracts.workflow;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where the change stream of an online migration stands, as its last apply slice measured it.
 *
 * @param capture the capture's name (PostgreSQL: slot and publication)
 * @param position the source position the target holds (stored with the applied changes)
 * @param head the source's end of log when measured
 * @param lagBytes bytes of log between {@code position} and {@code head}; -1 when not measurable
 *     (binlog positions in different files)
 * @param lagMillis how far behind the source the target is in time: 0 when everything the source
 *     committed is applied, else the age of the oldest transaction not yet applied (at least the
 *     age of the last applied one)
 * @param transactions source transactions applied since the stream started
 * @param changes row changes applied since the stream started
 * @param changesPerSecond applied row changes per second over the last slice
 * @param tableChanges row changes applied per source table since the stream started
 * @param caughtUp whether the lag is below {@code migrate.max_lag}
 * @param measuredAtMillis when the slice ended (worker clock)
 * @param stopped why the stream stopped for good (DDL on a captured table, …); null while it runs
 * @param retainedBytes bytes of log the source keeps for the stream: PostgreSQL the WAL the slot
 *     retains ({@code pg_current_wal_lsn()} minus the slot's {@code restart_lsn}), MariaDB the
 *     binlog from the applied position to the end, across files; null when not measured
 * @param retentionWarning why the log the source keeps puts its disk or the stream at risk, and
 *     what to do (PostgreSQL: the slot retains more than {@code migrate.max_retained_wal_bytes} or
 *     half of {@code max_slot_wal_keep_size}, or its {@code wal_status} is {@code unreserved} or
 *     {@code lost}; MariaDB: the binlog file the stream needs is purged or close to the server's
 *     expiry); null when it does not
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record StreamProgress(
    String capture,
    String position,
    String head,
    long lagBytes,
    long lagMillis,
    long transactions,
    long changes,
    double changesPerSecond,
    Map<String, Long> tableChanges,
    boolean caughtUp,
    long measuredAtMillis,
    String stopped,
    Long retainedBytes,
    String retentionWarning) {
  public StreamProgress {
    tableChanges = tableChanges == null ? Map.of() : new TreeMap<>(tableChanges);
  }

  /** This progress with {@code perTable} as its row changes per table. */
  public StreamProgress withTableChanges(Map<String, Long> perTable) {
    return new StreamProgress(
        capture,
        position,
        head,
        lagBytes,
        lagMillis,
        transactions,
        changes,
        changesPerSecond,
        perTable,
        caughtUp,
        measuredAtMillis,
        stopped,
        retainedBytes,
        retentionWarning);
  }

  /** One line for status and watch, like gh-ost's. */
  public String line() {
    if (stopped != null) {
      return "stream "
          + capture
          + " stopped: "
          + stopped
          + (retentionWarning == null ? "" : "; WARNING: " + retentionWarning);
    }
    return String.format(
        java.util.Locale.ROOT,
        "stream %s: at %s, lag %.1f s%s, %d changes applied (%.0f/s)%s%s%s",
        capture,
        position,
        lagMillis / 1000.0,
        lagBytes >= 0 ? " / " + lagBytes + " bytes" : "",
        changes,
        changesPerSecond,
        caughtUp ? ", caught up" : ", catching up",
        retainedBytes == null ? "" : ", source keeps " + retainedBytes + " bytes of log for it",
        retentionWarning == null ? "" : "; WARNING: " + retentionWarning);
  }
}
