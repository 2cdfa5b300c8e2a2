package io.migrationstudio.studio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.migrationstudio.core.git.GitArtifactStore;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.SqliteDatabases;
import io.migrationstudio.testkit.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end: {@code studio run} on real databases where the run cannot complete. It must end with
 * exit 1, say why and leave the evidence on the branch; never wait forever.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(300)
class StudioRunFailureIT {

  /** What {@code studio} printed (stdout and stderr) and its exit code. */
  record Ran(int code, String printed) {}

  static Ran studio(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    int code;
    try {
      PrintStream both = new PrintStream(out, true, StandardCharsets.UTF_8);
      System.setOut(both);
      System.setErr(both);
      code = StudioMain.execute(args);
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
    return new Ran(code, out.toString(StandardCharsets.UTF_8));
  }

  /** A SQLite table whose INTEGER column holds one text value PostgreSQL integer cannot take. */
  static Path sqliteWithOneBadValue(Path dir) throws Exception {
    StringBuilder script =
        new StringBuilder("CREATE TABLE item (id INTEGER PRIMARY KEY, qty INTEGER NOT NULL);");
    for (int i = 1; i <= 50; i++) {
      script.append("INSERT INTO item VALUES (").append(i).append(", ").append(i).append(");");
    }
    script.append("UPDATE item SET qty = 'twelve' WHERE id = 17;");
    return SqliteDatabases.create(
        Files.createDirectories(dir).resolve("bad.db"), script.toString());
  }

  @Test
  void aRowOverTheRejectLimitEndsTheRunFailedWithRunJsonOnTheBranch(
      TestDatabase target, @TempDir Path home) throws Exception {
    Path db = sqliteWithOneBadValue(home.resolve("sqlite"));
    Path spec = home.resolve("reject.yaml");
    Files.writeString(
        spec,
        String.join(
            "\n",
            "id: e2e-reject",
            "cutover: { hypercare: PT0S }", // ends at the switch
            "source: { url: \"" + SqliteDatabases.url(db) + "\" }",
            "target: { url: \"" + target.jdbcUrl() + "\", user: postgres }",
            "mapping: { naming: identity }",
            "migrate: { parallelism: 1, chunk_rows: 1000, reject_limit: 0 }",
            ""));
    Ran run = studio("run", spec.toString(), "--auto-approve", "all", "--home", home.toString());
    assertEquals(1, run.code(), run.printed());
    assertTrue(run.printed().contains("FAILED"), run.printed());
    assertTrue(run.printed().contains("REJECT_LIMIT_EXCEEDED"), run.printed());
    assertTrue(run.printed().contains("table item"), run.printed());
    try (GitArtifactStore store = GitArtifactStore.open(home, null)) {
      byte[] bytes =
          store
              .read("migrations/e2e-reject", "03-migrate/run.json")
              .orElseThrow(() -> new AssertionError("no run.json on the branch"));
      JsonNode report = Json.read(bytes, JsonNode.class, "run.json");
      assertEquals("failed", report.get("status").asText(), report.toString());
      assertEquals("item", report.get("failure").get("table").asText(), report.toString());
      assertTrue(
          report.get("failure").get("reason").asText().contains("REJECT_LIMIT_EXCEEDED"),
          report.toString());
      // the rejected value is source data: run.json (pushed with the branch) shows its shape
      assertFalse(
          report.get("failure").get("reason").asText().contains("twelve"), report.toString());
      assertTrue(
          report.get("failure").get("reason").asText().contains("'xxxxxx'"), report.toString());
      assertFalse(
          store.list("migrations/e2e-reject", "").contains("04-validation/validation.json"),
          "the migration ends in Migrate");
    }
  }

  /**
   * Ends a run that follows migration {@code id} on the operator API at {@code port}: rejects each
   * gate it waits at (as alice) until the run's thread ends. Threads are never interrupted (an
   * interrupt closes NIO channels that JGit caches JVM-wide).
   */
  static void endByRejecting(String id, int port, Thread run) throws Exception {
    for (int i = 0; i < 600 && run.isAlive(); i++) {
      Ran st = studio("status", id, "--json", "--server", "localhost:" + port);
      if (st.code() == 0 && st.printed().contains("\"AWAITING_REVIEW\"")) {
        io.migrationstudio.contracts.workflow.MigrationStatus status =
            Json.read(
                st.printed().strip().getBytes(StandardCharsets.UTF_8),
                io.migrationstudio.contracts.workflow.MigrationStatus.class,
                "status");
        studio(
            "review",
            id,
            "--stage",
            status.stage().key(),
            "--reject",
            "--reviewer",
            "alice",
            "--server",
            "localhost:" + port);
      }
      run.join(500);
    }
    assertFalse(run.isAlive(), "the run ended");
  }

  /** The line of {@code printed} that starts (after indentation) with {@code prefix}. */
  static String line(String printed, String prefix) {
    return printed
        .lines()
        .map(String::strip)
        .filter(l -> l.startsWith(prefix))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no line starting '" + prefix + "' in:\n" + printed));
  }

  /** A printed {@code studio ...} command line as the arguments of {@link StudioMain#execute}. */
  static String[] args(String commandLine) {
    String[] words = commandLine.split(" +");
    assertEquals("studio", words[0], commandLine);
    return java.util.Arrays.copyOfRange(words, 1, words.length);
  }

  @Test
  void anEscalatedGateEndsANonInteractiveRunWithHowToContinueWhichWorksAsPrinted(
      TestDatabase source, TestDatabase target, @TempDir Path home) throws Exception {
    source.execute("CREATE TABLE album (id int PRIMARY KEY, title text)");
    Path spec = home.resolve("escalate.yaml");
    // no table in scope: the risk assessor's verdict is FAIL (empty-scope is critical)
    Files.writeString(
        spec,
        String.join(
            "\n",
            "id: e2e-escalate",
            "cutover: { hypercare: PT0S }", // ends at the switch
            "source: { url: \"" + source.jdbcUrl() + "\", user: postgres }",
            "target: { url: \"" + target.jdbcUrl() + "\", user: postgres }",
            "scope: { include: [\"nothing_*\"] }",
            "reviews: { identity: none }",
            "approvers: { default: [alice] }",
            ""));
    int port = EmbeddedTemporal.freePort();
    long started = System.currentTimeMillis();
    Ran run =
        studio(
            "run",
            spec.toString(),
            "--auto-approve",
            "all",
            "--home",
            home.toString(),
            "--api-port",
            Integer.toString(port));
    assertEquals(1, run.code(), run.printed());
    assertTrue(System.currentTimeMillis() - started < 240_000, "ends instead of waiting");
    String printed = run.printed();
    assertTrue(printed.contains("stopped: the assessment checker's verdict is FAIL"), printed);
    assertTrue(printed.contains("empty-scope") || printed.contains("critical"), printed);
    assertTrue(printed.contains("alice may approve assessment"), printed);

    String rerun = line(printed, "studio run ");
    String review = line(printed, "studio review ");
    assertTrue(rerun.contains("--on-escalation wait --api-port " + port), rerun);
    assertTrue(review.endsWith("--reviewer alice --server localhost:" + port), review);

    serverDrivesWhatItResumesAndARunResumesTheOthers(spec, home);

    // the continuation as printed: the re-run waits at the gate, the review approves it
    java.util.concurrent.atomic.AtomicInteger rerunCode =
        new java.util.concurrent.atomic.AtomicInteger(-1);
    Thread again = new Thread(() -> rerunCode.set(StudioMain.execute(args(rerun))));
    again.start();
    try {
      String refused = review.replace("--reviewer alice", "--reviewer mallory");
      Ran unlisted = null;
      Ran approved = null;
      for (int i = 0; i < 240 && approved == null; i++) {
        Thread.sleep(500);
        if (unlisted == null) {
          Ran r = studio(args(refused));
          if (r.printed().contains("not an approver")) {
            unlisted = r;
          }
          continue;
        }
        Ran r = studio(args(review));
        if (r.code() == 0) {
          approved = r;
        }
      }
      assertTrue(unlisted != null && unlisted.code() != 0, String.valueOf(unlisted));
      assertTrue(
          unlisted.printed().contains("may approve it: alice"),
          "the refusal names who may approve: " + unlisted.printed());
      assertTrue(approved != null, "the printed review command was accepted");
      assertTrue(
          approved.printed().contains("APPROVE recorded for assessment"), approved.printed());
    } finally {
      endByRejecting("e2e-escalate", port, again);
    }
    try (GitArtifactStore store = GitArtifactStore.open(home, null)) {
      assertTrue(
          store.list("migrations/e2e-escalate", "").stream()
              .anyMatch(f -> f.startsWith("reviews/") && f.contains("assessment-approve")),
          "the approval is on the branch");
    }
  }

  /**
   * With e2e-escalate stopped at its escalated gate (unfinished on its branch): a server on the
   * same home re-creates it and drives it, as it drives a migration started through it, so a {@code
   * studio run} of either is refused naming the server and how to follow it there (two embedded
   * Temporals driving one migration would copy and apply it twice); with the server gone, {@code
   * studio run} of another migration resumes e2e-escalate alongside its own and says that it stops
   * with the run.
   */
  private static void serverDrivesWhatItResumesAndARunResumesTheOthers(Path spec, Path home)
      throws Exception {
    String pid = Long.toString(ProcessHandle.current().pid());
    Path other = home.resolve("other.yaml");
    Files.writeString(other, Files.readString(spec).replace("e2e-escalate", "e2e-other"));
    StudioHome studioHome = new StudioHome(home);
    // no activity workers: the re-created workflow waits without touching the branch
    try (Services server =
        Services.start(
            studioHome,
            null,
            0,
            new Services.ServicePorts(Services.LOOPBACK, 0, -1),
            java.util.Set.of(),
            null)) {
      server.drivenBy("studio server");
      ServerCommand.recover(server, studioHome);
      String follow = "--server " + server.apiAddress();
      Ran recovered =
          studio("run", spec.toString(), "--auto-approve", "all", "--home", home.toString());
      assertEquals(2, recovered.code(), "refused: " + recovered.printed());
      assertTrue(
          recovered.printed().contains("e2e-escalate is already running from the studio home")
              && recovered.printed().contains("studio server pid " + pid)
              && recovered.printed().contains("studio watch e2e-escalate " + follow),
          "names the server and how to follow it: " + recovered.printed());

      Ran started =
          studio(
              "start", other.toString(), "--auto-approve", "all", "--server", server.apiAddress());
      assertEquals(0, started.code(), started.printed());
      Ran startedThere =
          studio("run", other.toString(), "--auto-approve", "all", "--home", home.toString());
      assertEquals(2, startedThere.code(), "refused: " + startedThere.printed());
      assertTrue(
          startedThere.printed().contains("studio watch e2e-other " + follow),
          startedThere.printed());
    }

    // on a persistent Temporal (here an embedded one that outlives the servers) a server does not
    // re-create the workflows, but drives them again after a restart: it takes their locks too
    try (EmbeddedTemporal temporal = EmbeddedTemporal.start(Services.LOOPBACK, 0)) {
      try (Services first = persistentServer(studioHome, temporal)) {
        Ran started =
            studio(
                "start", spec.toString(), "--auto-approve", "all", "--server", first.apiAddress());
        assertEquals(0, started.code(), started.printed());
      }
      try (Services restarted = persistentServer(studioHome, temporal)) {
        ServerCommand.lockRunning(restarted);
        Ran refused =
            studio("run", spec.toString(), "--auto-approve", "all", "--home", home.toString());
        assertEquals(2, refused.code(), "refused: " + refused.printed());
        assertTrue(
            refused
                .printed()
                .contains("studio watch e2e-escalate --server " + restarted.apiAddress()),
            "names the restarted server: " + refused.printed());
      }
    }

    // the server is gone: a run of e2e-other resumes e2e-escalate too, then stops at its own
    // escalated gate, leaving e2e-escalate to the next run of this home
    Ran run = studio("run", other.toString(), "--auto-approve", "all", "--home", home.toString());
    assertEquals(1, run.code(), run.printed());
    assertTrue(
        run.printed().contains("studio run: resumed migrations/e2e-escalate"), run.printed());
    assertTrue(
        run.printed().contains("migration e2e-escalate (resumed by this run) is not done"),
        run.printed());
  }

  /** A server without activity workers on {@code temporal}, as {@code studio server --temporal}. */
  private static Services persistentServer(StudioHome home, EmbeddedTemporal temporal) {
    Services s =
        Services.start(
            home,
            temporal.target(),
            0,
            new Services.ServicePorts(Services.LOOPBACK, 0, -1),
            java.util.Set.of(),
            null);
    s.drivenBy("studio server");
    return s;
  }

  @Test
  void aSecondRunOfTheSameMigrationIsRefusedNamingTheFirst(
      TestDatabase source, TestDatabase target, @TempDir Path home, @TempDir Path otherHome)
      throws Exception {
    source.execute("CREATE TABLE album (id int PRIMARY KEY, title text)");
    Path spec = home.resolve("lock.yaml");
    // the first run waits at the assessment gate for a review, holding its locks
    Files.writeString(
        spec,
        String.join(
            "\n",
            "id: e2e-lock",
            "cutover: { hypercare: PT0S }", // ends at the switch
            "source: { url: \"" + source.jdbcUrl() + "\", user: postgres }",
            "target: { url: \"" + target.jdbcUrl() + "\", user: postgres }",
            "reviews: { assessment: ask, identity: none }",
            "approvers: { default: [alice], cutover: [carol] }",
            ""));
    int port = EmbeddedTemporal.freePort();
    java.util.concurrent.atomic.AtomicInteger firstCode =
        new java.util.concurrent.atomic.AtomicInteger(-1);
    Thread first =
        new Thread(
            () ->
                firstCode.set(
                    StudioMain.execute(
                        "run",
                        spec.toString(),
                        "--home",
                        home.toString(),
                        "--api-port",
                        Integer.toString(port))));
    first.start();
    try {
      String locked =
          "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
              + " AND classid::bigint = "
              + RunLock.STUDIO_KEY;
      for (int i = 0; i < 240 && target.queryLong(locked) == 0; i++) {
        Thread.sleep(250);
      }
      assertEquals(1, target.queryLong(locked), "the first run holds the target's lock");

      Ran sameHome = studio("run", spec.toString(), "--home", home.toString());
      assertEquals(2, sameHome.code(), sameHome.printed());
      assertTrue(
          sameHome.printed().contains("e2e-lock is already running from the studio home"),
          sameHome.printed());
      assertTrue(
          sameHome.printed().contains("studio run e2e-lock pid " + ProcessHandle.current().pid()),
          "names the first run: " + sameHome.printed());

      Ran otherHomeSameTarget = studio("run", spec.toString(), "--home", otherHome.toString());
      assertEquals(2, otherHomeSameTarget.code(), otherHomeSameTarget.printed());
      assertTrue(
          otherHomeSameTarget.printed().contains("e2e-lock is already running against its target"),
          otherHomeSameTarget.printed());
      assertTrue(
          otherHomeSameTarget.printed().contains("held by studio run e2e-lock pid"),
          "names the first run: " + otherHomeSameTarget.printed());
      assertTrue(first.isAlive(), "the first run goes on");
      assertFalse(Files.exists(otherHome.resolve("artifacts")), "the refused run started nothing");
    } finally {
      endByRejecting("e2e-lock", port, first);
    }
    assertEquals(1, firstCode.get(), "the first run ended REJECTED");
    assertEquals(0, target.queryLong("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"));
  }
}
