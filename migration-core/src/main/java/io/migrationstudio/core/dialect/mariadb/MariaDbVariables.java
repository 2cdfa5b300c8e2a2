package io.migrationstudio.core.dialect.mariadb;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Server variables that one MariaDB or MySQL version has and another lacks: setting or reading one
 * the server does not know fails with vendor code {@value #UNKNOWN_SYSTEM_VARIABLE} ("Unknown
 * system variable"), which these helpers answer as "not here" instead of an error. Any other
 * failure (privileges, a lost connection) is thrown.
 */
public final class MariaDbVariables {
  /** MySQL/MariaDB's "Unknown system variable". */
  public static final int UNKNOWN_SYSTEM_VARIABLE = 1193;

  private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]*");

  private MariaDbVariables() {}

  /** Whether {@code e} says the server has no such system variable. */
  public static boolean unknown(SQLException e) {
    return e.getErrorCode() == UNKNOWN_SYSTEM_VARIABLE;
  }

  /**
   * {@code SET SESSION name = value} ({@code value} as SQL: a number or a quoted literal); false
   * when the server has no variable {@code name} (e.g. MySQL's {@code
   * information_schema_stats_expiry} on MariaDB).
   */
  public static boolean setSession(Connection c, String name, String value) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("SET SESSION " + checked(name) + " = " + value);
      return true;
    } catch (SQLException e) {
      if (!unknown(e)) {
        throw e;
      }
      return false;
    }
  }

  /**
   * {@code @@GLOBAL.name} (an SQL NULL as the empty string); empty when the server has no variable
   * {@code name} (e.g. MySQL's {@code gtid_executed} on MariaDB).
   */
  public static Optional<String> global(Connection c, String name) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT @@GLOBAL." + checked(name))) {
      rs.next();
      String v = rs.getString(1);
      return Optional.of(v == null ? "" : v);
    } catch (SQLException e) {
      if (!unknown(e)) {
        throw e;
      }
      return Optional.empty();
    }
  }

  private static String checked(String name) {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("not a system variable name: " + name);
    }
    return name;
  }
}
