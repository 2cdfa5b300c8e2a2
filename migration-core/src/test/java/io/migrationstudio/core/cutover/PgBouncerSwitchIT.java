package io.migrationstudio.core.cutover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.copy.Loads;
import io.migrationstudio.core.copy.TestMappings;
import io.migrationstudio.core.cutover.reverse.ReverseStream;
import io.migrationstudio.core.cutover.reverse.RollbackLog;
import io.migrationstudio.core.cutover.reverse.RollbackService;
import io.migrationstudio.core.dialect.postgres.PostgresDialect;
import io.migrationstudio.core.mapping.MappingDocument;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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

      Path kept = Path.of(ini + PgBouncerSwitch.KEPT_SUFFIX);
      assertTrue(Files.readString(kept).contains("dbname=" + source.name()), "the entry replaced");
      String back = sw.revert();
      assertTrue(back.contains("back to the source"), back);
      assertTrue(!Files.exists(kept), "reverted: the kept entry is gone");
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

  /**
   * The way there and back through one PgBouncer, as the applications see it: a client writes
   * through PgBouncer all along (one autocommit INSERT at a time, each row recording the database
   * it landed on). The cutover's part: freeze the source, copy, start the reverse capture, switch
   * (the client's writes land on the target). Then {@link RollbackService} with the switch-back a
   * rollback worker builds from the spec alone ({@link CutoverService#switchBack}, nothing of the
   * cutover's memory): the target's writes come back to the source, PgBouncer points at the source
   * again, and the client's writes land there. Every acknowledged write is on the source at the
   * end, with the database it landed on; none landed on the target after the switch back.
   */
  @Test
  void aClientWritingThroughPgBouncerLosesNoWriteThroughTheSwitchAndTheRollback() throws Exception {
    start("trust");
    String id = "bouncer-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL);
    MigrationSpec spec = SpecLoader.parse(specText("PT10S").replace("id: bouncer", "id: " + id));
    source.execute("CREATE TABLE items (id bigint PRIMARY KEY, landed text NOT NULL)", WRITE_ITEM);
    Writer writer = new Writer();
    Thread thread = new Thread(writer, "pgbouncer-client");
    thread.start();
    ReverseStream reverse = new ReverseStream(secrets());
    try {
      writer.await(source.name(), 0, 3);
      MappingDocument mapping;
      try (Connection control = source.connect();
          Connection tgt = target.connect()) {
        // the cutover: the source frozen, everything copied, the reverse capture, the switch
        new PostgresDialect()
            .writeFreeze()
            .orElseThrow()
            .freezeWrites(control, List.of("public.items"), Duration.ofSeconds(10));
        mapping = TestMappings.identity(control, "public", "public");
        Loads.migrate(control, tgt, mapping, id, 100);
      }
      target.execute(WRITE_ITEM);
      String reverseStart = reverse.prepare(spec, mapping, id).position();
      long switchedAt = System.nanoTime();
      String forward = TrafficSwitch.of(spec, secrets(), true).orElseThrow().apply();
      long switchedDone = System.nanoTime();
      assertTrue(
          Files.exists(Path.of(ini + PgBouncerSwitch.KEPT_SUFFIX)), "entry kept: " + forward);
      writer.await(target.name(), switchedAt, 3);

      RollbackLog log =
          new RollbackService(secrets())
              .rollback(
                  spec,
                  mapping,
                  id,
                  reverseStart,
                  Duration.ofSeconds(60),
                  CutoverService.switchBack(spec, secrets()));
      long rolledBackAt = System.nanoTime();
      System.out.println(log.markdown());
      assertEquals(Verdict.PASS, log.verdict(), log.markdown());
      assertTrue(log.switchBack().startsWith("pgbouncer: "), log.switchBack());
      CutoverStep back =
          log.steps().stream()
              .filter(x -> x.name().equals(RollbackService.SWITCH_BACK))
              .findFirst()
              .orElseThrow();
      assertEquals(CutoverStep.OK, back.status(), log.markdown());
      assertTrue(back.detail().contains("repointed back to the source"), back.detail());
      assertTrue(back.detail().contains("kept at the cutover"), back.detail());
      writer.await(source.name(), rolledBackAt, 3);
      writer.stop = true;
      thread.join(10_000);

      Map<Long, String> onSource = rows(source);
      List<Writer.Ack> acks = writer.acks();
      for (Writer.Ack a : acks) {
        assertEquals(
            a.landed(), onSource.get(a.id()), "acknowledged write " + a + " on the source");
        if (a.at() > rolledBackAt) {
          assertEquals(source.name(), a.landed(), "after the switch back: " + a);
        }
        if (a.landed().equals(target.name())) {
          assertTrue(a.at() > switchedAt && a.at() < rolledBackAt, "on the target: " + a);
        }
      }
      assertTrue(
          acks.stream().filter(a -> a.landed().equals(target.name())).count() >= 3,
          "writes landed on the target and came back: " + acks);
      // PAUSE, unfreeze, repoint, RESUME: the clients waited for a writable source instead of
      // being refused by its guards between RESUME and the unfreeze (refusals by the source are
      // the cutover's: sent before its switch completed)
      List<String> refusedOnSource =
          writer.refusals().stream()
              .filter(r -> r.sent() > switchedDone)
              .filter(r -> r.error().contains("refused on " + source.name()))
              .map(Writer.Refusal::error)
              .toList();
      assertEquals(List.of(), refusedOnSource, log.markdown());
      List<String> order =
          log.steps().stream()
              .map(CutoverStep::name)
              .filter(n -> n.equals(RollbackService.SWITCH_BACK) || n.startsWith("unfreeze source"))
              .toList();
      assertEquals(2, order.size(), log.markdown());
      assertTrue(order.get(0).startsWith("unfreeze source"), "unfrozen while held: " + order);
      assertTrue(back.detail().contains("source unfrozen while held"), back.detail());
      Map<Long, String> onTarget = rows(target);
      onTarget.forEach(
          (k, v) -> assertEquals(v, onSource.get(k), "target row " + k + " is on the source"));
      String entry = Files.readString(ini);
      assertTrue(entry.contains("dbname=" + source.name() + " pool_size=4"), entry);
      assertTrue(!Files.exists(Path.of(ini + PgBouncerSwitch.KEPT_SUFFIX)), "kept entry removed");
      System.out.println(
          "pgbouncer round trip: "
              + acks.size()
              + " acknowledged writes, "
              + writer.refused.get()
              + " refused while frozen; rollback "
              + log.rollbackMillis()
              + " ms frozen-to-writable");
    } finally {
      writer.stop = true;
      thread.join(10_000);
      reverse.drop(spec, id); // idempotent; the rollback dropped it when it passed
    }
  }

  /**
   * The client's write on either database: the row, with the database it landed on; a refusal by
   * the write guards names the database that refused.
   */
  private static final String WRITE_ITEM =
      """
      CREATE OR REPLACE FUNCTION write_item(i bigint) RETURNS text LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO items VALUES (i, current_database());
        RETURN current_database();
      EXCEPTION WHEN read_only_sql_transaction THEN
        RAISE EXCEPTION USING ERRCODE = '25006',
          MESSAGE = 'refused on ' || current_database() || ': ' || SQLERRM;
      END $$""";

  /**
   * A client of PgBouncer writing one autocommit row at a time, recording each acknowledged write
   * (its id, the database it landed on, when) and counting the refused ones.
   */
  private final class Writer implements Runnable {
    record Ack(long id, String landed, long at) {}

    /** A refused write: when its statement was sent, and the error. */
    record Refusal(long sent, String error) {}

    private final List<Ack> acks = new CopyOnWriteArrayList<>();
    private final List<Refusal> refusals = new CopyOnWriteArrayList<>();
    final AtomicInteger refused = new AtomicInteger();
    volatile boolean stop;
    volatile String lastError = "";

    @Override
    public void run() {
      long id = 0;
      Connection c = null;
      while (!stop) {
        id++;
        long sent = System.nanoTime();
        try {
          if (c == null) {
            c = client();
          }
          try (Statement s = c.createStatement();
              ResultSet rs = s.executeQuery("SELECT write_item(" + id + ")")) {
            rs.next();
            acks.add(new Ack(id, rs.getString(1), System.nanoTime()));
          }
        } catch (SQLException e) {
          refused.incrementAndGet();
          lastError = e.getSQLState() + " " + e.getMessage();
          refusals.add(new Refusal(sent, lastError));
          if (e.getSQLState() != null && e.getSQLState().startsWith("08")) {
            closeQuietly(c);
            c = null;
          }
        }
        try {
          Thread.sleep(10);
        } catch (InterruptedException e) {
          return;
        }
      }
      closeQuietly(c);
    }

    List<Ack> acks() {
      return List.copyOf(acks);
    }

    List<Refusal> refusals() {
      return List.copyOf(refusals);
    }

    /** Waits until {@code n} writes acknowledged after {@code since} landed on {@code db}. */
    void await(String db, long since, int n) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (acks.stream().filter(a -> a.at() > since && a.landed().equals(db)).count() < n) {
        if (System.nanoTime() > deadline) {
          fail("no " + n + " writes landed on " + db + "; last error: " + lastError + log());
        }
        Thread.sleep(20);
      }
    }

    private static void closeQuietly(Connection c) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (SQLException ignored) {
        // the connection is gone either way
      }
    }
  }

  private static Map<Long, String> rows(TestDatabase db) throws SQLException {
    Map<Long, String> out = new HashMap<>();
    try (Connection c = db.connect();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT id, landed FROM items")) {
      while (rs.next()) {
        out.put(rs.getLong(1), rs.getString(2));
      }
    }
    return out;
  }

  private MigrationSpec spec() {
    return SpecLoader.parse(specText("PT10S"));
  }

  private String specText(String timeout) {
    return "id: bouncer\n"
        + "source: { url: \""
        + source.jdbcUrl()
        + "\", user: postgres, schema: public }\n"
        + "target: { url: \"jdbc:postgresql://127.0.0.1:"
        + EmbeddedPostgresServer.port()
        + "/"
        + target.name()
        + "\", user: postgres, schema: public }\n"
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
