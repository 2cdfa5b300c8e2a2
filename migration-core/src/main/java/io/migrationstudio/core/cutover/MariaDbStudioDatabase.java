package io.migrationstudio.core.cutover;

import io.migrationstudio.core.copy.TargetSchema;
import io.migrationstudio.core.cutover.reverse.ReverseStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@code studio} database on a MariaDB/MySQL source, as the decommission sees it. It is one
 * database for the whole server, shared by every migration whose source lives there, and holds:
 *
 * <ul>
 *   <li>{@code guard_state}: one row per table carrying a write guard made ahead of a freeze
 *       ({@code armed}), read by the guard's triggers. This migration's rows are those of the
 *       source's database ({@code DATABASE()}).
 *   <li>{@code stream_position}, {@code reverse_tables}: the reverse stream's position and table
 *       ids, keyed by its capture ({@link ReverseStream#captureName}).
 *   <li>{@code row_changes}: the reverse applier's record, under {@link ReverseStream#recordName}.
 * </ul>
 *
 * <p><b>A source left frozen.</b> A guard made ahead reads its table's {@code guard_state} row on
 * every write; without the table every write would fail with "table doesn't exist" instead of the
 * freeze's SQLState 25006, and an operator repairing that could recreate it empty-handed. So while
 * a table of the source carries such a guard ({@code after_decommission: keep_frozen}), its row and
 * {@code guard_state} stay, armed: the source stays read-only with exactly that, and {@code studio
 * release} removes the guards, the rows and, when nothing else is left, the database ({@link
 * io.migrationstudio.core.dialect.Dialect.WriteFreeze#removeState}). A row whose table carries no
 * guard any more is stale and goes.
 *
 * <p>Another migration's rows (another capture, another {@code row_changes} migration, another
 * database's guard rows or guards reading {@code guard_state}), or a table the studio does not
 * make, keep the database: only this migration's rows go. With none, the database is dropped.
 */
final class MariaDbStudioDatabase implements StudioBookkeeping {
  private static final String DATABASE = TargetSchema.DEFAULT_STUDIO_SCHEMA;
  private static final String GUARD_STATE = "guard_state";

  /** The studio's tables keyed by the reverse stream's capture. */
  private static final Set<String> BY_CAPTURE = Set.of("stream_position", "reverse_tables");

  private static final String ROW_CHANGES = "row_changes";

  @Override
  public String describe() {
    return "studio database " + DATABASE;
  }

  @Override
  public Contents inspect(Connection c, String migrationId) throws SQLException {
    List<String> tables = tables(c);
    if (tables.isEmpty() && !exists(c)) {
      return Contents.absent();
    }
    String capture = ReverseStream.captureName(migrationId);
    String own = database(c);
    TreeSet<String> others = new TreeSet<>();
    List<String> freeze = new ArrayList<>();
    for (String[] guard : statefulGuards(c)) {
      if (guard[0].equals(own)) {
        freeze.add(quote(guard[0]) + "." + quote(guard[1]));
      } else {
        others.add("the write guards of database " + guard[0]);
      }
    }
    for (String table : tables) {
      if (BY_CAPTURE.contains(table)) {
        for (String other : strings(c, "SELECT DISTINCT capture FROM " + q(table), capture)) {
          others.add("capture " + other);
        }
      } else if (ROW_CHANGES.equals(table)) {
        others.addAll(
            strings(
                c,
                "SELECT DISTINCT migration FROM " + q(table),
                migrationId,
                ReverseStream.recordName(migrationId)));
      } else if (GUARD_STATE.equals(table)) {
        for (String other :
            strings(
                c, "SELECT DISTINCT CONVERT(table_schema USING utf8mb4) FROM " + q(table), own)) {
          others.add("the guard state of database " + other);
        }
      } else {
        others.add("table " + DATABASE + "." + table + " (not the studio's)");
      }
    }
    return new Contents(true, tables, new ArrayList<>(others), freeze);
  }

  @Override
  public String remove(Connection c, String migrationId) throws SQLException {
    Contents now = inspect(c, migrationId);
    if (!now.exists()) {
      return "absent";
    }
    String capture = ReverseStream.captureName(migrationId);
    String own = database(c);
    try (Statement s = c.createStatement()) {
      if (now.drops()) {
        s.execute("DROP DATABASE IF EXISTS " + quote(DATABASE));
        return "dropped";
      }
      for (String table : now.tables()) {
        if (BY_CAPTURE.contains(table)) {
          delete(c, "DELETE FROM " + q(table) + " WHERE capture = ?", capture);
        } else if (ROW_CHANGES.equals(table)) {
          delete(
              c,
              "DELETE FROM " + q(table) + " WHERE migration IN (?, ?)",
              migrationId,
              ReverseStream.recordName(migrationId));
        }
      }
      int stale = now.tables().contains(GUARD_STATE) ? deleteStaleGuardRows(c, own) : 0;
      String staleText = stale == 0 ? "" : ", " + stale + " stale guard rows";
      if (!now.otherMigrations().isEmpty()) {
        return "kept: other migrations have rows in it ("
            + String.join(", ", now.otherMigrations())
            + "); this migration's rows were deleted"
            + staleText
            + keptForFreeze(now);
      }
      // only the freeze of this source is left: the reverse stream's tables go, guard_state stays
      List<String> dropped = new ArrayList<>();
      for (String table : now.tables()) {
        if (!GUARD_STATE.equals(table)) {
          s.execute("DROP TABLE IF EXISTS " + q(table));
          dropped.add(table);
        }
      }
      return "kept "
          + DATABASE
          + "."
          + GUARD_STATE
          + " only"
          + (dropped.isEmpty() ? "" : " (dropped " + String.join(", ", dropped) + staleText + ")")
          + keptForFreeze(now);
    }
  }

  private static String keptForFreeze(Contents now) {
    return now.freeze().isEmpty()
        ? ""
        : "; its rows for the "
            + now.freeze().size()
            + " tables left frozen stay armed ("
            + String.join(", ", now.freeze())
            + "): studio release removes them with the guards";
  }

  /** Deletes the guard rows of database {@code own} whose table carries no guard reading them. */
  private static int deleteStaleGuardRows(Connection c, String own) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "DELETE FROM "
                + q(GUARD_STATE)
                + " WHERE table_schema = CAST(? AS BINARY) AND NOT EXISTS (SELECT 1 FROM"
                + " information_schema.TRIGGERS t WHERE t.TRIGGER_SCHEMA = ?"
                + " AND CAST(t.EVENT_OBJECT_TABLE AS BINARY) = "
                + q(GUARD_STATE)
                + ".table_name AND t.TRIGGER_NAME LIKE 'studio\\_guard\\_%'"
                + " AND t.ACTION_STATEMENT LIKE '%guard\\_state%')")) {
      ps.setString(1, own);
      ps.setString(2, own);
      return ps.executeUpdate();
    }
  }

  /** {schema, table} of every table on the server carrying a guard that reads guard_state. */
  private static List<String[]> statefulGuards(Connection c) throws SQLException {
    List<String[]> out = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT DISTINCT EVENT_OBJECT_SCHEMA, CAST(EVENT_OBJECT_TABLE AS BINARY)"
                    + " FROM information_schema.TRIGGERS WHERE TRIGGER_NAME LIKE"
                    + " 'studio\\_guard\\_%' AND ACTION_STATEMENT LIKE '%guard\\_state%'"
                    + " ORDER BY 1, 2")) {
      while (rs.next()) {
        out.add(new String[] {rs.getString(1), new String(rs.getBytes(2), StandardCharsets.UTF_8)});
      }
    }
    return out;
  }

  private static List<String> tables(Connection c) throws SQLException {
    List<String> out = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?"
                + " ORDER BY 1")) {
      ps.setString(1, DATABASE);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    }
    return out;
  }

  private static boolean exists(Connection c) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?")) {
      ps.setString(1, DATABASE);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  private static String database(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT DATABASE()")) {
      rs.next();
      return rs.getString(1);
    }
  }

  /** The distinct values {@code select} returns other than {@code own}. */
  private static List<String> strings(Connection c, String select, String... own)
      throws SQLException {
    List<String> out = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(select)) {
      while (rs.next()) {
        String v = rs.getString(1);
        if (v != null && !List.of(own).contains(v)) {
          out.add(v);
        }
      }
    }
    return out;
  }

  private static void delete(Connection c, String sql, String... values) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < values.length; i++) {
        ps.setString(i + 1, values[i]);
      }
      ps.executeUpdate();
    }
  }

  private static String q(String table) {
    return quote(DATABASE) + "." + quote(table);
  }

  private static String quote(String identifier) {
    return "`" + identifier.replace("`", "``") + "`";
  }
}
