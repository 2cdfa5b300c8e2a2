package io.migrationstudio.core.cutover.reverse;

import io.migrationstudio.core.cdc.StreamPosition;
import io.migrationstudio.core.cdc.apply.RowChanges;
import io.migrationstudio.core.cutover.FinalCheck;
import io.migrationstudio.core.dialect.Dialects;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The MariaDB reverse applier's record of the rows it changed on the source, {@code
 * studio.row_changes} there: the same rows as the PostgreSQL record ({@link RowChanges}: one row
 * per applied batch with the keys it changed, the position it started after and the one it ended
 * at, positions as {@link RowChanges#order} text), so the rollback's final check ({@link
 * FinalCheck#reverse}) compares exactly those rows on a MariaDB source too instead of every table
 * in full. {@link MariaDbReverseApplier} inserts a batch's row in the same source transaction as
 * its changes and its {@code stream_position}: the record holds each batch exactly once, with its
 * position, or neither.
 *
 * <p>The record is {@link RowChanges} itself (its batch rows, coverage rule and reading, in SQL
 * both engines speak); this class adds what is MariaDB's: the table's DDL (binary collation, so
 * positions sort as bytes, as {@code COLLATE "C"} does on PostgreSQL) and the position read from
 * the reverse applier's {@code stream_position}. The coverage rule is {@link
 * RowChanges#coverage}'s: complete after a position when the batches after it form an unbroken
 * chain ending at the stored position. A batch applied without a record (a reverse stream started
 * by a studio that did not record, a record cut) breaks the chain and the check compares every
 * table in full.
 *
 * <p><b>Tables emptied behind the guards.</b> A {@code TRUNCATE} fires no trigger, so it passes the
 * write guards on the frozen source, and the target never changed those rows: the record does not
 * name them. InnoDB gives a truncated table a new table id (measured on MariaDB 11.4: DML keeps it,
 * each {@code TRUNCATE} makes a new one; {@code CREATE_TIME} does not move). {@link #recordTables}
 * keeps each table's id at the switch point ({@code studio.reverse_tables}, the first record wins),
 * and {@link #since} marks a table whose id moved, or is unknown (no {@code PROCESS} privilege to
 * read {@code information_schema.INNODB_SYS_TABLES}, a name InnoDB encodes, a reverse stream
 * prepared before), as changed whole: the check compares it in full.
 *
 * <p>Keys: each changed row's target (PostgreSQL) key as its text output and its source key as the
 * applier wrote it. A key the applier converted (a boolean, a {@code timestamptz} written back as
 * UTC, bytes) records the whole table instead: the check would bind the converted text, which need
 * not select the row in the check's own session.
 */
final class MariaDbRowChanges implements FinalCheck.ChangedRows {
  static final String TABLE = "`" + MariaDbReverseApplier.STUDIO_DATABASE + "`.`row_changes`";

  static final String TABLES = "`" + MariaDbReverseApplier.STUDIO_DATABASE + "`.`reverse_tables`";

  private final RowChanges record =
      new RowChanges(Dialects.forName("mariadb"), MariaDbReverseApplier.STUDIO_DATABASE);
  private final String migration;
  private final String capture;
  private final String database;
  private final Map<String, String> tables;

  /**
   * The record of {@code capture} kept under migration name {@code migration}; {@code tables} maps
   * each source table of {@code database} (null: the session's) to the target table the record
   * names it by.
   */
  MariaDbRowChanges(String migration, String capture, String database, Map<String, String> tables) {
    this.migration = migration;
    this.capture = capture;
    this.database = database;
    this.tables = Map.copyOf(tables);
  }

  /** Creates the table when missing (DDL: call it outside the batch's transaction). */
  static void create(Connection source) throws SQLException {
    try (Statement s = source.createStatement()) {
      s.execute(
          "CREATE TABLE IF NOT EXISTS "
              + TABLE
              + " (migration varchar(190) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,"
              + " capture varchar(128) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,"
              + " from_key varchar(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,"
              + " to_key varchar(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,"
              + " to_position varchar(255) NOT NULL, transactions int NOT NULL,"
              + " row_count int NOT NULL, `keys` longtext NOT NULL,"
              + " PRIMARY KEY (migration, capture, to_key)) ENGINE=InnoDB");
    }
  }

  /**
   * At the switch point: each source table's InnoDB table id, kept unless already kept (a prepare
   * run again keeps the first).
   */
  void recordTables(Connection source) throws SQLException {
    try (Statement s = source.createStatement()) {
      s.execute(
          "CREATE TABLE IF NOT EXISTS "
              + TABLES
              + " (capture varchar(128) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,"
              + " table_name varchar(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,"
              + " table_id bigint NOT NULL, PRIMARY KEY (capture, table_name)) ENGINE=InnoDB");
    }
    try (PreparedStatement ps =
        source.prepareStatement(
            "INSERT IGNORE INTO " + TABLES + " (capture, table_name, table_id) VALUES (?, ?, ?)")) {
      for (Map.Entry<String, Long> e : tableIds(source).entrySet()) {
        ps.setString(1, capture);
        ps.setString(2, e.getKey());
        ps.setLong(3, e.getValue());
        ps.executeUpdate();
      }
    }
  }

  /** The InnoDB table id of each table of {@link #tables} it can read (none without PROCESS). */
  private Map<String, Long> tableIds(Connection source) throws SQLException {
    Map<String, Long> out = new TreeMap<>();
    try (PreparedStatement ps =
        source.prepareStatement(
            "SELECT t.TABLE_NAME, s.TABLE_ID FROM information_schema.TABLES t"
                + " JOIN information_schema.INNODB_SYS_TABLES s"
                + " ON s.NAME = CONCAT(t.TABLE_SCHEMA, '/', t.TABLE_NAME)"
                + " WHERE t.TABLE_SCHEMA = COALESCE(?, DATABASE())")) {
      ps.setString(1, database);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          if (tables.containsKey(rs.getString(1))) {
            out.put(rs.getString(1), rs.getLong(2));
          }
        }
      }
    } catch (SQLException e) {
      if (e.getErrorCode() != 1227) { // ER_SPECIFIC_ACCESS_DENIED: no PROCESS, no ids
        throw e;
      }
    }
    return out;
  }

  /** The target tables whose source table's id moved since the switch, or is unknown. */
  private List<String> recreated(Connection source) throws SQLException {
    Map<String, Long> then = new TreeMap<>();
    if (RowChanges.exists(source, MariaDbReverseApplier.STUDIO_DATABASE, "reverse_tables")) {
      try (PreparedStatement ps =
          source.prepareStatement(
              "SELECT table_name, table_id FROM " + TABLES + " WHERE capture = ?")) {
        ps.setString(1, capture);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            then.put(rs.getString(1), rs.getLong(2));
          }
        }
      }
    }
    Map<String, Long> now = tableIds(source);
    List<String> out = new ArrayList<>();
    tables.forEach(
        (sourceTable, targetTable) -> {
          Long id = then.get(sourceTable);
          if (id == null || !id.equals(now.get(sourceTable))) {
            out.add(targetTable);
          }
        });
    return out;
  }

  /**
   * Records one applied batch in the caller's transaction: {@code before} the position the source
   * held before it (null: nothing applied yet), {@code applied} its transactions, {@code last} its
   * last commit position.
   */
  void add(
      Connection source,
      RowChanges.Pending pending,
      StreamPosition before,
      int applied,
      StreamPosition last)
      throws SQLException {
    record.add(source, migration, capture, pending, before, applied, last);
  }

  @Override
  public RowChanges.Coverage coverage(Connection source, StreamPosition proof) throws SQLException {
    return record.coverage(source, migration, capture, position(source), proof, RowChanges.SWITCH);
  }

  @Override
  public Map<String, List<RowChanges.Changed>> since(Connection source, StreamPosition proof)
      throws SQLException {
    Map<String, List<RowChanges.Changed>> out = record.since(source, migration, capture, proof);
    for (String t : recreated(source)) {
      out.put(t, new ArrayList<>(List.of(new RowChanges.Changed(t, null, null))));
    }
    return out;
  }

  /** The position the source's {@code stream_position} holds for the capture (null: none). */
  private StreamPosition position(Connection source) throws SQLException {
    try (PreparedStatement ps =
        source.prepareStatement(
            "SELECT position FROM "
                + MariaDbReverseApplier.POSITION_TABLE
                + " WHERE capture = ?")) {
      ps.setString(1, capture);
      try (ResultSet rs = ps.executeQuery()) {
        String p = rs.next() ? rs.getString(1) : null;
        return p == null ? null : StreamPosition.parse(p);
      }
    } catch (SQLException e) {
      if (e.getErrorCode() == 1146) { // ER_NO_SUCH_TABLE: nothing applied
        return null;
      }
      throw e;
    }
  }
}
