package io.migrationstudio.studio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.workflow.Decision;
import io.migrationstudio.contracts.workflow.MigrationState;
import io.migrationstudio.contracts.workflow.MigrationStatus;
import io.migrationstudio.contracts.workflow.Review;
import io.migrationstudio.core.db.SampleDatabases;
import io.migrationstudio.core.evidence.RunState;
import io.migrationstudio.core.git.ArtifactStore;
import io.migrationstudio.core.git.GitArtifactStore;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import io.migrationstudio.workflow.WorkflowWorker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** End to end: the {@code studio} command on real databases, real Temporal, real git. */
@ExtendWith(PostgresExtension.class)
@Timeout(600)
class StudioRunIT {
  private static final List<String> CHINOOK_TABLES =
      List.of(
          "album",
          "artist",
          "customer",
          "employee",
          "genre",
          "invoice",
          "invoice_line",
          "media_type",
          "playlist",
          "playlist_track",
          "track");

  static String spec(String id, TestDatabase source, TestDatabase target, int chunkRows) {
    return String.join(
        "\n",
        "id: " + id,
        "source: { url: \"" + source.jdbcUrl() + "\", user: postgres }",
        "target: { url: \"" + target.jdbcUrl() + "\", user: postgres }",
        "mapping: { naming: identity }",
        "migrate: { parallelism: 2, chunk_rows: " + chunkRows + " }",
        "validation: { sample_rows: 100 }",
        "cutover: { hypercare: PT0S, rto: PT5M }",
        "");
  }

