package io.migrationstudio.core.assess;

import io.migrationstudio.core.copy.ValueSize;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.schema.TableInfo;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Measures how fast the source can be read: streams {@code SELECT *} of the largest tables (by
 * size, then name) through {@link Dialect#streamingQuery} until {@link #TIME_BUDGET_NANOS} or
 * {@link #ROW_BUDGET} is spent, counting rows, value bytes and the share of each table's on-disk
 * size that was read. Reading the biggest tables first samples the rows that dominate the copy
 * time. The read runs in a transaction that is rolled back afterwards, and the connection's
 * auto-commit is restored.
 */
final class ThroughputProbe {
  /** At most ~2 s of reading: long enough to pass connection warm-up, short enough for a stage. */
  static final long TIME_BUDGET_NANOS = 2_000_000_000L;

  /** At most 200 000 rows: enough for a stable rate on small tables without reading a big one. */
  static final long ROW_BUDGET = 200_000;

  /** Rows per cursor fetch: the copy's own fetch size, so the rate reflects how it will read. */
  static final int FETCH_SIZE = 1_000;

  private ThroughputProbe() {}

  static Throughput measure(Connection c, Dialect dialect, String schema, List<TableInfo> tables)
      throws SQLException {
    List<TableInfo> candidates =
        tables.stream()
            .filter(t -> t.rowCount() > 0)
            .sorted(
                Comparator.comparingLong(TableInfo::sizeBytes)
                    .reversed()
                    .thenComparing(TableInfo::name))
            .toList();
    boolean autoCommit = c.getAutoCommit();
    long rows = 0;
    long bytes = 0;
    double relationBytes = 0;
    List<String> sampled = new ArrayList<>();
    long start = System.nanoTime();
    long readNanos = 0;
    try {
      for (TableInfo t : candidates) {
        if (rows >= ROW_BUDGET || System.nanoTime() - start >= TIME_BUDGET_NANOS) {
          break;
        }
        sampled.add(t.name());
        long rowsBefore = rows;
        String sql = sql(dialect, schema, t.name(), ROW_BUDGET - rows);
        try (PreparedStatement ps = dialect.streamingQuery(c, sql, FETCH_SIZE);
            ResultSet rs = ps.executeQuery()) {
          int columns = rs.getMetaData().getColumnCount();
          while (rs.next()) {
            for (int i = 1; i <= columns; i++) {
              bytes += valueBytes(rs.getObject(i));
            }
            rows++;
            if ((rows & 255) == 0
                && (rows >= ROW_BUDGET || System.nanoTime() - start >= TIME_BUDGET_NANOS)) {
              break;
            }
          }
          readNanos = System.nanoTime() - start; // before close(): a driver may drain the rest
        }
        relationBytes += (double) t.sizeBytes() * (rows - rowsBefore) / t.rowCount();
      }
    } finally {
      if (!c.getAutoCommit()) {
        c.rollback();
      }
      c.setAutoCommit(autoCommit);
    }
    long nanos = Math.max(1, readNanos);
    sampled.sort(Comparator.naturalOrder());
    return new Throughput(
        rows == 0 ? 0 : Math.max(1, Math.round(rows * 1e9 / nanos)),
        bytes == 0 ? 0 : Math.max(1, Math.round(bytes * 1e9 / nanos)),
        rows,
        bytes,
        relationBytes < 1 ? 0 : Math.max(1, Math.round(relationBytes * 1e9 / nanos)),
        Math.round(relationBytes),
        nanos / 1_000_000,
        sampled);
  }

  /**
   * The read of one table, bounded to the rows the budget has left: a MariaDB/MySQL result set
   * closed early is drained to its end by the driver (the protocol cannot stop a result), so an
   * unbounded {@code SELECT *} sent the whole table after the probe stopped reading (10M rows: 13
   * of the 15 s the probe took, and counted in its rate).
   */
  static String sql(Dialect dialect, String schema, String table, long rows) {
    return "SELECT * FROM " + dialect.qualify(schema, table) + " LIMIT " + rows;
  }

  /** The size a value occupies when copied ({@link ValueSize#copiedBytes}). */
  static long valueBytes(Object value) {
    return ValueSize.copiedBytes(value);
  }
}
