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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Measures how fast the target takes rows: reads a sample of the largest source table (at most
 * {@link #ROW_BUDGET} rows or {@link #READ_BUDGET_NANOS} of reading), then times a {@code COPY ...
 * FROM STDIN} of those rows into a temporary table of text columns on the target, {@link #ROUNDS}
 * times into fresh tables keeping the fastest, in a transaction rolled back afterwards (nothing
 * stays on the target). The rate is in on-disk bytes of the source table per second (its size ×
 * rows copied / rows), the unit {@link PlanReport} divides table sizes by. Text columns leave out
 * the target's type input functions and indexes (built after the load and measured separately), so
 * the rate is an upper bound of the real write rate.
 *
 * <p>Then, in the same rolled-back transaction, it builds the sampled table's primary key, unique
 * keys and secondary indexes on the sample (as plain B-tree indexes over the same columns; an index
 * on an expression is left out) and times the builds together: Migrate builds them after the load,
 * and a build's time grows with the rows it sorts, so the plan scales this time by each table's
 * size and number of indexes. B-tree builds over text columns compare by collation, which makes the
 * figure an upper bound for integer keys and close for text ones.
 */
final class TargetWriteProbe {
  static final long ROW_BUDGET = 50_000;
  static final long READ_BUDGET_NANOS = 1_000_000_000L;

  /**
   * Times the copy and the index builds this often, each into a fresh table, and keeps the fastest:
   * a single sample of ~0.1 s moved by 2-3× between runs on a busy machine (a neighbour's burst, a
   * cold cache), and the fastest round is the one least disturbed.
   */
  static final int ROUNDS = 3;

  /** The sample written, the time the target took and the rate. */
  record Measured(
      String table,
      long rows,
      long relationBytes,
      long millis,
      long relationBytesPerSecond,
      int indexes,
      long indexMillis) {
    Measured(
        String table, long rows, long relationBytes, long millis, long relationBytesPerSecond) {
      this(table, rows, relationBytes, millis, relationBytesPerSecond, 0, 0);
    }
  }

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
    List<String> names = new ArrayList<>();
    boolean sourceAuto = source.getAutoCommit();
    long start = System.nanoTime();
    try (PreparedStatement ps =
            dialect.streamingQuery(
                source, ThroughputProbe.sql(dialect, schema, biggest, ROW_BUDGET), 1_000);
        ResultSet rs = ps.executeQuery()) {
      columns = rs.getMetaData().getColumnCount();
      for (int i = 1; i <= columns; i++) {
        names.add(rs.getMetaData().getColumnName(i));
      }
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
    long indexNanos = 0;
    List<String> builds = indexBuilds(biggest, names);
    String text = rows.toString();
    try (Statement st = target.createStatement()) {
      nanos = Long.MAX_VALUE;
      indexNanos = Long.MAX_VALUE;
      for (int round = 1; round <= ROUNDS; round++) {
        String probe = "studio_write_probe_" + round;
        StringBuilder ddl = new StringBuilder("CREATE TEMP TABLE " + probe + " (");
        for (int i = 1; i <= columns; i++) {
          ddl.append(i > 1 ? ", " : "").append("c").append(i).append(" text");
        }
        st.execute(ddl.append(") ON COMMIT DROP").toString());
        long t0 = System.nanoTime();
        targetDialect.copyTextIn(target, "COPY " + probe + " FROM STDIN", new StringReader(text));
        nanos = Math.min(nanos, Math.max(1, System.nanoTime() - t0));
        long i0 = System.nanoTime();
        for (String build : builds) {
          st.execute(build.replace("studio_write_probe", probe));
        }
        indexNanos =
            Math.min(indexNanos, builds.isEmpty() ? 0 : Math.max(1, System.nanoTime() - i0));
      }
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
            Math.max(1, Math.round(relationBytes * 1e9 / nanos)),
            builds.size(),
            Math.max(builds.isEmpty() ? 0 : 1, indexNanos / 1_000_000)));
  }

  /**
   * {@code CREATE INDEX} on the probe table for the table's primary key, unique keys and indexes,
   * each over the probe's columns of the same names (c1 for the first column, ...); an index whose
   * columns are not all plain columns of the table is left out.
   */
  static List<String> indexBuilds(TableInfo t, List<String> columnNames) {
    List<List<String>> keys = new ArrayList<>();
    if (t.primaryKey() != null) {
      keys.add(t.primaryKey().columns());
    }
    t.uniqueKeys().forEach(k -> keys.add(k.columns()));
    t.indexes().forEach(ix -> keys.add(ix.columns()));
    List<String> out = new ArrayList<>();
    for (List<String> key : keys) {
      StringBuilder cols = new StringBuilder();
      boolean plain = !key.isEmpty();
      for (String k : key) {
        int at = columnNames.indexOf(k);
        if (at < 0) {
          plain = false;
          break;
        }
        cols.append(cols.length() == 0 ? "" : ", ").append('c').append(at + 1);
      }
      if (plain) {
        out.add("CREATE INDEX ON studio_write_probe (" + cols + ")");
      }
    }
    return out;
  }
}
