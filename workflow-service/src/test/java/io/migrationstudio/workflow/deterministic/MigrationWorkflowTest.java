package io.migrationstudio.workflow.deterministic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.TaskQueues;
import io.migrationstudio.contracts.activity.ApprovedStage;
import io.migrationstudio.contracts.activity.GateEvidence;
import io.migrationstudio.contracts.activity.RepairPlan;
import io.migrationstudio.contracts.spec.Approvers;
import io.migrationstudio.contracts.spec.ConnectionSpec;
import io.migrationstudio.contracts.spec.CutoverOptions;
import io.migrationstudio.contracts.spec.CutoverWindow;
import io.migrationstudio.contracts.spec.GateMode;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.spec.ReviewPolicy;
import io.migrationstudio.contracts.spec.ValidationOptions;
import io.migrationstudio.contracts.workflow.ControlAction;
import io.migrationstudio.contracts.workflow.ControlRecord;
import io.migrationstudio.contracts.workflow.ControlRequest;
import io.migrationstudio.contracts.workflow.Decision;
import io.migrationstudio.contracts.workflow.MigrationInput;
import io.migrationstudio.contracts.workflow.MigrationOutcome;
import io.migrationstudio.contracts.workflow.MigrationState;
import io.migrationstudio.contracts.workflow.MigrationStatus;
import io.migrationstudio.contracts.workflow.MigrationWorkflow;
import io.migrationstudio.contracts.workflow.Review;
import io.migrationstudio.contracts.workflow.ReviewRecord;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.workflow.OperatorService;
import io.migrationstudio.workflow.WorkflowWorker;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@org.junit.jupiter.api.Timeout(90)
class MigrationWorkflowTest {
  private TestWorkflowEnvironment env;
  private FakeActivities fakes;
  private FakeHypercare hypercare;
  private WorkflowClient client;
  private FakeReverseActivities reverse;

  @BeforeEach
  void setUp() {
    env = TestWorkflowEnvironment.newInstance();
    fakes = new FakeActivities();
    hypercare = new FakeHypercare(fakes);
    reverse = new FakeReverseActivities(fakes);
    client = env.getWorkflowClient();
    startWorkers(env.getWorkerFactory(), fakes, hypercare, reverse);
    env.start();
  }

  private static void startWorkers(
      WorkerFactory factory, FakeActivities fakes, FakeHypercare hypercare) {
    startWorkers(factory, fakes, hypercare, new FakeReverseActivities(fakes));
  }

  private static void startWorkers(
      WorkerFactory factory,
      FakeActivities fakes,
      FakeHypercare hypercare,
      FakeReverseActivities reverse) {
    // as in the embedded mode: no sticky queue, so a dead worker's workflow moves on at once;
    // heartbeats reach Temporal every second, so a cancelled slice learns it in a second
    WorkerOptions options = WorkflowWorker.options(true);
    WorkflowWorker.register(factory, options);
    for (String queue :
        List.of(
            TaskQueues.ASSESSMENT, TaskQueues.MIGRATE, TaskQueues.VALIDATION, TaskQueues.CUTOVER)) {
      io.temporal.worker.Worker w = factory.newWorker(queue, options);
      w.registerActivitiesImplementations(fakes);
      if (queue.equals(TaskQueues.CUTOVER)) {
        w.registerActivitiesImplementations(reverse);
      }
    }
    factory.getWorker(TaskQueues.CUTOVER).registerActivitiesImplementations(hypercare);
  }

  @AfterEach
  void tearDown() {
    env.close();
  }

  private static MigrationSpec spec(ReviewPolicy reviews) {
    return new MigrationSpec(
        "wf-test",
        null,
        new ConnectionSpec("jdbc:postgresql://db/src", "u", null, null),
        new ConnectionSpec("jdbc:postgresql://db/dst", "u", null, null),
        null,
        null,
        null,
        null,
        // these scenarios end at the switch; hypercare has its own test (HypercareWorkflowIT)
        io.migrationstudio.contracts.spec.CutoverOptions.defaults().withHypercare("PT0S"),
        // unsigned reviews here; signed ones in SignedReviewWorkflowTest
        reviews.withIdentity(io.migrationstudio.contracts.spec.ReviewIdentity.NONE),
        new Approvers(Map.of("default", List.of("alice"), "cutover", List.of("carol"))),
        null);
  }

  /** {@link #spec} with cutover options. */
  private static MigrationSpec spec(ReviewPolicy reviews, CutoverOptions cutover) {
    return spec(reviews, cutover, null);
  }

  /** {@link #spec} with cutover and validation options. */
  private static MigrationSpec spec(
      ReviewPolicy reviews, CutoverOptions cutover, ValidationOptions validation) {
    MigrationSpec base = spec(reviews);
    return new MigrationSpec(
        base.id(),
        base.title(),
        base.source(),
        base.target(),
        base.scope(),
        base.mapping(),
        base.migrate(),
        validation,
        cutover == null ? base.cutover() : cutover,
        base.reviews(),
        base.approvers(),
        base.assessment());
  }

  private static ReviewPolicy allAuto() {
    ReviewPolicy p = ReviewPolicy.defaults();
    for (Stage s : Stage.values()) {
      p = p.with(s, GateMode.AUTO);
    }
    return p;
  }

  private MigrationWorkflow start(MigrationSpec spec) {
    MigrationWorkflow wf =
        client.newWorkflowStub(
            MigrationWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(TaskQueues.workflowId(spec.id()))
                .setTaskQueue(TaskQueues.WORKFLOW)
                .build());
    WorkflowClient.start(wf::run, new MigrationInput(spec, null));
    return wf;
  }

  private static MigrationStatus awaitStatus(MigrationWorkflow wf, Predicate<MigrationStatus> p)
      throws InterruptedException {
    for (int i = 0; i < 400; i++) {
      MigrationStatus s = wf.status();
      if (p.test(s)) {
        return s;
      }
      Thread.sleep(25);
    }
    throw new AssertionError("status never matched; last: " + wf.status());
  }

  private static MigrationStatus awaitReview(MigrationWorkflow wf, Stage stage)
      throws InterruptedException {
    return awaitStatus(wf, s -> s.state() == MigrationState.AWAITING_REVIEW && s.stage() == stage);
  }

  private static MigrationOutcome result(MigrationWorkflow wf) {
    return WorkflowStub.fromTyped(wf).getResult(MigrationOutcome.class);
  }

  @Test
  void aDryRunChecksEveryRowInMigrateAndEndsThere() {
    MigrationSpec base = spec(allAuto());
    MigrationSpec dry =
        new MigrationSpec(
            base.id(),
            null,
            base.source(),
            base.target(),
            null,
            null,
            new io.migrationstudio.contracts.spec.MigrateOptions(
                null, null, null, null, true, null, null, null, null, null, null),
            null,
            null,
            base.reviews(),
            base.approvers(),
            null);
    MigrationWorkflow wf = start(dry);
    MigrationOutcome out = result(wf);
    assertEquals(MigrationState.COMPLETED, out.state());
    assertTrue(fakes.calls.contains("dry-run"), fakes.calls.toString());
    assertTrue(fakes.calls.contains("integration-tester"), fakes.calls.toString());
    assertFalse(fakes.calls.contains("prepare"), "nothing is prepared on the target");
    assertFalse(fakes.calls.contains("validator"), "the migration ends after Migrate");
    assertEquals(0, fakes.chunkAttempts.get());
  }

  /**
   * Online: the capture is created after the target is prepared and before the first chunk; the
   * stream starts after the load, Migrate's checker waits for its catch-up and records cdc.json;
   * the migration's end stops the stream and drops the capture.
   */
  /**
   * An online migration re-created from its branch with Migrate approved before the kill: the
   * stream starts again on the same capture (not the copy), runs until the cutover stops it, and
   * the end drops the capture.
   */
  @Test
  void anOnlineMigrationReCreatedAfterMigrateStartsItsStreamAgain() throws Exception {
    MigrationSpec base = spec(allAuto());
    MigrationSpec online =
        new MigrationSpec(
            base.id(),
            null,
            base.source(),
            base.target(),
            null,
            null,
            new io.migrationstudio.contracts.spec.MigrateOptions(
                "online", null, null, null, null, null, null, null, null, null, null),
            null,
            CutoverOptions.defaults()
                .withRollback(CutoverOptions.ROLLBACK_NONE)
                .withHypercare("PT0S"),
            base.reviews(),
            base.approvers(),
            null);
    List<ApprovedStage> approved = new ArrayList<>();
    for (Stage s : List.of(Stage.ASSESSMENT, Stage.MAPPING, Stage.MIGRATE)) {
      approved.add(new ApprovedStage(s, fakes.newCommit(), List.of()));
    }
    fakes.approvedEarlier = approved;
    MigrationWorkflow wf = start(online);
    MigrationOutcome out = result(wf);
    assertEquals(MigrationState.COMPLETED, out.state(), out.message());
    List<String> calls = List.copyOf(fakes.calls);
    assertFalse(calls.contains("migration-engineer"), "the copy is not run again: " + calls);
    assertTrue(calls.contains("prepare-capture"), calls.toString());
    assertTrue(calls.contains("slice"), "the stream runs again: " + calls);
    assertTrue(calls.lastIndexOf("slice") < calls.indexOf("execute-cutover"), calls.toString());
    assertEquals("drop-capture:studio_wf_test", calls.get(calls.size() - 1), calls.toString());
    String dir = System.getProperty("studio.recordHistory");
    if (dir != null) {
      writeHistory(dir, "migration-workflow-history-resumed-stream.json");
    }
  }

  @Test
  void anOnlineMigrationStreamsFromBeforeTheFirstChunkAndDropsItsCaptureAtTheEnd()
      throws Exception {
    MigrationSpec online = online(CutoverOptions.ROLLBACK_NONE);
    MigrationWorkflow wf = start(online);
    MigrationOutcome out = result(wf);
    assertEquals(MigrationState.COMPLETED, out.state(), out.message());
    List<String> calls = List.copyOf(fakes.calls);
    assertTrue(calls.indexOf("prepare-capture") > calls.indexOf("prepare"), calls.toString());
    assertEquals("prepare-capture", fakes.copyOrder.get(0), fakes.copyOrder.toString());
    assertEquals(7, fakes.copyOrder.size(), "six chunks after the capture: " + fakes.copyOrder);
    assertTrue(calls.indexOf("slice") > calls.indexOf("migration-engineer"), calls.toString());
    assertTrue(calls.contains("stream-recorder"), calls.toString());
    assertTrue(
        calls.indexOf("stream-recorder") < calls.indexOf("validator"),
        "Migrate's checker waited for the catch-up: " + calls);
    assertEquals("drop-capture:studio_wf_test", calls.get(calls.size() - 1), calls.toString());
    assertTrue(
        calls.lastIndexOf("slice") < calls.indexOf("execute-cutover"),
        "live-cutover: the stream stopped before the cutover drains the capture itself: " + calls);
    assertFalse(calls.contains("reverse-slice"), "rollback: none: no reverse stream: " + calls);
    MigrationStatus st = wf.status();
    assertTrue(st.stream() != null && st.stream().caughtUp(), String.valueOf(st.stream()));
    var history = client.fetchHistory(TaskQueues.workflowId("wf-test"));
    MigrationWorkflowReplayTest.replay(history, MigrationWorkflowImpl.class);
    var stream = client.fetchHistory(TaskQueues.workflowId("wf-test") + "/stream");
    MigrationWorkflowReplayTest.replay(stream, ChangeStreamWorkflowImpl.class);
    writeChildHistory(stream, "change-stream-history.json");
  }

  /**
   * With -Dstudio.recordStreamHistory=DIR: a stream child's own history for the replay test (the
   * migration's history holds only the child's start and end, so its slice loop needs its own).
   */
  private static void writeChildHistory(
      io.temporal.common.WorkflowExecutionHistory history, String file) throws java.io.IOException {
    String dir = System.getProperty("studio.recordStreamHistory");
    if (dir != null) {
      java.nio.file.Files.writeString(java.nio.file.Path.of(dir, file), history.toJson(true));
    }
  }

