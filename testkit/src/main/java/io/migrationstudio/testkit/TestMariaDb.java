package io.migrationstudio.testkit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** A database created for one test on the shared embedded MariaDB (user root, no password). */
public record TestMariaDb(String name, String jdbcUrl, String user) {

  public Connection connect() throws SQLException {
    return DriverManager.getConnection(jdbcUrl, user, "");
  }

  /** Runs statements in one autocommit session. */
  public void execute(String... sql) {
    try (Connection c = connect();
        Statement s = c.createStatement()) {
      for (String each : sql) {
        s.execute(each);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("SQL failed on " + name + ": " + e.getMessage(), e);
    }
  }

  /** The single long value of a query. */
  public long queryLong(String sql) {
    try (Connection c = connect();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException("SQL failed on " + name + ": " + e.getMessage(), e);
    }
  }
}
