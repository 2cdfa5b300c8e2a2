package io.migrationstudio.core.dialect.mariadb;

import io.migrationstudio.core.dialect.Dialect.WriteFreeze;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Freezes writes with {@code SET GLOBAL read_only = ON}: the whole server (every database on it)
 * refuses writes from then on, and the statement waits for running commits. {@code FLUSH TABLES
 * WITH READ LOCK} is not used because it ends with the session that took it. Caveat: accounts with
 * the {@code READ_ONLY ADMIN} privilege (MariaDB 10.11+; {@code SUPER} on MySQL and older MariaDB),
 * such as {@code root}, still write; the application's accounts must not hold it. Needs that
 * privilege (or SUPER) itself.
 */
final class MariaDbWriteFreeze implements WriteFreeze {

  @Override
  public void freezeWrites(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("SET GLOBAL read_only = ON");
    }
  }

  @Override
  public void unfreezeWrites(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("SET GLOBAL read_only = OFF");
    }
  }

  @Override
  public boolean isFrozen(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT @@GLOBAL.read_only")) {
      rs.next();
      return rs.getInt(1) != 0;
    }
  }
}
