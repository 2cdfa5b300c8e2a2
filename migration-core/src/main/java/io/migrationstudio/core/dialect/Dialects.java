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
   * The dialect named {@code engine} as {@link Dialect#name()} spells it (an inventory's {@code
   * engine}); an engine no dialect implements is refused with a {@link MigrationException} naming
   * it and the supported engines.
   */
  public static Dialect forName(String engine) {
    return ALL.stream()
        .filter(d -> d.name().equalsIgnoreCase(engine == null ? "" : engine))
        .findFirst()
        .orElseThrow(
            () ->
                new MigrationException(
                    ErrorCode.UNSUPPORTED_TYPE,
                    "no dialect for source engine '"
                        + engine
                        + "'; supported engines: "
                        + ALL.stream().map(Dialect::name).toList()));
  }

  /**
   * Opens a connection during a stage ({@link ConnectPhase#DURING_STAGE}): a database that does not
   * answer is taken as restarting (TRANSIENT_SQL, retried with backoff). See {@link #open(
   * ConnectionSpec, Secrets, String, ConnectPhase)}.
   */
  public static Connection open(ConnectionSpec spec, Secrets secrets, String role) {
    return open(spec, secrets, role, ConnectPhase.DURING_STAGE);
  }

  /**
   * Opens a connection, resolving the password reference. Failures are classified by the dialect
   * for the phase (wrong password: AUTHENTICATION_FAILED, not retried; refused or timed out:
   * DATABASE_UNREACHABLE at the start of a migration, TRANSIENT_SQL during a stage) and name the
   * database by its redacted URL.
   */
  public static Connection open(
      ConnectionSpec spec, Secrets secrets, String role, ConnectPhase phase) {
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
          e, "the " + role + " database " + MigrationException.redact(spec.url()), phase);
    }
  }

  /** {@link #openReadOnly(ConnectionSpec, Secrets, String, ConnectPhase)} during a stage. */
  public static Connection openReadOnly(ConnectionSpec spec, Secrets secrets, String role) {
    return openReadOnly(spec, secrets, role, ConnectPhase.DURING_STAGE);
  }

  /**
   * Opens a connection for reading only: every transaction of the session is read-only, autocommit
   * statements included ({@link Dialect#makeSessionReadOnly}: PostgreSQL {@code SET SESSION
   * CHARACTERISTICS AS TRANSACTION READ ONLY}, MariaDB {@code SET SESSION TRANSACTION READ ONLY},
   * SQLite {@code PRAGMA query_only}). Inventory, risk probes, the mapping review, the dry run's
   * source, the copy's source, validation and the regression replay read through these. A session
   * that cannot be made read-only is an error, never silently writable.
   */
  public static Connection openReadOnly(
      ConnectionSpec spec, Secrets secrets, String role, ConnectPhase phase) {
    Dialect dialect = forUrl(spec.url());
    Connection c = open(spec, secrets, role, phase);
    try {
      dialect.makeSessionReadOnly(c);
    } catch (SQLException e) {
      try {
        c.close();
      } catch (SQLException closing) {
        e.addSuppressed(closing);
      }
      throw dialect.classify(
          e,
          "making the " + role + " session read-only on " + MigrationException.redact(spec.url()));
    }
    return c;
  }

  /** The dialect of a spec's source. */
  public static Dialect source(io.migrationstudio.contracts.spec.MigrationSpec spec) {
    return forUrl(spec.source().url());
  }

  /** The dialect of a spec's target. */
  public static Dialect target(io.migrationstudio.contracts.spec.MigrationSpec spec) {
    return forUrl(spec.target().url());
  }

  /** The schema a connection spec addresses: its own, or the dialect's default. */
  public static String schemaOf(ConnectionSpec spec) {
    return spec.schema() != null && !spec.schema().isBlank()
        ? spec.schema()
        : forUrl(spec.url()).defaultSchema(spec.url());
  }
}
