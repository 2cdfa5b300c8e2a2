package io.migrationstudio.core.dialect;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/** Session statements the dialects share: one statement run as is, a transaction begun anew. */
public final class Sessions {
  private Sessions() {}

  /** Runs one statement that returns nothing (a {@code SET ...}). */
  public static void execute(Connection connection, String sql) throws SQLException {
    try (Statement st = connection.createStatement()) {
      st.execute(sql);
    }
  }

  /**
   * Rolls back any transaction open on the connection, turns autocommit off and runs {@code begin},
   * the engine's statement that starts the new transaction (e.g. {@code START TRANSACTION READ
   * ONLY}).
   */
  public static void beginTransaction(Connection connection, String begin) throws SQLException {
    if (!connection.getAutoCommit()) {
      connection.rollback();
    }
    connection.setAutoCommit(false);
    execute(connection, begin);
  }
}
