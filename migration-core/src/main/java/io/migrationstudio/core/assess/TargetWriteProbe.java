package io.migrationstudio.core.assess;

import io.migrationstudio.core.copy.CopyText;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.schema.TableInfo;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.Optional;

/**
 * Measures how fast the target takes rows: reads a sample of the largest source table (at most
 * {@link #ROW_BUDGET} rows or {@link #READ_BUDGET_NANOS} of reading), then times one {@code COPY
 * ... FROM STDIN} of those rows into a temporary table of text columns on the target, in a
 * transaction rolled back afterwards (nothing stays on the target). The rate is in on-disk bytes of
 * the source table per second (its size × rows copied / rows), the unit {@link PlanReport} divides
 * table sizes by. Text columns leave out the target's type input functions and indexes (built after
 * the load and allowed for separately), so the rate is an upper bound of the real write rate.
 */
final class TargetWriteProbe {
  static final long ROW_BUDGET = 50_000;
  static final long READ_BUDGET_NANOS = 1_000_000_000L;

  /** The sample written, the time the target took and the rate. */
  record Measured(
      String table, long rows, long relationBytes, long millis, long relationBytesPerSecond) {}

  private TargetWriteProbe() {}

  /** Empty when no table holds rows or the target is not PostgreSQL (no COPY to time). */
  static Optional<Measured> measure(
      Connection source,
      Dialect dialect,
      String schema,
      Iterable<TableInfo> tables,
      Connection target,
      Dialect targetDialect)
      throws SQLException {
    TableInfo biggest = null;
    for (TableInfo t : tables) {
      if (t.rowCount() > 0
          && (biggest == null
              || Comparator.comparingLong(TableInfo::sizeBytes).compare(t, biggest) > 0)) {
        biggest = t;
      }
    }
    if (biggest == null || !targetDialect.takesCopyText()) {
      return Optional.empty();
    }
    StringBuilder rows = new StringBuilder();
    long count = 0;
    int columns;
    boolean sourceAuto = source.getAutoCommit();
    long start = System.nanoTime();
    try (PreparedStatement ps =
            dialect.streamingQuery(
                source, "SELECT * FROM " + dialect.qualify(schema, biggest.name()), 1_000);
        ResultSet rs = ps.executeQuery()) {
      columns = rs.getMetaData().getColumnCount();
      while (rs.next() && count < ROW_BUDGET && System.nanoTime() - start < READ_BUDGET_NANOS) {
        for (int i = 1; i <= columns; i++) {
          String v = rs.getString(i);
          if (i > 1) {
            rows.append('\t');
          }
          if (v == null) {
            rows.append("\\N");
          } else {
            CopyText.escape(v, rows);
          }
        }
        rows.append('\n');
        count++;
      }
    } finally {
      if (!source.getAutoCommit()) {
        source.rollback();
      }
      source.setAutoCommit(sourceAuto);
    }
    if (count == 0) {
      return Optional.empty();
    }
    boolean targetAuto = target.getAutoCommit();
    target.setAutoCommit(false);
    long nanos;
    try (Statement st = target.createStatement()) {
      StringBuilder ddl = new StringBuilder("CREATE TEMP TABLE studio_write_probe (");
      for (int i = 1; i <= columns; i++) {
        ddl.append(i > 1 ? ", " : "").append("c").append(i).append(" text");
      }
      st.execute(ddl.append(") ON COMMIT DROP").toString());
      long t0 = System.nanoTime();
      targetDialect.copyTextIn(
          target, "COPY studio_write_probe FROM STDIN", new StringReader(rows.toString()));
      nanos = Math.max(1, System.nanoTime() - t0);
    } finally {
      target.rollback();
      target.setAutoCommit(targetAuto);
    }
    long relationBytes = Math.round((double) biggest.sizeBytes() * count / biggest.rowCount());
    return Optional.of(
        new Measured(
            biggest.name(),
            count,
            relationBytes,
            nanos / 1_000_000,
            Math.max(1, Math.round(relationBytes * 1e9 / nanos))));
  }
}
