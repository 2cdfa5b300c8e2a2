package io.migrationstudio.core.dialect;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.spec.ConnectionSpec;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Properties;
import java.util.ServiceLoader;

/** Finds the dialect of a JDBC URL and opens connections through it. */
public final class Dialects {
  private static final List<Dialect> ALL =
      ServiceLoader.load(Dialect.class, Dialects.class.getClassLoader()).stream()
          .map(ServiceLoader.Provider::get)
          .toList();

  private Dialects() {}

  public static List<Dialect> all() {
    return ALL;
  }

  public static Dialect forUrl(String jdbcUrl) {
    return ALL.stream()
        .filter(d -> d.accepts(jdbcUrl))
        .findFirst()
        .orElseThrow(
            () ->
                new MigrationException(
                    ErrorCode.INVALID_SPEC,
                    "no dialect accepts the JDBC URL "
                        + MigrationException.redact(jdbcUrl)
                        + "; supported: "
                        + ALL.stream().map(Dialect::name).toList()));
  }

  /**
   * Opens a connection, resolving the password reference. Failures are classified by the dialect
   * (wrong password: AUTHENTICATION_FAILED, not retried; refused: DATABASE_UNREACHABLE) and name
   * the database by its redacted URL.
   */
  public static Connection open(ConnectionSpec spec, Secrets secrets, String role) {
    Dialect dialect = forUrl(spec.url());
    Properties props = new Properties();
    if (spec.user() != null) {
      props.setProperty("user", spec.user());
    }
    String password = secrets.resolve(spec.password(), role + ".password");
    if (password != null) {
      props.setProperty("password", password);
    }
    props.setProperty("connectTimeout", "10");
    props.setProperty("loginTimeout", "10");
    dialect.connectionProperties().forEach(props::setProperty);
    try {
      return DriverManager.getConnection(dialect.driverUrl(spec.url()), props);
    } catch (SQLException e) {
      throw dialect.classifyConnectFailure(
          e, "the " + role + " database " + MigrationException.redact(spec.url()));
    }
  }

  /**
   * Opens a connection for reading only: the session is asked to be read-only where the driver
   * allows it after connecting. Drivers that fix the flag when the file or session is opened
   * (SQLite's) refuse; the session is then used as opened, for SELECTs only.
   */
  public static Connection openReadOnly(ConnectionSpec spec, Secrets secrets, String role) {
    Connection c = open(spec, secrets, role);
    try {
      c.setReadOnly(true);
    } catch (SQLException e) {
      // read-only fixed at open time by this driver: the caller only reads
    }
    return c;
  }

  /** The schema a connection spec addresses: its own, or the dialect's default. */
  public static String schemaOf(ConnectionSpec spec) {
    return spec.schema() != null && !spec.schema().isBlank()
        ? spec.schema()
        : forUrl(spec.url()).defaultSchema(spec.url());
  }
}
