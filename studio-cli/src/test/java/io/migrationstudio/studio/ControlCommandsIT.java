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
 * every worker, on a throttled copy of a real table: a paused copy commits no chunk, a resumed one
 * goes on, a cancel ends the migration CANCELLED with {@code cancel.json} on the branch.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(600)
class ControlCommandsIT {
  private static final String ID = "control-e2e";

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
      TestDatabase source, TestDatabase target, @TempDir Path home) throws Exception {
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
      for (int i = 0; i < 1200 && committed(target) < 3; i++) {
        Thread.sleep(250);
      }
      assertTrue(committed(target) >= 3, "the copy runs");

      Result paused =
          studio("pause", ID, "--reason", "peak hours", "--by", "bob", "--server", server);
      assertEquals(0, paused.code(), paused.out() + paused.err());
      // the running chunks finish: with batches (100 chunks, parallelism 2: 13 consecutive chunks
      // per activity at 2,000 rows/s) the running batch does, which may take several seconds
      long held = committed(target);
      for (int i = 0; i < 60; i++) {
        Thread.sleep(4000);
        long now = committed(target);
        if (now == held) {
          break;
        }
        held = now;
      }
      Thread.sleep(4000);
      assertEquals(held, committed(target), "no chunk is committed while paused");
      JsonNode st = status(server);
      assertTrue(
          st.get("message").asText().startsWith("PAUSED by bob (peak hours)"), st.toString());
      Result again = studio("pause", ID, "--by", "bob", "--server", server);
      assertTrue(again.code() != 0 && again.err().contains("paused already"), again.err());

      Result throttled =
          studio("throttle", ID, "--rows-per-second", "5000", "--by", "bob", "--server", server);
      assertEquals(0, throttled.code(), throttled.out() + throttled.err());
      assertTrue(status(server).get("message").asText().contains("Throttled to 5000 rows/s"));

      Result resumed = studio("resume", ID, "--by", "bob", "--server", server);
      assertEquals(0, resumed.code(), resumed.out() + resumed.err());
      for (int i = 0; i < 400 && committed(target) <= held; i++) {
        Thread.sleep(250);
      }
      assertTrue(committed(target) > held, "the copy goes on after resume");

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
      Result after = studio("resume", ID, "--by", "bob", "--server", server);
      assertTrue(after.code() != 0 && after.err().contains("ended CANCELLED"), after.err());
    }
  }

  private static JsonNode status(String server) {
    Result r = studio("status", ID, "--json", "--server", server);
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