  /**
   * Online PostgreSQL -> PostgreSQL (cutover.rollback reverse by default): the cutover executes
   * with the rollback pinned to reverse, then the reverse stream runs and its lag is in the status;
   * a rollback is refused while one runs, a failed rollback lets the stream go on, the next one
   * rolls back and the migration completes saying so; the reverse capture is not dropped twice.
   */
  @Test
  void aSwitchedOnlineMigrationStreamsBackAndRollsBackOnRequest() throws Exception {
    reverse.failRollbacks.set(1);
    MigrationWorkflow wf = start(online(null));
    MigrationStatus streaming =
        awaitStatus(
            wf,
            s ->
                s.reverse() != null
                    && s.reverse().caughtUp()
                    && s.state() == MigrationState.RUNNING);
    assertTrue(streaming.message().contains("studio rollback wf-test"), streaming.message());
    assertTrue(streaming.reverse().changes() > 0, streaming.reverse().toString());
    WorkflowUpdateException noBy =
        assertThrows(
            WorkflowUpdateException.class,
            () -> wf.control(new ControlRequest(ControlAction.ROLLBACK, "", "", null)));
    assertTrue(rootMessage(noBy).contains("--by"), rootMessage(noBy));
    wf.control(new ControlRequest(ControlAction.ROLLBACK, "carol", "first try", null));
    awaitStatus(
        wf,
        s ->
            fakes.calls.contains("rollback-failed")
                && s.message()
                    .contains("The last rollback failed: the rollback failed at [drain]"));
    int before = reverse.slices.get();
    awaitStatus(wf, s -> reverse.slices.get() > before); // the stream goes on after a failure
    ControlRecord rec =
        wf.control(
            new ControlRequest(ControlAction.ROLLBACK, "carol", "latency on the target", null));
    assertEquals(ControlAction.ROLLBACK, rec.action());
    MigrationOutcome out = result(wf);
    assertEquals(MigrationState.COMPLETED, out.state(), out.message());
    assertTrue(
        out.message().startsWith("rolled back to the source (asked by carol: latency"),
        out.message());
    List<String> calls = List.copyOf(fakes.calls);
    assertTrue(calls.indexOf("reverse-slice") > calls.indexOf("execute-cutover"), calls.toString());
    assertTrue(
        calls.lastIndexOf("reverse-slice") < calls.lastIndexOf("rollback"), calls.toString());
    assertFalse(calls.contains("drop-reverse"), "the passing rollback dropped it: " + calls);
    assertEquals("latency on the target", reverse.lastRollback.reason());
    assertEquals(
        CutoverOptions.ROLLBACK_REVERSE, fakes.executedSpecs.get(0).cutover().rollback(), "pinned");
    var history = client.fetchHistory(TaskQueues.workflowId("wf-test"));
    MigrationWorkflowReplayTest.replay(history, MigrationWorkflowImpl.class);
    var reverseStream = client.fetchHistory(TaskQueues.workflowId("wf-test") + "/reverse");
    MigrationWorkflowReplayTest.replay(reverseStream, ReverseStreamWorkflowImpl.class);
    writeChildHistory(reverseStream, "reverse-stream-history.json");
    String dir = System.getProperty("studio.recordHistory");
    if (dir != null) {
      writeHistory(dir, "migration-workflow-history-reverse.json");
    }
  }

  /**
   * A pause of an online migration holds its change stream, not only the copy: the running slice is
   * cancelled (at a heartbeat, between batches), no slice runs while paused, the paused stream is
   * measured every 10 s and the status shows its lag growing; a resume lets the slices go on.
   */
  @Test
  void aPauseHoldsTheChangeStreamAndAResumeLetsItGoOn() throws Exception {
    MigrationSpec base = online(CutoverOptions.ROLLBACK_NONE);
    MigrationWorkflow wf =
        start(base.withReviews(base.reviews().with(Stage.VALIDATION, GateMode.ASK)));
    MigrationStatus gate = awaitReview(wf, Stage.VALIDATION);
    fakes.longSlices = true;
    awaitLongSlice(); // a long slice runs
    wf.control(new ControlRequest(ControlAction.PAUSE, "bob", "target maintenance", null));
    MigrationStatus paused = awaitStatus(wf, s -> measured(s) > 0);
    awaitStatus(wf, s -> fakes.calls.contains("slice-cancelled")); // at its next heartbeat
    int held = fakes.slices.get();
    env.sleep(Duration.ofSeconds(25)); // two more measures, no slice
    MigrationStatus later = awaitStatus(wf, s -> measured(s) > measured(paused));
    assertEquals(held, fakes.slices.get(), "no slice while paused: " + fakes.calls);
    assertTrue(
        later.stream().lagMillis() > paused.stream().lagMillis(),
        "the lag grows: " + paused.stream() + " then " + later.stream());
    assertTrue(
        later
            .message()
            .startsWith(
                "PAUSED by bob (target maintenance): no new chunk starts and"
                    + " the change stream applies nothing"),
        later.message());
    fakes.longSlices = false;
    wf.control(new ControlRequest(ControlAction.RESUME, "bob", "", null));
    awaitStatus(wf, s -> fakes.slices.get() > held + 1);
    wf.review(new Review(Stage.VALIDATION, Decision.APPROVE, "alice", "ok", gate.reviewCommit()));
    MigrationOutcome out = result(wf);
    assertEquals(MigrationState.COMPLETED, out.state(), out.message());
    var history = client.fetchHistory(TaskQueues.workflowId("wf-test"));
    MigrationWorkflowReplayTest.replay(history, MigrationWorkflowImpl.class);
    var stream = client.fetchHistory(TaskQueues.workflowId("wf-test") + "/stream");
    MigrationWorkflowReplayTest.replay(stream, ChangeStreamWorkflowImpl.class);
    writeChildHistory(stream, "change-stream-history-pause.json");
    String dir = System.getProperty("studio.recordHistory");
    if (dir != null) {
      writeHistory(dir, "migration-workflow-history-pause.json");
    }
  }

  /**
   * Waits up to 60 s until a long slice runs (has heartbeated): on a loaded machine the stream's
   * next workflow task can take longer than {@link #awaitStatus} waits. The slice running when
   * {@code longSlices} was set goes long itself, so this does not wait for the next slice (that
   * waited out the whole 20 s of the running one).
   */
  private void awaitLongSlice() throws InterruptedException {
    for (int i = 0; i < 2400 && fakes.longSlicesStarted.get() == 0; i++) {
      Thread.sleep(25);
    }
    assertTrue(fakes.longSlicesStarted.get() > 0, "no long slice: " + fakes.calls);
  }

  /** The log the source keeps for the stream, as the status shows it (0: not measured). */
  private static long measured(MigrationStatus s) {
    return s.stream() == null || s.stream().retainedBytes() == null
        ? 0
        : s.stream().retainedBytes();
  }

  /** An online spec (PostgreSQL to PostgreSQL) with {@code cutover.rollback} (null: default). */
  private static MigrationSpec online(String rollback) {
    MigrationSpec base = spec(allAuto());
    return new MigrationSpec(
        base.id(),
        null,
        base.source(),
        base.target(),
        null,
        null,
        new io.migrationstudio.contracts.spec.MigrateOptions(
            "online", null, null, null, null, null, null, null, null, null, null),
        null,
        CutoverOptions.defaults().withRollback(rollback).withHypercare("PT0S"),
        base.reviews(),
        base.approvers(),
        null);
  }

  /**
   * A table of many chunks goes to its child's activities in batches of consecutive chunks
   * (chunk-batches-per-activity version 1): 40 chunks at the child's parallelism 2 in batches of 5
   * (40 over 2 x 4 batches); every chunk copied once, progress counted per chunk. (It recorded
   * table-copy-history-v3.json before pause-between-chunks; the pause test below records v4.)
   */
  @Test
  void aTableOfManyChunksIsCopiedInBatchesOfConsecutiveChunks() throws Exception {
    fakes.chunksPerTable = 40;
    MigrationWorkflow wf = start(spec(allAuto()));
    MigrationOutcome out = result(wf);
    assertEquals(MigrationState.COMPLETED, out.state(), out.message());
    assertEquals(80, fakes.copiedChunks.size(), "every chunk of both tables copied");
    assertEquals(80, fakes.chunkAttempts.get(), "and each once");
    assertEquals(16, fakes.chunkBatches.size(), "8 batches of 5 per table: " + fakes.chunkBatches);
    for (List<Integer> batch : fakes.chunkBatches) {
      assertEquals(5, batch.size(), batch.toString());
      assertEquals(batch.get(0) + 4, batch.get(4), "consecutive chunks: " + batch);
    }
    MigrationStatus st = wf.status();
    assertEquals(80, st.progress().chunksDone());
    assertEquals(8000, st.progress().rowsCopied());
    var child = client.fetchHistory(TaskQueues.workflowId("wf-test") + "/copy/0");
    MigrationWorkflowReplayTest.replay(child, TableCopyWorkflowImpl.class);
  }

  /**
   * A pause stops the running batches at their next chunk boundary (pause-between-chunks version
   * 1): only the chunk in flight of each commits, not the rest of its batch; after the resume each
   * batch's rest goes again as one batch, then the batches not started, every chunk exactly once.
   * Records the child's history for the replay test (-Dstudio.recordHistory=DIR writes
   * table-copy-history-v4.json).
   */
  @Test
  void aPauseStopsTheRunningBatchesBetweenTwoChunks() throws Exception {
    fakes.chunksPerTable = 40; // batches of 5, two running per table
    CountDownLatch release = new CountDownLatch(1);
    fakes.chunkHook = hold(release);
    MigrationWorkflow wf = start(spec(allAuto()));
    awaitStatus(wf, s -> fakes.chunkAttempts.get() >= 4); // two tables, two batches each
    wf.control(new ControlRequest(ControlAction.PAUSE, "bob", "peak hours", null));
    Thread.sleep(1000); // the children have the pause before their chunks finish
    release.countDown();
    for (int i = 0; i < 200 && fakes.copiedChunks.size() < 4; i++) {
      Thread.sleep(25);
    }
    Thread.sleep(1000);
    assertEquals(
        4, fakes.copiedChunks.size(), "only the chunks in flight commit: " + fakes.copiedChunks);
    assertEquals(4, fakes.chunkAttempts.get(), "no chunk starts while paused");
    wf.control(new ControlRequest(ControlAction.RESUME, "bob", "", null));
    MigrationOutcome out = result(wf);
    assertEquals(MigrationState.COMPLETED, out.state(), out.message());
    assertEquals(80, fakes.copiedChunks.size(), "every chunk of both tables copied");
    assertEquals(80, fakes.chunkAttempts.get(), "and each once");
    assertEquals(80, wf.status().progress().chunksDone());
    assertEquals(8000, wf.status().progress().rowsCopied());
    // 16 batches of 5, and the rest of each of the 4 stopped ones again as one batch of 4
    assertEquals(20, fakes.chunkBatches.size(), fakes.chunkBatches.toString());
    assertEquals(
        4,
        fakes.chunkBatches.stream().filter(b -> b.size() == 4).count(),
        fakes.chunkBatches.toString());
    var child = client.fetchHistory(TaskQueues.workflowId("wf-test") + "/copy/0");
    MigrationWorkflowReplayTest.replay(child, TableCopyWorkflowImpl.class);
    String dir = System.getProperty("studio.recordHistory");
    if (dir != null) {
      java.nio.file.Files.writeString(
          java.nio.file.Path.of(dir, "table-copy-history-v4.json"), child.toJson(true));
    }
  }

