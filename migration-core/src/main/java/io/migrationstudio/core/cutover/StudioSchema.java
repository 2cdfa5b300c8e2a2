package io.migrationstudio.core.cutover;

import io.migrationstudio.core.cdc.apply.StreamService;
import io.migrationstudio.core.cutover.reverse.ReverseStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The studio's bookkeeping schema on a PostgreSQL database (the target's chunk ledger, table plan,
 * rejects, lock, stream position and hold; the reverse stream's position and record on a PostgreSQL
 * source), as the decommission sees it: which tables it holds and which other migrations still have
 * rows there. It is dropped only when no other migration does; otherwise only this migration's rows
 * go.
 *
 * <p>A row is this migration's by its {@code migration} column (the id, or its reverse stream's
 * {@code <id>#reverse}) or, in a table keyed by {@code capture} alone ({@code stream_position},
 * {@code stream_hold}), by the name of its forward or reverse capture. Another capture there is
 * another migration's stream: it keeps the schema. The write guards of a PostgreSQL source are
 * self-contained (a trigger and a function in the table's own schema): nothing here holds a freeze.
 */
final class StudioSchema implements StudioBookkeeping {
  private final String schema;

  StudioSchema(String schema) {
    this.schema = schema;
  }

  @Override
  public String describe() {
    return "studio schema " + schema;
  }

  @Override
  public Contents inspect(Connection c, String migrationId) throws SQLException {
    List<String> tables = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE n.nspname = ? AND c.relkind IN ('r', 'p', 'v', 'm', 'S')"
                + " ORDER BY 1")) {
      ps.setString(1, schema);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          tables.add(rs.getString(1));
        }
      }
    }
    if (tables.isEmpty() && !exists(c)) {
      return Contents.absent();
    }
    TreeSet<String> others = new TreeSet<>();
    for (String table : withColumn(c, "migration")) {
      others.addAll(
          distinct(
              c,
              "SELECT DISTINCT migration FROM "
                  + qualified(table)
                  + " WHERE migration IS DISTINCT FROM ? AND migration IS DISTINCT FROM ?",
              migrationId,
              reverse(migrationId)));
    }
    for (String table : keyedByCapture(c)) {
      for (String capture :
          distinct(
              c,
              "SELECT DISTINCT capture FROM "
                  + qualified(table)
                  + " WHERE capture IS DISTINCT FROM ? AND capture IS DISTINCT FROM ?",
              StreamService.captureName(migrationId),
              ReverseStream.captureName(migrationId))) {
        others.add("capture " + capture);
      }
    }
    return new Contents(true, tables, new ArrayList<>(others), List.of());
  }

  /**
   * Removes the schema ({@code DROP SCHEMA ... CASCADE}) when no other migration has rows in it,
   * else deletes only {@code migrationId}'s rows; returns what it did.
   */
  @Override
  public String remove(Connection c, String migrationId) throws SQLException {
    Contents now = inspect(c, migrationId);
    if (!now.exists()) {
      return "absent";
    }
    boolean auto = c.getAutoCommit();
    c.setAutoCommit(false);
    try (Statement st = c.createStatement()) {
      String done;
      if (now.drops()) {
        st.execute("DROP SCHEMA " + quote(schema) + " CASCADE");
        done = "dropped";
      } else {
        for (String table : withColumn(c, "migration")) {
          delete(c, table, "migration", migrationId, reverse(migrationId));
        }
        for (String table : keyedByCapture(c)) {
          delete(
              c,
              table,
              "capture",
              StreamService.captureName(migrationId),
              ReverseStream.captureName(migrationId));
        }
        done =
            "kept: other migrations have rows in it ("
                + String.join(", ", now.otherMigrations())
                + "); this migration's rows were deleted";
      }
      c.commit();
      return done;
    } catch (SQLException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(auto);
    }
  }

  /**
   * The name the migration's reverse stream keeps its rows under on a PostgreSQL source (its
   * position and its record of changed rows): this migration's too, not another one's.
   */
  private static String reverse(String migrationId) {
    return ReverseStream.recordName(migrationId);
  }

  private void delete(Connection c, String table, String column, String first, String second)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("DELETE FROM " + qualified(table) + " WHERE " + column + " IN (?, ?)")) {
      ps.setString(1, first);
      ps.setString(2, second);
      ps.executeUpdate();
    }
  }

  private static List<String> distinct(Connection c, String sql, String first, String second)
      throws SQLException {
    List<String> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, first);
      ps.setString(2, second);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    }
    return out;
  }

  private boolean exists(Connection c) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT 1 FROM pg_namespace WHERE nspname = ?")) {
      ps.setString(1, schema);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  /** The tables with a {@code capture} column and no {@code migration} column. */
  private List<String> keyedByCapture(Connection c) throws SQLException {
    List<String> out = new ArrayList<>(withColumn(c, "capture"));
    out.removeAll(withColumn(c, "migration"));
    return out;
  }

  private List<String> withColumn(Connection c, String column) throws SQLException {
    List<String> out = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT table_name FROM information_schema.columns"
                + " WHERE table_schema = ? AND column_name = ? ORDER BY 1")) {
      ps.setString(1, schema);
      ps.setString(2, column);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    }
    return out;
  }

  private String qualified(String table) {
    return quote(schema) + "." + quote(table);
  }

  private static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }
}
