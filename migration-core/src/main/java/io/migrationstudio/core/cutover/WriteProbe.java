package io.migrationstudio.core.cutover;

import io.migrationstudio.contracts.spec.ConnectionSpec;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.spec.SecretResolver;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Answers "can a new session write to this database?" the way an application would find out: a
 * fresh connection creates a probe table in the migration's schema inside a transaction that is
 * rolled back. Engines whose DDL commits implicitly keep the table, so it is dropped again when the
 * catalog still shows it. Nothing is left behind either way.
 */
final class WriteProbe {
  static final String PROBE_TABLE = "studio_write_probe";

  private final SecretResolver secrets;

  WriteProbe(SecretResolver secrets) {
    this.secrets = secrets;
  }

  /** The outcome: writable, or refused with the driver's SQLState and message. */
  record Result(boolean writable, String detail) {}

  Result probe(ConnectionSpec spec, String role) throws SQLException {
    Dialect dialect = Dialects.forUrl(spec.url());
    String schema = Dialects.schemaOf(spec);
    String table = dialect.qualify(schema, PROBE_TABLE);
    try (Connection c = Dialects.open(spec, secrets, role)) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute("CREATE TABLE " + table + " (probe INTEGER)");
        c.rollback();
      } catch (SQLException refused) {
        c.rollback();
        return new Result(
            false,
            "refused with SQLState "
                + refused.getSQLState()
                + ": "
                + oneLine(refused.getMessage()));
      }
      c.setAutoCommit(true);
      if (exists(c, schema)) {
        try (Statement s = c.createStatement()) {
          s.execute("DROP TABLE " + table);
        }
      }
      return new Result(
          true, "a new " + role + " session created a table in a rolled-back transaction");
    }
  }

  private static boolean exists(Connection c, String schema) throws SQLException {
    try (ResultSet rs = c.getMetaData().getTables(null, schema, PROBE_TABLE, null)) {
      return rs.next();
    }
  }

  private static String oneLine(String s) {
    return s == null ? "" : s.replaceAll("\\s+", " ").strip();
  }
}
