package io.migrationstudio.studio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.workflow.MigrationState;
import io.migrationstudio.contracts.workflow.MigrationStatus;
import io.migrationstudio.core.git.GitArtifactStore;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@code studio worker migrate} processes share one migration's chunks through the task queue
 * (the ledger's {@code worker} column names the process that committed each chunk); one is killed
 * with kill -9 mid-copy and the other finishes alone, with validation PASS.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(600)
// 44 s of the suite's 20-minute budget; the mechanism it proves (a killed migrate worker's chunk
// retried by another worker, the result exact) is also proven by
// StudioRunIT#migrateWorkersKilledMidCopyAndMidStreamAreReplacedAndTheResultIsExact (every time).
// Run it with -Dslow=true.
@org.junit.jupiter.api.condition.EnabledIfSystemProperty(named = "slow", matches = "true")
class TwoMigrateWorkersIT {

  @Test
  void twoWorkersSplitTheChunksAndTheSurvivorFinishesAfterKillNine(
      TestDatabase source, TestDatabase target, @TempDir Path home) throws Exception {
    StudioRunIT.loadChinook(source);
    source.execute(
        "CREATE TABLE big_events (id bigint PRIMARY KEY, track_id int REFERENCES track(track_id),"
            + " payload text, at timestamptz)",
        "INSERT INTO big_events SELECT g, 1 + g % 3503, repeat(md5(g::text), 4),"
            + " timestamptz '2024-01-01 00:00+00' + g * interval '1 second'"
            + " FROM generate_series(1, 150000) g");
    Set<String> inProcess = Set.of("assessment", "validation", "cutover");
    try (Services services =
        Services.start(
            StudioHome.of(home),
            null,
            0,
            new Services.ServicePorts(Services.LOOPBACK, 0, -1),
            inProcess,
            null)) {
      // one after the other: two processes opening the same studio home at once race on git
      Process a = migrateWorker(services.temporalTarget(), home, "a");
      awaitPolling(a, home, "a");
      Process b = migrateWorker(services.temporalTarget(), home, "b");
      awaitPolling(b, home, "b");
      try {
        String spec =
            StudioRunIT.spec("e2e-two", source, target, 2000)
                .replace("parallelism: 2", "parallelism: 4")
                // a cap per worker process: the copy takes seconds, so the kill after both
                // committed lands mid-copy even when a batch reports several chunks at once
                .replace("chunk_rows: 2000", "chunk_rows: 2000, max_rows_per_second: 2000");
        services.operator().start(spec, EnumSet.allOf(Stage.class));
        Map<String, Long> byWorker;
        MigrationStatus st;
        long deadline = System.currentTimeMillis() + 90_000;
        do {
          Thread.sleep(200);
          st = services.operator().status("e2e-two");
          assertTrue(st.state() != MigrationState.FAILED, st.message());
          byWorker = committedByWorker(target);
        } while (byWorker.size() < 2 && System.currentTimeMillis() < deadline);
        assertEquals(
            2,
            byWorker.size(),
            "both workers committed chunks: "
                + byWorker
                + "\n--- worker a ---\n"
                + tail(home.resolve("worker-a.log"))
                + "\n--- worker b ---\n"
                + tail(home.resolve("worker-b.log")));
        assertTrue(
            byWorker.containsKey(a.pid() + "@" + hostOf(byWorker)), "pid of worker a: " + byWorker);
        assertTrue(
            byWorker.containsKey(b.pid() + "@" + hostOf(byWorker)), "pid of worker b: " + byWorker);

        a.destroyForcibly().waitFor(); // kill -9 one of the two mid-copy
        long killedAt = committedByWorker(target).values().stream().mapToLong(x -> x).sum();
        st = services.operator().status("e2e-two");
        assertTrue(
            st.progress().chunksDone() < st.progress().chunksTotal(),
            "killed before the end: " + st.progress().chunksDone());
        st = new Watcher(services.operator(), System.out, "").follow("e2e-two");
        assertEquals(MigrationState.COMPLETED, st.state(), st.message());

        Map<String, Long> after = committedByWorker(target);
        String survivor = b.pid() + "@" + hostOf(after);
        long total = after.values().stream().mapToLong(x -> x).sum();
        assertTrue(
            after.get(survivor) > byWorker.get(survivor),
            "the survivor copied the rest: before " + byWorker + ", after " + after);
        assertTrue(total > killedAt, "chunks were committed after the kill");
        try (GitArtifactStore store = GitArtifactStore.open(home, null)) {
          var validation =
              Json.mapper()
                  .readTree(
                      new String(
                          store
                              .read("migrations/e2e-two", "04-validation/validation.json")
                              .orElseThrow(),
                          StandardCharsets.UTF_8));
          assertEquals("PASS", validation.get("status").asText(), validation.toString());
        }
      } finally {
        a.destroyForcibly().waitFor();
        b.destroyForcibly().waitFor();
      }
    }
    assertEquals(
        StudioRunIT.fingerprint(source, "big_events"),
        StudioRunIT.fingerprint(target, "big_events"));
  }

  /** The last lines of a worker's log, for a failure message. */
  private static String tail(Path log) throws java.io.IOException {
    if (!java.nio.file.Files.exists(log)) {
      return "(no log)";
    }
    java.util.List<String> lines = java.nio.file.Files.readAllLines(log);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
  }

  /** Waits until a worker process prints that it polls (fails when it died instead). */
  private static void awaitPolling(Process p, Path home, String name) throws Exception {
    Path log = home.resolve("worker-" + name + ".log");
    long deadline = System.currentTimeMillis() + 120_000;
    while (System.currentTimeMillis() < deadline) {
      String text = java.nio.file.Files.exists(log) ? java.nio.file.Files.readString(log) : "";
      if (text.contains("studio worker migrate: polling")) {
        return;
      }
      assertTrue(p.isAlive(), "worker " + name + " died:\n" + text);
      Thread.sleep(200);
    }
    throw new AssertionError("worker " + name + " never started polling");
  }

  /** Committed chunks per worker identity (pid@host) in the target's ledger. */
  private static Map<String, Long> committedByWorker(TestDatabase target) throws Exception {
    Map<String, Long> out = new TreeMap<>();
    try (Connection c = target.connect();
        Statement s = c.createStatement()) {
      ResultSet exists =
          s.executeQuery("SELECT to_regclass('studio.chunk_ledger') IS NOT NULL AS present");
      exists.next();
      if (!exists.getBoolean(1)) {
        return out;
      }
      try (ResultSet rs =
          s.executeQuery(
              "SELECT worker, count(*) FROM studio.chunk_ledger"
                  + " WHERE migration = 'e2e-two' AND status = 'committed' AND worker IS NOT NULL"
                  + " GROUP BY worker")) {
        while (rs.next()) {
          out.put(rs.getString(1), rs.getLong(2));
        }
      }
    }
    return out;
  }

  private static String hostOf(Map<String, Long> byWorker) {
    String any = byWorker.keySet().iterator().next();
    return any.substring(any.indexOf('@') + 1);
  }

  private static Process migrateWorker(String temporal, Path home, String name) throws Exception {
    return StudioProcess.start(
        home.resolve("worker-" + name + ".log"),
        "worker",
        "migrate",
        // two slots each against four parallel chunks: neither process can take them all,
        // whatever order the server matches polls in (the test server favours the latest)
        "--activity-slots",
        "2",
        "--temporal",
        temporal,
        "--home",
        home.toString());
  }
}