  @Test
  void allAutoGatesRunEveryStageInOrder() {
    MigrationWorkflow wf = start(spec(allAuto()));
    MigrationOutcome out = result(wf);
    assertEquals(MigrationState.COMPLETED, out.state());
    long children =
        client.fetchHistory(TaskQueues.workflowId("wf-test")).getEvents().stream()
            .filter(e -> e.hasStartChildWorkflowExecutionInitiatedEventAttributes())
            .count();
    assertEquals(2, children, "one copy workflow per table");
    for (var t : wf.status().progress().tables()) {
      assertTrue(t.startedAtMillis() != null && t.updatedAtMillis() != null, t.toString());
      assertEquals(0L, t.etaSeconds(), "a copied table has no time left: " + t);
    }
    MigrationStatus st = wf.status();
    assertEquals(5, st.reviews().stream().filter(r -> r.decision() == Decision.APPROVE).count());
    assertEquals(6, st.progress().chunksDone());
    assertEquals(600, st.progress().rowsCopied());
    List<String> roles =
        fakes.calls.stream().filter(c -> !c.startsWith("review:") && !c.contains(":")).toList();
    assertEquals(
        List.of(
            "open",
            "inventory",
            "risk-assessor",
            "schema-mapper",
            "compatibility-reviewer",
            "prepare",
            "migration-engineer",
            "integration-tester",
            "validator",
            "regression-tester",
            "cutover-coordinator",
            // the gate's checker plans the drill; it runs after the approval, before executing
            "plan-drill",
            "rollback-engineer",
            "check-freshness",
            "drill",
            "rollback-engineer",
            "execute-cutover",
            "cutover-coordinator"),
        roles);
  }

  /**
   * Records the history of a full run with an approval round trip for the replay test; run with
   * -Dstudio.recordHistory=DIR to refresh the file after a deliberate, versioned change.
   */
  @Test
  void recordsAHistoryThatReplays() throws Exception {
    MigrationWorkflow wf = start(spec(allAuto().with(Stage.MAPPING, GateMode.ASK)));
    String commit = awaitReview(wf, Stage.MAPPING).reviewCommit();
    wf.review(new Review(Stage.MAPPING, Decision.APPROVE, "alice", "ok", commit));
    assertEquals(MigrationState.COMPLETED, result(wf).state());
    // each table's keys and indexes are built by its child, after its chunks
    assertTrue(
        fakes.calls.stream().anyMatch(c -> c.startsWith("indexes:")), fakes.calls.toString());
    var history = client.fetchHistory(TaskQueues.workflowId("wf-test"));
    MigrationWorkflowReplayTest.replay(history, MigrationWorkflowImpl.class);
    // the first table's child: its own history (the parent's holds only its start and end)
    var child = client.fetchHistory(TaskQueues.workflowId("wf-test") + "/copy/0");
    MigrationWorkflowReplayTest.replay(child, TableCopyWorkflowImpl.class);
    String dir = System.getProperty("studio.recordHistory");
    if (dir != null) {
      java.nio.file.Files.writeString(
          java.nio.file.Path.of(
              dir,
              System.getProperty("studio.recordHistoryName", "migration-workflow-history-v1.json")),
          history.toJson(true));
      java.nio.file.Files.writeString(
          java.nio.file.Path.of(
              dir,
              System.getProperty("studio.recordChildHistoryName", "table-copy-history-v1.json")),
          child.toJson(true));
    }
  }

