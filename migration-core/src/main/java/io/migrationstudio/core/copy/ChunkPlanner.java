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
 * <p>Algorithm: number the source rows in key order ({@code row_number() over (order by k)}) and
 * keep the key of every {@code chunkRows}-th row after the first as a boundary. Boundaries are
 * deduplicated (a composite key repeats its leading column), so a chunk may hold more than {@code
 * chunkRows} rows when one leading value has many rows; it never splits rows of equal leading
 * value. n boundaries give n+1 ranges: {@code [null, b1), [b1, b2), ..., [bn, null)}, a null bound
 * meaning unbounded, so rows inserted outside the sampled span still fall in the first or last
 * chunk. A table without a usable key (see {@link TableSql#chunkKey}) is one chunk with both bounds
 * null, flagged {@code keyless}. Boundaries are the key's text form, cast back to its type by the
 * queries that use them. The SQL is portable: window functions and {@code %} exist in PostgreSQL,
 * MariaDB 10.2+, MySQL 8 and SQLite 3.25+. Cost: one sorted scan of the key, which the primary-key
 * index serves.
 */
public final class ChunkPlanner {
  /** Smallest chunk allowed: below this, per-chunk transaction overhead dominates. */
  public static final int MIN_CHUNK_ROWS = 1;

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
    if (chunkRows < MIN_CHUNK_ROWS) {
      throw new IllegalArgumentException(
          "chunk_rows must be >= " + MIN_CHUNK_ROWS + ", was " + chunkRows);
    }
    String table = sql.table().source();
    Optional<ColumnMapping> key = sql.chunkKey();
    long rows = count(source, sql.sourceCount());
    if (key.isEmpty()) {
      return new ChunkPlan(table, null, true, rows, List.of(new ChunkRange(0, null, null)));
    }
    String k = dialect.quote(key.get().source());
    String filter =
        sql.table().filter() == null || sql.table().filter().isBlank()
            ? ""
            : " WHERE (" + sql.table().filter() + ")";
    String query =
        "SELECT k FROM (SELECT "
            + k
            + " AS k, row_number() OVER (ORDER BY "
            + k
            + ") AS rn FROM "
            + sql.sourceTable()
            + filter
            + ") s WHERE rn > 1 AND (rn - 1) % ? = 0 ORDER BY rn";
    List<String> boundaries = new ArrayList<>();
    boolean autoCommit = source.getAutoCommit();
    try (PreparedStatement ps = dialect.streamingQuery(source, query, 1000)) {
      ps.setLong(1, chunkRows);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          boundaries.add(rs.getString(1));
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

  private static long count(Connection c, String sql) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql);
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
