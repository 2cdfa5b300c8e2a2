package io.migrationstudio.core.cutover;

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
 * rejects, lock and stream position; the reverse stream's position on a PostgreSQL source), as the
 * decommission sees it: which tables it holds and which other migrations still have rows there. It
 * is dropped only when no other migration does; otherwise only this migration's rows go (its
 * reverse stream's, {@code <id>#reverse}, included: its position and its record of changed rows,
 * {@code row_changes}).
 */
final class StudioSchema {
  /** What the schema holds now: its tables, and the other migrations with rows in them. */
  record Contents(boolean exists, List<String> tables, List<String> otherMigrations) {
    Contents {
      tables = List.copyOf(tables);
      otherMigrations = List.copyOf(otherMigrations);
    }
  }

  private final String schema;

  StudioSchema(String schema) {
    this.schema = schema;
  }

  Contents inspect(Connection c, String migrationId) throws SQLException {
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
      return new Contents(false, List.of(), List.of());
    }
    TreeSet<String> others = new TreeSet<>();
    for (String table : withMigrationColumn(c)) {
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT DISTINCT migration FROM "
                  + qualified(table)
                  + " WHERE migration IS DISTINCT FROM ? AND migration IS DISTINCT FROM ?")) {
        ps.setString(1, migrationId);
        ps.setString(2, reverse(migrationId));
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            others.add(rs.getString(1));
          }
        }
      }
    }
    return new Contents(true, tables, new ArrayList<>(others));
  }

  /**
   * Removes the schema ({@code DROP SCHEMA ... CASCADE}) when no other migration has rows in it,
   * else deletes only {@code migrationId}'s rows; returns what it did.
   */
  String remove(Connection c, String migrationId) throws SQLException {
    Contents now = inspect(c, migrationId);
    if (!now.exists()) {
      return "absent";
    }
    boolean auto = c.getAutoCommit();
    c.setAutoCommit(false);
    try (Statement st = c.createStatement()) {
      String done;
      if (now.otherMigrations().isEmpty()) {
        st.execute("DROP SCHEMA " + quote(schema) + " CASCADE");
        done = "dropped";
      } else {
        for (String table : withMigrationColumn(c)) {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "DELETE FROM " + qualified(table) + " WHERE migration IN (?, ?)")) {
            ps.setString(1, migrationId);
            ps.setString(2, reverse(migrationId));
            ps.executeUpdate();
          }
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
    return io.migrationstudio.core.cutover.reverse.ReverseStream.recordName(migrationId);
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

  private List<String> withMigrationColumn(Connection c) throws SQLException {
    List<String> out = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT table_name FROM information_schema.columns"
                + " WHERE table_schema = ? AND column_name = 'migration' ORDER BY 1")) {
      ps.setString(1, schema);
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
