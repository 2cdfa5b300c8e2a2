package io.migrationstudio.studio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.migrationstudio.core.git.GitArtifactStore;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.ProbeWriter;
import io.migrationstudio.testkit.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end, the live cutover of {@code migrate.strategy: online} (PostgreSQL → PostgreSQL): the
 * source takes writes through the copy ({@link OnlineWriter}; the stream carries them: cdc.json
 * PASS, Validation PASS), then a probe application writes one row every 10 ms to the database a
 * {@code config-file} switch names, from the end of the rollback drill through the cutover
 * (catch-up, freeze, end marker, drain, sequences, checksums, stream proof, switch) and on the
 * target after it. Every acknowledged write is on the target, every table equals the source's by
 * the servers' own md5 of the rows, the target's sequence took the probe's inserts, the cutover log
 * records the drain and the window, and no slot or publication is left behind.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(600)
class StudioOnlineCutoverIT {
  private static final String BRANCH = "migrations/e2e-live";

  @Test
  void anOnlineCutoverDrainsTheStreamAndLosesNoAcknowledgedWrite(
      TestDatabase source, TestDatabase target, @TempDir Path home) throws Exception {
    StudioRunIT.loadChinook(source);
    source.execute(ProbeWriter.createTableSql("probe"));
    source.execute("INSERT INTO probe (seq) SELECT -g FROM generate_series(1, 50) g");
    Path app = home.resolve("app.properties");
    Path spec = home.resolve("migration.yaml");
    Files.writeString(
        spec,
        String.join(
            "\n",
            "id: e2e-live",
            "source: { url: \"" + source.jdbcUrl() + "\", user: postgres }",
            "target: { url: \"" + target.jdbcUrl() + "\", user: postgres }",
            "mapping: { naming: identity }",
            "migrate: { strategy: online, parallelism: 2, chunk_rows: 500 }",
            "validation: { sample_rows: 100 }",
            // a loaded CI machine: the catch-up must not be refused for a slow walsender start
            "cutover: { hypercare: PT0S, rto: PT5M, max_lag: PT30S, switch: { type: config-file, path: \""
                + app
                + "\" } }",
            ""));
    ProbeWriter.Endpoint src =
        new ProbeWriter.Endpoint("source", source.jdbcUrl(), source.user(), "");
    ProbeWriter.Endpoint tgt =
        new ProbeWriter.Endpoint("target", target.jdbcUrl(), target.user(), "");
    ProbeWriter probe =
        new ProbeWriter(
            "probe", ProbeWriter.followConfigFile(app, src, tgt), Duration.ofMillis(10));
    AtomicBoolean stopCopyWriter = new AtomicBoolean();
    AtomicInteger written = new AtomicInteger();
    AtomicInteger afterCopy = new AtomicInteger();
    Thread copyWriter =
        new Thread(
            () -> OnlineWriter.write(source, target, stopCopyWriter, written, afterCopy),
            "copy-writer");
    copyWriter.setDaemon(true);
    copyWriter.start();
    AtomicBoolean done = new AtomicBoolean();
    // the drill rehearses the switch on the real pair (it points the file at the target and back):
    // the application starts once it is over, as it would after a drill in a maintenance window
    Thread starter =
        new Thread(
            () -> {
              while (!done.get() && !drilled(home)) {
                pause(200);
              }
              if (!done.get()) {
                probe.start();
              }
            },
            "probe-starter");
    starter.setDaemon(true);
    starter.start();
    String printed = "";
    int port = freePort();
    AtomicInteger runExit = new AtomicInteger(-1);
    // cutover.rollback defaults to reverse here (online PostgreSQL -> PostgreSQL): after the switch
    // the migration holds with its reverse stream running until it is rolled back
    Thread run =
        new Thread(
            () ->
                runExit.set(
                    StudioMain.execute(
                        "run",
                        spec.toString(),
                        "--auto-approve",
                        "all",
                        "--home",
                        home.toString(),
                        "--api-port",
                        Integer.toString(port))),
            "studio-run");
    run.setDaemon(true);
    run.start();
    StudioRunFailureIT.Ran rolled = null;
    try {
      long deadline = System.nanoTime() + 480_000_000_000L;
      while (probe.acknowledgedOn("target") < 20 && System.nanoTime() < deadline && run.isAlive()) {
        pause(50);
      }
      assertTrue(run.isAlive(), "the run holds after its switch (exit " + runExit.get() + ")");
      // the application writes on the target after the switch: the rollback must bring them back
      target.execute(
          "INSERT INTO genre (genre_id, name) VALUES (9001, 'written on the target')",
          "UPDATE artist SET name = name || ' (target)' WHERE artist_id <= 3",
          "DELETE FROM playlist_track WHERE playlist_id = 1 AND track_id IN"
              + " (SELECT track_id FROM playlist_track WHERE playlist_id = 1 LIMIT 5)");
      long asked = System.nanoTime() + 60_000_000_000L;
      do {
        rolled =
            StudioRunFailureIT.studio(
                "rollback", "e2e-live", "--server", "localhost:" + port, "--reason", "it test");
        if (rolled.code() != 0) {
          pause(500); // the workflow takes a rollback once it holds after the switch
        }
      } while (rolled.code() != 0 && System.nanoTime() < asked);
      assertEquals(0, rolled.code(), rolled.printed());
      run.join(300_000);
      assertEquals(0, runExit.get(), "the run completes once rolled back");
      // the config file names the source again: the probe writes there
      long since = probe.acknowledgedOn("source");
      long waitBack = System.nanoTime() + 30_000_000_000L;
      while (probe.acknowledgedOn("source") < since + 10 && System.nanoTime() < waitBack) {
        pause(50);
      }
    } finally {
      done.set(true);
      stopCopyWriter.set(true);
      copyWriter.join(30_000);
      starter.join(10_000);
      probe.close();
    }
    assertTrue(afterCopy.get() > 0, "the copy writer wrote after the copy: the stream carried it");
    long onSource = probe.acknowledgedOn("source");
    long onTarget = probe.acknowledgedOn("target");
    assertTrue(
        onSource > 10,
        "the probe wrote to the source before the freeze: "
            + onSource
            + "; last failure: "
            + probe.lastFailure()
            + "\n"
            + printed);
    assertTrue(
        onTarget >= 20,
        "the probe wrote to the target after the switch (its sequence was set): "
            + onTarget
            + "; last failure: "
            + probe.lastFailure()
            + "\n"
            + printed);
    ProbeWriter.Window window = probe.window("source", "target").orElseThrow();

    // the rollback switched the config file back: the source is the final primary
    Set<Long> onFinal = seqs(source);
    List<Long> lost =
        probe.acknowledged().stream()
            .map(ProbeWriter.Ack::seq)
            .filter(s -> !onFinal.contains(s))
            .toList();
    assertEquals(List.of(), lost, "every acknowledged probe write is on the final primary");
    for (String table : List.of("artist", "album", "genre", "track", "invoice", "customer")) {
      assertEquals(
          StudioRunIT.fingerprint(source, table), StudioRunIT.fingerprint(target, table), table);
    }
    // the source's probe rows, as the servers hash them, are the target's first rows
    long lastOnSource = window.lastOnOld().seq();
    assertEquals(
        probeFingerprint(source, lastOnSource), probeFingerprint(target, lastOnSource), "probe");

    try (GitArtifactStore store = GitArtifactStore.open(home, null)) {
      JsonNode log =
          Json.read(
              store.read(BRANCH, "05-cutover/cutover-log.json").orElseThrow(),
              JsonNode.class,
              "cutover-log.json");
      assertEquals("PASS", log.get("verdict").asText(), log.toString());
      JsonNode cdc =
          Json.read(
              store.read(BRANCH, "03-migrate/cdc.json").orElseThrow(), JsonNode.class, "cdc.json");
      assertEquals("PASS", cdc.get("verdict").asText(), cdc.toString());
      assertTrue(cdc.get("stream").get("changes").asLong() > 0, cdc.toString());
      JsonNode validation =
          Json.read(
              store.read(BRANCH, "04-validation/validation.json").orElseThrow(),
              JsonNode.class,
              "validation.json");
      assertEquals("PASS", validation.get("status").asText(), validation.toString());
      // compared while the stream ran, at one source position the stream was held at
      assertTrue(
          validation.path("position").path("source_position").asText().startsWith("pg:"),
          validation.toString());
      JsonNode live = log.get("live");
      assertNotNull(live, log.toString());
      assertTrue(live.get("drain_ms").asLong() >= 0, live.toString());
      assertTrue(live.get("lag_ms").asLong() <= 30_000, live.toString());
      long unavailable = live.get("write_unavailable_ms").asLong();
      assertTrue(unavailable > 0, live.toString());
      assertTrue(
          window.millis() >= unavailable / 2,
          "the probe saw the freeze-to-switch window the studio measured ("
              + unavailable
              + " ms): "
              + window);
      // the final check compared what changed since the Validation's proof, not every table
      JsonNode check = log.path("final_check");
      assertEquals("changed", check.path("mode").asText(), log.toString());
      assertEquals(
          validation.path("position").path("target_position").asText(),
          check.path("proof").asText(),
          check.toString());
      System.out.println("final check: " + check);
      String steps = log.get("steps").toString();
      for (String step : List.of("drain the change stream", "prove from the stream", "sequences")) {
        assertTrue(steps.contains(step), step + " in " + steps);
      }
      System.out.printf(
          "live cutover: probe window %d ms (last source ack #%d, first target ack #%d), studio"
              + " freeze-to-switch %d ms, lag %d ms, drain %d ms (%d tx, %d changes), %d source"
              + " acks, %d target acks, %d refused writes%n",
          window.millis(),
          window.lastOnOld().seq(),
          window.firstOnNew().seq(),
          unavailable,
          live.get("lag_ms").asLong(),
          live.get("drain_ms").asLong(),
          live.get("drained_transactions").asLong(),
          live.get("drained_changes").asLong(),
          onSource,
          onTarget,
          probe.failures());
      for (JsonNode step : log.get("steps")) {
        System.out.printf(
            "  %-70s %6d ms %s%n",
            step.get("name").asText(), step.get("millis").asLong(), step.get("status").asText());
      }
    }
    assertEquals(
        0,
        source.queryLong(
            "SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE 'studio%'"
                + " AND database = current_database()"),
        () -> "the forward capture is dropped: " + StudioRunIT.slots(source));
    // the rollback through the workflow: every write made on the target is on the source
    long lastOnTarget = target.queryLong("SELECT coalesce(max(seq), 0) FROM probe");
    assertEquals(
        probeFingerprint(target, lastOnTarget),
        probeFingerprint(source, lastOnTarget),
        "every probe row the target acknowledged is on the source");
    long lastTargetAck =
        probe.acknowledged().stream()
            .filter(a -> a.endpoint().equals("target"))
            .mapToLong(ProbeWriter.Ack::nanos)
            .max()
            .orElseThrow();
    long firstSourceAckAfter =
        probe.acknowledged().stream()
            .filter(a -> a.endpoint().equals("source") && a.nanos() > lastTargetAck)
            .mapToLong(ProbeWriter.Ack::nanos)
            .min()
            .orElseThrow(
                () -> new AssertionError("the probe wrote to the source after the rollback"));
    System.out.printf(
        "switch back seen by the probe: %d ms from the last target write to the first source"
            + " write%n",
        (firstSourceAckAfter - lastTargetAck) / 1_000_000);
    for (String table : List.of("artist", "genre", "playlist_track", "album")) {
      assertEquals(
          StudioRunIT.fingerprint(target, table), StudioRunIT.fingerprint(source, table), table);
    }
    assertEquals(
        1, source.queryLong("SELECT count(*) FROM genre WHERE name = 'written on the target'"));
    try (GitArtifactStore store = GitArtifactStore.open(home, null)) {
      JsonNode rollback =
          Json.read(
              store.read(BRANCH, "05-cutover/rollback-log.json").orElseThrow(),
              JsonNode.class,
              "rollback-log.json");
      assertEquals("PASS", rollback.get("verdict").asText(), rollback.toString());
      System.out.printf("rollback through the workflow: %s%n", rollback.get("summary").asText());
    }
    source.execute("INSERT INTO genre (genre_id, name) VALUES (9002, 'after the rollback')");
    assertEquals(
        0,
        target.queryLong(
            "SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE 'studio%'"
                + " AND database = current_database()"),
        "the reverse capture is dropped");
    assertEquals(
        0,
        source.queryLong("SELECT count(*) FROM pg_publication WHERE pubname LIKE 'studio%'"),
        "the publication is dropped");
  }

  /** Whether the branch holds the drill's record (read without opening the studio's store). */
  private static boolean drilled(Path home) {
    // every commit is pushed to the home's remote: the branch is there
    Path git = home.resolve("artifacts").resolve("remote.git");
    if (!Files.isDirectory(git)) {
      return false;
    }
    try (Repository r = new FileRepositoryBuilder().setGitDir(git.toFile()).build()) {
      return r.resolve("refs/heads/" + BRANCH + ":05-cutover/drill.json") != null;
    } catch (IOException | RuntimeException notYet) {
      return false;
    }
  }

  private static Set<Long> seqs(TestDatabase db) throws Exception {
    Set<Long> out = new HashSet<>();
    try (Connection c = db.connect();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT seq FROM probe")) {
      while (rs.next()) {
        out.add(rs.getLong(1));
      }
    }
    return out;
  }

  private static String probeFingerprint(TestDatabase db, long upTo) throws Exception {
    try (Connection c = db.connect();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT count(*), md5(string_agg(t::text, '|' ORDER BY t.seq)) FROM probe t"
                    + " WHERE t.seq <= "
                    + upTo)) {
      rs.next();
      return rs.getLong(1) + ":" + rs.getString(2);
    }
  }

  private static int freePort() throws IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
