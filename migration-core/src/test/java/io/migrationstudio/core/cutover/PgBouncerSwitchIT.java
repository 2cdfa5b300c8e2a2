package io.migrationstudio.core.cutover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.core.spec.SecretResolver;
import io.migrationstudio.core.spec.SpecLoader;
import io.migrationstudio.testkit.EmbeddedPostgresServer;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The {@code pgbouncer} switch against a real PgBouncer (from the distribution's package: {@code
 * apt-get install pgbouncer}) in front of the embedded PostgreSQL: its own ini, port and socket
 * directory in a temporary directory, pool mode transaction, run as {@code nobody} when the test
 * runs as root (PgBouncer refuses to run as root).
 */
@ExtendWith(PostgresExtension.class)
class PgBouncerSwitchIT {
  Path dir;
  Path ini;
  int port;
  Process pgbouncer;
  TestDatabase source;
  TestDatabase target;

  String password = "";

  @BeforeEach
  void setUp(TestDatabase source, TestDatabase target) {
    this.source = source;
    this.target = target;
  }

  /** PgBouncer with {@code auth_type}; a password-checking one knows postgres as "s3cret". */
  void start(String authType) throws Exception {
    password = authType.equals("trust") ? "" : "s3cret";
    dir = Files.createTempDirectory(Path.of("/tmp"), "pgbouncer-it");
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
    port = freePort();
    Files.writeString(dir.resolve("users.txt"), "\"postgres\" \"" + password + "\"\n");
    ini = dir.resolve("pgbouncer.ini");
    Files.writeString(
        ini,
        String.join(
            "\n",
            "; written by PgBouncerSwitchIT",
            "[databases]",
            "other = host=127.0.0.1 port=" + EmbeddedPostgresServer.port() + " dbname=postgres",
            "app = host=127.0.0.1 port="
                + EmbeddedPostgresServer.port()
                + " dbname="
                + source.name()
                + " pool_size=4",
            "",
            "[pgbouncer]",
            "listen_addr = 127.0.0.1",
            "listen_port = " + port,
            "unix_socket_dir = " + dir,
            "auth_type = " + authType,
            "auth_file = " + dir.resolve("users.txt"),
            "admin_users = postgres",
            "pool_mode = transaction",
            "ignore_startup_parameters = extra_float_digits",
            "logfile = " + dir.resolve("pgbouncer.log"),
            "pidfile = " + dir.resolve("pgbouncer.pid"),
            ""));
    for (Path p : List.of(ini, dir.resolve("users.txt"))) {
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
    }
    List<String> cmd = new ArrayList<>(List.of(pgbouncerBinary()));
    if ("root".equals(System.getProperty("user.name"))) {
      cmd.addAll(List.of("-u", "nobody"));
    }
    cmd.add(ini.toString());
    pgbouncer =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("out.txt").toFile())
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (!listening(port)) {
      if (!pgbouncer.isAlive() || System.nanoTime() > deadline) {
        fail("PgBouncer did not start: " + Files.readString(dir.resolve("out.txt")) + log());
      }
      Thread.sleep(50);
    }
  }

  @AfterEach
  void stopPgBouncer() throws Exception {
    if (pgbouncer == null) {
      return;
    }
    System.out.println("PgBouncer's log:" + log()); // kept in the failsafe output for diagnosis
    {
      pgbouncer.destroy();
      if (!pgbouncer.waitFor(5, TimeUnit.SECONDS)) {
        pgbouncer.destroyForcibly();
      }
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Test
  void pausesRepointsAndResumesWithoutLosingTheQueryInFlightAndRollsBack() throws Exception {
    start("trust");
    MigrationSpec spec = spec();
    try (Connection app = client();
        Connection busy = client()) {
      assertEquals(source.name(), database(app), "before the switch: the source");
      // a transaction in flight when the switch starts: PAUSE waits for it, it completes
      CompletableFuture<String> inFlight =
          CompletableFuture.supplyAsync(
              () -> query(busy, "SELECT current_database() || ':' || pg_sleep(1.5)::text"));
      awaitRunning("pg_sleep(1.5)");

      PgBouncerSwitch sw = new PgBouncerSwitch(spec, secrets());
      long start = System.nanoTime();
      String detail = sw.apply();
      long tookMs = (System.nanoTime() - start) / 1_000_000;

      assertEquals(source.name() + ":", inFlight.get(10, TimeUnit.SECONDS));
      assertTrue(tookMs >= 1000, "PAUSE waited for the transaction in flight: " + tookMs + " ms");
      assertTrue(detail.contains("PAUSE app"), detail);
      assertTrue(detail.contains("RELOAD"), detail);
      assertTrue(detail.contains("RESUME"), detail);
      assertTrue(detail.contains("database " + target.name()), detail);
      // the same client connections, the same connection string: now the target
      assertEquals(target.name(), database(app), "after the switch: the target");
      assertEquals(target.name(), database(busy));
      try (Connection fresh = client()) {
        assertEquals(target.name(), database(fresh));
      }
      String switched = Files.readString(ini, StandardCharsets.UTF_8);
      assertTrue(switched.contains("dbname=" + target.name() + " pool_size=4"), switched);
      assertTrue(switched.contains("other = host=127.0.0.1"), "other entries untouched");
      assertTrue(switched.startsWith("; written by PgBouncerSwitchIT\n"), switched);
      assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(ini)));

      String back = sw.revert();
      assertTrue(back.contains("back to the source"), back);
      assertEquals(source.name(), database(app), "after the rollback: the source again");
      assertTrue(Files.readString(ini).contains("dbname=" + source.name() + " pool_size=4"));
    }
  }

  @Test
  void aPauseThatCannotCompleteIsCalledOffAndNothingIsRepointed() throws Exception {
    start("scram-sha-256");
    MigrationSpec spec = SpecLoader.parse(specText("PT1S"));
    String before = Files.readString(ini);
    try (Connection app = client()) {
      app.setAutoCommit(false);
      database(app); // an open transaction holds its server connection: PAUSE cannot finish
      PgBouncerSwitch sw = new PgBouncerSwitch(spec, secrets());
      StepRecorder.CheckFailed e =
          org.junit.jupiter.api.Assertions.assertThrows(StepRecorder.CheckFailed.class, sw::apply);
      assertTrue(e.getMessage().contains("did not complete within"), e.getMessage());
      // the rollback that follows has nothing to put back (and does not PAUSE again)
      assertTrue(sw.revert().contains("nothing to revert"));
      app.commit();
      assertEquals(before, Files.readString(ini));
      assertEquals(source.name(), database(app), "resumed, still the source");
    }
  }

  private MigrationSpec spec() {
    return SpecLoader.parse(specText("PT10S"));
  }

  private String specText(String timeout) {
    return "id: bouncer\n"
        + "source: { url: \""
        + source.jdbcUrl()
        + "\", user: postgres }\n"
        + "target: { url: \"jdbc:postgresql://127.0.0.1:"
        + EmbeddedPostgresServer.port()
        + "/"
        + target.name()
        + "\", user: postgres }\n"
        + "cutover: { switch: { type: pgbouncer, database: app, ini: \""
        + ini
        + "\", timeout: "
        + timeout
        + ", admin: { url: \"jdbc:postgresql://127.0.0.1:"
        + port
        + "/pgbouncer\", user: postgres, password: \""
        + (password.isEmpty() ? "" : "${env:PGB_PW}")
        + "\" } } }\n";
  }

  private Connection client() throws SQLException {
    // transaction pooling: no server-side prepared statements across transactions
    return DriverManager.getConnection(
        "jdbc:postgresql://127.0.0.1:" + port + "/app?prepareThreshold=0", "postgres", password);
  }

  private SecretResolver secrets() {
    return new SecretResolver(Map.of("PGB_PW", password));
  }

  private static String database(Connection c) {
    return query(c, "SELECT current_database()");
  }

  private static String query(Connection c, String sql) {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  private void awaitRunning(String fragment) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    try (Connection direct = source.connect()) {
      while (System.nanoTime() < deadline) {
        String n =
            query(
                direct,
                "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%"
                    + fragment
                    + "%' AND pid <> pg_backend_pid()");
        if (!"0".equals(n)) {
          return;
        }
        Thread.sleep(20);
      }
    }
    fail("the query in flight never started");
  }

  private String log() {
    try {
      return " log: " + Files.readString(dir.resolve("pgbouncer.log"));
    } catch (IOException e) {
      return " (no log)";
    }
  }

  private static String pgbouncerBinary() {
    for (String p :
        List.of("/usr/sbin/pgbouncer", "/usr/bin/pgbouncer", "/usr/local/bin/pgbouncer")) {
      if (Files.isExecutable(Path.of(p))) {
        return p;
      }
    }
    fail("pgbouncer is not installed: apt-get install -y pgbouncer (.ci/run does it)");
    return null;
  }

  private static boolean listening(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
