package io.migrationstudio.core.cdc;

/**
 * The log a source keeps for a change stream, as one measure found it.
 *
 * @param bytes bytes of log kept (PostgreSQL: the WAL the slot retains; MariaDB: the binlog still
 *     to read); null when not measurable (the file is gone, the user may not list the files)
 * @param warning why that log puts the source's disk or the stream at risk, with what to do; null
 *     when it does not
 */
public record LogRetention(Long bytes, String warning) {
  public LogRetention {
    if (bytes != null && bytes < 0) {
      throw new IllegalArgumentException("retained bytes must be >= 0, was " + bytes);
    }
    warning = warning == null || warning.isBlank() ? null : warning;
  }

  /**
   * What a retention is judged against: the spec's {@code migrate.max_retained_wal_bytes}, and the
   * commit time of the last transaction the target holds (null when none yet).
   */
  public record Limits(long maxRetainedWalBytes, java.time.Instant appliedCommitTime) {
    public Limits {
      if (maxRetainedWalBytes < 1) {
        throw new IllegalArgumentException(
            "migrate.max_retained_wal_bytes must be >= 1, was " + maxRetainedWalBytes);
      }
    }
  }
}
