package io.migrationstudio.studio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code studio pause}, {@code throttle}, {@code resume} and {@code cancel} against a server with
 * every worker, on a throttled copy of a real table: a paused copy commits at most the chunk in
 * flight of each running batch, a resumed one goes on, a throttle changes the rate of the running
 * chunks, a cancel ends the migration CANCELLED with {@code cancel.json} on the branch. Then, on
 * the same server, an online migration's change stream: paused, the source's writes do not reach
 * the target while its lag grows in {@code studio status}; resumed, the target catches up exactly.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(600)
class ControlCommandsIT {
  private static final String ID = "control-e2e";
  private static final String ONLINE = "control-online";

  private record Result(int code, String out, String err) {}

  private static Result studio(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int code = StudioMain.execute(args);
      return new Result(
          code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  @Test
  void pauseThrottleResumeAndCancelARunningCopy(
      TestDatabase source,
      TestDatabase target,
      TestDatabase liveSource,
      TestDatabase liveTarget,
      @TempDir Path home)
      throws Exception {
    source.execute(
        "CREATE TABLE events (id bigint PRIMARY KEY, payload text)",
        "INSERT INTO events SELECT g, md5(g::text) FROM generate_series(1, 100000) g");
    Path spec = home.resolve("migration.yaml");
    Files.writeString(
        spec,
        String.join(
            "\n",
            "id: " + ID,
            "cutover: { hypercare: PT0S }", // ends at the switch
            "source: { url: \"" + source.jdbcUrl() + "\", user: postgres }",
            "target: { url: \"" + target.jdbcUrl() + "\", user: postgres }",
            "migrate: { parallelism: 2, chunk_rows: 1000, max_rows_per_second: 2000 }",
            "reviews: { assessment: auto, mapping: auto, migrate: auto, validation: auto,"
                + " cutover: auto, identity: none }",
            "approvers: { default: [alice] }",
            ""));
    try (Services services =
        Services.start(
            StudioHome.of(home),
            null,
            0,
            new Services.ServicePorts(Services.LOOPBACK, 0, -1),
            Set.copyOf(Services.WORKERS),
            null)) {
      String server = "localhost:" + services.apiPort();
      Result started = studio("start", spec.toString(), "--server", server);
      assertEquals(0, started.code(), started.err());
      // the online migration gets to its stream meanwhile (pauseAndResumeAStream below)
      startOnline(server, liveSource, liveTarget, home);
      for (int i = 0; i < 1200 && committed(target) < 3; i++) {
        Thread.sleep(250);
      }
      assertTrue(committed(target) >= 3, "the copy runs");

      Result paused =
          studio("pause", ID, "--reason", "peak hours", "--by", "bob", "--server", server);
      assertEquals(0, paused.code(), paused.out() + paused.err());
      // the chunks in flight finish (one per running activity: parallelism 2; a chunk of 1,000
      // rows at 2,000 rows/s takes ~0.5 s) and at most one more each (a batch reads the pause
      // from a background query refreshed every 250 ms, never waiting at a chunk boundary), not
      // the rest of their batch (100 chunks at parallelism 2: 13 consecutive chunks per activity)
      long atPause = committed(target);
      Thread.sleep(2000);
      long held = committed(target);
      assertTrue(
          held - atPause <= 4,
          "at most the chunk in flight and one more of each of the 2 running activities commits"
              + " after the"
              + " pause: "
              + atPause
              + " then "
              + held);
      Thread.sleep(3000);
      assertEquals(held, committed(target), "no chunk is committed while paused");
      JsonNode st = status(server);
      assertTrue(
          st.get("message").asText().startsWith("PAUSED by bob (peak hours)"), st.toString());
      Result again = studio("pause", ID, "--by", "bob", "--server", server);
      assertTrue(again.code() != 0 && again.err().contains("paused already"), again.err());

      Result throttled =
          studio("throttle", ID, "--rows-per-second", "500", "--by", "bob", "--server", server);
      assertEquals(0, throttled.code(), throttled.out() + throttled.err());
      assertTrue(status(server).get("message").asText().contains("Throttled to 500 rows/s"));

      Result resumed = studio("resume", ID, "--by", "bob", "--server", server);
      assertEquals(0, resumed.code(), resumed.out() + resumed.err());
      for (int i = 0; i < 400 && committed(target) <= held; i++) {
        Thread.sleep(250);
      }
      assertTrue(committed(target) > held, "the copy goes on after resume");

      // a throttle reaches the running chunks: the copy speeds up (measured on the ledger:
      // `status` counts a batch's chunks when the batch ends, 13 chunks here)
      double slow = chunksPerSecond(target, 4000);
      Result faster =
          studio("throttle", ID, "--rows-per-second", "3000", "--by", "bob", "--server", server);
      assertEquals(0, faster.code(), faster.out() + faster.err());
      assertTrue(status(server).get("message").asText().contains("Throttled to 3000 rows/s"));
      Thread.sleep(1500); // running chunks ask for the rate in force every second
      double fast = chunksPerSecond(target, 3000);
      assertTrue(
          fast > 2 * slow,
          "3000 rows/s per chunk from 500: " + slow + " chunks/s before, " + fast + " after");

      Result noReason = studio("cancel", ID, "--by", "bob", "--server", server);
      assertTrue(noReason.code() != 0, "--reason is required: " + noReason.out());
      Result cancelled =
          studio("cancel", ID, "--reason", "the window moved", "--by", "bob", "--server", server);
      assertEquals(0, cancelled.code(), cancelled.out() + cancelled.err());
      for (int i = 0; i < 400 && !status(server).get("state").asText().equals("CANCELLED"); i++) {
        Thread.sleep(250);
      }
      st = status(server);
      assertEquals("CANCELLED", st.get("state").asText(), st.toString());
      assertEquals("cancelled by bob: the window moved", st.get("message").asText());

      Result record = studio("artifacts", ID, "cancel.json", "--server", server);
      assertEquals(0, record.code(), record.err());
      JsonNode rec = Json.read(record.out().getBytes(StandardCharsets.UTF_8), JsonNode.class, "c");
      assertEquals("bob", rec.get("by").asText());
      assertEquals("the window moved", rec.get("reason").asText());
      assertEquals("migrate", rec.get("stage").asText());
      Result state = studio("artifacts", ID, "state.json", "--server", server);
      assertTrue(state.out().contains("\"CANCELLED\""), state.out());
      awaitNoRows(target, "studio.migration_lock", "the cancelled migration releases its lock");
      Result after = studio("resume", ID, "--by", "bob", "--server", server);
      assertTrue(after.code() != 0 && after.err().contains("ended CANCELLED"), after.err());

      pauseAndResumeAStream(server, liveSource, liveTarget);
    }
  }

  /** Starts an online migration whose Migrate gate waits with its stream running. */
  private static void startOnline(
      String server, TestDatabase source, TestDatabase target, Path home) throws Exception {
    source.execute(
        "CREATE TABLE orders (id bigint PRIMARY KEY, note text NOT NULL)",
        "INSERT INTO orders SELECT g, 'order ' || g FROM generate_series(1, 2000) g");
    Path spec = home.resolve("online.yaml");
    Files.writeString(
        spec,
        String.join(
            "\n",
            "id: " + ONLINE,
            "source: { url: \"" + source.jdbcUrl() + "\", user: postgres }",
            "target: { url: \"" + target.jdbcUrl() + "\", user: postgres }",
            "migrate: { strategy: online, parallelism: 1, max_lag: PT30S }",
            // the Migrate gate waits with the stream running
            "reviews: { assessment: auto, mapping: auto, migrate: ask, validation: auto,"
                + " cutover: auto, identity: none }",
            "approvers: { default: [alice] }",
            "cutover: { hypercare: PT0S, rollback: none, drill: skip }",
            ""));
    Result started = studio("start", spec.toString(), "--server", server);
    assertEquals(0, started.code(), started.err());
  }

  /**
   * The online migration of {@link #startOnline} at its Migrate gate with its stream running:
   * {@code studio pause} holds the stream (writes on the source stay off the target, {@code status}
   * says PAUSED and the measured lag grows), {@code studio resume} lets it catch up to exactly the
   * source's rows, and a cancel drops its capture.
   */
  private static void pauseAndResumeAStream(String server, TestDatabase source, TestDatabase target)
      throws Exception {
    long t0 = System.nanoTime();
    awaitStatus(
        server,
        ONLINE,
        s ->
            s.get("state").asText().equals("AWAITING_REVIEW")
                && s.get("stage").asText().equals("MIGRATE")
                && s.hasNonNull("stream"));
    source.execute("INSERT INTO orders SELECT g, 'order ' || g FROM generate_series(2001, 2010) g");
    awaitRows(target, 2010, "the stream applies the source's writes");
    long atGate = System.nanoTime();

    long pausedAt = System.currentTimeMillis();
    Result paused =
        studio("pause", ONLINE, "--reason", "batch job", "--by", "bob", "--server", server);
    assertEquals(0, paused.code(), paused.out() + paused.err());
    // the running slice stops (reporting where it stopped), then the paused stream is measured at
    // once and every 10 s: once a report is newer than the pause, no slice applies anything
    JsonNode first =
        awaitStatus(
            server, ONLINE, s -> s.get("stream").get("measuredAtMillis").asLong() >= pausedAt);
    source.execute(
        "INSERT INTO orders SELECT g, 'order ' || g FROM generate_series(2011, 2030) g",
        "UPDATE orders SET note = 'changed' WHERE id = 5",
        "DELETE FROM orders WHERE id = 6");
    JsonNode later =
        awaitStatus(
            server,
            ONLINE,
            s ->
                s.get("stream").get("measuredAtMillis").asLong()
                        > first.get("stream").get("measuredAtMillis").asLong()
                    && s.get("stream").get("lagMillis").asLong() > 0);
    assertTrue(
        later.get("stream").get("lagMillis").asLong()
            > first.get("stream").get("lagMillis").asLong(),
        "the lag grows while paused: " + first.get("stream") + " then " + later.get("stream"));
    Result text = studio("status", ONLINE, "--server", server);
    assertTrue(text.out().contains("PAUSED by bob (batch job)"), text.out());
    assertTrue(text.out().contains("the lag grows"), text.out());
    assertTrue(text.out().contains("stream "), text.out());
    assertEquals(
        2010,
        target.queryLong("SELECT count(*) FROM orders"),
        "nothing is applied while paused (>= 10 s after the pause)");

    Result resumed = studio("resume", ONLINE, "--by", "bob", "--server", server);
    assertEquals(0, resumed.code(), resumed.out() + resumed.err());
    String digest = "SELECT md5(string_agg(id || ':' || note, ',' ORDER BY id)) FROM orders";
    String expected = queryString(source, digest);
    for (int i = 0; i < 240 && !expected.equals(queryString(target, digest)); i++) {
      Thread.sleep(250);
    }
    assertEquals(expected, queryString(target, digest), "the target caught up exactly");
    assertEquals(2029, target.queryLong("SELECT count(*) FROM orders"));
    long caughtUp = System.nanoTime();

    Result cancelled =
        studio("cancel", ONLINE, "--reason", "test over", "--by", "bob", "--server", server);
    assertEquals(0, cancelled.code(), cancelled.out() + cancelled.err());
    awaitStatus(server, ONLINE, s -> s.get("state").asText().equals("CANCELLED"));
    String slots = "SELECT count(*) FROM pg_replication_slots WHERE database = current_database()";
    for (int i = 0; i < 80 && source.queryLong(slots) > 0; i++) {
      Thread.sleep(250);
    }
    assertEquals(0, source.queryLong(slots), "the cancel drops the stream's slot");
    awaitNoRows(source, "pg_publication", "the cancel drops the stream's publication");
    awaitNoRows(target, "studio.migration_lock", "the cancelled migration releases its lock");
    System.out.printf(
        "ControlCommandsIT online stream, seconds: %.1f to its gate after the bulk copy's"
            + " cancel, %.1f paused and caught up, %.1f cancelled%n",
        (atGate - t0) / 1e9, (caughtUp - atGate) / 1e9, (System.nanoTime() - caughtUp) / 1e9);
  }

  /** Waits (up to 20 s) until {@code table} of {@code db} has no rows. */
  private static void awaitNoRows(TestDatabase db, String table, String what)
      throws InterruptedException {
    String sql = "SELECT count(*) FROM " + table;
    for (int i = 0; i < 80 && db.queryLong(sql) > 0; i++) {
      Thread.sleep(250);
    }
    assertEquals(0, db.queryLong(sql), what);
  }

  /** Chunks committed per second over the next {@code millis}. */
  private static double chunksPerSecond(TestDatabase target, long millis)
      throws InterruptedException {
    long before = committed(target);
    long t0 = System.nanoTime();
    Thread.sleep(millis);
    long after = committed(target);
    return (after - before) / ((System.nanoTime() - t0) / 1e9);
  }

  private static JsonNode awaitStatus(
      String server, String id, java.util.function.Predicate<JsonNode> p)
      throws InterruptedException {
    JsonNode st = status(server, id);
    for (int i = 0; i < 480 && !p.test(st); i++) {
      assertTrue(
          !st.get("state").asText().equals("FAILED"), "the migration failed: " + st.toString());
      Thread.sleep(250);
      st = status(server, id);
    }
    assertTrue(p.test(st), st.toString());
    return st;
  }

  private static void awaitRows(TestDatabase target, long rows, String what)
      throws InterruptedException {
    for (int i = 0; i < 240 && countOrders(target) != rows; i++) {
      Thread.sleep(250);
    }
    assertEquals(rows, countOrders(target), what);
  }

  private static long countOrders(TestDatabase target) {
    try {
      return target.queryLong("SELECT count(*) FROM orders");
    } catch (IllegalStateException notYet) {
      return -1;
    }
  }

  private static String queryString(TestDatabase db, String sql) throws java.sql.SQLException {
    try (java.sql.Connection c = db.connect();
        java.sql.Statement st = c.createStatement();
        java.sql.ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return String.valueOf(rs.getString(1));
    }
  }

  private static JsonNode status(String server) {
    return status(server, ID);
  }

  private static JsonNode status(String server, String id) {
    Result r = studio("status", id, "--json", "--server", server);
    assertEquals(0, r.code(), r.err());
    return Json.read(r.out().getBytes(StandardCharsets.UTF_8), JsonNode.class, "status");
  }

  private static long committed(TestDatabase target) {
    try {
      return target.queryLong(
          "SELECT count(*) FROM studio.chunk_ledger WHERE status = 'committed'");
    } catch (IllegalStateException notYet) {
      return 0; // the ledger does not exist before Migrate starts
    }
  }
}
