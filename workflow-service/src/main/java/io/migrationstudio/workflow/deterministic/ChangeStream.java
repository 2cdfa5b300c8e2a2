package io.migrationstudio.workflow.deterministic;

import static io.migrationstudio.workflow.deterministic.Messages.rootMessage;

import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.TaskQueues;
import io.migrationstudio.contracts.activity.CaptureDrop;
import io.migrationstudio.contracts.activity.CaptureStarted;
import io.migrationstudio.contracts.activity.StageRequest;
import io.migrationstudio.contracts.activity.StageResult;
import io.migrationstudio.contracts.activity.StreamActivities;
import io.migrationstudio.contracts.activity.StreamEvidence;
import io.migrationstudio.contracts.workflow.ChangeStreamWorkflow;
import io.migrationstudio.contracts.workflow.CopyControl;
import io.migrationstudio.contracts.workflow.MigrationState;
import io.migrationstudio.contracts.workflow.StreamProgress;
import io.migrationstudio.contracts.workflow.StreamRequest;
import io.migrationstudio.contracts.workflow.Verdict;
import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import org.slf4j.Logger;

/**
 * The change stream of an online migration ({@code migrate.strategy: online}), owned by the
 * migration: the capture is created before the first chunk is read ({@link #prepare}), the stream
 * workflow ({@code <migration workflow id>/stream}, a child) starts once the load is finished
 * ({@link #follow}) and applies the source's log until the migration ends ({@link #end}: stop, then
 * drop the slot and publication, whatever the outcome, so no orphan slot fills the source's disk).
 * The Migrate checker waits until the stream has caught up below {@code migrate.max_lag} ({@link
 * #awaitCaughtUp}) and commits {@code 03-migrate/cdc.json}.
 *
 * <p>Deterministic workflow code. Only online specs reach it, and those did not exist before
 * version {@link #ONLINE} of change {@value #ONLINE_CHANGE}.
 */
final class ChangeStream {
  private static final Logger log = Workflow.getLogger(ChangeStream.class);

  static final String ONLINE_CHANGE = "online-stream";

  static final int ONLINE = 1;

  static final String STRATEGY_ONLINE = "online";

  /** How long the Migrate checker waits for the first catch-up before it reports FAIL. */
  static final Duration CATCH_UP_WAIT = Duration.ofHours(6);

  /** How long the end of a migration waits for the stream to stop before dropping the capture. */
  private static final Duration STOP_WAIT = Duration.ofMinutes(2);

  private final StreamActivities stream =
      Workflow.newActivityStub(
          StreamActivities.class, ActivityOptionsCatalog.stage(TaskQueues.MIGRATE));
  private final StreamActivities drops =
      Workflow.newActivityStub(StreamActivities.class, ActivityOptionsCatalog.captureDrop());
  private final RunContext run;
  private final StatusLine status;
  private Boolean online;
  private CaptureStarted capture;
  private String childId;
  private Promise<StreamProgress> child;
  private StreamProgress latest;
  private boolean paused;

  /**
   * Change id of the pause of the streams (version 1): {@code studio pause} pauses the running
   * stream workflows too (the forward stream here, the reverse one in {@link ReverseReplication}),
   * {@code studio resume} lets them go on; a stream started while paused starts paused. Before it a
   * pause held the copy only and the stream went on applying.
   */
  static final String PAUSE_CHANGE = "pause-streams";

  static final int PAUSE = 1;

  ChangeStream(RunContext run, StatusLine status) {
    this.run = run;
    this.status = status;
  }

  /** Whether the spec asks for an online migration (versioned the first time it is asked). */
  boolean online() {
    if (online == null) {
      online =
          STRATEGY_ONLINE.equals(run.spec().migrate().strategy())
              && Workflow.getVersion(ONLINE_CHANGE, Workflow.DEFAULT_VERSION, ONLINE) == ONLINE;
    }
    return online;
  }

