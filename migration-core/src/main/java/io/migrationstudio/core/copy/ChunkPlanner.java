package io.migrationstudio.core.copy;

import io.migrationstudio.contracts.activity.ChunkRange;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.mapping.ColumnMapping;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Splits a table into key ranges from the source's real key distribution.
 *
 * <p>Algorithm: read the source keys in key order (streamed with bounded memory), number them, and
 * keep the key of every {@code chunkRows}-th row after the first as a boundary. Boundaries are
 * deduplicated (a composite key repeats its leading column), so a chunk may hold more than {@code
 * chunkRows} rows when one leading value has many rows; it never splits rows of equal leading
 * value. n boundaries give n+1 ranges: {@code [null, b1), [b1, b2), ..., [bn, null)}, a null bound
 * meaning unbounded, so rows inserted outside the sampled span still fall in the first or last
 * chunk. A table without a usable key (see {@link TableSql#chunkKey}) is one chunk with both bounds
 * null, flagged {@code keyless}. Boundaries are the key's text form, cast back to its type by the
 * queries that use them. The SQL is a plain ordered select, portable to every engine. Cost: one
 * sorted scan of the key, which the primary-key index serves, and the keys over the wire. A table
 * of at most {@code chunkRows} rows (counted on the server, at most {@code chunkRows + 1}) is one
 * chunk without reading its keys.
 *
 * <p>Large tables (an estimated {@value #SAMPLE_FROM_ROWS} rows or more, no row filter) on an
 * engine that can sample ({@link Dialect#sampleKeys}) are planned from a random sample of the key
 * instead: about {@value #SAMPLES_PER_CHUNK} sampled keys per planned chunk (at least {@value
 * #MIN_SAMPLE}), read from that share of the table's pages, sorted, and every {@code n/chunks}-th
 * sampled key taken as a boundary. The boundaries follow the real key distribution (gaps, skew)
 * while reading a fraction of a percent of the table, where numbering every row of a 10M-row table
 * costs seconds; chunk sizes are then approximate (whole pages are sampled: about ±20 % of {@code
 * chunkRows}). The row count is the catalog's estimate, which only progress reporting uses. Ranges
 * are unbounded at both ends, so every row still falls in exactly one chunk.
 *
 * <p>On engines that skip {@code OFFSET} rows inside an index scan ({@link
 * Dialect#walksKeyIndexForChunks}: MariaDB, MySQL, which cannot sample pages) the boundaries come
 * from walking the key's index on the server, one query per chunk (see {@link #walked}): exact
 * chunk sizes, and one key per chunk over the wire instead of every key (10M keys streamed to the
 * client took 6 s).
 */
public final class ChunkPlanner {
  /** Smallest chunk allowed: below this, per-chunk transaction overhead dominates. */
  public static final int MIN_CHUNK_ROWS = 1;

  /**
   * Estimated rows from which a table is planned from a key sample (below, numbering is cheap: at
   * most half a second of keys over the wire). It was 2,000,000: a 2M-row table after {@code
   * vacuumdb --analyze} is estimated at 1,999,999 rows and streamed its 2M keys to the worker, 2-5
   * s of a Migrate stage whose copy took 3-5 s (issue 17, {@code bench/chunk-cost.sh 20}).
   */
  public static final long SAMPLE_FROM_ROWS = 500_000;

  /**
   * Sampled keys per planned chunk: pages are sampled whole, so chunk sizes vary with the number of
   * pages behind each boundary (about ±20 % at this many).
   */
  static final int SAMPLES_PER_CHUNK = 2_000;

  /** Keys fetched per round trip while numbering a table's rows. */
  static final int KEY_FETCH_ROWS = 10_000;

  /** Fewest sampled keys worth planning from. */
  static final int MIN_SAMPLE = 20_000;

  private ChunkPlanner() {}

  /** A table's plan: its ranges, whether it had no usable key, and the rows counted. */
  public record ChunkPlan(
      String sourceTable, String keyColumn, boolean keyless, long rows, List<ChunkRange> chunks) {
    public ChunkPlan {
      chunks = List.copyOf(chunks);
      if (chunks.isEmpty()) {
        throw new IllegalArgumentException("a plan has at least one chunk: " + sourceTable);
      }
    }
  }

  /** Plans {@code sql}'s table on the source connection. */
  public static ChunkPlan plan(Connection source, Dialect dialect, TableSql sql, int chunkRows)
      throws SQLException {
    return plan(source, dialect, sql, chunkRows, SAMPLE_FROM_ROWS);
  }

  /** {@link #plan} with the size from which tables are planned from a key sample. */
  static ChunkPlan plan(
      Connection source, Dialect dialect, TableSql sql, int chunkRows, long sampleFromRows)
      throws SQLException {
    if (chunkRows < MIN_CHUNK_ROWS) {
      throw new IllegalArgumentException(
          "chunk_rows must be >= " + MIN_CHUNK_ROWS + ", was " + chunkRows);
    }
    String table = sql.table().source();
    Optional<ColumnMapping> key = sql.chunkKey();
    boolean filtered = sql.table().filter() != null && !sql.table().filter().isBlank();
    if (key.isPresent() && !filtered) {
      Optional<ChunkPlan> sampled =
          sampled(source, dialect, sql, key.get(), chunkRows, sampleFromRows);
      if (sampled.isPresent()) {
        return sampled.get();
      }
    }
    if (key.isEmpty()) {
      long rows = count(source, sql.sourceCount());
      return new ChunkPlan(table, null, true, rows, List.of(new ChunkRange(0, null, null)));
    }
    if (dialect.walksKeyIndexForChunks()) {
      return walked(source, dialect, sql, key.get(), chunkRows);
    }
    // a table that fits one chunk needs no boundary: counting at most chunkRows + 1 rows on the
    // server is far cheaper than sending every key to the client (2M keys: ~2 s)
    long fits = countUpTo(source, sql, chunkRows + 1L);
    if (fits <= chunkRows) {
      return new ChunkPlan(
          table, key.get().source(), false, fits, List.of(new ChunkRange(0, null, null)));
    }
    String k = dialect.quote(key.get().source());
    String filter =
        sql.table().filter() == null || sql.table().filter().isBlank()
            ? ""
            : " WHERE (" + sql.table().filter() + ")";
    // numbered here rather than with row_number() in SQL: MariaDB materializes a window over
    // every row (40 s for 10M rows), while streaming the ordered key is one index scan
    String query =
        "SELECT "
            + sql.sourceKeyValue(key.get())
            + " FROM "
            + sql.sourceFrom()
            + filter
            + " ORDER BY "
            + k;
    List<String> boundaries = new ArrayList<>();
    long rows = 0;
    boolean autoCommit = source.getAutoCommit();
    try (PreparedStatement ps = dialect.streamingQuery(source, query, KEY_FETCH_ROWS)) {
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows++;
          if (rows > 1 && (rows - 1) % chunkRows == 0) {
            boundaries.add(rs.getString(1));
          }
        }
      }
    } finally {
      if (!source.getAutoCommit()) {
        source.rollback();
        source.setAutoCommit(autoCommit);
      }
    }
    return new ChunkPlan(table, key.get().source(), false, rows, rangesFrom(boundaries));
  }

  /**
   * The plan from a walk of the key's index on the server (engines with {@link
   * Dialect#walksKeyIndexForChunks}): from the previous boundary {@code b}, {@code SELECT k FROM t
   * WHERE k >= b ORDER BY k LIMIT 1 OFFSET chunkRows} is the next boundary, so every chunk holds
   * exactly {@code chunkRows} rows (a unique key) and only one key per chunk crosses the wire. When
   * a leading value of a composite key repeats more than the offset (the walk would return a value
   * it already has), the next boundary is the first value after it, so that value's rows make one
   * chunk and the walk never loops. The rows are counted from the walk (a single-column key that
   * never repeated) or with one {@code count(*)}.
   */
  private static ChunkPlan walked(
      Connection source, Dialect dialect, TableSql sql, ColumnMapping key, int chunkRows)
      throws SQLException {
    String k = dialect.quote(key.source());
    List<String> boundaries = new ArrayList<>();
    java.util.Set<String> seen = new java.util.HashSet<>();
    boolean exact = sql.table().primaryKey().size() == 1;
    String lo = null;
    long rows = 0;
    while (true) {
      ChunkRange from = new ChunkRange(0, lo, null);
      String query =
          sql.sourceAggregate(sql.sourceKeyValue(key), from)
              + " ORDER BY "
              + k
              + " LIMIT 1 OFFSET "
              + chunkRows;
      String next;
      try (PreparedStatement ps = source.prepareStatement(query)) {
        sql.bindSourceRange(ps, from);
        try (ResultSet rs = ps.executeQuery()) {
          next = rs.next() ? rs.getString(1) : null;
        }
      }
      if (next == null) {
        break;
      }
      if (next.equals(lo) || seen.contains(next)) {
        // a leading value repeated beyond the offset: its rows end the chunk
        exact = false;
        next = nextDistinct(source, dialect, sql, key, lo);
        if (next == null || seen.contains(next)) {
          break;
        }
      }
      boundaries.add(next);
      seen.add(next);
      rows += chunkRows;
      lo = next;
    }
    if (exact) {
      ChunkRange last = new ChunkRange(0, lo, null);
      try (PreparedStatement ps = source.prepareStatement(sql.sourceAggregate("count(*)", last))) {
        sql.bindSourceRange(ps, last);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          rows += rs.getLong(1);
        }
      }
    } else {
      rows = count(source, sql.sourceCount());
    }
    return new ChunkPlan(sql.table().source(), key.source(), false, rows, rangesFrom(boundaries));
  }

  /** The smallest key value above {@code lo} (the filter applied), or null. */
  private static String nextDistinct(
      Connection source, Dialect dialect, TableSql sql, ColumnMapping key, String lo)
      throws SQLException {
    String k = dialect.quote(key.source());
    boolean filtered = sql.table().filter() != null && !sql.table().filter().isBlank();
    String query =
        sql.sourceAggregate(sql.sourceKeyValue(key), new ChunkRange(0, null, null))
            + (filtered ? " AND " : " WHERE ")
            + k
            + " > ? ORDER BY "
            + k
            + " LIMIT 1";
    try (PreparedStatement ps = source.prepareStatement(query)) {
      sql.bindSourceKey(ps, 1, key, lo);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  /** The plan from a key sample, or empty when the table is small or cannot be sampled. */
  private static Optional<ChunkPlan> sampled(
      Connection source,
      Dialect dialect,
      TableSql sql,
      ColumnMapping key,
      int chunkRows,
      long sampleFromRows)
      throws SQLException {
    Optional<Long> estimate = dialect.estimatedRows(source, sql.sourceTable());
    if (estimate.isEmpty() || estimate.get() < sampleFromRows) {
      return Optional.empty();
    }
    long rows = estimate.get();
    // too few pages sampled to trust: number the rows instead
    return sampledBoundaries(
            source, dialect, sql.sourceFrom(), dialect.quote(key.source()), rows, chunkRows)
        .map(b -> new ChunkPlan(sql.table().source(), key.source(), false, rows, rangesFrom(b)));
  }

  /**
   * The boundaries cutting {@code qualifiedTable} (about {@code rows} rows) into chunks of about
   * {@code chunkRows}: every {@code n/chunks}-th key of a sample of about {@value
   * #SAMPLES_PER_CHUNK} keys per chunk (at least {@value #MIN_SAMPLE}) drawn by {@link
   * Dialect#sampleKeys}; empty when the engine cannot sample or the sample came out too small to
   * trust (fewer than half the keys wanted). A table that fits one chunk is not sampled.
   */
  public static Optional<List<String>> sampledBoundaries(
      Connection connection,
      Dialect dialect,
      String qualifiedTable,
      String keyExpression,
      long rows,
      int chunkRows)
      throws SQLException {
    long chunks = Math.max(1, (rows + chunkRows - 1) / chunkRows);
    if (chunks == 1) {
      return Optional.of(List.of()); // one chunk needs no boundary, and no sample
    }
    long wanted = Math.max(MIN_SAMPLE, chunks * SAMPLES_PER_CHUNK);
    double percent = Math.min(100.0, 100.0 * wanted / rows);
    Optional<List<String>> sample =
        dialect.sampleKeys(connection, qualifiedTable, keyExpression, percent);
    if (sample.isEmpty() || sample.get().size() < Math.min(wanted, MIN_SAMPLE) / 2) {
      return Optional.empty();
    }
    List<String> keys = sample.get();
    List<String> boundaries = new ArrayList<>();
    for (long i = 1; i < chunks; i++) {
      boundaries.add(keys.get((int) (i * keys.size() / chunks)));
    }
    return Optional.of(boundaries);
  }

  /**
   * The ranges between sorted boundaries, consecutive duplicates removed: {@code [null,b1), ...,
   * [bn,null)}; no boundary gives one unbounded range.
   */
  public static List<ChunkRange> rangesFrom(List<String> sortedBoundaries) {
    List<String> distinct = new ArrayList<>();
    for (String b : sortedBoundaries) {
      if (b == null) {
        throw new IllegalArgumentException("a chunk boundary cannot be null (keys are NOT NULL)");
      }
      if (distinct.isEmpty() || !distinct.get(distinct.size() - 1).equals(b)) {
        distinct.add(b);
      }
    }
    List<ChunkRange> out = new ArrayList<>(distinct.size() + 1);
    String lo = null;
    for (String b : distinct) {
      out.add(new ChunkRange(out.size(), lo, b));
      lo = b;
    }
    out.add(new ChunkRange(out.size(), lo, null));
    return out;
  }

  /** The rows of {@code sql}'s table (its filter applied), counted up to {@code limit}. */
  private static long countUpTo(Connection c, TableSql sql, long limit) throws SQLException {
    return count(
        c,
        "SELECT count(*) FROM ("
            + sql.sourceAggregate("1", new ChunkRange(0, null, null))
            + " LIMIT "
            + limit
            + ") fits");
  }

  private static long count(Connection c, String sql) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql);
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