  /**
   * {@code studio run SPEC --auto-approve all --home HOME} as a user runs it, its standard output
   * captured; fails unless it exits 0. Returns what it printed.
   */
  static String runAutoApproved(Path spec, Path home) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream old = System.out;
    int code;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      code =
          StudioMain.execute(
              "run", spec.toString(), "--auto-approve", "all", "--home", home.toString());
    } finally {
      System.setOut(old);
    }
    String printed = out.toString(StandardCharsets.UTF_8);
    assertEquals(0, code, printed);
    return printed;
  }

  static void loadChinook(TestDatabase db) throws Exception {
    try (Connection c = db.connect()) {
      SampleDatabases.loadChinookPostgres(c);
    }
  }

  /** Every row of a table as sorted text: equal strings mean equal tables. */
  static String fingerprint(TestDatabase db, String table) throws Exception {
    try (Connection c = db.connect();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), ''))"
                    + " FROM \""
                    + table
                    + "\" t")) {
      rs.next();
      return rs.getLong(1) + ":" + rs.getString(2);
    }
  }

  private static JsonNode artifact(ArtifactStore store, String branch, String path) {
    byte[] bytes =
        store.read(branch, path).orElseThrow(() -> new AssertionError("missing " + path));
    return Json.read(bytes, JsonNode.class, path);
  }

  @Test
  void runMigratesChinookThroughAllStagesAndResumesWithoutRedoingWork(
      TestDatabase source, TestDatabase target, @TempDir Path home) throws Exception {
    loadChinook(source);
    Path spec = home.resolve("migration.yaml");
    Files.writeString(spec, spec("e2e-chinook", source, target, 1000));

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream old = System.out;
    int code;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      code =
          StudioMain.execute(
              "run", spec.toString(), "--auto-approve", "all", "--home", home.toString());
    } finally {
      System.setOut(old);
    }
    String printed = out.toString(StandardCharsets.UTF_8);
    assertEquals(0, code, printed);
    for (Stage s : Stage.values()) {
      if (s == Stage.DECOMMISSION) {
        continue; // cutover.hypercare: PT0S here: no hypercare, no decommission
      }
      assertTrue(printed.contains(s.key()), "prints stage " + s.key() + ":\n" + printed);
    }

    for (String table : CHINOOK_TABLES) {
      assertEquals(fingerprint(source, table), fingerprint(target, table), table);
    }

    String branch = "migrations/e2e-chinook";
    try (GitArtifactStore store = GitArtifactStore.open(home, null)) {
      JsonNode validation = artifact(store, branch, "04-validation/validation.json");
      assertEquals("PASS", validation.get("status").asText(), validation.toString());
      for (JsonNode t : validation.get("tables")) {
        assertEquals(0, t.get("missing").asLong(), t.toString());
        assertEquals(0, t.get("extra").asLong(), t.toString());
        assertEquals(0, t.get("changed").asLong(), t.toString());
        assertEquals(t.get("source_rows").asLong(), t.get("target_rows").asLong(), t.toString());
      }
      List<String> files = store.list(branch, "");
      for (String f :
          List.of(
              "migration.yaml",
              "PULL_REQUEST.md",
              "01-assessment/inventory.json",
              "01-assessment/inventory.md",
              "01-assessment/risks.json",
              "01-assessment/plan.md",
              "01-assessment/plan.json",
              "02-mapping/mapping.yaml",
              "02-mapping/schema-diff.md",
              "02-mapping/compatibility.json",
              "02-mapping/dry-run.md",
              "03-migrate/target-schema.sql",
              "03-migrate/run.json",
              "03-migrate/run.md",
              "04-validation/validation.md",
              "04-validation/regression.json",
              "05-cutover/runbook.md",
              "05-cutover/rollback.md",
              "05-cutover/drill.json",
              "05-cutover/cutover-log.json")) {
        assertTrue(files.contains(f), f + " on the branch: " + files);
      }
      assertEquals(
          5, files.stream().filter(f -> f.startsWith("reviews/")).count(), files.toString());
      String runMd =
          new String(store.read(branch, "03-migrate/run.md").orElseThrow(), StandardCharsets.UTF_8);
      assertTrue(runMd.contains("## Estimate versus actual"), runMd);
      assertTrue(runMd.contains("| `track` | "), runMd);
    }

    // the same command again resumes from the evidence: every stage approved, nothing redone
    List<String> before;
    try (GitArtifactStore store = GitArtifactStore.open(home, null)) {
      before = store.log(branch).stream().map(ArtifactStore.CommitInfo::id).toList();
    }
    ByteArrayOutputStream again = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(again, true, StandardCharsets.UTF_8));
      code =
          StudioMain.execute(
              "run", spec.toString(), "--auto-approve", "all", "--home", home.toString());
    } finally {
      System.setOut(old);
    }
    assertEquals(0, code, again.toString(StandardCharsets.UTF_8));
    try (GitArtifactStore store = GitArtifactStore.open(home, null)) {
      List<ArtifactStore.CommitInfo> log = store.log(branch);
      List<String> newPaths = new ArrayList<>();
      for (ArtifactStore.CommitInfo c : log) {
        if (!before.contains(c.id())) {
          newPaths.addAll(c.paths());
        }
      }
      assertTrue(
          newPaths.stream().allMatch(p -> p.equals("PULL_REQUEST.md") || p.equals(RunState.PATH)),
          "a resumed run adds no stage evidence, only the summary and its state: " + newPaths);
    }
    assertTrue(again.toString(StandardCharsets.UTF_8).contains("skipped"));
  }

  @Test
  void invalidSpecIsRefusedWithEveryProblemAndExitTwo(@TempDir Path home) throws Exception {
    Path spec = home.resolve("bad.yaml");
    Files.writeString(
        spec,
        "id: Bad_ID\nsource: { url: \"mysql://x\", password: hunter2 }\n"
            + "migrate: { chunk_rows: 0, colour: blue }\ncutover: { rto: soon }\n");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream old = System.err;
    int code;
    try {
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      code = StudioMain.execute("run", spec.toString(), "--home", home.toString());
    } finally {
      System.setErr(old);
    }
    String msg = err.toString(StandardCharsets.UTF_8);
    assertEquals(2, code, msg);
    for (String key :
        List.of("id", "source.url", "source.password", "target", "chunk_rows", "colour", "rto")) {
      assertTrue(msg.contains(key), "names " + key + ":\n" + msg);
    }
    assertFalse(msg.contains("hunter2"), "no secret in the message:\n" + msg);
    assertFalse(Files.exists(home.resolve("artifacts")), "nothing started");
  }

  @Test
  void unreachableDatabaseFailsFastNamingItWithoutSecrets(TestDatabase target, @TempDir Path home)
      throws Exception {
    Path spec = home.resolve("m.yaml");
    Path secret = Files.createDirectories(home.resolve("secrets")).resolve("source-password");
    Files.writeString(secret, "topsecret\n");
    Files.writeString(
        spec,
        String.join(
            "\n",
            "id: unreachable",
            "source: { url: \"jdbc:postgresql://127.0.0.1:1/nowhere\", user: x,"
                + " password: \"${file:"
                + secret
                + "}\" }",
            "target: { url: \"" + target.jdbcUrl() + "\", user: postgres }",
            ""));
    StartNoted out = new StartNoted();
    PrintStream old = System.out;
    int code;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      code =
          StudioMain.execute(
              "run", spec.toString(), "--auto-approve", "all", "--home", home.toString());
    } finally {
      System.setOut(old);
    }
    long ended = System.nanoTime();
    String printed = out.toString(StandardCharsets.UTF_8);
    assertEquals(1, code, printed);
    assertTrue(printed.contains("DATABASE_UNREACHABLE"), printed);
    assertTrue(printed.contains("127.0.0.1:1/nowhere"), printed);
    assertFalse(printed.contains("topsecret"), printed);
    // not retried: a retried failure ends "[not retried: attempt 5 was the last of 5]" after
    // 1+2+4+8 s of backoff (ActivityFailures.retryNote); a permanent one says it is permanent
    assertFalse(printed.contains("was the last of"), "no retry storm:\n" + printed);
    assertFalse(printed.contains("[retried: attempt"), "no retry storm:\n" + printed);
    // and promptly, counted from the workflow's start: the embedded Temporal's start-up and
    // shutdown follow the machine's load (at load 40 on 2 cores: 16 s from the start to the end)
    assertTrue(out.startedAt > 0, "the workflow started: " + printed);
    assertTrue(
        ended - out.startedAt < 60_000_000_000L,
        "failed within 60 s of the start: " + (ended - out.startedAt) / 1_000_000 + " ms");
  }

  /** Standard output of a run that notes when the run says its workflow started. */
  private static final class StartNoted extends ByteArrayOutputStream {
    volatile long startedAt;

    @Override
    public synchronized void write(int b) {
      super.write(b);
      note();
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      super.write(b, off, len);
      note();
    }

    private void note() {
      if (startedAt == 0 && toString(StandardCharsets.UTF_8).contains(" started (workflow ")) {
        startedAt = System.nanoTime();
      }
    }
  }

  @Test
  void wrongCredentialsFailFastAsAuthenticationFailure(
      TestDatabase source, TestDatabase target, @TempDir Path home) throws Exception {
    Path spec = home.resolve("m.yaml");
    Files.writeString(
        spec,
        String.join(
            "\n",
            "id: wrong-user",
            "source: { url: \"" + source.jdbcUrl() + "\", user: no_such_role }",
            "target: { url: \"" + target.jdbcUrl() + "\", user: postgres }",
            ""));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream old = System.out;
    long started = System.currentTimeMillis();
    int code;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      code =
          StudioMain.execute(
              "run", spec.toString(), "--auto-approve", "all", "--home", home.toString());
    } finally {
      System.setOut(old);
    }
    String printed = out.toString(StandardCharsets.UTF_8);
    assertEquals(1, code, printed);
    assertTrue(printed.contains("AUTHENTICATION_FAILED"), printed);
    assertTrue(printed.contains(source.name()), "names the database:\n" + printed);
    assertTrue(System.currentTimeMillis() - started < 60_000, "not retried");
  }

  /**
   * kill -9 of separate {@code studio worker migrate} processes in an online migration of a pgbench
   * database ({@link PgbenchLoad}) while a tpcb-like writer writes: the first worker mid-copy (its
   * chunk is redone by the second), the second mid-slice of the change stream (the slot held by its
   * reader); a third takes the stream over from the position the target stores. After the kill the
   * slot has confirmed no further than the target committed, and it never does while the stream
   * runs; a trigger on the target's history audits every row the stream writes, so a transaction
   * applied twice shows (its upsert meets the row: UPDATE); every acknowledged history row is on
   * the target; each table equals the source's by the servers' own md5; cdc.json and Validation
   * PASS; no slot or publication is left.
   */
  @Test
  void migrateWorkersKilledMidCopyAndMidStreamAreReplacedAndTheResultIsExact(
      TestDatabase source, TestDatabase target, @TempDir Path home) throws Exception {
    PgbenchLoad.initialize(source, 1);
    String id = "e2e-kill";
    String capture = "studio_e2e_kill";
    String spec =
        String.join(
            "\n",
            "id: " + id,
            "source: { url: \"" + source.jdbcUrl() + "\", user: postgres }",
            "target: { url: \"" + target.jdbcUrl() + "\", user: postgres }",
            "mapping: { naming: identity }",
            // max_lag: a loaded CI machine must not fail the catch-up for a slow walsender start
            // max_rows_per_second: the 100,000 accounts take ~5 s, so the kill after 5 chunks
            // lands mid-copy even when the chunk batches report several chunks at once
            "migrate: { strategy: online, parallelism: 2, chunk_rows: 2000, max_lag: PT30S,"
                + " max_rows_per_second: 20000 }",
            "validation: { sample_rows: 100 }",
            // the test approves Migrate itself, once the stream was killed and taken over
            "reviews: { migrate: ask, identity: none }",
            "approvers: { default: [alice] }",
            "cutover: { hypercare: PT0S, rto: PT5M, max_lag: PT30S, rollback: none, drill: skip }",
            "");
    Set<String> inProcess = Set.of("assessment", "validation", "cutover");
    List<Process> workers = new ArrayList<>();
    long t0 = System.nanoTime();
    StringBuilder phases = new StringBuilder("kill test, seconds from the start:");
    Consumer<String> phase =
        what -> phases.append(String.format(" %s %.1f;", what, (System.nanoTime() - t0) / 1e9));
    try (Services services = servicesTakingOverInSeconds(home, inProcess);
        PgbenchLoad writer = PgbenchLoad.start(source, 1, 20)) {
      workers.add(migrateWorker(services.temporalTarget(), home, "first"));
      services.operator().start(spec, EnumSet.complementOf(EnumSet.of(Stage.MIGRATE)));
      MigrationStatus st;
      do {
        Thread.sleep(100);
        st = services.operator().status(id);
        assertTrue(st.state() != MigrationState.FAILED, st.message());
      } while (st.progress().chunksDone() < 5);
      workers.get(0).destroyForcibly().waitFor(); // kill -9 mid-copy
      phase.accept("copy kill");
      assertTrue(st.progress().chunksDone() < st.progress().chunksTotal(), "killed before the end");
      workers.add(migrateWorker(services.temporalTarget(), home, "second"));

      // the load is finished (keys on the target): audit what the stream writes from now on
      await(
          "the load finished",
          () ->
              target.queryLong(
                      "SELECT count(*) FROM pg_constraint WHERE contype = 'p'"
                          + " AND conrelid = to_regclass('public.pgbench_history')")
                  > 0,
          id,
          services,
          home);
      PgbenchLoad.auditHistory(target);
      phase.accept("load finished");
      await(
          "the stream applied audited rows, its reader holding the slot",
          () ->
              target.queryLong("SELECT count(*) FROM proof.history_audit") >= 20
                  && slotActive(source, capture),
          id,
          services,
          home);
      assertSlotNotPastTarget(source, target, capture);
      workers.get(1).destroyForcibly().waitFor(); // kill -9 mid-slice
      phase.accept("stream kill");
      long lastBeforeKill = writer.lastAcknowledged();
      workers.add(migrateWorker(services.temporalTarget(), home, "third"));
      await(
          "the killed reader's slot released",
          () -> !slotActive(source, capture),
          id,
          services,
          home);
      String killedAt = storedPosition(target, capture);
      assertSlotNotPastTarget(source, target, capture);

      // the third worker takes the stream over from the stored position
      await(
          "the stream taken over after the kill",
          () -> {
            assertSlotNotPastTarget(source, target, capture);
            return !storedPosition(target, capture).equals(killedAt)
                && target.queryLong("SELECT coalesce(max(hid), 0) FROM proof.history_audit")
                    > lastBeforeKill;
          },
          id,
          services,
          home);
      phase.accept("taken over");
      writer.close();
      Set<Long> acknowledged = writer.acknowledged();
      await(
          "every acknowledged write applied",
          () -> target.queryLong("SELECT count(*) FROM pgbench_history") == acknowledged.size(),
          id,
          services,
          home);
      assertSlotNotPastTarget(source, target, capture);
      PgbenchLoad.stopAudit(target);
      phase.accept("caught up");

      await(
          "the Migrate gate",
          () -> {
            MigrationStatus s = services.operator().status(id);
            return s.state() == MigrationState.AWAITING_REVIEW && s.stage() == Stage.MIGRATE;
          },
          id,
          services,
          home);
      services
          .operator()
          .review(id, new Review(Stage.MIGRATE, Decision.APPROVE, "alice", "kill test", null));
      st = new Watcher(services.operator(), System.out, "").follow(id);
      phase.accept("completed");
      System.out.println(phases + " " + writer.acknowledged().size() + " writer transactions");
      assertEquals(MigrationState.COMPLETED, st.state(), st.message());
      try (GitArtifactStore store = GitArtifactStore.open(home, null)) {
        String branch = "migrations/" + id;
        JsonNode cdc = artifact(store, branch, "03-migrate/cdc.json");
        assertEquals("PASS", cdc.get("verdict").asText(), cdc.toString());
        JsonNode validation = artifact(store, branch, "04-validation/validation.json");
        assertEquals("PASS", validation.get("status").asText(), validation.toString());
      }
      for (String table :
          List.of("pgbench_accounts", "pgbench_branches", "pgbench_tellers", "pgbench_history")) {
        assertEquals(fingerprint(source, table), fingerprint(target, table), table);
      }
      assertEquals(acknowledged.size(), source.queryLong("SELECT count(*) FROM pgbench_history"));
      assertEquals(
          0,
          target.queryLong(
              "SELECT count(*) FROM (SELECT hid FROM proof.history_audit GROUP BY hid"
                  + " HAVING count(*) > 1 OR min(op) <> 'INSERT' OR max(op) <> 'INSERT') twice"),
          "a source transaction was applied twice");
      assertTrue(
          target.queryLong(
                  "SELECT count(*) FROM proof.history_audit WHERE hid <= " + lastBeforeKill)
              > 0,
          "the audit covers the writes before the kill");
      assertEquals(
          0,
          source.queryLong(
              "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + capture + "'"),
          () -> "the capture is dropped: " + slots(source));
      assertEquals(
          0,
          source.queryLong(
              "SELECT count(*) FROM pg_publication WHERE pubname = '" + capture + "'"));
    } finally {
      for (Process w : workers) {
        w.destroyForcibly().waitFor();
      }
    }
    assertEquals(
        0,
        target.queryLong(
            "SELECT count(*) FROM studio.chunk_ledger WHERE table_name = 'pgbench_accounts'"
                + " AND status <> 'committed'"),
        "every chunk committed");
    assertTrue(
        target.queryLong(
                "SELECT count(*) FROM studio.chunk_ledger WHERE table_name = 'pgbench_accounts'")
            >= 40,
        "every chunk in the ledger");
  }

  /** A condition of {@link #await}: SQL or status reads. */
  private interface Condition {
    boolean holds() throws Exception;
  }

  /**
   * Waits up to three minutes for {@code condition}, failing at once when the migration failed and
   * naming what it waited for, with the workers' logs, when it never held.
   */
  private static void await(
      String what, Condition condition, String id, Services services, Path home) throws Exception {
    long deadline = System.nanoTime() + 180_000_000_000L;
    while (true) {
      try {
        if (condition.holds()) {
          return;
        }
      } catch (IllegalStateException notYet) {
        // a table the condition reads is not there yet
      }
      MigrationStatus st = services.operator().status(id);
      assertTrue(st.state() != MigrationState.FAILED, st.message());
      if (System.nanoTime() > deadline) {
        StringBuilder logs = new StringBuilder();
        try (var files = Files.list(home)) {
          for (Path log : files.filter(f -> f.toString().endsWith(".log")).sorted().toList()) {
            List<String> lines = Files.readAllLines(log);
            logs.append("\n--- ").append(log.getFileName()).append(" ---\n");
            logs.append(
                String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size())));
          }
        }
        throw new AssertionError("waited 3 min for " + what + "; status " + st + logs);
      }
      Thread.sleep(100);
    }
  }

  /** Whether a walsender streams slot {@code name} (a slice's reader is open). */
  private static boolean slotActive(TestDatabase source, String name) {
    return source.queryLong(
            "SELECT count(*) FROM pg_replication_slots WHERE active AND slot_name = '" + name + "'")
        > 0;
  }

  /** The position the target stores for {@code capture} ({@code pg:<lsn>}), "" before any. */
  private static String storedPosition(TestDatabase target, String capture) throws Exception {
    try (Connection c = target.connect();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT position FROM studio.stream_position WHERE capture = '" + capture + "'")) {
      return rs.next() && rs.getString(1) != null ? rs.getString(1) : "";
    }
  }

  /**
   * The slot's confirmed position is at or before the position the target committed (read in that
   * order: the target's only moves forward, so the comparison holds at the slot's reading).
   */
  private static void assertSlotNotPastTarget(
      TestDatabase source, TestDatabase target, String capture) throws Exception {
    String confirmed;
    try (Connection c = source.connect();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = '"
                    + capture
                    + "'")) {
      assertTrue(rs.next(), () -> "slot " + capture + " exists: " + slots(source));
      confirmed = rs.getString(1);
    }
    String stored = storedPosition(target, capture);
    assertTrue(stored.startsWith("pg:"), "the target stores a position: " + stored);
    assertTrue(
        source.queryLong(
                "SELECT ('"
                    + confirmed
                    + "'::pg_lsn <= '"
                    + stored.substring(3)
                    + "'::pg_lsn)::int")
            == 1,
        "slot confirmed " + confirmed + ", target committed " + stored);
  }

  /**
   * Services whose workflows give a chunk or a stream slice up after 5 s without a heartbeat (the
   * production 15 s and 30 s: {@code ActivityOptionsCatalog}), so a killed worker's work is taken
   * over in seconds: the kill test waits for that twice. The property is read when the workflow
   * worker registers, inside {@link Services#start}, and cleared for the next test of this JVM.
   */
  private static Services servicesTakingOverInSeconds(Path home, Set<String> inProcess)
      throws Exception {
    System.setProperty(WorkflowWorker.HEARTBEAT_TIMEOUT_PROPERTY, "PT5S");
    try {
      return Services.start(
          StudioHome.of(home),
          null,
          0,
          new Services.ServicePorts(Services.LOOPBACK, 0, -1),
          inProcess,
          null);
    } finally {
      System.clearProperty(WorkflowWorker.HEARTBEAT_TIMEOUT_PROPERTY);
    }
  }

  private static Process migrateWorker(String temporal, Path home, String name) throws Exception {
    return StudioProcess.start(
        home.resolve("worker-" + name + ".log"),
        "worker",
        "migrate",
        "--temporal",
        temporal,
        "--home",
        home.toString());
  }

  /**
   * The replication slots of {@code db} with their plugin, activity and database (for messages).
   */
  static String slots(io.migrationstudio.testkit.TestDatabase db) {
    try (java.sql.Connection c = db.connect();
        java.sql.Statement st = c.createStatement();
        java.sql.ResultSet rs =
            st.executeQuery(
                "SELECT string_agg(slot_name || ' ' || plugin || ' active=' || active || ' temp='"
                    + " || temporary, '; ') FROM pg_replication_slots")) {
      return rs.next() ? String.valueOf(rs.getString(1)) : "-";
    } catch (java.sql.SQLException e) {
      return e.getMessage();
    }
  }
}