  /** Creates the capture before any chunk is read. */
  void prepare(StageRequest r) {
    if (!online() || capture != null) {
      return;
    }
    status.say("migrate: creating the change capture before the first chunk is read");
    capture = stream.prepareCapture(r);
  }

  /**
   * Change id of the resumed stream (version 1): an online migration re-created with its Migrate
   * stage approved in an earlier run (a server restart on the embedded Temporal) starts its stream
   * again, on the same capture, from the position the target stores. Before it the stream stayed
   * down and the source's changes waited in the slot until the cutover drained them.
   */
  static final String RESUME_CHANGE = "resume-stream";

  static final int RESUME = 1;

  /**
   * Change id of no stream after the switch (version 1): a migration re-created in its hypercare
   * (the cutover executed and dropped the forward capture at the switch) starts no stream: before
   * it the stream started again on a new capture, holding a slot on the frozen source and applying
   * the old primary's changes to the new one until the migration ended.
   */
  static final String NOT_AFTER_SWITCH_CHANGE = "no-stream-after-switch";

  static final int NOT_AFTER_SWITCH = 1;

  /**
   * Stage {@code skipped} was approved in an earlier run; when it is Migrate and the migration is
   * online, keeps the capture (same slot and publication) and starts the stream workflow again;
   * {@code r} names the approved mapping's commit. Not when {@code open} shows the cutover executed
   * (its hypercare began). The versions are asked first, so histories from before replay without
   * them.
   */
  void resumeAfter(
      io.migrationstudio.contracts.Stage skipped,
      StageRequest r,
      io.migrationstudio.contracts.activity.OpenResult open) {
    if (skipped != io.migrationstudio.contracts.Stage.MIGRATE
        || Workflow.getVersion(RESUME_CHANGE, Workflow.DEFAULT_VERSION, RESUME) < RESUME
        || !online()) {
      return;
    }
    if (open.hypercareStartedAtMillis() != null
        && Workflow.getVersion(NOT_AFTER_SWITCH_CHANGE, Workflow.DEFAULT_VERSION, NOT_AFTER_SWITCH)
            >= NOT_AFTER_SWITCH) {
      log.info("{}: the cutover executed before; no stream after the switch", run.migrationId());
      return;
    }
    prepare(r);
    follow(r);
  }

