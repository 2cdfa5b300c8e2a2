package io.migrationstudio.workflow.deterministic;

import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.WorkflowReplayer;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Replays recorded histories (full runs with an ask gate approved) against the current code: a
 * change to the workflow's logic that is not behind {@code Workflow.getVersion} fails here.
 */
class MigrationWorkflowReplayTest {
  @ParameterizedTest
  @ValueSource(
      strings = {
        "migration-workflow-history.json", // before the per-table children: chunks copied inline
        "migration-workflow-history-v1.json", // table-copy-children version 1
        "migration-workflow-history-v2.json", // + validation-freshness version 1 before the cutover
        "migration-workflow-history-repair.json", // + validation-repair version 1 (FAIL, repaired)
        // + table-copy-failure version 1: a chunk over reject_limit fails its table's child,
        // the migration commits run.json and ends FAILED
        "migration-workflow-history-child-failure.json",
        // + online-stream version 1: capture before the chunks, stream child after the load,
        // Migrate's checker waits for the catch-up, the end drops the capture
        "migration-workflow-history-online.json",
        // + durable-gate version 1: the waiting Mapping gate is committed (gates/mapping.json)
        "migration-workflow-history-gate.json",
        // + run-control version 1: cancelled at the Mapping gate, cancel.json committed
        "migration-workflow-history-cancel.json",
        // + cutover-window version 1: a daily window, the approved cutover waits for it to open
        "migration-workflow-history-window.json",
        // + live-cutover version 1: an online migration's stream is stopped before the cutover,
        // which drains the capture itself to its end marker
        "migration-workflow-history-online-cutover.json",
        // + signed-review version 1: forged reviews refused by Evidence_VerifyReview, then a
        // signed approval (reviews.identity: ssh)
        "migration-workflow-history-signed.json",
        // + batched-chunk-progress version 1 (in the children): their progress comes as
        // ChunksCopied batches
        "migration-workflow-history-batched.json",
        // + search-attributes version 1: started with MigrationId/Stage/State, stage and state
        // upserted as they change (Mapping gate approved)
        "migration-workflow-history-search.json",
        // + hypercare version 1: after the switch, three daily hypercare notes (P2D, time
        // skipped), the decommission plan, its ask gate approved, the decommission
        // (HypercareWorkflowIT)
        "migration-workflow-history-hypercare.json",
        // + reverse-replication version 1: an online PostgreSQL migration's cutover pins
        // cutover.rollback reverse, the reverse stream child runs after the switch, a failed
        // rollback lets it go on, the second rollback completes the migration
        "migration-workflow-history-reverse.json",
        // + drill-after-approval version 1: the cutover gate's checker plans the drill, the drill
        // runs after the approval, FAILs, and the execution waits for an override with a reason
        "migration-workflow-history-drill.json",
        // + resumed-revision version 1: re-created from a branch whose Mapping gate had changes
        // requested, it waits for a revised commit, checks it and asks again
        "migration-workflow-history-resumed-revision.json",
        // + resume-stream version 1: re-created online with Migrate approved, the stream starts
        // again on the same capture until the cutover stops it
        "migration-workflow-history-resumed-stream.json",
        // + no-stream-after-switch version 1: re-created online in its hypercare, no capture and
        // no stream after the switch; the hypercare goes on and the decommission runs
        "migration-workflow-history-hypercare-online.json",
        // + reverse-after-recovery version 1: re-created online (rollback reverse) in its
        // hypercare, the reverse stream runs again while the decommission gate waits
        "migration-workflow-history-hypercare-reverse.json",
        // + decommission-gate-after-recovery version 1: re-created while its decommission gate
        // waited, the gate waits for the same plan commit (no plan made again) and is approved
        "migration-workflow-history-decommission-gate.json",
        // + pause-streams version 1: an online migration paused and resumed while its Validation
        // gate waits; the pause and the resume are signalled to the stream child
        "migration-workflow-history-pause.json",
        // + durable-drill-gate version 1: re-created while the review of a failed rollback drill
        // waited (gates/cutover.json), it waits for the same drill commit without drilling again;
        // the override with a reason executes
        "migration-workflow-history-resumed-drill.json",
        // + resumed-drill-approval version 1: re-created after the review of a passing drill
        // (separate_gate) approved the execution, it executes without drilling or asking again
        "migration-workflow-history-resumed-drill-approved.json",
        // + child-search-attributes version 1: started with MigrationId/Stage/State, its per-table
        // copy children start with MigrationId and MigrationStage (Mapping gate approved)
        "migration-workflow-history-child-search.json"
      })
  void recordedHistoryReplaysWithoutNonDeterminism(String file) throws Exception {
    String json;
    try (InputStream in = getClass().getResourceAsStream("/histories/" + file)) {
      json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    WorkflowExecutionHistory history =
        // the recorded workflow id: child workflow ids derive from it
        WorkflowExecutionHistory.fromJson(json, "migration-wf-test");
    org.junit.jupiter.api.Assertions.assertTrue(
        history.getEvents().size() > 50, "a full run was recorded in " + file);
    // a non-deterministic change throws here
    org.junit.jupiter.api.Assertions.assertDoesNotThrow(
        () ->
            replay(
                history,
                MigrationWorkflowImpl.class,
                TableCopyWorkflowImpl.class,
                ChangeStreamWorkflowImpl.class,
                ReverseStreamWorkflowImpl.class));
  }

  /**
   * Recorded histories of the stream children's own slice loops (before {@link StreamSliceLoop} was
   * shared by both), replayed against the current workflows: the forward stream of an online
   * migration, and the reverse stream after its switch (restarted after a failed rollback, then
   * stopped for the next one). Recorded by MigrationWorkflowTest with
   * -Dstudio.recordStreamHistory=DIR.
   */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "change-stream-history.json",
        "reverse-stream-history.json",
        // stream-pause version 1: a long slice cancelled by the pause, measures while paused,
        // slices again after the resume
        "change-stream-history-pause.json",
        // stream-pause version 1, no pause: the migration's cancel cancels the stream child, whose
        // running (long) slice is cancelled at its heartbeat and waited for
        "change-stream-history-cancel.json",
        // stream-continue-carries-state version 1: paused during the run's last slice, the run
        // continues as new carrying the pause (StreamContinueAsNewTest)
        "change-stream-history-continue-paused.json"
      })
  void recordedStreamHistoryReplaysWithoutNonDeterminism(String file) throws Exception {
    String json;
    try (InputStream in = getClass().getResourceAsStream("/histories/" + file)) {
      json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    boolean reverse = file.startsWith("reverse");
    WorkflowExecutionHistory history =
        WorkflowExecutionHistory.fromJson(
            json, "migration-wf-test/" + (reverse ? "reverse" : "stream"));
    org.junit.jupiter.api.Assertions.assertTrue(
        json.contains(reverse ? "Reverse_ApplyReverseSlice" : "Stream_ApplySlice"),
        "slices were recorded in " + file);
    org.junit.jupiter.api.Assertions.assertTrue(
        json.contains("SignalExternalWorkflowExecution")
            || json.contains("SIGNAL_EXTERNAL_WORKFLOW_EXECUTION"),
        "a progress report was recorded in " + file);
    org.junit.jupiter.api.Assertions.assertEquals(
        file.endsWith("-pause.json"),
        json.contains("Stream_MeasureStream"),
        "the paused stream was measured in " + file);
    org.junit.jupiter.api.Assertions.assertDoesNotThrow(
        () -> replay(history, ChangeStreamWorkflowImpl.class, ReverseStreamWorkflowImpl.class));
  }

  /** Recorded histories of one table's child workflow, replayed against the current child. */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "table-copy-history.json", // before table-indexes-after-copy: chunks only
        "table-copy-history-v1.json", // table-indexes-after-copy version 1: then the indexes
        "table-copy-history-v2.json", // + batched-chunk-progress version 1: batched signals
        // + chunk-batches-per-activity version 1: 40 chunks in 8 copyChunks batches of 5
        "table-copy-history-v3.json",
        // + pause-between-chunks version 1: 40 chunks in batches of 5, the two running batches
        // stopped by a pause after their first chunk, their rest (4 chunks each) after the resume
        "table-copy-history-v4.json"
      })
  void recordedChildHistoryReplaysWithoutNonDeterminism(String file) throws Exception {
    String json;
    try (InputStream in = getClass().getResourceAsStream("/histories/" + file)) {
      json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    WorkflowExecutionHistory history =
        WorkflowExecutionHistory.fromJson(json, "migration-wf-test/copy/0");
    org.junit.jupiter.api.Assertions.assertTrue(
        history.getEvents().size() > 10, "a table copy was recorded in " + file);
    org.junit.jupiter.api.Assertions.assertEquals(
        !file.equals("table-copy-history.json"),
        json.contains("Migrate_BuildTableIndexes"),
        "the index build is in the versioned histories only");
    org.junit.jupiter.api.Assertions.assertEquals(
        file.endsWith("-v2.json") || file.endsWith("-v3.json") || file.endsWith("-v4.json"),
        json.contains(
            java.util.Base64.getEncoder()
                .encodeToString("\"batched-chunk-progress\"".getBytes(StandardCharsets.UTF_8))),
        "batched progress is in the v2, v3 and v4 histories only");
    org.junit.jupiter.api.Assertions.assertEquals(
        file.endsWith("-v3.json") || file.endsWith("-v4.json"),
        json.contains("\"name\": \"Migrate_CopyChunks\""),
        "chunk batches are in the v3 and v4 histories only");
    org.junit.jupiter.api.Assertions.assertEquals(
        file.endsWith("-v4.json"),
        json.contains(
            java.util.Base64.getEncoder()
                .withoutPadding() // the padding is escaped in the file
                .encodeToString("\"pause-between-chunks\"".getBytes(StandardCharsets.UTF_8))),
        "batches that stop for a pause are in the v4 history only");
    if (file.endsWith("-v4.json")) {
      org.junit.jupiter.api.Assertions.assertEquals(
          10, occurrences(json, "\"name\": \"Migrate_CopyChunks\""), "batches in " + file);
    }
    if (file.endsWith("-v3.json")) {
      org.junit.jupiter.api.Assertions.assertEquals(
          8, occurrences(json, "\"name\": \"Migrate_CopyChunks\""), "batches in " + file);
      org.junit.jupiter.api.Assertions.assertEquals(
          0, occurrences(json, "\"name\": \"Migrate_CopyChunk\""), "single chunks in " + file);
    }
    if (file.endsWith("-v2.json")) {
      // three chunks, two signals: the first at once, the others together at the table's end
      org.junit.jupiter.api.Assertions.assertEquals(
          3, occurrences(json, "\"name\": \"Migrate_CopyChunk\""), "chunks in " + file);
      org.junit.jupiter.api.Assertions.assertEquals(
          2,
          occurrences(json, "EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED"),
          "progress signals in " + file);
    }
    org.junit.jupiter.api.Assertions.assertDoesNotThrow(
        () -> replay(history, TableCopyWorkflowImpl.class));
  }

  private static int occurrences(String text, String what) {
    int n = 0;
    for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + what.length())) {
      n++;
    }
    return n;
  }

  /**
   * Replays with a generous deadlock detection: the first workflow task of a fresh JVM loads
   * classes, and on a loaded machine it took over the default 1 s (PotentialDeadlockException from
   * the replayer, not a non-determinism).
   */
  static void replay(WorkflowExecutionHistory history, Class<?>... types) throws Exception {
    try (io.temporal.testing.TestWorkflowEnvironment env =
        io.temporal.testing.TestWorkflowEnvironment.newInstance()) {
      io.temporal.worker.Worker worker =
          env.newWorker(
              "replay",
              io.temporal.worker.WorkerOptions.newBuilder()
                  .setDefaultDeadlockDetectionTimeout(60_000)
                  .build());
      worker.registerWorkflowImplementationTypes(types);
      WorkflowReplayer.replayWorkflowExecution(history, worker);
    }
  }
}
