package io.migrationstudio.core.copy;

import io.migrationstudio.contracts.activity.ChunkRange;
import io.migrationstudio.core.dialect.Dialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads and writes the studio's ledger on the target ({@code <studio>.chunk_ledger}, {@code
 * table_ledger}, {@code rejects}; created by {@link TargetSchema}). Tables are keyed by their
 * source name, as chunk requests and results name them.
 */
public final class Ledger {
  public static final String PLANNED = "planned";
  public static final String COMMITTED = "committed";

  private final String chunks;
  private final String tables;
  private final String rejects;

  public Ledger(Dialect target, String studioSchema) {
    this.chunks = target.qualify(studioSchema, "chunk_ledger");
    this.tables = target.qualify(studioSchema, "table_ledger");
    this.rejects = target.qualify(studioSchema, "rejects");
  }

  public String chunkTable() {
    return chunks;
  }

  /** Whether the chunk table exists on {@code tgt} (a target without one has no ledger). */
  public boolean exists(Connection tgt) throws SQLException {
    try (PreparedStatement ps = tgt.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
      ps.setString(1, chunkTable());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }

  /** The qualified table ledger ({@code <studio>.table_ledger}). */
  public String tableLedger() {
    return tables;
  }

  public String rejectTable() {
    return rejects;
  }

  /** One row of the chunk ledger. */
  public record ChunkRow(
      String table,
      int chunk,
      String lo,
      String hi,
      long rows,
      long rejects,
      String sourceHash,
      String targetHash,
      int attempt,
      String status,
      Instant startedAt,
      Instant finishedAt) {
    public ChunkRange range() {
      return new ChunkRange(chunk, lo, hi);
    }

    public boolean committed() {
      return COMMITTED.equals(status);
    }
  }

  /** One row of the table ledger. */
  public record TableRow(
      String table,
      String targetTable,
      String keyColumn,
      boolean keyless,
      long plannedRows,
      Instant indexStartedAt,
      Instant indexFinishedAt,
      Long indexBuildMs) {}

  /**
   * Records a table's plan: its table-ledger row and one {@code planned} row per chunk. Existing
   * rows are kept (a re-run never resets a committed chunk).
   */
  public void recordPlan(
      Connection c, String migration, String targetTable, ChunkPlanner.ChunkPlan plan)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO "
                + tables
                + " (migration, table_name, target_table, key_column, keyless, planned_rows)"
                + " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (migration, table_name) DO NOTHING")) {
      ps.setString(1, migration);
      ps.setString(2, plan.sourceTable());
      ps.setString(3, targetTable);
      ps.setString(4, plan.keyColumn());
      ps.setBoolean(5, plan.keyless());
      ps.setLong(6, plan.rows());
      ps.executeUpdate();
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO "
                + chunks
                + " (migration, table_name, chunk, lo, hi, status) VALUES (?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT (migration, table_name, chunk) DO NOTHING")) {
      for (ChunkRange r : plan.chunks()) {
        ps.setString(1, migration);
        ps.setString(2, plan.sourceTable());
        ps.setInt(3, r.index());
        ps.setString(4, r.lo());
        ps.setString(5, r.hi());
        ps.setString(6, PLANNED);
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  /**
   * Records that the target table held no row when its chunks were planned. From then on only chunk
   * transactions write it, each together with its committed ledger row, so a range whose chunk is
   * not committed holds no row and its delete can be skipped (it would scan the whole table while
   * the primary key is not built yet).
   */
  public void markTargetEmpty(Connection c, String migration, String table) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE "
                + tables
                + " SET target_was_empty = true WHERE migration = ? AND table_name = ?")) {
      ps.setString(1, migration);
      ps.setString(2, table);
      ps.executeUpdate();
    }
  }

  /** Whether {@link #markTargetEmpty} was recorded for the table (false without a table row). */
  public boolean targetWasEmpty(Connection c, String migration, String table) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT target_was_empty FROM " + tables + " WHERE migration = ? AND table_name = ?")) {
      ps.setString(1, migration);
      ps.setString(2, table);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    }
  }

  /** The bytes recorded by a migration's chunks, summed per table (tables with none left out). */
  public java.util.Map<String, Long> bytesByTable(Connection c, String migration)
      throws SQLException {
    java.util.Map<String, Long> out = new java.util.HashMap<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT table_name, sum(bytes) FROM "
                + chunks
                + " WHERE migration = ? AND bytes IS NOT NULL GROUP BY table_name")) {
      ps.setString(1, migration);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), rs.getLong(2));
        }
      }
    }
    return out;
  }

  /** Every chunk row of a migration, by table then chunk. */
  public List<ChunkRow> chunks(Connection c, String migration) throws SQLException {
    return chunks(c, migration, null);
  }

  /** The chunk rows of one table (all tables when {@code table} is null), by table then chunk. */
  public List<ChunkRow> chunks(Connection c, String migration, String table) throws SQLException {
    String sql =
        "SELECT table_name, chunk, lo, hi, \"rows\", rejects, source_hash, target_hash, attempt,"
            + " status, started_at, finished_at FROM "
            + chunks
            + " WHERE migration = ?"
            + (table == null ? "" : " AND table_name = ?")
            + " ORDER BY table_name, chunk";
    List<ChunkRow> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, migration);
      if (table != null) {
        ps.setString(2, table);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(
              new ChunkRow(
                  rs.getString(1),
                  rs.getInt(2),
                  rs.getString(3),
                  rs.getString(4),
                  rs.getLong(5),
                  rs.getLong(6),
                  rs.getString(7),
                  rs.getString(8),
                  rs.getInt(9),
                  rs.getString(10),
                  instant(rs, 11),
                  instant(rs, 12)));
        }
      }
    }
    return out;
  }

  /** The planned ranges of a table, or empty when the ledger has none. */
  public Optional<List<ChunkRange>> plannedRanges(Connection c, String migration, String table)
      throws SQLException {
    List<ChunkRange> ranges = chunks(c, migration, table).stream().map(ChunkRow::range).toList();
    return ranges.isEmpty() ? Optional.empty() : Optional.of(ranges);
  }

  /** Every table row of a migration, by table. */
  public List<TableRow> tables(Connection c, String migration) throws SQLException {
    List<TableRow> out = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT table_name, target_table, key_column, keyless, planned_rows,"
                + " index_started_at, index_finished_at, index_build_ms FROM "
                + tables
                + " WHERE migration = ? ORDER BY table_name")) {
      ps.setString(1, migration);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          long ms = rs.getLong(8);
          out.add(
              new TableRow(
                  rs.getString(1),
                  rs.getString(2),
                  rs.getString(3),
                  rs.getBoolean(4),
                  rs.getLong(5),
                  instant(rs, 6),
                  instant(rs, 7),
                  rs.wasNull() ? null : ms));
        }
      }
    }
    return out;
  }

  /** Records a table's index build unless one is recorded already (only the first build counts). */
  public void recordIndexBuild(
      Connection c, String migration, String table, Instant started, Instant finished)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE "
                + tables
                + " SET index_started_at = ?, index_finished_at = ?, index_build_ms = ?"
                + " WHERE migration = ? AND table_name = ? AND index_build_ms IS NULL")) {
      ps.setObject(1, utc(started));
      ps.setObject(2, utc(finished));
      ps.setLong(3, finished.toEpochMilli() - started.toEpochMilli());
      ps.setString(4, migration);
      ps.setString(5, table);
      ps.executeUpdate();
    }
  }

  /** Rejected rows of a migration per table. */
  public java.util.Map<String, Long> rejectCounts(Connection c, String migration)
      throws SQLException {
    java.util.Map<String, Long> out = new java.util.TreeMap<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT table_name, count(*) FROM "
                + rejects
                + " WHERE migration = ? GROUP BY table_name")) {
      ps.setString(1, migration);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), rs.getLong(2));
        }
      }
    }
    return out;
  }

  static OffsetDateTime utc(Instant i) {
    return i == null ? null : i.atOffset(ZoneOffset.UTC);
  }

  private static Instant instant(ResultSet rs, int i) throws SQLException {
    OffsetDateTime t = rs.getObject(i, OffsetDateTime.class);
    return t == null ? null : t.toInstant();
  }
}