  /** Starts the stream workflow from the capture's start, through the mapping of {@code r}. */
  void follow(StageRequest r) {
    if (!online() || capture == null || child != null) {
      return;
    }
    String parentId = Workflow.getInfo().getWorkflowId();
    childId = parentId + "/stream";
    ChangeStreamWorkflow stub =
        Workflow.newChildWorkflowStub(
            ChangeStreamWorkflow.class,
            MigrationSearchAttributes.forChild(
                    ChildWorkflowOptions.newBuilder()
                        .setWorkflowId(childId)
                        .setTaskQueue(TaskQueues.WORKFLOW)
                        // the migration drops the capture at its end; a lost parent stops the
                        // stream
                        .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_REQUEST_CANCEL),
                    run.migrationId(),
                    Stage.MIGRATE)
                .build());
    StreamRequest request =
        new StreamRequest(
            run.migrationId(),
            run.spec(),
            run.branch(),
            r.commit(),
            capture.capture(),
            capture.position(),
            parentId,
            null,
            null);
    child = Async.function(stub::run, request);
    Workflow.getWorkflowExecution(stub).get(); // started: its failures reach the promise
    status.say("migrate: change stream " + capture.capture() + " started");
    if (paused) {
      tell();
    }
  }

  /**
   * Pauses ({@code studio pause}) or resumes the stream: the running stream workflow is told, a
   * stream started later starts paused.
   */
  void control(boolean pause) {
    paused = pause;
    tell();
  }

  /** Whether a stream workflow runs (for the status). */
  boolean running() {
    return child != null && !child.isCompleted();
  }

  private void tell() {
    if (!running() || !tellsPause()) {
      return;
    }
    ChangeStreamWorkflow s = Workflow.newExternalWorkflowStub(ChangeStreamWorkflow.class, childId);
    Async.procedure(s::control, new CopyControl(paused, null));
  }

  /** Whether this migration tells its streams of a pause (version {@link #PAUSE} on). */
  static boolean tellsPause() {
    return Workflow.getVersion(PAUSE_CHANGE, Workflow.DEFAULT_VERSION, PAUSE) >= PAUSE;
  }

  /** The stream workflow's report (a signal). */
  void progressed(StreamProgress p) {
    latest = p;
  }

  StreamProgress latest() {
    return latest;
  }

  /**
   * The Migrate checker's half for an online migration: waits until the stream caught up below max
   * lag (or stopped, or {@link #CATCH_UP_WAIT} passed) and commits {@code cdc.json}; {@code
   * integration} is the integration check's result, returned as it is when it did not pass.
   */
  StageResult check(StageRequest r, StageResult integration) {
    if (!online() || capture == null || integration.verdict() != Verdict.PASS) {
      return integration;
    }
    status.say("migrate: waiting for the change stream to catch up");
    Workflow.await(
        CATCH_UP_WAIT,
        () ->
            (latest != null && (latest.caughtUp() || latest.stopped() != null))
                || (child != null && child.isCompleted()));
    StreamProgress p = latest;
    if (p == null) {
      p =
          new StreamProgress(
              capture.capture(),
              capture.position(),
              null,
              -1,
              -1,
              0,
              0,
              0,
              null,
              false,
              Workflow.currentTimeMillis(),
              child != null && child.isCompleted() ? "the stream ended before reporting" : null,
              null,
              null);
    }
    return stream.recordStream(
        new StreamEvidence(
            run.migrationId(), run.spec(), run.branch(), p, r.stageStartedAtMillis()));
  }

  /**
   * Stops the stream workflow and waits for it to end, keeping the capture: the cutover then drains
   * the capture itself up to its end marker (one applier at a time; the slot serves one reader).
   * Returns why it could not, or null when the stream is stopped (or was never started).
   */
  String pause(String reason) {
    if (!online() || child == null || child.isCompleted()) {
      return null;
    }
    status.say("cutover: stopping the change stream; the cutover drains it to its end marker");
    Workflow.newExternalWorkflowStub(ChangeStreamWorkflow.class, childId).stop(reason);
    if (!Workflow.await(STOP_WAIT, child::isCompleted)) {
      return "the change stream " + childId + " did not stop within " + STOP_WAIT;
    }
    try {
      child.get();
    } catch (ChildWorkflowFailure e) {
      log.warn("stream {} ended with a failure: {}", childId, rootMessage(e));
    }
    return null;
  }

  /** {@link #end(String)} of {@code stream} (null before the migration opened) as it ends. */
  static void end(ChangeStream stream, MigrationState end, String why) {
    if (stream != null) {
      stream.end(end.name().toLowerCase(java.util.Locale.ROOT) + ": " + why);
    }
  }

  /** Stops the stream and drops the capture; the migration ends with {@code reason}. */
  void end(String reason) {
    if (capture == null) {
      return;
    }
    if (child != null && !child.isCompleted()) {
      try {
        Workflow.newExternalWorkflowStub(ChangeStreamWorkflow.class, childId).stop(reason);
        Workflow.await(STOP_WAIT, child::isCompleted);
      } catch (RuntimeException e) {
        log.warn("could not stop stream {}: {}", childId, rootMessage(e));
      }
    }
    if (child != null && child.isCompleted()) {
      try {
        child.get();
      } catch (ChildWorkflowFailure e) {
        log.warn("stream {} ended with a failure: {}", childId, rootMessage(e));
      }
    }
    try {
      drops.dropCapture(new CaptureDrop(run.migrationId(), run.spec(), capture.capture(), reason));
    } catch (ActivityFailure e) {
      log.warn("could not drop capture {}: {}", capture.capture(), rootMessage(e));
      status.say(
          "the change capture "
              + capture.capture()
              + " could not be dropped: drop its slot and publication by hand ("
              + rootMessage(e)
              + ")");
    }
    capture = null;
  }
}
