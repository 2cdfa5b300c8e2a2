package io.migrationstudio.core.assess;

import io.migrationstudio.core.copy.CopyFraming;
import io.migrationstudio.core.copy.ValueSize;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.schema.Column;
import io.migrationstudio.core.schema.TableInfo;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Measures how fast the source can be read, along the path its copy will read it. The largest
 * tables (by size, then name) are read first: their rows dominate the copy time. Both paths count
 * the share of each table's on-disk size that was read, the unit the plan divides table sizes by.
 *
 * <p>A source with a binary COPY ({@link Dialect#readsCopyBinary}: PostgreSQL, whose copy pipes
 * {@code COPY ... TO STDOUT (FORMAT binary)} into the target without decoding a row) is read that
 * way: {@code COPY (SELECT <the table's columns> FROM t LIMIT n) TO STDOUT (FORMAT binary)}, the
 * stream framed and hashed as the copy does ({@link CopyFraming}) and then discarded. {@code n} is
 * sized so that the tables together read about {@link #sampleBytes} of their on-disk size (an
 * eighth of it, between 16 and 64 MiB: proportionate to the copy it predicts) (and stop starting
 * tables once the timed COPYs took {@link #TIME_BUDGET_NANOS}), which makes a statement's fixed
 * cost (parse, plan, first page) a small share of its time, so one read suffices. Every page is
 * read once: a table that is not in the cache is timed at the disk's rate, as its copy will be
 * (reading one sample three times and keeping the fastest, as {@link TargetWriteProbe} does, would
 * time the cache). The copy's value sizes ({@code sampled_bytes}, the unit of {@code
 * migrate.chunk_bytes}) come from each table's first {@link #VALUE_SAMPLE_ROWS} rows read through
 * JDBC after the timed read, not timed.
 *
 * <p>Other sources (MariaDB, SQLite: their copy decodes every row in the worker) stream {@code
 * SELECT *} through {@link Dialect#streamingQuery} until {@link #TIME_BUDGET_NANOS} or {@link
 * #ROW_BUDGET} is spent, counting rows and value bytes.
 *
 * <p>JDBC reads run in a transaction that is rolled back afterwards, and the connection's
 * auto-commit is restored.
 */
final class ThroughputProbe {
  /** At most ~2 s of reading: long enough to pass connection warm-up, short enough for a stage. */
  static final long TIME_BUDGET_NANOS = 2_000_000_000L;

  /** At most 200 000 rows: enough for a stable rate on small tables without reading a big one. */
  static final long ROW_BUDGET = 200_000;

  /** Rows per cursor fetch: the copy's own fetch size, so the rate reflects how it will read. */
  static final int FETCH_SIZE = 1_000;

  /**
   * On-disk bytes a binary COPY probe reads: 64 MiB take ~0.3 s at the ~200 MB/s a PostgreSQL copy
   * reads from the cache on 2 cores (a few ms of fixed cost are ~1 %), ~1 s from a 60 MB/s disk.
   */
  static final long SAMPLE_RELATION_BYTES = 64L * 1024 * 1024;

  /**
   * The share of the tables' on-disk size a binary COPY probe reads at most (issue 14): the probe
   * predicts the copy, so it should cost a small part of it. 64 MiB were half of a 1M-row pgbench
   * database (128 MB), whose online copy the probe then delayed by about as much as it read.
   */
  static final int SAMPLE_SHARE_DIVISOR = 8;

  /**
   * The least a binary COPY probe reads when the tables hold more (the share is smaller): 16 MiB
   * take ~80 ms from the cache, so a statement's fixed cost stays a few per cent of the timing.
   */
  static final long MIN_SAMPLE_RELATION_BYTES = 16L * 1024 * 1024;

  /** Rows of each table whose value sizes stand for the rows a binary COPY probe read. */
  static final int VALUE_SAMPLE_ROWS = 1_000;

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
    return dialect.readsCopyBinary()
        ? copies(c, dialect, schema, candidates).withReadMethod(Throughput.READ_BINARY_COPY)
        : rows(c, dialect, schema, candidates).withReadMethod(Throughput.READ_ROWS);
  }

  /** The binary COPY path (see the class comment). */
  private static Throughput copies(
      Connection c, Dialect dialect, String schema, List<TableInfo> candidates)
      throws SQLException {
    long rows = 0;
    double bytes = 0;
    double relationBytes = 0;
    long nanos = 0;
    List<String> sampled = new ArrayList<>();
    long budget = sampleBytes(candidates);
    for (TableInfo t : candidates) {
      double left = budget - relationBytes;
      // the time budget counts the timed reads only, not the value samples between them
      if (left < 1 || nanos >= TIME_BUDGET_NANOS) {
        break;
      }
      List<String> columns = new ArrayList<>();
      for (Column col : t.columns()) {
        if (col.generated() == null) {
          columns.add(dialect.quote(col.name()));
        }
      }
      if (columns.isEmpty()) {
        continue;
      }
      double rowBytes = Math.max(1.0, (double) t.sizeBytes() / t.rowCount());
      long limit = Math.max(1, (long) Math.ceil(left / rowBytes));
      String from = " FROM " + from(dialect, schema, t);
      String select = "SELECT " + String.join(", ", columns) + from;
      CopyFraming framing = new CopyFraming();
      long t0 = System.nanoTime();
      dialect.copyBinaryOut(c, select + " LIMIT " + limit, d -> framing.accept(d, 0, d.length));
      nanos += System.nanoTime() - t0;
      framing.requireComplete("the read probe's binary COPY of " + t.name());
      long read = framing.tuples();
      sampled.add(t.name());
      rows += read;
      relationBytes += (double) t.sizeBytes() * read / t.rowCount();
      Sample values = read(c, dialect, select + " LIMIT " + VALUE_SAMPLE_ROWS, Long.MIN_VALUE, 0);
      if (values.rows() > 0) {
        bytes += (double) values.bytes() / values.rows() * read;
      }
    }
    return throughput(rows, Math.round(bytes), relationBytes, nanos, sampled);
  }

  /**
   * On-disk bytes the binary COPY probe reads of {@code tables}: an eighth of their size ({@link
   * #SAMPLE_SHARE_DIVISOR}), at least {@link #MIN_SAMPLE_RELATION_BYTES} (all of tables smaller
   * than that) and at most {@link #SAMPLE_RELATION_BYTES}.
   */
  static long sampleBytes(List<TableInfo> tables) {
    long total = 0;
    for (TableInfo t : tables) {
      total += Math.max(0, t.sizeBytes());
    }
    return Math.max(
        MIN_SAMPLE_RELATION_BYTES, Math.min(SAMPLE_RELATION_BYTES, total / SAMPLE_SHARE_DIVISOR));
  }

  /** The JDBC path (see the class comment). */
  private static Throughput rows(
      Connection c, Dialect dialect, String schema, List<TableInfo> candidates)
      throws SQLException {
    long rows = 0;
    long bytes = 0;
    double relationBytes = 0;
    List<String> sampled = new ArrayList<>();
    long start = System.nanoTime();
    long readNanos = 0;
    for (TableInfo t : candidates) {
      if (rows >= ROW_BUDGET || System.nanoTime() - start >= TIME_BUDGET_NANOS) {
        break;
      }
      sampled.add(t.name());
      Sample s = read(c, dialect, sql(dialect, schema, t, ROW_BUDGET - rows), start, rows);
      rows += s.rows();
      bytes += s.bytes();
      relationBytes += (double) t.sizeBytes() * s.rows() / t.rowCount();
      readNanos = s.readAt() - start;
    }
    return throughput(rows, bytes, relationBytes, readNanos, sampled);
  }

  private static Throughput throughput(
      long rows, long bytes, double relationBytes, long elapsedNanos, List<String> sampled) {
    long nanos = Math.max(1, elapsedNanos);
    List<String> tables = new ArrayList<>(sampled);
    tables.sort(Comparator.naturalOrder());
    return new Throughput(
        rows == 0 ? 0 : Math.max(1, Math.round(rows * 1e9 / nanos)),
        bytes == 0 ? 0 : Math.max(1, Math.round(bytes * 1e9 / nanos)),
        rows,
        bytes,
        relationBytes < 1 ? 0 : Math.max(1, Math.round(relationBytes * 1e9 / nanos)),
        Math.round(relationBytes),
        nanos / 1_000_000,
        tables);
  }

  /**
   * Rows read, the sizes of their values, and when the last row was read ({@link System#nanoTime},
   * before the result was closed: a driver may drain the rest of it on close).
   */
  private record Sample(long rows, long bytes, long readAt) {}

  /**
   * {@code sql}'s rows until {@link #ROW_BUDGET} rows counting the {@code rowsBefore} already read,
   * or (when {@code start} is not {@link Long#MIN_VALUE}) {@link #TIME_BUDGET_NANOS} since {@code
   * start}, in a transaction rolled back afterwards.
   */
  private static Sample read(Connection c, Dialect dialect, String sql, long start, long rowsBefore)
      throws SQLException {
    boolean autoCommit = c.getAutoCommit();
    long rows = rowsBefore;
    long bytes = 0;
    long readAt;
    try (PreparedStatement ps = dialect.streamingQuery(c, sql, FETCH_SIZE);
        ResultSet rs = ps.executeQuery()) {
      int columns = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        for (int i = 1; i <= columns; i++) {
          bytes += valueBytes(rs.getObject(i));
        }
        rows++;
        if ((rows & 255) == 0
            && (rows >= ROW_BUDGET
                || (start != Long.MIN_VALUE && System.nanoTime() - start >= TIME_BUDGET_NANOS))) {
          break;
        }
      }
      readAt = System.nanoTime();
    } finally {
      if (!c.getAutoCommit()) {
        c.rollback();
      }
      c.setAutoCommit(autoCommit);
    }
    return new Sample(rows - rowsBefore, bytes, readAt);
  }

  /**
   * The read of one table, bounded to the rows the budget has left: a MariaDB/MySQL result set
   * closed early is drained to its end by the driver (the protocol cannot stop a result), so an
   * unbounded {@code SELECT *} sent the whole table after the probe stopped reading (10M rows: 13
   * of the 15 s the probe took, and counted in its rate).
   */
  static String sql(Dialect dialect, String schema, TableInfo table, long rows) {
    return "SELECT * FROM " + from(dialect, schema, table) + " LIMIT " + rows;
  }

  /**
   * The table as a read of its own rows names it: {@code ONLY t} for a table-inheritance parent
   * ({@code inheritance_children}), whose children are tables of their own, copied apart.
   */
  static String from(Dialect dialect, String schema, TableInfo table) {
    String qualified = dialect.qualify(schema, table.name());
    return table.inheritanceChildren().isEmpty() ? qualified : dialect.only(qualified);
  }

  /** The size a value occupies when copied ({@link ValueSize#copiedBytes}). */
  static long valueBytes(Object value) {
    return ValueSize.copiedBytes(value);
  }
}
