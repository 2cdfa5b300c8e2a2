package io.migrationstudio.studio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.migrationstudio.core.evidence.RunState;
import io.migrationstudio.core.git.GitArtifactStore;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code studio server} on the embedded (in-memory) Temporal, killed with SIGKILL twice and started
 * again each time on the same home and ports, with an online migration ({@code migrate.strategy:
 * online}) in flight: killed mid-copy (the ledger shows some chunks committed) while a writer keeps
 * writing to the source, the copy goes on after the restart without redoing those chunks; killed
 * again at its cutover ask gate with the change stream running and a second writer writing, it
 * waits for the same commit after the restart, the stream applies the writes made since, and
 * approving the cutover completes it live: Validation PASS, the same rows on both sides (the
 * servers' own md5 of every row), every insert arrived once, and the reviews from before each kill
 * intact. A third migration with {@code ask} gates is killed with the second server while it waits
 * at its mapping gate (its assessment approved): after the restart it waits for the same commit,
 * the approval from before the kill as it was, and approving it completes it without producing the
 * mapping again. (A window wait re-created after a kill: {@code MigrationWorkflowTest}, on workflow
 * time; here it would cost the suite the time to the window.)
 */
@ExtendWith(PostgresExtension.class)
@Timeout(900)
class ServerRecoveryIT {
  private static final String ONLINE = "kill-online";
  private static final String WINDOW = "kill-window";
  private static final String ASK = "kill-ask";
  private static final int ROWS = 30_000;

  /** The first migration's hypercare: long enough to kill a server during it. */
  private static final String HYPERCARE = "PT20S";

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
  void killedServersResumeACopyAStreamAGateAWindowAndAHypercare(
      TestDatabase source,
      TestDatabase target,
      TestDatabase windowSource,
      TestDatabase windowTarget,
      TestDatabase askSource,
      TestDatabase askTarget,
      @TempDir Path home)
      throws Exception {
    long began = System.nanoTime();
    source.execute(
        "CREATE TABLE big (id bigint PRIMARY KEY, payload text NOT NULL, n integer NOT NULL)",
        "INSERT INTO big SELECT g, md5(g::text), 0 FROM generate_series(1, " + ROWS + ") g");
    windowSource.execute(
        "CREATE TABLE small (id integer PRIMARY KEY, name text NOT NULL)",
        "INSERT INTO small SELECT g, 'row ' || g FROM generate_series(1, 10) g");
    askSource.execute(
        "CREATE TABLE small (id integer PRIMARY KEY, name text NOT NULL)",
        "INSERT INTO small SELECT g, 'ask ' || g FROM generate_series(1, 10) g");
    Path onlineSpec =
        spec(
            home,
            ONLINE,
            source,
            target,
            // an external cutover gate: only approvers.cutover (carol) may approve it
            "cutover: external, decommission: auto",
            "approvers: { default: [alice], cutover: [carol] }",
            // slow enough that a kill lands mid-copy: 15 chunks of 2,000 rows at 6,000 rows/s (the
            // kill after 3, the other 12 take 4 s)
            "migrate: { strategy: online, parallelism: 1, chunk_rows: 2000,"
                + " max_rows_per_second: 6000 }",
            "cutover: { rto: PT5M, max_lag: PT30S, hypercare: "
                + HYPERCARE
                + ", rollback: none, drill: skip }");
    int[] ports = {
      EmbeddedTemporal.freePort(), EmbeddedTemporal.freePort(), EmbeddedTemporal.freePort()
    };
    String server = "localhost:" + ports[1];
    Writer copyWriter = new Writer(source, 1_000_000);
    Writer gateWriter = new Writer(source, 2_000_000);

    // --- 1st server: killed mid-copy
    Process first = server(home, ports, "first");
    Map<Integer, String> committedBeforeKill;
    try {
      awaitList(server, first, home, "first", "");
      lap(began, "first server up");
      Result started = studio("start", onlineSpec.toString(), "--server", server);
      assertEquals(0, started.code(), started.err());
      copyWriter.stopAfterCopy(target);
      copyWriter.start();
      committedBeforeKill = awaitChunks(target, 3);
    } finally {
      first.destroyForcibly().waitFor(); // kill -9: the in-memory Temporal state is gone
    }
    lap(began, "killed mid-copy");
    assertTrue(
        committedBeforeKill.size() < ROWS / 2000,
        "killed mid-copy: " + committedBeforeKill.size() + " chunks committed");
    assertTrue(copyWriter.written() > 0, "the writer wrote before the kill");

    // --- 2nd server: re-created, the copy goes on; killed at the external cutover gate, with the
    // stream running
    Process second = server(home, ports, "second");
    String gateCommit;
    long gateWritesBeforeKill;
    List<String> reviewsBeforeKill;
    String askCommit;
    List<String> askReviewsBeforeKill;
    try {
      awaitList(server, second, home, "second", ONLINE);
      lap(began, "second server up");
      // a third migration with ask gates: its assessment approved, it waits at its mapping gate
      // when this server is killed
      Path askSpec =
          spec(
              home,
              ASK,
              askSource,
              askTarget,
              "cutover: auto, decommission: auto",
              "approvers: { default: [alice] }",
              "migrate: { parallelism: 1 }",
              "cutover: { rto: PT5M, hypercare: PT0S, rollback: none, drill: skip }");
      Files.writeString(
          askSpec,
          Files.readString(askSpec)
              .replace("assessment: auto, mapping: auto", "assessment: ask, mapping: ask"));
      Result startedAsk = studio("start", askSpec.toString(), "--server", server);
      assertEquals(0, startedAsk.code(), startedAsk.err());
      JsonNode askAssessment = awaitGate(server, ASK, "ASSESSMENT");
      Result askApproved =
          review(server, ASK, "assessment", "alice", askAssessment.get("reviewCommit").asText());
      assertEquals(0, askApproved.code(), askApproved.out() + askApproved.err());
      askCommit = awaitGate(server, ASK, "MAPPING").get("reviewCommit").asText();
      lap(began, "ask at its mapping gate");
      askReviewsBeforeKill = branchFiles(home, ASK, "reviews");
      // the writer wrote across the kill; it stops a little after the copy so Validation sees a
      // quiet source (the stream carries what it wrote)
      JsonNode gate =
          awaitState(
              server,
              ONLINE,
              s ->
                  s.get("state").asText().equals("AWAITING_REVIEW")
                      && s.get("stage").asText().equals("CUTOVER"));
      gateCommit = gate.get("reviewCommit").asText();
      lap(began, "online at its cutover gate");
      reviewsBeforeKill = branchFiles(home, ONLINE, "reviews");
      assertTrue(copyWriter.writtenAfterCopy() > 0, "the stream had writes to carry");
      // the stream runs while the gate waits: a second writer's rows reach the target
      gateWriter.start();
      awaitOnTarget(target, gateWriter);
      gateWritesBeforeKill = gateWriter.written();
    } finally {
      second.destroyForcibly().waitFor();
    }
    lap(began, "killed at the external gate");

    // --- 3rd server: the external gate waits for the same commit, the stream resumes; a second
    // migration starts, its approved cutover waits for a window; carol's approval executes the
    // first's cutover; killed with the first in its hypercare and the second waiting for its window
    long thirdStarted = System.nanoTime();
    Process third = server(home, ports, "third");
    Instant windowStart;
    String windowWait;
    long hypercareEnds;
    Map<Integer, String> ledgerAtHypercare;
    try {
      awaitList(server, third, home, "third", ONLINE);
      lap(began, "third server up");
      long restartSeconds = (System.nanoTime() - thirdStarted) / 1_000_000_000L;
      JsonNode again =
          awaitState(server, ONLINE, s -> s.get("state").asText().equals("AWAITING_REVIEW"));
      assertEquals("CUTOVER", again.get("stage").asText(), again.toString());
      assertEquals(gateCommit, again.get("reviewCommit").asText(), "the same commit awaits review");
      assertEquals(
          reviewsBeforeKill,
          branchFiles(home, ONLINE, "reviews"),
          "the reviews from before the kill, as they were");
      assertTrue(
          Files.readString(home.resolve("server-third.log"))
              .contains("resumed migrations/" + ONLINE),
          "the server says what it resumed");
      // the ask gate waits for the same commit, the assessment's approval as it was; approved
      // now, the migration goes on to its end without producing its mapping again
      JsonNode askAgain = awaitGate(server, ASK, "MAPPING");
      assertEquals(
          askCommit, askAgain.get("reviewCommit").asText(), "the same commit: " + askAgain);
      assertEquals(askReviewsBeforeKill, branchFiles(home, ASK, "reviews"), "reviews intact");
      Result askApproved = review(server, ASK, "mapping", "alice", askCommit);
      assertEquals(0, askApproved.code(), askApproved.out() + askApproved.err());
      JsonNode askEnd = awaitState(server, ASK, s -> ended(s.get("state").asText()));
      assertEquals("COMPLETED", askEnd.get("state").asText(), askEnd.toString());
      awaitStateFile(server, ASK);
      lap(began, "ask completed");
      // the window's instant is known only now, and the time to it follows the machine's pace:
      // the second migration's stages, the first's cutover and a restart must fit before it. Two
      // restarts' time: on a machine at load 15 (restarts of 86 and 49 s) the fourth server's
      // migration waited for the window 90 s after this; the four restarts given before made the
      // test wait 274 s more for the window to open (~20 s more at CI's pace)
      windowStart =
          Instant.now()
              .plusSeconds(Math.min(400, Math.max(40, 20 + 2 * restartSeconds)))
              .truncatedTo(ChronoUnit.SECONDS);
      Path windowSpec =
          spec(
              home,
              WINDOW,
              windowSource,
              windowTarget,
              "cutover: auto, decommission: auto",
              "approvers: { default: [alice] }",
              "migrate: { parallelism: 1 }",
              "cutover: { window: { start: \""
                  + windowStart
                  + "\", end: \""
                  + windowStart.plus(Duration.ofMinutes(10))
                  + "\" }, rto: PT5M, hypercare: PT0S, rollback: none, drill: skip }");
      Result startedWindow = studio("start", windowSpec.toString(), "--server", server);
      assertEquals(0, startedWindow.code(), startedWindow.err());
      // writes made after the restart reach the target while the gate still waits
      awaitWrittenSince(gateWriter, gateWritesBeforeKill + 10);
      awaitOnTarget(target, gateWriter);
      gateWriter.stop();
      // an external gate takes only approvers.cutover: alice (a default approver) is refused
      Result refused = review(server, "alice", gateCommit);
      assertTrue(refused.code() != 0, "alice may not approve an external gate: " + refused);
      assertTrue(refused.err().contains("carol"), "the refusal names who may: " + refused.err());
      // the second migration's cutover approved (auto) and waiting for its window
      JsonNode waiting = awaitState(server, WINDOW, s -> s.toString().contains("to open at "));
      windowWait = waitingFor(waiting);
      lap(began, "window waiting");
      Result approved = review(server, "carol", gateCommit);
      assertEquals(0, approved.code(), approved.out() + approved.err());
      // the cutover executed, the hypercare began (its first note is on the branch)
      JsonNode inHypercare =
          awaitState(server, ONLINE, s -> s.path("hypercare").path("notes").asInt() >= 1);
      hypercareEnds = inHypercare.path("hypercare").path("endsAtMillis").asLong();
      lap(began, "in hypercare, window at " + windowStart);
      ledgerAtHypercare = committedChunks(target); // the decommission drops the studio schema
      assertTrue(
          System.currentTimeMillis() < hypercareEnds,
          "the hypercare ended before the kill: raise HYPERCARE");
      assertTrue(
          Instant.now().plusSeconds(restartSeconds).isBefore(windowStart),
          "the window opens at "
              + windowStart
              + ", sooner than a restart takes ("
              + restartSeconds
              + " s)");
    } finally {
      copyWriter.stop();
      gateWriter.stop();
      third.destroyForcibly().waitFor();
    }
    lap(began, "killed in the hypercare and the window wait");

    // --- 4th server: the hypercare goes on to its original end without executing the cutover
    // again, then the decommission runs once; the window wait waits for the same instant and the
    // cutover executes in the window
    Process fourth = server(home, ports, "fourth");
    try {
      awaitList(server, fourth, home, "fourth", WINDOW);
      Result listed = awaitList(server, fourth, home, "fourth", ONLINE);
      lap(began, "fourth server up");
      assertTrue(listed.out().contains(WINDOW), listed.out());
      // (the hypercare may have ended while no server ran: the decommission may be done already)
      JsonNode hypercare =
          awaitState(
              server, ONLINE, s -> s.path("hypercare").path("endsAtMillis").asLong() > 0, true);
      assertEquals(
          hypercareEnds,
          hypercare.path("hypercare").path("endsAtMillis").asLong(),
          "the hypercare keeps its end: " + hypercare);
      JsonNode cutoverStage = hypercare.get("stages").get(4);
      assertEquals("CUTOVER", cutoverStage.get("stage").asText(), cutoverStage.toString());
      assertEquals(
          "skipped", cutoverStage.get("state").asText(), "not executed again: " + cutoverStage);
      // the cutover dropped the forward capture at the switch: the re-created migration does not
      // stream the source onto the new primary again (nor hold a slot on the source for it)
      assertEquals(
          0,
          source.queryLong(
              "SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE 'studio%'"
                  + " AND database = current_database()"),
          () -> "no capture on the source during the hypercare: " + StudioRunIT.slots(source));
      JsonNode waitsAgain = awaitState(server, WINDOW, s -> s.toString().contains("to open at "));
      assertEquals(windowWait, waitingFor(waitsAgain), "the same instant: " + waitsAgain);
      lap(began, "window waits again");
      JsonNode windowEnd = awaitState(server, WINDOW, s -> ended(s.get("state").asText()));
      assertEquals("COMPLETED", windowEnd.get("state").asText(), windowEnd.toString());
      lap(began, "window completed");
      JsonNode end = awaitState(server, ONLINE, s -> ended(s.get("state").asText()));
      assertEquals("COMPLETED", end.get("state").asText(), end.toString());
      lap(began, "online completed");
      awaitStateFile(server, ONLINE);
      awaitStateFile(server, WINDOW);
    } finally {
      fourth.destroyForcibly().waitFor();
    }
    lap(began, "completed");
    copyWriter.rethrow();
    gateWriter.rethrow();

    // the same rows on both sides, by the servers' own md5; no chunk copied before a kill redone
    assertEquals(StudioRunIT.fingerprint(source, "big"), StudioRunIT.fingerprint(target, "big"));
    assertEquals(
        ROWS + copyWriter.inserted() + gateWriter.inserted(),
        target.queryLong("SELECT count(*) FROM big"),
        "every insert arrived once");
    committedBeforeKill.forEach(
        (chunk, finished) ->
            assertEquals(
                finished,
                ledgerAtHypercare.get(chunk),
                "chunk " + chunk + " was not copied again"));
    assertEquals(
        0,
        source.queryLong(
            "SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE 'studio%'"
                + " AND database = current_database()"),
        () -> "the capture is dropped: " + StudioRunIT.slots(source));
    assertEquals(
        StudioRunIT.fingerprint(windowSource, "small"),
        StudioRunIT.fingerprint(windowTarget, "small"));
    assertEquals(
        StudioRunIT.fingerprint(askSource, "small"), StudioRunIT.fingerprint(askTarget, "small"));

    try (GitArtifactStore store = GitArtifactStore.open(home, null)) {
      for (String id : List.of(ONLINE, WINDOW, ASK)) {
        String branch = "migrations/" + id;
        JsonNode validation =
            Json.read(
                store.read(branch, "04-validation/validation.json").orElseThrow(),
                JsonNode.class,
                "validation.json");
        assertEquals("PASS", validation.get("status").asText(), id + ": " + validation);
        JsonNode cutoverLog =
            Json.read(
                store.read(branch, "05-cutover/cutover-log.json").orElseThrow(),
                JsonNode.class,
                "cutover-log.json");
        assertEquals("PASS", cutoverLog.get("verdict").asText(), id + ": " + cutoverLog);
        assertEquals(
            1,
            store.log(branch).stream()
                .filter(c -> c.paths().contains("05-cutover/cutover-log.json"))
                .count(),
            id + ": the cutover executed once");
        assertEquals(
            "COMPLETED", RunState.read(store, branch).orElseThrow().state().name(), "state.json");
        List<String> reviews = store.list(branch, "reviews");
        for (String stage : List.of("assessment", "mapping", "migrate", "validation", "cutover")) {
          assertEquals(
              1,
              reviews.stream().filter(p -> p.contains(stage + "-approve")).count(),
              id + ": the " + stage + " review from before the kills, once: " + reviews);
        }
        List<String> authors = store.log(branch).stream().map(c -> c.author()).toList();
        for (String role : List.of("inventory", "schema-mapper", "compatibility-reviewer")) {
          assertEquals(
              1, authors.stream().filter(role::equals).count(), id + " " + role + ": " + authors);
        }
      }
      // the window: the cutover executed in it (git keeps whole seconds)
      long executedAt =
          store.log("migrations/" + WINDOW).stream()
              .filter(c -> c.paths().contains("05-cutover/cutover-log.json"))
              .findFirst()
              .orElseThrow()
              .timeMillis();
      assertTrue(
          executedAt >= windowStart.toEpochMilli(),
          "executed at "
              + Instant.ofEpochMilli(executedAt)
              + ", in the window from "
              + windowStart);
      // the hypercare ended and the decommission ran once, approved by its auto gate
      String online = "migrations/" + ONLINE;
      assertEquals(
          1,
          store.log(online).stream()
              .filter(c -> c.paths().contains("07-decommission/final-report.json"))
              .count(),
          "the decommission ran once");
      List<String> decommissionReviews =
          store.list(online, "reviews").stream().filter(p -> p.contains("decommission-")).toList();
      assertEquals(
          1, decommissionReviews.size(), "one decommission review: " + decommissionReviews);
      JsonNode cdc =
          Json.read(
              store.read(online, "03-migrate/cdc.json").orElseThrow(), JsonNode.class, "cdc.json");
      assertEquals("PASS", cdc.get("verdict").asText(), cdc.toString());
    }
  }

  private static Result review(String server, String reviewer, String commit) {
    return review(server, ONLINE, "cutover", reviewer, commit);
  }

  private static Result review(
      String server, String id, String stage, String reviewer, String commit) {
    return studio(
        "review",
        id,
        "--stage",
        stage,
        "--approve",
        "--reviewer",
        reviewer,
        "--commit",
        commit,
        "--server",
        server);
  }

  /** The status of {@code id} once it waits for a review at {@code stage}. */
  private static JsonNode awaitGate(String server, String id, String stage) throws Exception {
    return awaitState(
        server,
        id,
        s ->
            s.get("state").asText().equals("AWAITING_REVIEW")
                && s.get("stage").asText().equals(stage));
  }

  /** The files under {@code dir} on a migration's branch, read from git while a server runs. */
  private static List<String> branchFiles(Path home, String id, String dir) throws Exception {
    try (GitArtifactStore store = GitArtifactStore.open(home, null)) {
      return store.list("migrations/" + id, dir);
    }
  }

  /** "to open at INSTANT" from the status of a cutover waiting for its window. */
  private static String waitingFor(JsonNode status) {
    String text = status.toString();
    int at = text.indexOf("to open at ");
    return text.substring(at, text.indexOf('"', at));
  }

  private static void lap(long began, String what) {
    System.out.printf(
        "ServerRecoveryIT: %s after %d s%n", what, (System.nanoTime() - began) / 1_000_000_000L);
  }

  private static Path spec(
      Path home,
      String id,
      TestDatabase source,
      TestDatabase target,
      String gates,
      String approvers,
      String migrate,
      String cutover)
      throws Exception {
    Path spec = home.resolve(id + ".yaml");
    Files.writeString(
        spec,
        String.join(
            "\n",
            "id: " + id,
            "source: { url: \"" + source.jdbcUrl() + "\", user: postgres }",
            "target: { url: \"" + target.jdbcUrl() + "\", user: postgres }",
            "mapping: { naming: identity }",
            migrate,
            cutover,
            "reviews: { assessment: auto, mapping: auto, migrate: auto, validation: auto, "
                + gates
                + ", identity: none }",
            approvers,
            ""));
    return spec;
  }

  /** Inserts, updates and deletes on {@code big}, one transaction every 20 ms, in a thread. */
  private static final class Writer {
    private final TestDatabase db;
    private final long firstId;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong inserted = new AtomicLong();
    private final AtomicLong afterCopy = new AtomicLong();
    private volatile TestDatabase copyTarget;
    private volatile long copyDoneAt;
    private volatile Throwable failure;
    private Thread thread;

    Writer(TestDatabase db, long firstId) {
      this.db = db;
      this.firstId = firstId;
    }

    void start() {
      thread = new Thread(this::run, "writer-" + firstId);
      thread.setDaemon(true);
      thread.start();
    }

    private void run() {
      try (Connection c = db.connect()) {
        c.setAutoCommit(false);
        for (long i = 1; !stop.get(); i++) {
          try (Statement s = c.createStatement()) {
            long id = firstId + i;
            s.execute("INSERT INTO big VALUES (" + id + ", 'new " + i + "', 0)");
            s.execute("UPDATE big SET n = n + 1, payload = 'upd' WHERE id = " + (i * 7 % ROWS + 1));
            if (i % 5 == 0) {
              s.execute("DELETE FROM big WHERE id = " + (id - 2));
            }
            c.commit();
          }
          inserted.set(i - i / 5);
          written.set(i);
          if (copyDoneAt != 0) {
            afterCopy.incrementAndGet();
            if (System.nanoTime() - copyDoneAt > 3_000_000_000L) {
              return;
            }
          } else if (copyTarget != null && copied(copyTarget)) {
            copyDoneAt = System.nanoTime();
          }
          Thread.sleep(20);
        }
      } catch (SQLException | InterruptedException | RuntimeException e) {
        failure = e;
      }
    }

    /** Stops 3 s after the copy put {@code big}'s primary key on {@code target}. */
    void stopAfterCopy(TestDatabase target) {
      copyTarget = target;
    }

    void stop() throws InterruptedException {
      stop.set(true);
      if (thread != null) {
        thread.join(30_000);
      }
    }

    void rethrow() {
      if (failure != null) {
        throw new AssertionError("the writer failed", failure);
      }
    }

    long written() {
      return written.get();
    }

    long inserted() {
      return inserted.get();
    }

    long writtenAfterCopy() {
      return afterCopy.get();
    }

    long lastId() {
      return firstId + written.get();
    }

    private static boolean copied(TestDatabase target) {
      try {
        return target.queryLong(
                "SELECT count(*) FROM pg_constraint WHERE contype = 'p'"
                    + " AND conrelid = to_regclass('public.big')")
            > 0;
      } catch (RuntimeException notYet) {
        return false;
      }
    }
  }

  /** The committed chunks of the ledger (chunk → finished_at) once at least {@code n} are. */
  private static Map<Integer, String> awaitChunks(TestDatabase target, int n) throws Exception {
    for (int i = 0; i < 3000; i++) {
      Map<Integer, String> done = committedChunks(target);
      if (done.size() >= n) {
        return done;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the copy never committed " + n + " chunks");
  }

  private static Map<Integer, String> committedChunks(TestDatabase target) {
    Map<Integer, String> out = new TreeMap<>();
    try (Connection c = target.connect();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT chunk, finished_at::text FROM studio.chunk_ledger WHERE migration = '"
                    + ONLINE
                    + "' AND table_name = 'big' AND status = 'committed'")) {
      while (rs.next()) {
        out.put(rs.getInt(1), rs.getString(2));
      }
    } catch (SQLException notYet) {
      // the ledger does not exist yet
    }
    return out;
  }

  /** Waits until the writer's last insert is on the target (the stream applied it). */
  private static void awaitOnTarget(TestDatabase target, Writer w) throws Exception {
    long id = w.lastId();
    for (int i = 0; i < 1200; i++) {
      if (target.queryLong("SELECT count(*) FROM big WHERE id >= " + id) > 0) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the stream never applied the write of id " + id);
  }

  private static void awaitWrittenSince(Writer w, long count) throws Exception {
    for (int i = 0; i < 600 && w.written() < count; i++) {
      Thread.sleep(100);
    }
    w.rethrow();
  }

  private static boolean ended(String state) {
    return !state.equals("RUNNING") && !state.equals("AWAITING_REVIEW");
  }

  private static Process server(Path home, int[] ports, String name) throws Exception {
    return StudioProcess.start(
        home.resolve("server-" + name + ".log"),
        "server",
        "--home",
        home.toString(),
        "--port",
        String.valueOf(ports[0]),
        "--api-port",
        String.valueOf(ports[1]),
        "--http-port",
        String.valueOf(ports[2]));
  }

  /**
   * Waits until the server's {@code studio list} names {@code expected}; fails when its process
   * died.
   */
  private static Result awaitList(String server, Process p, Path home, String name, String expected)
      throws Exception {
    for (int i = 0; i < 600; i++) {
      assertTrue(
          p.isAlive(),
          "the server ended: " + Files.readString(home.resolve("server-" + name + ".log")));
      Result r = studio("list", "--server", server);
      if (r.code() == 0 && r.out().contains(expected)) {
        return r;
      }
      Thread.sleep(500);
    }
    throw new AssertionError("the server never answered on " + server);
  }

  private static JsonNode awaitState(String server, String id, Predicate<JsonNode> p)
      throws Exception {
    return awaitState(server, id, p, false);
  }

  /** Polls the status of {@code id} until {@code p} holds; fails if it ends first, unless told. */
  private static JsonNode awaitState(
      String server, String id, Predicate<JsonNode> p, boolean mayHaveEnded) throws Exception {
    JsonNode last = null;
    for (int i = 0; i < 2400; i++) {
      Result r = studio("status", id, "--json", "--server", server);
      if (r.code() == 0) {
        last = Json.read(r.out().getBytes(StandardCharsets.UTF_8), JsonNode.class, "status");
        if (p.test(last)) {
          return last;
        }
        assertFalse(
            !mayHaveEnded && ended(last.get("state").asText()), id + " ended instead: " + last);
      }
      Thread.sleep(250);
    }
    throw new AssertionError(id + ": status never matched; last: " + last);
  }

  /** The status says COMPLETED before the last commit (state.json) lands: waits for it. */
  private static void awaitStateFile(String server, String id) throws Exception {
    for (int i = 0; i < 400; i++) {
      Result state = studio("artifacts", id, RunState.PATH, "--server", server);
      if (state.code() == 0 && state.out().contains("\"COMPLETED\"")) {
        return;
      }
      Thread.sleep(250);
    }
  }
}