  /**
   * Where the namespace has registered them, a migration starts with MigrationId, MigrationStage
   * and MigrationState and keeps stage and state current, and its children start with MigrationId
   * and MigrationStage; records its history for the replay test (-Dstudio.recordHistory=DIR).
   */
  @Test
  void searchAttributesFollowTheStageAndTheStateWhereTheNamespaceHasThem() throws Exception {
    for (var key :
        List.of(
            MigrationSearchAttributes.MIGRATION_ID,
            MigrationSearchAttributes.MIGRATION_STAGE,
            MigrationSearchAttributes.MIGRATION_STATE)) {
      env.registerSearchAttribute(
          key.getName(), io.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    }
    MigrationSpec spec = spec(allAuto().with(Stage.MAPPING, GateMode.ASK));
    MigrationWorkflow wf =
        client.newWorkflowStub(
            MigrationWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(TaskQueues.workflowId(spec.id()))
                .setTaskQueue(TaskQueues.WORKFLOW)
                .setTypedSearchAttributes(MigrationSearchAttributes.initial(spec.id()))
                .build());
    WorkflowClient.start(wf::run, new MigrationInput(spec, null));
    String commit = awaitReview(wf, Stage.MAPPING).reviewCommit();
    var waiting = WorkflowStub.fromTyped(wf).describe().getTypedSearchAttributes();
    assertEquals("wf-test", waiting.get(MigrationSearchAttributes.MIGRATION_ID));
    assertEquals("mapping", waiting.get(MigrationSearchAttributes.MIGRATION_STAGE));
    assertEquals("AWAITING_REVIEW", waiting.get(MigrationSearchAttributes.MIGRATION_STATE));
    wf.review(new Review(Stage.MAPPING, Decision.APPROVE, "alice", "ok", commit));
    assertEquals(MigrationState.COMPLETED, result(wf).state());
    var done = WorkflowStub.fromTyped(wf).describe().getTypedSearchAttributes();
    assertEquals("COMPLETED", done.get(MigrationSearchAttributes.MIGRATION_STATE));
    assertEquals("cutover", done.get(MigrationSearchAttributes.MIGRATION_STAGE));
    // child-search-attributes version 1: the per-table copies carry the migration's id and stage
    // (as the server's visibility records them: the test server has no ListWorkflowExecutions
    // query, UNIMPLEMENTED, so each child is described)
    var child =
        client
            .newUntypedWorkflowStub("migration-wf-test/copy/0")
            .describe()
            .getTypedSearchAttributes();
    assertEquals("wf-test", child.get(MigrationSearchAttributes.MIGRATION_ID));
    assertEquals("migrate", child.get(MigrationSearchAttributes.MIGRATION_STAGE));
    assertFalse(child.containsKey(MigrationSearchAttributes.MIGRATION_STATE), "no state");
    var history = client.fetchHistory(TaskQueues.workflowId("wf-test"));
    MigrationWorkflowReplayTest.replay(history, MigrationWorkflowImpl.class);
    String dir = System.getProperty("studio.recordHistory");
    if (dir != null) {
      writeHistory(dir, "migration-workflow-history-child-search.json");
    }
  }

  /** Started without the attributes (a namespace without them), it upserts none. */
  @Test
  void withoutSearchAttributesAtStartTheWorkflowUpsertsNone() throws Exception {
    MigrationWorkflow wf = start(spec(allAuto()));
    assertEquals(MigrationState.COMPLETED, result(wf).state());
    var history = client.fetchHistory(TaskQueues.workflowId("wf-test"));
    assertTrue(
        history.getEvents().stream()
            .noneMatch(
                e ->
                    e.getEventType()
                        == io.temporal.api.enums.v1.EventType
                            .EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES));
  }

  @Test
  void askGateWaitsForApprovalOfTheExactCommit() throws Exception {
    MigrationWorkflow wf = start(spec(allAuto().with(Stage.MAPPING, GateMode.ASK)));
    MigrationStatus waiting = awaitReview(wf, Stage.MAPPING);
    String commit = waiting.reviewCommit();

    WorkflowUpdateException wrongCommit =
        assertThrows(
            WorkflowUpdateException.class,
            () ->
                wf.review(
                    new Review(Stage.MAPPING, Decision.APPROVE, "alice", "", "f".repeat(40))));
    assertTrue(
        rootMessage(wrongCommit).contains("not the commit under review"), rootMessage(wrongCommit));

    ReviewRecord rec =
        wf.review(new Review(Stage.MAPPING, Decision.APPROVE, "alice", "looks right", commit));
    assertTrue(rec.accepted());
    assertEquals(MigrationState.COMPLETED, result(wf).state());
    assertTrue(fakes.calls.contains("review:mapping:APPROVE"));
  }

  @Test
  void unknownReviewerAndStageNotWaitingAreRefused() throws Exception {
    MigrationWorkflow wf = start(spec(allAuto().with(Stage.MAPPING, GateMode.ASK)));
    String commit = awaitReview(wf, Stage.MAPPING).reviewCommit();

    WorkflowUpdateException unknown =
        assertThrows(
            WorkflowUpdateException.class,
            () -> wf.review(new Review(Stage.MAPPING, Decision.APPROVE, "mallory", "", commit)));
    assertTrue(rootMessage(unknown).contains("not an approver"), rootMessage(unknown));
    assertTrue(
        rootMessage(unknown)
            .contains(
                "may approve it: alice (listed under approvers.mapping and approvers.default)"),
        "names who may approve: " + rootMessage(unknown));

    WorkflowUpdateException notWaiting =
        assertThrows(
            WorkflowUpdateException.class,
            () -> wf.review(new Review(Stage.VALIDATION, Decision.APPROVE, "alice", "", commit)));
    assertTrue(rootMessage(notWaiting).contains("not waiting"), rootMessage(notWaiting));

    // the same checks on the signal path: refused, recorded, nothing advances
    wf.reviewSignal(new Review(Stage.MAPPING, Decision.APPROVE, "mallory", "", commit));
    MigrationStatus st = awaitStatus(wf, s -> s.reviews().stream().anyMatch(r -> !r.accepted()));
    assertEquals(MigrationState.AWAITING_REVIEW, st.state());
    assertTrue(
        st.reviews().stream().anyMatch(r -> !r.accepted() && r.note().contains("not an approver")));

    wf.reviewSignal(new Review(Stage.MAPPING, Decision.APPROVE, "alice", "via UI", commit));
    assertEquals(MigrationState.COMPLETED, result(wf).state());
  }

  @Test
  void externalGateAcceptsOnlyTheStagesOwnApprovers() throws Exception {
    MigrationWorkflow wf = start(spec(allAuto().with(Stage.CUTOVER, GateMode.EXTERNAL)));
    String commit = awaitReview(wf, Stage.CUTOVER).reviewCommit();
    WorkflowUpdateException defaultApprover =
        assertThrows(
            WorkflowUpdateException.class,
            () -> wf.review(new Review(Stage.CUTOVER, Decision.APPROVE, "alice", "", commit)));
    assertTrue(
        rootMessage(defaultApprover).contains("external gate"), rootMessage(defaultApprover));
    assertFalse(fakes.calls.contains("execute-cutover"));
    wf.review(new Review(Stage.CUTOVER, Decision.APPROVE, "carol", "change board ok", commit));
    assertEquals(MigrationState.COMPLETED, result(wf).state());
    assertTrue(fakes.calls.contains("execute-cutover"));
  }

  @Test
  void requestChangesThenApproveRechecksTheRevisedCommit() throws Exception {
    MigrationWorkflow wf = start(spec(allAuto().with(Stage.MAPPING, GateMode.ASK)));
    String reviewed = awaitReview(wf, Stage.MAPPING).reviewCommit();
    wf.review(
        new Review(Stage.MAPPING, Decision.REQUEST_CHANGES, "alice", "rename column", reviewed));
    awaitStatus(
        wf,
        s ->
            s.state() == MigrationState.AWAITING_REVIEW
                && s.stages().get(1).state().equals("changes-requested"));

    // the same commit again is not a revision
    assertThrows(
        WorkflowUpdateException.class,
        () -> wf.review(new Review(Stage.MAPPING, Decision.APPROVE, "alice", "", reviewed)));

    // a commit not on the branch is refused by the checker's verification and the stage waits on
    wf.review(new Review(Stage.MAPPING, Decision.APPROVE, "alice", "", "a".repeat(40)));
    awaitStatus(
        wf,
        s ->
            s.reviews().stream()
                .anyMatch(r -> !r.accepted() && r.note().contains("INVALID_COMMIT")));

    String revised = fakes.newCommit(); // the approver pushes an edited mapping.yaml
    wf.review(new Review(Stage.MAPPING, Decision.APPROVE, "alice", "revised", revised));
    MigrationStatus again =
        awaitStatus(
            wf,
            s ->
                s.state() == MigrationState.AWAITING_REVIEW
                    && s.stage() == Stage.MAPPING
                    && !reviewed.equals(s.reviewCommit()));
    assertTrue(fakes.calls.contains("check-mapping-at:" + revised), fakes.calls.toString());
    wf.review(new Review(Stage.MAPPING, Decision.APPROVE, "alice", "ok now", again.reviewCommit()));
    assertEquals(MigrationState.COMPLETED, result(wf).state());
  }

  @Test
  void rejectEndsTheMigration() throws Exception {
    MigrationWorkflow wf = start(spec(allAuto().with(Stage.MIGRATE, GateMode.ASK)));
    String commit = awaitReview(wf, Stage.MIGRATE).reviewCommit();
    wf.review(new Review(Stage.MIGRATE, Decision.REJECT, "alice", "wrong target", commit));
    MigrationOutcome out = result(wf);
    assertEquals(MigrationState.REJECTED, out.state());
    assertFalse(fakes.calls.contains("validator"));
  }

  @Test
  void failingCheckerOnAutoGateEscalatesToAsk() throws Exception {
    fakes.verdicts.put(Stage.ASSESSMENT, Verdict.FAIL);
    MigrationWorkflow wf = start(spec(allAuto()));
    MigrationStatus st = awaitReview(wf, Stage.ASSESSMENT);
    assertTrue(st.message().contains("escalated to ask"), st.message());
    wf.review(
        new Review(
            Stage.ASSESSMENT, Decision.APPROVE, "alice", "accepted risk", st.reviewCommit()));
    assertEquals(MigrationState.COMPLETED, result(wf).state());
  }

  /**
   * Re-created from its branch during the hypercare (every stage approved, {@code
   * 06-hypercare/hypercare.json} records its start): the cutover is not executed again, the
   * hypercare keeps its original start and end, then the decommission runs.
   */
  @Test
  void aMigrationReCreatedInHypercareDoesNotExecuteTheCutoverAgain() {
    fakes.approvedEarlier = approvedToTheCutover();
    long began = env.currentTimeMillis() - Duration.ofDays(3).toMillis();
    fakes.hypercareEarlier = began;
    MigrationSpec spec = spec(allAuto(), CutoverOptions.defaults().withHypercare("P2D"), null);
    MigrationWorkflow wf = start(spec);
    MigrationOutcome out = result(wf);
    assertEquals(MigrationState.COMPLETED, out.state(), out.message());
    assertFalse(fakes.calls.contains("execute-cutover"), fakes.calls.toString());
    assertEquals(List.of("hypercare-sample", "plan-decommission", "decommission"), hypercare.calls);
    assertEquals(began, hypercare.samples.get(0).startedAtMillis());
    assertEquals(began + Duration.ofDays(2).toMillis(), hypercare.samples.get(0).endsAtMillis());
    assertEquals("skipped", wf.status().stages().get(Stage.CUTOVER.ordinal()).state());
    assertEquals("completed", wf.status().stages().get(Stage.DECOMMISSION.ordinal()).state());
  }

  /**
   * An online migration re-created from its branch during the hypercare: the cutover dropped the
   * forward capture at the switch, so no capture is made again and no stream runs (nothing of the
   * old primary is applied to the new one); the hypercare goes on and the decommission runs.
   * Without version {@code no-stream-after-switch} the stream started again here.
   */
  @Test
  void anOnlineMigrationReCreatedInHypercareStartsNoStream() throws Exception {
    fakes.approvedEarlier = approvedToTheCutover();
    fakes.hypercareEarlier = env.currentTimeMillis() - Duration.ofDays(3).toMillis();
    MigrationSpec base = online(CutoverOptions.ROLLBACK_NONE);
    MigrationSpec spec = base.withCutover(base.cutover().withHypercare("P2D"));
    MigrationWorkflow wf = start(spec);
    MigrationOutcome out = result(wf);
    assertEquals(MigrationState.COMPLETED, out.state(), out.message());
    List<String> calls = List.copyOf(fakes.calls);
    assertFalse(calls.contains("prepare-capture"), "no capture after the switch: " + calls);
    assertFalse(calls.contains("slice"), "no stream after the switch: " + calls);
    assertFalse(calls.contains("execute-cutover"), calls.toString());
    assertEquals(List.of("hypercare-sample", "plan-decommission", "decommission"), hypercare.calls);
    String dir = System.getProperty("studio.recordHistory");
    if (dir != null) {
      writeHistory(dir, "migration-workflow-history-hypercare-online.json");
    }
  }

  /**
   * An online PostgreSQL migration (cutover.rollback reverse) re-created during its hypercare: the
   * reverse stream runs again while the decommission gate waits, so a rollback stays possible, and
   * the decommission stops it. Without version {@code reverse-after-recovery} no reverse stream ran
   * after the re-creation.
   */
  @Test
  void anOnlineMigrationReCreatedInHypercareStreamsBackAgain() throws Exception {
    fakes.approvedEarlier = approvedToTheCutover();
    fakes.hypercareEarlier = env.currentTimeMillis() - Duration.ofDays(3).toMillis();
    MigrationSpec base = online(null);
    MigrationSpec spec =
        base.withCutover(base.cutover().withHypercare("P2D"))
            .withReviews(base.reviews().with(Stage.DECOMMISSION, GateMode.ASK));
    MigrationWorkflow wf = start(spec);
    MigrationStatus gate = awaitReview(wf, Stage.DECOMMISSION);
    awaitStatus(wf, s -> s.reverse() != null && s.reverse().caughtUp());
    wf.review(new Review(Stage.DECOMMISSION, Decision.APPROVE, "alice", "ok", gate.reviewCommit()));
    MigrationOutcome out = result(wf);
    assertEquals(MigrationState.COMPLETED, out.state(), out.message());
    List<String> calls = List.copyOf(fakes.calls);
    assertFalse(calls.contains("execute-cutover"), calls.toString());
    assertTrue(calls.contains("reverse-slice"), "the reverse stream runs again: " + calls);
    assertEquals(List.of("hypercare-sample", "plan-decommission", "decommission"), hypercare.calls);
    String dir = System.getProperty("studio.recordHistory");
    if (dir != null) {
      writeHistory(dir, "migration-workflow-history-hypercare-reverse.json");
    }
  }

  /**
   * A rollback asked while the decommission gate waits (the hypercare over, the reverse stream
   * still running) is refused with what to do instead: nothing would take it, and approving the
   * decommission stops the reverse stream and drops its capture. It was accepted and then lost.
   */
  @Test
  void aRollbackAtTheDecommissionGateIsRefused() throws Exception {
    fakes.approvedEarlier = approvedToTheCutover();
    fakes.hypercareEarlier = env.currentTimeMillis() - Duration.ofDays(3).toMillis();
    MigrationSpec base = online(null);
    MigrationSpec spec =
        base.withCutover(base.cutover().withHypercare("P2D"))
            .withReviews(base.reviews().with(Stage.DECOMMISSION, GateMode.ASK));
    MigrationWorkflow wf = start(spec);
    MigrationStatus gate = awaitReview(wf, Stage.DECOMMISSION);
    awaitStatus(wf, s -> s.reverse() != null && s.reverse().caughtUp());
    WorkflowUpdateException refused =
        assertThrows(
            WorkflowUpdateException.class,
            () -> wf.control(new ControlRequest(ControlAction.ROLLBACK, "carol", "late", null)));
    assertTrue(rootMessage(refused).contains("the hypercare ended"), rootMessage(refused));
    assertTrue(rootMessage(refused).contains("review the decommission"), rootMessage(refused));
    wf.review(new Review(Stage.DECOMMISSION, Decision.APPROVE, "alice", "ok", gate.reviewCommit()));
    MigrationOutcome out = result(wf);
    assertEquals(MigrationState.COMPLETED, out.state(), out.message());
    assertTrue(out.message().contains("decommissioned"), out.message());
    assertEquals(null, reverse.lastRollback, "no rollback ran");
  }

  /**
   * Re-created from its branch while its decommission gate waited (the hypercare over, {@code
   * gates/decommission.json} names the plan under review): the gate waits for the same plan commit
   * and the plan is not produced again; approving it decommissions. Without version {@code
   * decommission-gate-after-recovery} the plan was made again and the gate waited for its new
   * commit, so a review of the commit shown before the kill was refused.
   */
  @Test
  void aMigrationReCreatedAtItsDecommissionGateWaitsForTheSamePlan() throws Exception {
    fakes.approvedEarlier = approvedToTheCutover();
    fakes.hypercareEarlier = env.currentTimeMillis() - Duration.ofDays(3).toMillis();
    String plan = fakes.newCommit();
    fakes.awaitingEarlier =
        new GateEvidence(
            Stage.DECOMMISSION,
            plan,
            Verdict.PASS,
            "07-decommission/plan.md",
            GateMode.ASK,
            List.of(
                new io.migrationstudio.contracts.workflow.ArtifactRef(
                    "07-decommission/plan.md", plan)));
    MigrationSpec base = spec(allAuto().with(Stage.DECOMMISSION, GateMode.ASK));
    MigrationWorkflow wf = start(base.withCutover(base.cutover().withHypercare("P2D")));
    MigrationStatus st = awaitReview(wf, Stage.DECOMMISSION);
    assertEquals(plan, st.reviewCommit(), "the same plan awaits review");
    assertFalse(hypercare.calls.contains("plan-decommission"), "not planned again");
    assertTrue(
        st.artifacts().stream()
            .anyMatch(a -> a.path().equals("07-decommission/plan.md") && a.commit().equals(plan)),
        st.artifacts().toString());
    wf.review(new Review(Stage.DECOMMISSION, Decision.APPROVE, "alice", "ok", plan));
    MigrationOutcome out = result(wf);
    assertEquals(MigrationState.COMPLETED, out.state(), out.message());
    assertFalse(fakes.calls.contains("execute-cutover"), fakes.calls.toString());
    assertEquals(List.of("hypercare-sample", "decommission"), hypercare.calls);
    String dir = System.getProperty("studio.recordHistory");
    if (dir != null) {
      writeHistory(dir, "migration-workflow-history-decommission-gate.json");
    }
  }

  @Test
  void stagesApprovedInAnEarlierRunAreNotRedone() {
    fakes.approvedEarlier =
        List.of(
            new ApprovedStage(Stage.ASSESSMENT, fakes.newCommit(), List.of()),
            new ApprovedStage(Stage.MAPPING, fakes.newCommit(), List.of()));
    MigrationWorkflow wf = start(spec(allAuto()));
    assertEquals(MigrationState.COMPLETED, result(wf).state());
    assertFalse(fakes.calls.contains("inventory"));
    assertFalse(fakes.calls.contains("schema-mapper"));
    assertTrue(fakes.calls.contains("prepare"));
    assertEquals("skipped", wf.status().stages().get(0).state());
  }

  @Test
  void aWaitingGateIsRecordedOnTheBranchWithTheCommitUnderReview() throws Exception {
    MigrationWorkflow wf = start(spec(allAuto().with(Stage.MAPPING, GateMode.ASK)));
    MigrationStatus st = awaitReview(wf, Stage.MAPPING);
    assertTrue(fakes.calls.contains("gate:mapping:" + st.reviewCommit()), fakes.calls.toString());
    GateEvidence g = fakes.gates.get(0);
    assertEquals(Verdict.PASS, g.verdict());
    assertEquals(GateMode.ASK, g.mode());
    assertEquals(
        List.of("02-mapping/mapping.yaml", "02-mapping/compatibility.json"),
        g.artifacts().stream().map(a -> a.path()).toList());
    assertFalse(
        fakes.calls.stream().anyMatch(c -> c.startsWith("gate:assessment")),
        "an auto gate that opens at once records no waiting gate");
  }

  @Test
  void aMigrationReCreatedFromItsBranchWaitsAtTheSameGateForTheSameCommit() {
    String assessed = fakes.newCommit();
    String underReview = fakes.newCommit();
    fakes.approvedEarlier = List.of(new ApprovedStage(Stage.ASSESSMENT, assessed, List.of()));
    fakes.awaitingEarlier =
        new GateEvidence(
            Stage.MAPPING,
            underReview,
            Verdict.PASS,
            "3 tables mapped",
            GateMode.ASK,
            List.of(
                new io.migrationstudio.contracts.workflow.ArtifactRef(
                    "02-mapping/mapping.yaml", underReview)));
    MigrationWorkflow wf = start(spec(allAuto().with(Stage.MAPPING, GateMode.ASK)));
    MigrationStatus st;
    try {
      st = awaitReview(wf, Stage.MAPPING);
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
    assertEquals(underReview, st.reviewCommit(), "the same commit awaits review");
    assertFalse(fakes.calls.contains("schema-mapper"), "the producer is not run again");
    assertFalse(fakes.calls.contains("compatibility-reviewer"), "nor the checker");
    assertEquals(Verdict.PASS, st.stages().get(1).verdict());
    assertTrue(
        st.artifacts().stream().anyMatch(a -> a.path().equals("02-mapping/mapping.yaml")),
        st.artifacts().toString());
    wf.review(new Review(Stage.MAPPING, Decision.APPROVE, "alice", "ok", underReview));
    assertEquals(MigrationState.COMPLETED, result(wf).state());
    assertTrue(fakes.calls.contains("prepare"), "the next stage builds on the approval");
  }

  @Test
  void aMigrationReCreatedAfterRequestChangesWaitsForARevisedCommitAgain() throws Exception {
    String assessed = fakes.newCommit();
    String underReview = fakes.newCommit();
    fakes.approvedEarlier = List.of(new ApprovedStage(Stage.ASSESSMENT, assessed, List.of()));
    fakes.awaitingEarlier =
        new GateEvidence(Stage.MAPPING, underReview, Verdict.PASS, "3 tables", GateMode.ASK, null)
            .markedChangesRequested();
    MigrationWorkflow wf = start(spec(allAuto().with(Stage.MAPPING, GateMode.ASK)));
    MigrationStatus st =
        awaitStatus(
            wf,
            s ->
                s.state() == MigrationState.AWAITING_REVIEW
                    && s.stages().get(1).state().equals("changes-requested"));
    assertEquals(underReview, st.reviewCommit(), st.toString());
    assertFalse(fakes.calls.contains("schema-mapper"), "the producer is not run again");
    assertFalse(fakes.calls.contains("compatibility-reviewer"), "nor the checker");
    // the commit that had changes requested is not a revision
    assertThrows(
        WorkflowUpdateException.class,
        () -> wf.review(new Review(Stage.MAPPING, Decision.APPROVE, "alice", "", underReview)));
    String revised = fakes.newCommit(); // the approver pushes an edited mapping.yaml
    wf.review(new Review(Stage.MAPPING, Decision.APPROVE, "alice", "revised", revised));
    MigrationStatus again =
        awaitStatus(
            wf,
            s ->
                s.state() == MigrationState.AWAITING_REVIEW
                    && s.stage() == Stage.MAPPING
                    && s.stages().get(1).state().equals("awaiting-review")
                    && !underReview.equals(s.reviewCommit()));
    assertTrue(fakes.calls.contains("check-mapping-at:" + revised), fakes.calls.toString());
    wf.review(new Review(Stage.MAPPING, Decision.APPROVE, "alice", "ok", again.reviewCommit()));
    assertEquals(MigrationState.COMPLETED, result(wf).state());
    String dir = System.getProperty("studio.recordHistory");
    if (dir != null) { // the re-created revision wait's history for the replay test
      writeHistory(dir, "migration-workflow-history-resumed-revision.json");
    }
  }

  @Test
  void aCancelAtAGateRecordsWhoAndWhyOnTheBranchAndEndsCancelled() throws Exception {
    MigrationWorkflow wf = start(spec(allAuto().with(Stage.MAPPING, GateMode.ASK)));
    awaitReview(wf, Stage.MAPPING);
    WorkflowUpdateException noReason =
        assertThrows(
            WorkflowUpdateException.class,
            () -> wf.control(new ControlRequest(ControlAction.CANCEL, "bob", "", null)));
    assertTrue(rootMessage(noReason).contains("say why"), rootMessage(noReason));
    ControlRecord rec =
        wf.control(new ControlRequest(ControlAction.CANCEL, "bob", "the window moved", null));
    assertEquals("bob", rec.by());
    MigrationOutcome out = result(wf);
    assertEquals(MigrationState.CANCELLED, out.state());
    assertEquals("cancelled by bob: the window moved", out.message());
    assertEquals(1, fakes.cancels.size());
    assertEquals(Stage.MAPPING, fakes.cancels.get(0).stage());
    assertEquals("the window moved", fakes.cancels.get(0).cancel().reason());
    assertFalse(fakes.calls.contains("prepare"), "nothing after the cancel: " + fakes.calls);
    assertEquals("cancelled", wf.status().stages().get(1).state());
    String dir = System.getProperty("studio.recordHistory");
    if (dir != null) { // the cancel's history for the replay test
      writeHistory(dir, "migration-workflow-history-cancel.json");
    }
  }

  /**
   * A cancel of an online migration while a later gate waits and its stream runs: the stream stops
   * and the capture (slot and publication on the source) is dropped as the migration ends
   * CANCELLED, so nothing holds WAL on the source afterwards.
   */
  @Test
  void aCancelledOnlineMigrationDropsItsCapture() throws Exception {
    MigrationSpec base = online(CutoverOptions.ROLLBACK_NONE);
    MigrationWorkflow wf =
        start(base.withReviews(base.reviews().with(Stage.VALIDATION, GateMode.ASK)));
    awaitReview(wf, Stage.VALIDATION);
    awaitStatus(wf, s -> s.stream() != null);
    wf.control(new ControlRequest(ControlAction.CANCEL, "bob", "postponed", null));
    MigrationOutcome out = result(wf);
    assertEquals(MigrationState.CANCELLED, out.state(), out.message());
    List<String> calls = List.copyOf(fakes.calls);
    assertTrue(calls.contains("drop-capture:studio_wf_test"), calls.toString());
    assertFalse(calls.contains("execute-cutover"), calls.toString());
  }

  /** A rejected online migration drops its slot and publication as a cancelled one does. */
  @Test
  void aRejectedOnlineMigrationDropsItsCapture() throws Exception {
    MigrationSpec base = online(CutoverOptions.ROLLBACK_NONE);
    MigrationWorkflow wf =
        start(base.withReviews(base.reviews().with(Stage.VALIDATION, GateMode.ASK)));
    String commit = awaitReview(wf, Stage.VALIDATION).reviewCommit();
    awaitStatus(wf, s -> s.stream() != null);
    wf.review(new Review(Stage.VALIDATION, Decision.REJECT, "alice", "not this week", commit));
    MigrationOutcome out = result(wf);
    assertEquals(MigrationState.REJECTED, out.state(), out.message());
    assertTrue(fakes.calls.contains("drop-capture:studio_wf_test"), fakes.calls.toString());
    assertFalse(fakes.calls.contains("execute-cutover"), fakes.calls.toString());
  }

  /**
   * An online migration that fails (a chunk refused for good) drops its slot and publication: the
   * source must not keep WAL for a stream nobody will read.
   */
  @Test
  void aFailedOnlineMigrationDropsItsCapture() throws Exception {
    failChunksOf(
        "album", "PERMANENT_SQL", "table album chunk 0: value out of range (SQLState 22003)");
    MigrationWorkflow wf = start(online(CutoverOptions.ROLLBACK_NONE));
    MigrationOutcome out = result(wf);
    assertEquals(MigrationState.FAILED, out.state(), out.message());
    assertTrue(fakes.calls.contains("prepare-capture"), fakes.calls.toString());
    assertTrue(fakes.calls.contains("drop-capture:studio_wf_test"), fakes.calls.toString());
  }

  /**
   * A cancel of an online migration stops the running stream slice (20 s in production, as long as
   * the fake's long slices here) at its next heartbeat, within seconds, and the migration ends
   * CANCELLED with its capture dropped. Before, the SDK sent a slice's heartbeat only every 24 s
   * (80 % of its timeout), so the slice went on applying for up to that long after the migration
   * ended.
   */
  @Test
  void aCancelStopsTheRunningStreamSliceAtOnce() throws Exception {
    MigrationSpec base = online(CutoverOptions.ROLLBACK_NONE);
    MigrationWorkflow wf =
        start(base.withReviews(base.reviews().with(Stage.VALIDATION, GateMode.ASK)));
    awaitReview(wf, Stage.VALIDATION);
    fakes.longSlices = true;
    awaitLongSlice(); // a long slice runs
    long asked = System.nanoTime();
    wf.control(new ControlRequest(ControlAction.CANCEL, "bob", "postponed", null));
    MigrationOutcome out = result(wf);
    long ms = (System.nanoTime() - asked) / 1_000_000;
    assertEquals(MigrationState.CANCELLED, out.state(), out.message());
    assertTrue(fakes.calls.contains("drop-capture:studio_wf_test"), fakes.calls.toString());
    long stopped = System.nanoTime() + 5_000_000_000L;
    while (!fakes.calls.contains("slice-cancelled") && System.nanoTime() < stopped) {
      Thread.sleep(25);
    }
    assertTrue(fakes.calls.contains("slice-cancelled"), "within 5 s: " + fakes.calls);
    assertTrue(ms < 10_000, "the 20 s slice was cancelled, not waited for: " + ms + " ms");
    System.out.println("cancel of an online migration with a slice running: " + ms + " ms");
    var stream = client.fetchHistory(TaskQueues.workflowId("wf-test") + "/stream");
    MigrationWorkflowReplayTest.replay(stream, ChangeStreamWorkflowImpl.class);
    writeChildHistory(stream, "change-stream-history-cancel.json");
  }

  @Test
  void aCancelMidCopyCancelsTheRunningChunksAndEndsCancelled() throws Exception {
    CountDownLatch never = new CountDownLatch(1);
    fakes.chunkHook = hold(never);
    MigrationWorkflow wf = start(spec(allAuto()));
    awaitStatus(wf, s -> fakes.chunkAttempts.get() >= 4);
    wf.control(new ControlRequest(ControlAction.CANCEL, "bob", "source overloaded", null));
    MigrationOutcome out = result(wf);
    never.countDown();
    assertEquals(MigrationState.CANCELLED, out.state(), out.message());
    assertEquals(Stage.MIGRATE, fakes.cancels.get(0).stage());
    assertFalse(fakes.calls.contains("migration-engineer"), "no finishLoad: " + fakes.calls);
  }

  /**
   * The cutover's drill and its execution freeze the source and do not heartbeat, so a cancel
   * cannot reach them: the workflow would end CANCELLED (and drop the capture, release the lock)
   * while the activity went on freezing and switching. A cancel is refused while either runs,
   * saying what to do, and the cutover ends as it would have.
   */
  @Test
  void aCancelWhileTheCutoverDrillsOrExecutesIsRefusedAndTheCutoverEnds() throws Exception {
    CountDownLatch drill = new CountDownLatch(1);
    CountDownLatch execution = new CountDownLatch(1);
    fakes.holdDrill = drill;
    fakes.holdExecution = execution;
    MigrationWorkflow wf = start(spec(allAuto()));
    ControlRequest cancel = new ControlRequest(ControlAction.CANCEL, "bob", "too late", null);
    awaitStatus(wf, s -> fakes.calls.contains("drill-held"));
    WorkflowUpdateException whileDrilling =
        assertThrows(WorkflowUpdateException.class, () -> wf.control(cancel));
    assertTrue(
        rootMessage(whileDrilling).contains("the rollback drill is running"),
        rootMessage(whileDrilling));
    drill.countDown();
    awaitStatus(wf, s -> fakes.calls.contains("execute-cutover-held"));
    WorkflowUpdateException whileExecuting =
        assertThrows(WorkflowUpdateException.class, () -> wf.control(cancel));
    assertTrue(
        rootMessage(whileExecuting).contains("the cutover is executing")
            && rootMessage(whileExecuting).contains("studio rollback"),
        rootMessage(whileExecuting));
    execution.countDown();
    MigrationOutcome out = result(wf);
    assertEquals(MigrationState.COMPLETED, out.state(), out.message());
    assertTrue(fakes.cancels.isEmpty(), "no cancel recorded: " + fakes.cancels);
  }

  /** A rollback freezes the target while it drains: a cancel is refused until it ends. */
  @Test
  void aCancelWhileARollbackRunsIsRefused() throws Exception {
    MigrationWorkflow wf = start(online(null));
    awaitStatus(
        wf,
        s -> s.reverse() != null && s.reverse().caughtUp() && s.state() == MigrationState.RUNNING);
    CountDownLatch rollback = new CountDownLatch(1);
    reverse.holdRollback = rollback;
    wf.control(new ControlRequest(ControlAction.ROLLBACK, "carol", "latency", null));
    awaitStatus(wf, s -> fakes.calls.contains("rollback-held"));
    WorkflowUpdateException refused =
        assertThrows(
            WorkflowUpdateException.class,
            () -> wf.control(new ControlRequest(ControlAction.CANCEL, "bob", "stop", null)));
    assertTrue(rootMessage(refused).contains("a rollback is running"), rootMessage(refused));
    rollback.countDown();
    MigrationOutcome out = result(wf);
    assertEquals(MigrationState.COMPLETED, out.state(), out.message());
    assertTrue(out.message().startsWith("rolled back to the source"), out.message());
  }

  @Test
  void pauseHoldsTheCopyAtAChunkBoundaryThrottleAndResumeGoOn() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    List<Long> rates = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    java.util.function.Function<
            io.migrationstudio.contracts.activity.ChunkRequest,
            io.migrationstudio.contracts.activity.ChunkResult>
        held = hold(release);
    fakes.chunkHook =
        r -> {
          rates.add(r.spec().migrate().maxRowsPerSecond());
          return held.apply(r);
        };
    MigrationWorkflow wf = start(spec(allAuto()));
    awaitStatus(wf, s -> fakes.chunkAttempts.get() >= 4); // two tables, two chunks each
    wf.control(new ControlRequest(ControlAction.PAUSE, "bob", "peak hours", null));
    wf.control(new ControlRequest(ControlAction.THROTTLE, "bob", "", 500L));
    WorkflowUpdateException twice =
        assertThrows(
            WorkflowUpdateException.class,
            () -> wf.control(new ControlRequest(ControlAction.PAUSE, "bob", "", null)));
    assertTrue(rootMessage(twice).contains("paused already"), rootMessage(twice));
    Thread.sleep(1000); // the children have the pause before their chunks finish
    release.countDown();
    for (int i = 0; i < 200 && fakes.copiedChunks.size() < 4; i++) {
      Thread.sleep(25);
    }
    assertEquals(4, fakes.copiedChunks.size(), "the running chunks finish");
    Thread.sleep(1000);
    assertEquals(4, fakes.chunkAttempts.get(), "no chunk starts while paused");
    String message = wf.status().message();
    assertTrue(message.startsWith("PAUSED by bob (peak hours)"), message);
    wf.control(new ControlRequest(ControlAction.RESUME, "bob", "", null));
    assertEquals(MigrationState.COMPLETED, result(wf).state());
    assertEquals(6, wf.status().progress().chunksDone());
    assertEquals(java.util.Arrays.asList(null, null, null, null, 500L, 500L), rates);
  }

  /** A chunk hook that holds every attempt until {@code latch} opens, heartbeating. */
  private static java.util.function.Function<
          io.migrationstudio.contracts.activity.ChunkRequest,
          io.migrationstudio.contracts.activity.ChunkResult>
      hold(CountDownLatch latch) {
    return r -> {
      try {
        while (!latch.await(200, java.util.concurrent.TimeUnit.MILLISECONDS)) {
          io.temporal.activity.Activity.getExecutionContext().heartbeat("held");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return null;
    };
  }

  @Test
  void workerRestartMidStageResumesTheChunkOnANewWorker() throws Exception {
    // a second set of workers on the same server, in its own factory, that we can kill
    env.getWorkerFactory().shutdownNow();
    FakeActivities second = fakes;
    CountDownLatch never = new CountDownLatch(1);
    second.blockFirstChunk = never;
    WorkerFactory first = WorkerFactory.newInstance(client);
    startWorkers(first, second, hypercare);
    first.start();
    MigrationWorkflow wf = start(spec(allAuto()));
    awaitStatus(wf, s -> s.stage() == Stage.MIGRATE && second.chunkAttempts.get() > 0);
    first.shutdownNow(); // the worker dies mid-chunk
    never.countDown();
    WorkerFactory replacement = WorkerFactory.newInstance(client);
    startWorkers(replacement, second, hypercare);
    replacement.start();
    env.sleep(Duration.ofSeconds(30)); // past the chunk's heartbeat timeout
    MigrationOutcome out = result(wf);
    assertEquals(MigrationState.COMPLETED, out.state());
    assertEquals(6, wf.status().progress().chunksDone());
    assertTrue(second.chunkAttempts.get() >= 7, "the interrupted chunk ran again");
    replacement.shutdownNow();
  }

  @Test
  void aFreshValidationReportIsUsedAsItIs() {
    MigrationWorkflow wf = start(spec(allAuto()));
    assertEquals(MigrationState.COMPLETED, result(wf).state());
    assertEquals(1, fakes.validatedAt.size(), "validated once: " + fakes.calls);
    int check = fakes.calls.indexOf("check-freshness");
    assertEquals(
        List.of("check-freshness", "drill", "rollback-engineer", "execute-cutover"),
        fakes.calls.subList(check, check + 4));
  }

  /**
   * The cutover window lies 25 hours after the validation (time skipping jumps there): the report
   * is older than the default max_validation_age of 24 h, so Validation is re-run at the window's
   * time before the cutover executes.
   */
  @Test
  void aValidationReportOlderThanTheMaxAgeIsRemadeBeforeTheCutover() {
    String window =
        java.time.Instant.ofEpochMilli(env.currentTimeMillis())
            .plus(Duration.ofHours(25))
            .toString();
    MigrationWorkflow wf =
        start(
            spec(
                allAuto(),
                CutoverOptions.defaults()
                    .withWindow(CutoverWindow.at(window))
                    .withHypercare("PT0S")));
    MigrationOutcome out = result(wf);
    assertEquals(MigrationState.COMPLETED, out.state(), out.message());
    assertEquals(2, fakes.validatedAt.size(), "validated again before the cutover: " + fakes.calls);
    long age = fakes.validatedAt.get(1) - fakes.validatedAt.get(0);
    assertTrue(
        age >= Duration.ofHours(24).toMillis(), "re-validated at the window, " + age + " ms later");
    int check = fakes.calls.lastIndexOf("check-freshness");
    assertEquals(
        List.of(
            "check-freshness",
            "validator",
            "regression-tester",
            "drill",
            "rollback-engineer",
            "execute-cutover"),
        fakes.calls.subList(check, check + 6));
    MigrationStatus st = wf.status();
    assertTrue(
        st.stages().get(3).summary().startsWith("re-validated before cutover"),
        st.stages().get(3).summary());
  }

  @Test
  void aShorterMaxAgeOrAChangedLedgerAlsoTriggersTheReRun() {
    // the report is minutes old but the ledger changed since (e.g. a chunk was re-copied)
    fakes.ledgerUnchanged = false;
    MigrationWorkflow wf = start(spec(allAuto()));
    assertEquals(MigrationState.COMPLETED, result(wf).state());
    assertEquals(2, fakes.validatedAt.size(), fakes.calls.toString());
  }

  @Test
  void aFailingReValidationRefusesTheCutover() {
    fakes.revalidationVerdict = Verdict.FAIL;
    String window =
        java.time.Instant.ofEpochMilli(env.currentTimeMillis())
            .plus(Duration.ofHours(2))
            .toString();
    MigrationWorkflow wf =
        start(
            spec(
                allAuto(),
                CutoverOptions.defaults()
                    .withWindow(CutoverWindow.at(window))
                    .withMaxValidationAge("PT1H")
                    .withHypercare("PT0S")));
    MigrationOutcome out = result(wf);
    assertEquals(MigrationState.FAILED, out.state());
    assertTrue(out.message().startsWith("cutover refused"), out.message());
    assertFalse(fakes.calls.contains("execute-cutover"), "nothing frozen or switched");
    assertEquals(Verdict.FAIL, wf.status().stages().get(3).verdict());
    assertEquals("failed", wf.status().stages().get(4).state());
  }

  /**
   * A daily window that opens three hours after the run starts: the approved cutover waits on a
   * workflow timer (time skipping jumps it) and executes inside the window; the history is recorded
   * for the replay test ({@code cutover-window} version 1).
   */
  @Test
  void aDailyWindowHoldsTheApprovedCutoverUntilItOpens() throws Exception {
    java.time.Instant opens =
        java.time.Instant.ofEpochMilli(env.currentTimeMillis())
            .plus(Duration.ofHours(3))
            .truncatedTo(java.time.temporal.ChronoUnit.MINUTES);
    java.time.LocalTime from = opens.atZone(java.time.ZoneOffset.UTC).toLocalTime();
    CutoverWindow daily =
        new CutoverWindow(from.toString(), from.plusHours(1).toString(), "UTC", null);
    MigrationWorkflow wf =
        start(spec(allAuto(), CutoverOptions.defaults().withWindow(daily).withHypercare("PT0S")));
    MigrationOutcome out = result(wf);
    assertEquals(MigrationState.COMPLETED, out.state(), out.message());
    assertEquals(1, fakes.executedAt.size(), fakes.calls.toString());
    long at = fakes.executedAt.get(0);
    assertTrue(
        at >= opens.toEpochMilli() && at < opens.plus(Duration.ofHours(1)).toEpochMilli(),
        "executed inside the window: " + java.time.Instant.ofEpochMilli(at) + " vs " + opens);
    String dir = System.getProperty("studio.recordHistory");
    if (dir != null) {
      writeHistory(dir, "migration-workflow-history-window.json");
    }
  }

  /**
   * {@code cutover.drill: after_approval} (the default): the cutover gate's checker only plans the
   * drill; the drill runs after the approval, and a failed one blocks the execution until a review
   * of the drill's commit overrides it with a reason (an approval without one is refused). The
   * history is recorded for the replay test ({@code drill-after-approval} version 1).
   */
  @Test
  void aFailedDrillBlocksTheExecutionUntilAnOverrideWithAReason() throws Exception {
    fakes.drillVerdicts.add(Verdict.FAIL);
    MigrationWorkflow wf = start(spec(allAuto()));
    MigrationStatus blocked = awaitReview(wf, Stage.CUTOVER);
    int planned = fakes.calls.indexOf("plan-drill");
    int drilled = fakes.calls.indexOf("drill");
    assertTrue(planned >= 0 && drilled > planned, fakes.calls.toString());
    assertFalse(fakes.calls.contains("drill-rollback"), "no drill before the approval");
    assertTrue(
        blocked.reviews().stream()
            .anyMatch(r -> r.stage() == Stage.CUTOVER && r.decision() == Decision.APPROVE),
        "the cutover gate approved before the drill: " + blocked.reviews());
    assertFalse(fakes.calls.contains("execute-cutover"), "the failed drill blocks the execution");
    String drillCommit = blocked.reviewCommit();
    assertTrue(
        fakes.pullRequests.stream()
            .map(p -> p.stages().get(Stage.CUTOVER.ordinal()))
            .anyMatch(c -> c.verdict() == Verdict.FAIL && c.summary().startsWith("drill FAIL")),
        "PULL_REQUEST.md was written again with the drill's result before the review");
    assertEquals(
        "awaiting-review",
        blocked.stages().get(Stage.CUTOVER.ordinal()).state(),
        blocked.stages().toString());

    WorkflowUpdateException silent =
        assertThrows(
            WorkflowUpdateException.class,
            () ->
                wf.review(new Review(Stage.CUTOVER, Decision.APPROVE, "carol", " ", drillCommit)));
    assertTrue(rootMessage(silent).contains("needs a reason"), rootMessage(silent));
    assertFalse(fakes.calls.contains("execute-cutover"));

    wf.review(
        new Review(
            Stage.CUTOVER,
            Decision.APPROVE,
            "carol",
            "RTO missed by 2 s on a cold cache; accepted by the change board",
            drillCommit));
    MigrationOutcome out = result(wf);
    assertEquals(MigrationState.COMPLETED, out.state(), out.message());
    assertTrue(fakes.calls.contains("execute-cutover"));
    assertTrue(
        wf.status().reviews().stream()
            .anyMatch(
                r ->
                    r.accepted()
                        && drillCommit.equals(r.commit())
                        && CutoverDrill.OVERRIDE_NOTE.equals(r.note())
                        && r.comment().startsWith("RTO missed")),
        wf.status().reviews().toString());
    String dir = System.getProperty("studio.recordHistory");
    if (dir != null) {
      writeHistory(dir, "migration-workflow-history-drill.json");
    }
  }

  /**
   * {@code cutover.drill: separate_gate}: even a passing drill waits for the approval of the
   * execution on the drill's commit; REJECT there refuses the cutover without executing it.
   */
  @Test
  void aSeparateDrillGateWaitsForTheExecutionApprovalAndARejectRefuses() throws Exception {
    MigrationWorkflow wf =
        start(
            spec(
                allAuto(),
                CutoverOptions.defaults().withDrill(CutoverOptions.DRILL_SEPARATE_GATE)));
    String drillCommit = awaitReview(wf, Stage.CUTOVER).reviewCommit();
    assertTrue(fakes.calls.contains("drill"), fakes.calls.toString());
    assertFalse(fakes.calls.contains("execute-cutover"));
    wf.review(new Review(Stage.CUTOVER, Decision.REJECT, "carol", "not tonight", drillCommit));
    MigrationOutcome out = result(wf);
    assertEquals(MigrationState.FAILED, out.state(), out.message());
    assertTrue(out.message().startsWith("cutover refused: the review of the rollback drill"));
    assertFalse(fakes.calls.contains("execute-cutover"));
  }

  /**
   * A server killed while the review of a failed rollback drill waits (the cutover approved before
   * it): the drill's gate is on the branch ({@code gates/cutover.json}, recorded as it opened), and
   * the migration re-created from it waits for the same drill commit without drilling again; the
   * override still needs a reason, and the approval executes. Without version {@code
   * durable-drill-gate} the re-created migration drilled again and waited for a new commit, so a
   * review of the commit shown before the kill was refused.
   */
  @Test
  void aMigrationReCreatedAtTheDrillReviewWaitsForTheSameDrillCommit() throws Exception {
    fakes.drillVerdicts.add(Verdict.FAIL);
    MigrationSpec spec = spec(allAuto());
    MigrationWorkflow first = start(spec);
    String drillCommit = awaitReview(first, Stage.CUTOVER).reviewCommit();
    GateEvidence recorded = fakes.gates.get(fakes.gates.size() - 1);
    assertEquals(Stage.CUTOVER, recorded.stage());
    assertEquals(drillCommit, recorded.commit(), "the drill's review is on the branch");
    assertEquals(Verdict.FAIL, recorded.verdict());
    WorkflowStub.fromTyped(first).terminate("server killed");

    // the branch as ResumeScanner reads it: every stage to the cutover approved, the drill waiting
    fakes.approvedEarlier = approvedToTheCutover();
    fakes.awaitingEarlier = recorded;
    fakes.drillVerdicts.add(Verdict.PASS); // a drill run again would pass and execute at once
    long drills = fakes.calls.stream().filter("drill"::equals).count();
    MigrationWorkflow again = start(spec);
    MigrationStatus st = awaitReview(again, Stage.CUTOVER);
    assertEquals(drillCommit, st.reviewCommit(), "the same drill commit awaits review");
    assertEquals(drills, fakes.calls.stream().filter("drill"::equals).count(), "not drilled again");
    assertEquals(Verdict.FAIL, st.stages().get(Stage.CUTOVER.ordinal()).verdict());
    assertFalse(fakes.calls.contains("execute-cutover"), fakes.calls.toString());
    WorkflowUpdateException silent =
        assertThrows(
            WorkflowUpdateException.class,
            () ->
                again.review(
                    new Review(Stage.CUTOVER, Decision.APPROVE, "carol", "", drillCommit)));
    assertTrue(rootMessage(silent).contains("needs a reason"), rootMessage(silent));
    again.review(
        new Review(Stage.CUTOVER, Decision.APPROVE, "carol", "accepted by the board", drillCommit));
    MigrationOutcome out = result(again);
    assertEquals(MigrationState.COMPLETED, out.state(), out.message());
    assertTrue(fakes.calls.contains("execute-cutover"), fakes.calls.toString());
    String dir = System.getProperty("studio.recordHistory");
    if (dir != null) {
      writeHistory(dir, "migration-workflow-history-resumed-drill.json");
    }
  }

  /**
   * A server killed after the review of the rollback drill approved the execution and before the
   * execution ran ({@code separate_gate}): the branch holds the drill's gate and its approval
   * ({@code ResumeScanner} reports the gate marked approved), and the migration re-created from it
   * executes with that approval, without a second drill and without asking again. Without version
   * {@code resumed-drill-approval} it drilled again and waited for the approval of the new drill's
   * commit.
   */
  @Test
  void aMigrationReCreatedAfterItsDrillWasApprovedExecutesWithoutDrillingAgain() throws Exception {
    MigrationSpec spec =
        spec(
            allAuto(),
            CutoverOptions.defaults()
                .withDrill(CutoverOptions.DRILL_SEPARATE_GATE)
                .withHypercare("PT0S"));
    MigrationWorkflow first = start(spec);
    String drillCommit = awaitReview(first, Stage.CUTOVER).reviewCommit();
    GateEvidence recorded = fakes.gates.get(fakes.gates.size() - 1);
    assertEquals(drillCommit, recorded.commit(), "the drill's review is on the branch");
    WorkflowStub.fromTyped(first).terminate("server killed after the approval was committed");

    fakes.approvedEarlier = approvedToTheCutover();
    fakes.awaitingEarlier = recorded.markedApproved();
    long drills = fakes.calls.stream().filter("drill"::equals).count();
    MigrationWorkflow again = start(spec);
    MigrationStatus st =
        awaitStatus(
            again,
            s ->
                s.state() == MigrationState.COMPLETED
                    || s.state() == MigrationState.AWAITING_REVIEW);
    assertEquals(MigrationState.COMPLETED, st.state(), "not asked again: " + st);
    assertEquals(drills, fakes.calls.stream().filter("drill"::equals).count(), "not drilled again");
    assertEquals(1, fakes.executedAt.size(), fakes.calls.toString());
    assertTrue(
        st.artifacts().stream()
            .anyMatch(
                a -> a.path().equals("05-cutover/drill.json") && a.commit().equals(drillCommit)),
        "the drill before the kill is the evidence: " + st.artifacts());
    String dir = System.getProperty("studio.recordHistory");
    if (dir != null) {
      writeHistory(dir, "migration-workflow-history-resumed-drill-approved.json");
    }
  }

  /**
   * A server killed while the approved cutover waits for its window (the workflow is lost: here
   * terminated), the migration re-created from its branch (every stage approved there): it waits
   * for the same instant, on workflow time, and then executes.
   */
  @Test
  void aMigrationReCreatedWhileItsCutoverWaitsForTheWindowWaitsForTheSameInstant()
      throws Exception {
    java.time.Instant opens =
        java.time.Instant.ofEpochMilli(env.currentTimeMillis())
            .plus(Duration.ofHours(3))
            .truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    MigrationSpec spec =
        spec(
            allAuto(),
            CutoverOptions.defaults()
                .withWindow(CutoverWindow.at(opens.toString()))
                .withHypercare("PT0S"));
    MigrationWorkflow first = start(spec);
    String waiting =
        awaitStatus(first, s -> s.message().contains("waiting for the window")).message();
    assertTrue(waiting.contains("to open at " + opens), waiting);
    WorkflowStub.fromTyped(first).terminate("server killed");
    List<ApprovedStage> approved = new ArrayList<>();
    for (Stage s : Stage.values()) {
      approved.add(new ApprovedStage(s, fakes.newCommit(), List.of()));
    }
    fakes.approvedEarlier = approved;
    fakes.executedAt.clear();
    MigrationWorkflow again = start(spec);
    MigrationStatus st = awaitStatus(again, s -> s.message().contains("waiting for the window"));
    assertEquals(waiting, st.message(), "the same deadline");
    assertEquals("skipped", st.stages().get(3).state(), st.toString());
    MigrationOutcome out = result(again);
    assertEquals(MigrationState.COMPLETED, out.state(), out.message());
    assertEquals(1, fakes.executedAt.size(), fakes.calls.toString());
    assertTrue(fakes.executedAt.get(0) >= opens.toEpochMilli(), "executed once the window opened");
  }

  @Test
  void anApprovalAfterTheEndOfAOneShotWindowIsRefused() {
    java.time.Instant now = java.time.Instant.ofEpochMilli(env.currentTimeMillis());
    CutoverWindow ended =
        new CutoverWindow(
            now.minus(Duration.ofHours(2)).toString(),
            now.minus(Duration.ofHours(1)).toString(),
            null,
            null);
    MigrationWorkflow wf =
        start(spec(allAuto(), CutoverOptions.defaults().withWindow(ended).withHypercare("PT0S")));
    MigrationOutcome out = result(wf);
    assertEquals(MigrationState.FAILED, out.state());
    assertTrue(out.message().startsWith("cutover refused: the cutover window"), out.message());
    assertTrue(out.message().contains("ended at"), out.message());
    assertFalse(fakes.calls.contains("execute-cutover"), "nothing frozen or switched");
    assertEquals("failed", wf.status().stages().get(4).state());
  }

  private static ValidationOptions repair() {
    return new ValidationOptions(null, null, null, true);
  }

  @Test
  void withoutTheRepairFlagAFailedValidationIsNotRepaired() throws Exception {
    fakes.verdicts.put(Stage.VALIDATION, Verdict.FAIL);
    MigrationWorkflow wf = start(spec(allAuto()));
    MigrationStatus st = awaitReview(wf, Stage.VALIDATION);
    assertTrue(st.message().contains("escalated to ask"), st.message());
    assertFalse(fakes.calls.contains("plan-repair"), fakes.calls.toString());
    assertTrue(fakes.forcedChunks.isEmpty());
    assertEquals(1, fakes.validatedAt.size());
    wf.review(new Review(Stage.VALIDATION, Decision.REJECT, "alice", "", st.reviewCommit()));
    assertEquals(MigrationState.REJECTED, result(wf).state());
  }

  @Test
  void withTheRepairFlagTheDifferingChunksAreRecopiedAndRevalidated() throws Exception {
    fakes.verdicts.put(Stage.VALIDATION, Verdict.FAIL);
    fakes.revalidationVerdict = Verdict.PASS;
    MigrationWorkflow wf = start(spec(allAuto(), null, repair()));
    MigrationOutcome out = result(wf);
    assertEquals(MigrationState.COMPLETED, out.state(), out.message());
    // exactly the planned chunks, forced, with repair idempotency keys, then validated again
    assertEquals(
        fakes.plannedRepair,
        fakes.forcedChunks.stream()
            .map(r -> new RepairPlan.RepairChunk(r.sourceTable(), r.chunk()))
            .sorted(java.util.Comparator.comparing(RepairPlan.RepairChunk::sourceTable))
            .toList());
    assertTrue(
        fakes.forcedChunks.stream().allMatch(r -> r.idempotencyKey().endsWith("/repair")),
        fakes.forcedChunks.toString());
    assertEquals(2, fakes.validatedAt.size(), fakes.calls.toString());
    int plan = fakes.calls.indexOf("plan-repair");
    assertEquals(
        List.of("plan-repair", "validator", "regression-tester"),
        fakes.calls.subList(plan, plan + 3));
    MigrationStatus st = wf.status();
    assertEquals(Verdict.PASS, st.stages().get(3).verdict());
    assertTrue(
        st.stages().get(3).summary().startsWith("after re-copying 2 chunks"),
        st.stages().get(3).summary());
    assertTrue(st.artifacts().stream().anyMatch(a -> a.path().endsWith("repair-plan.json")));
    String dir = System.getProperty("studio.recordHistory");
    if (dir != null) { // the repair path's history for the replay test
      writeHistory(dir, "migration-workflow-history-repair.json");
    }
  }

  /** The branch as ResumeScanner reads it with every stage up to the cutover approved. */
  private List<ApprovedStage> approvedToTheCutover() {
    return java.util.Arrays.stream(Stage.values())
        .filter(s -> s != Stage.DECOMMISSION)
        .map(s -> new ApprovedStage(s, fakes.newCommit(), List.of()))
        .toList();
  }

  private void writeHistory(String dir, String file) throws java.io.IOException {
    var history = client.fetchHistory(TaskQueues.workflowId("wf-test"));
    java.nio.file.Files.writeString(java.nio.file.Path.of(dir, file), history.toJson(true));
  }

  @Test
  void anAskGateWaitsForApprovalOfTheRepairPlanItself() throws Exception {
    fakes.verdicts.put(Stage.VALIDATION, Verdict.FAIL);
    fakes.revalidationVerdict = Verdict.PASS;
    MigrationWorkflow wf =
        start(spec(allAuto().with(Stage.VALIDATION, GateMode.ASK), null, repair()));
    MigrationStatus proposed = awaitReview(wf, Stage.VALIDATION);
    assertEquals(fakes.repairPlanCommit, proposed.reviewCommit(), "the plan's commit is reviewed");
    assertTrue(proposed.message().contains("repair proposed"), proposed.message());
    assertTrue(fakes.forcedChunks.isEmpty(), "nothing re-copied before the approval");
    wf.review(
        new Review(
            Stage.VALIDATION, Decision.APPROVE, "alice", "re-copy", proposed.reviewCommit()));
    MigrationStatus gate =
        awaitStatus(
            wf,
            s ->
                s.state() == MigrationState.AWAITING_REVIEW
                    && s.stage() == Stage.VALIDATION
                    && !proposed.reviewCommit().equals(s.reviewCommit()));
    assertEquals(2, fakes.forcedChunks.size());
    assertEquals(Verdict.PASS, gate.stages().get(3).verdict());
    assertEquals(
        ReviewRecord.REPAIR_PLAN_NOTE,
        gate.reviews().get(gate.reviews().size() - 1).note(),
        "the repair decision is recorded as one, not as the stage's approval");
    wf.review(new Review(Stage.VALIDATION, Decision.APPROVE, "alice", "ok", gate.reviewCommit()));
    assertEquals(MigrationState.COMPLETED, result(wf).state());
  }

  @Test
  void aPlanNotConfinedToChunksIsNotAppliedAndTheFailGoesToTheGate() throws Exception {
    fakes.verdicts.put(Stage.VALIDATION, Verdict.FAIL);
    fakes.repairable = false;
    MigrationWorkflow wf = start(spec(allAuto(), null, repair()));
    MigrationStatus st = awaitReview(wf, Stage.VALIDATION);
    assertTrue(fakes.calls.contains("plan-repair"));
    assertTrue(fakes.forcedChunks.isEmpty());
    assertEquals(1, fakes.validatedAt.size());
    assertTrue(st.artifacts().stream().anyMatch(a -> a.path().endsWith("repair-plan.json")));
    assertFalse(
        fakes.repairPlanCommit.equals(st.reviewCommit()), "the FAIL is reviewed, not the plan");
    wf.review(new Review(Stage.VALIDATION, Decision.REJECT, "alice", "", st.reviewCommit()));
    assertEquals(MigrationState.REJECTED, result(wf).state());
  }

  // --- a failed per-table child ends the migration FAILED with its evidence ---

  /** Fails every attempt of the chunks of {@code table} with {@code type} (non-retryable). */
  private void failChunksOf(String table, String type, String message) {
    fakes.chunkHook =
        r -> {
          if (!r.sourceTable().equals(table)) {
            return null;
          }
          throw io.temporal.failure.ApplicationFailure.newFailure(message, type);
        };
  }

  private MigrationOutcome assertFailedInTable(
      MigrationWorkflow wf, String table, String reasonPart) {
    MigrationOutcome out = result(wf);
    assertEquals(MigrationState.FAILED, out.state(), out.message());
    assertTrue(out.message().contains("table " + table), out.message());
    assertTrue(out.message().contains(reasonPart), out.message());
    assertEquals(1, fakes.failedLoads.size(), "run.json of the failure committed once");
    assertEquals(table, fakes.failedLoads.get(0).sourceTable());
    assertTrue(
        fakes.failedLoads.get(0).reason().contains(reasonPart), fakes.failedLoads.toString());
    MigrationStatus st = wf.status();
    assertEquals(
        st.stages().get(1).commit(),
        fakes.failedLoads.get(0).mappingCommit(),
        "the approved mapping commit the copy followed");
    assertEquals(MigrationState.FAILED, st.state(), "the query agrees with the outcome");
    assertEquals(Stage.MIGRATE, st.stage());
    var migrate = st.stages().get(2);
    assertEquals("failed", migrate.state());
    assertEquals(Verdict.FAIL, migrate.verdict());
    assertTrue(migrate.summary().contains(reasonPart), migrate.summary());
    assertTrue(
        st.artifacts().stream().anyMatch(a -> a.path().equals("03-migrate/run.json")),
        st.artifacts().toString());
    assertFalse(fakes.calls.contains("migration-engineer"), "nothing is finished or built");
    assertFalse(fakes.calls.contains("validator"), "the migration ends in Migrate");
    return out;
  }

  @Test
  void aChunkOverTheRejectLimitEndsTheMigrationFailedWithRunJson() throws Exception {
    failChunksOf(
        "track",
        "REJECT_LIMIT_EXCEEDED",
        "table track chunk 1: more than 0 rejected rows (first reason: column x ...)");
    MigrationWorkflow wf = start(spec(allAuto()));
    assertFailedInTable(wf, "track", "REJECT_LIMIT_EXCEEDED");
    String dir = System.getProperty("studio.recordHistory");
    if (dir != null) { // the failed child's path for the replay test
      writeHistory(dir, "migration-workflow-history-child-failure.json");
    }
  }

  @Test
  void aNonRetryableChunkErrorEndsTheMigrationFailed() throws Exception {
    failChunksOf("album", "PERMANENT_SQL", "table album chunk 0: value too long (SQLState 22001)");
    MigrationWorkflow wf = start(spec(allAuto()));
    assertFailedInTable(wf, "album", "PERMANENT_SQL");
  }

  /**
   * Blocks the chunks of {@code table} (heartbeating, so only what the test does ends them) until
   * the returned latch is released; {@code entered} counts down when the first one runs.
   */
  private CountDownLatch blockChunksOf(String table, CountDownLatch entered) {
    CountDownLatch release = new CountDownLatch(1);
    fakes.chunkHook =
        r -> {
          if (!r.sourceTable().equals(table)) {
            return null;
          }
          entered.countDown();
          try {
            while (!release.await(50, java.util.concurrent.TimeUnit.MILLISECONDS)) {
              io.temporal.activity.Activity.getExecutionContext().heartbeat("copying");
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          throw new IllegalStateException("released");
        };
    return release;
  }

  @Test
  void aCancelledTableCopyEndsTheMigrationFailed() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = blockChunksOf("track", entered);
    try {
      MigrationWorkflow wf = start(spec(allAuto()));
      assertTrue(entered.await(30, java.util.concurrent.TimeUnit.SECONDS));
      client.newUntypedWorkflowStub(TaskQueues.workflowId("wf-test") + "/copy/1").cancel();
      assertFailedInTable(wf, "track", "CANCELLED");
    } finally {
      release.countDown();
    }
  }

  /**
   * A start repeated with its token (a client retrying a call that timed out after the server had
   * started the workflow) is the same start; another start of the running migration is refused.
   */
  @Test
  void aRepeatedStartWithItsTokenIsTheSameStart() throws Exception {
    for (var key : // as the studio's embedded server has them
        List.of(
            MigrationSearchAttributes.MIGRATION_ID,
            MigrationSearchAttributes.MIGRATION_STAGE,
            MigrationSearchAttributes.MIGRATION_STATE)) {
      env.registerSearchAttribute(
          key.getName(), io.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    }
    OperatorService operator = new OperatorService(client, null);
    MigrationSpec s = spec(allAuto().with(Stage.MAPPING, GateMode.ASK));
    OperatorService.Started first = operator.start(s, null, "token-1");
    OperatorService.Started again = operator.start(s, null, "token-1");
    assertEquals(first.workflowId(), again.workflowId());
    MigrationException refused =
        assertThrows(MigrationException.class, () -> operator.start(s, null, "token-2"));
    assertTrue(refused.getMessage().contains("is already running"), refused.getMessage());
    MigrationWorkflow wf = client.newWorkflowStub(MigrationWorkflow.class, first.workflowId());
    awaitReview(wf, Stage.MAPPING);
  }

  @Test
  void aMigrationWhoseExecutionWasTerminatedReportsFailedNotRunning() throws Exception {
    MigrationWorkflow wf = start(spec(allAuto().with(Stage.MAPPING, GateMode.ASK)));
    awaitReview(wf, Stage.MAPPING);
    OperatorService operator = new OperatorService(client, null);
    assertEquals(MigrationState.AWAITING_REVIEW, operator.status("wf-test").state());
    WorkflowStub.fromTyped(wf).terminate("operator stopped it");
    MigrationStatus st = operator.status("wf-test");
    assertEquals(MigrationState.FAILED, st.state(), st.message());
    assertTrue(st.message().contains("ended terminated"), st.message());
  }

  /**
   * The reasons of the child failures a test environment cannot produce on demand (a child or chunk
   * timeout; a terminated child, which the in-process server does not report to the parent): the
   * same handler as above, named by what ended the child.
   */
  @Test
  void aTimedOutOrTerminatedTableCopyIsNamedAsSuch() {
    var execution =
        io.temporal.api.common.v1.WorkflowExecution.newBuilder()
            .setWorkflowId("migration-wf-test/copy/1")
            .build();
    java.util.function.Function<Throwable, io.temporal.failure.ChildWorkflowFailure> child =
        cause ->
            new io.temporal.failure.ChildWorkflowFailure(
                1,
                2,
                "TableCopyWorkflow",
                execution,
                "default",
                io.temporal.api.enums.v1.RetryState.RETRY_STATE_NON_RETRYABLE_FAILURE,
                cause);
    var heartbeat =
        new io.temporal.failure.TimeoutFailure(
            "activity Heartbeat timeout",
            null,
            io.temporal.api.enums.v1.TimeoutType.TIMEOUT_TYPE_HEARTBEAT);
    var chunk =
        new io.temporal.failure.ActivityFailure(
            "chunk failed",
            3,
            4,
            "Migrate_CopyChunk",
            "a1",
            io.temporal.api.enums.v1.RetryState.RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED,
            "worker",
            heartbeat);
    assertEquals(
        "TIMED_OUT: a chunk of the table timed out (TIMEOUT_TYPE_HEARTBEAT)",
        MigrateStage.childFailureReason(child.apply(chunk)));
    assertEquals(
        "TIMED_OUT: the table copy timed out (TIMEOUT_TYPE_START_TO_CLOSE)",
        MigrateStage.childFailureReason(
            child.apply(
                new io.temporal.failure.TimeoutFailure(
                    "run timeout",
                    null,
                    io.temporal.api.enums.v1.TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE))));
    assertEquals(
        "TERMINATED: the table copy was terminated",
        MigrateStage.childFailureReason(
            child.apply(new io.temporal.failure.TerminatedFailure("stopped", null))));
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage();
  }
}
