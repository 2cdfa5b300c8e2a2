package io.migrationstudio.workflow.deterministic;

import static io.migrationstudio.workflow.deterministic.Messages.rootMessage;
import static io.migrationstudio.workflow.deterministic.Messages.shortId;

import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.TaskQueues;
import io.migrationstudio.contracts.activity.CaptureDrop;
import io.migrationstudio.contracts.activity.ReverseActivities;
import io.migrationstudio.contracts.activity.RollbackRequest;
import io.migrationstudio.contracts.activity.StageResult;
import io.migrationstudio.contracts.spec.CutoverOptions;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.workflow.ControlRecord;
import io.migrationstudio.contracts.workflow.ControlRequest;
import io.migrationstudio.contracts.workflow.CopyControl;
import io.migrationstudio.contracts.workflow.MigrationState;
import io.migrationstudio.contracts.workflow.ReverseStreamWorkflow;
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
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;

/**
 * Reverse replication and rollback of a switched migration ({@code cutover.rollback: reverse}), in
 * the migration workflow (version {@link #REVERSE} of change {@value #CHANGE}):
 *
 * <ol>
 *   <li>{@link #pin} before the cutover: the cutover executes with {@code cutover.rollback} pinned
 *       ({@code reverse} from this version on, {@code none} for histories before it), so it
 *       prepares the reverse capture on the target right before its switch;
 *   <li>{@link #afterSwitch}: the reverse-stream workflow ({@code <migration workflow id>/reverse},
 *       a child) applies the target's writes to the source in slices, its progress in the status
 *       ({@link #latest}, {@code lagBytes}: target WAL not yet on the source); the migration holds
 *       until a {@code rollback} control ({@code studio rollback ID}, {@code rpc Control}) stops
 *       the stream and runs the rollback activity (drain to an end marker under the target's
 *       freeze, source sequences, counts, unfreeze the source; {@code
 *       05-cutover/rollback-log.{json,md}} committed). A failed rollback leaves the target
 *       writable: the stream starts again and the migration holds on;
 *   <li>{@link #end} as the migration ends (cancel, failure): the stream stops and its capture is
 *       dropped.
 * </ol>
 *
 * Deterministic workflow code; the version is asked only for a spec that wants a reverse stream.
 */
final class ReverseReplication {
  private static final Logger log = Workflow.getLogger(ReverseReplication.class);

  static final String CHANGE = "reverse-replication";

  static final int REVERSE = 1;

  /** How long a rollback or the end waits for the reverse stream to stop after its slice. */
  private static final Duration STOP_WAIT = Duration.ofMinutes(2);

  private final ReverseActivities rollbacks =
      Workflow.newActivityStub(ReverseActivities.class, ActivityOptionsCatalog.rollback());
  private final ReverseActivities drops =
      Workflow.newActivityStub(ReverseActivities.class, ActivityOptionsCatalog.reverseDrop());
  private final RunContext run;
  private final StatusLine status;
  private final StageBoard board;
  private MigrationSpec pinned;
  private boolean active;
  private String mappingCommit;
  private String childId;
  private Promise<StreamProgress> child;
  private StreamProgress latest;
  private boolean paused;
  private boolean holding;
  private ControlRecord asked;
  private boolean captureGone;
  private String lastFailure;

  /** Why a rollback is no longer taken (the hypercare ended); null while it is. */
  private String rollbackClosed;

  /** Registers itself with {@code controls}, which pass it the {@code rollback} control. */
  ReverseReplication(RunContext run, StatusLine status, StageBoard board, RunControl controls) {
    this.run = run;
    this.status = status;
    this.board = board;
    controls.afterSwitch(this);
  }

  /** The spec the cutover executes with: {@code cutover.rollback} pinned by the version. */
  MigrationSpec pin(MigrationSpec spec) {
    if (!spec.reverseReplication()) {
      pinned = spec;
      return spec;
    }
    active = Workflow.getVersion(CHANGE, Workflow.DEFAULT_VERSION, REVERSE) >= REVERSE;
    pinned =
        spec.withCutover(
            spec.cutover()
                .withRollback(
                    active ? CutoverOptions.ROLLBACK_REVERSE : CutoverOptions.ROLLBACK_NONE));
    return pinned;
  }

  /**
   * Change id of the reverse stream of a migration re-created in its hypercare (version 1): the
   * cutover ran in an earlier run, so {@link #pin} was not asked in this one; it is asked here and
   * the reverse stream starts again from the position its capture on the target kept. Before it
   * such a migration had no reverse stream and no rollback for the rest of its hypercare.
   */
  static final String RESUMED_CHANGE = "reverse-after-recovery";

  static final int RESUMED = 1;

  /** Starts the reverse stream after the switch; false when none runs (as before it existed). */
  boolean start(String cutoverCommit) {
    if (pinned == null // re-created in the hypercare: the cutover executed in an earlier run
        && Workflow.getVersion(RESUMED_CHANGE, Workflow.DEFAULT_VERSION, RESUMED) >= RESUMED) {
      pin(run.spec());
    }
    if (!active) {
      return false;
    }
    mappingCommit = cutoverCommit;
    holding = true;
    follow();
    return true;
  }

  /**
   * Holds the migration until it is rolled back, the reverse stream running; returns how it ended,
   * or {@code completed} when no reverse stream runs.
   */
  String afterSwitch(String completed) {
    if (!holding) {
      return completed;
    }
    while (true) {
      String outcome = awaitRollback(null);
      if (outcome != null) {
        return outcome;
      }
    }
  }

  /**
   * Waits up to {@code timeout} (null: without end) for a rollback and takes it: the outcome when
   * the migration was rolled back, else null (the time passed, or the rollback failed and the
   * stream runs again).
   */
  String awaitRollback(Duration timeout) {
    if (timeout == null) {
      Workflow.await(() -> asked != null);
    } else if (!Workflow.await(timeout, () -> asked != null)) {
      return null;
    }
    ControlRecord c = asked;
    String outcome = rollback(c);
    asked = null;
    if (outcome != null) {
      holding = false;
      return outcome;
    }
    follow(); // the target takes writes again: keep bringing them to the source
    return null;
  }

  /** The reverse stream as the hypercare watches, waits on and stops it. */
  HypercareStage.ReverseStreamHook hook() {
    return new HypercareStage.ReverseStreamHook() {
      @Override
      public Long lagMillis() {
        return latest == null ? null : latest.lagMillis();
      }

      @Override
      public void stop(String why) {
        end(why);
      }

      @Override
      public String await(Duration d) {
        return awaitRollback(d);
      }

      @Override
      public void rollbackClosed(String why) {
        rollbackClosed = why;
      }
    };
  }

  /** Starts the reverse-stream workflow (again after a failed rollback). */
  private void follow() {
    String parentId = Workflow.getInfo().getWorkflowId();
    childId = parentId + "/reverse";
    ReverseStreamWorkflow stub =
        Workflow.newChildWorkflowStub(
            ReverseStreamWorkflow.class,
            MigrationSearchAttributes.forChild(
                    ChildWorkflowOptions.newBuilder()
                        .setWorkflowId(childId)
                        .setTaskQueue(TaskQueues.WORKFLOW)
                        .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_REQUEST_CANCEL),
                    run.migrationId(),
                    Stage.CUTOVER)
                .build());
    StreamRequest request =
        new StreamRequest(
            run.migrationId(),
            pinned,
            run.branch(),
            mappingCommit,
            "reverse stream of " + run.migrationId(),
            null,
            parentId,
            latest,
            null);
    child = Async.function(stub::run, request);
    Workflow.getWorkflowExecution(stub).get();
    status.say(holdingMessage());
    if (paused) {
      tell();
    }
  }

  /**
   * Pauses ({@code studio pause}) or resumes the reverse stream (version {@link
   * ChangeStream#PAUSE}); one started later starts paused.
   */
  void control(boolean pause) {
    paused = pause;
    tell();
  }

  private void tell() {
    if (child == null || child.isCompleted() || !ChangeStream.tellsPause()) {
      return;
    }
    ReverseStreamWorkflow s =
        Workflow.newExternalWorkflowStub(ReverseStreamWorkflow.class, childId);
    Async.procedure(s::control, new CopyControl(paused, null));
  }

  /** Stops the stream and rolls back; the outcome when rolled back, null when it failed. */
  private String rollback(ControlRecord c) {
    status.say("rollback asked by " + c.by() + ": stopping the reverse stream, then draining it");
    String notStopped = stop("rollback asked by " + c.by());
    if (notStopped != null) {
      lastFailure = "refused: " + notStopped;
      return null;
    }
    StageResult r;
    try {
      r =
          rollbacks.rollback(
              new RollbackRequest(
                  run.migrationId(),
                  pinned,
                  run.branch(),
                  mappingCommit,
                  c.by(),
                  c.reason(),
                  drainTimeout().toMillis()));
    } catch (ActivityFailure e) {
      lastFailure = "failed: " + rootMessage(e);
      return null;
    }
    board.record(r);
    if (r.verdict() != Verdict.PASS) {
      lastFailure =
          "failed: " + r.summary() + " (05-cutover/rollback-log.md at " + shortId(r.commit()) + ")";
      return null;
    }
    captureGone = true; // the rollback drops the reverse capture once the source is writable
    return "rolled back to the source (asked by "
        + c.by()
        + (c.reason().isBlank() ? "" : ": " + c.reason())
        + "): "
        + r.summary();
  }

  /** The rollback's drain may take the RTO ({@code cutover.rto}; 15 minutes when unreadable). */
  private Duration drainTimeout() {
    try {
      return Duration.parse(pinned.cutover().rto());
    } catch (DateTimeParseException e) {
      return Duration.ofMinutes(15);
    }
  }

  /** Stops the stream workflow and waits for it; why it could not, or null. */
  private String stop(String reason) {
    if (child == null || child.isCompleted()) {
      return null;
    }
    Workflow.newExternalWorkflowStub(ReverseStreamWorkflow.class, childId).stop(reason);
    if (!Workflow.await(STOP_WAIT, child::isCompleted)) {
      return "the reverse stream " + childId + " did not stop within " + STOP_WAIT;
    }
    try {
      latest = child.get();
    } catch (ChildWorkflowFailure e) {
      log.warn("reverse stream {} ended with a failure: {}", childId, rootMessage(e));
    }
    return null;
  }

  // --- the rollback control ---

  /** Adds why a {@code rollback} control cannot be taken now to {@code problems}. */
  void validate(ControlRequest r, List<String> problems) {
    if (!holding) {
      problems.add(
          "there is nothing to roll back: the migration "
              + (active
                  ? "has not switched yet"
                  : "has no reverse stream (cutover.rollback: reverse, an online PostgreSQL"
                      + " or MariaDB source)"));
    } else if (asked != null) {
      problems.add("a rollback is running already (asked by " + asked.by() + ")");
    } else if (rollbackClosed != null) {
      problems.add("rollback refused: " + rollbackClosed);
    }
  }

  /** Whether a rollback was asked and has not ended yet. */
  boolean rollingBack() {
    return asked != null;
  }

  /** Takes an accepted {@code rollback} control. */
  void ask(ControlRecord c) {
    asked = c;
  }

  // --- read by the status query and by hypercare ---

  /** The reverse stream's last report (null before the switch or without one). */
  StreamProgress latest() {
    return latest;
  }

  /** Whether the migration holds after its switch with a reverse stream running. */
  boolean holding() {
    return holding;
  }

  /** Target WAL bytes not yet on the source as last reported; -1 when not known. */
  long lagBytes() {
    return latest == null ? -1 : latest.lagBytes();
  }

  /** The reverse-stream workflow's report (a signal) to {@code reverse}, once there is one. */
  static void progressed(ReverseReplication reverse, StreamProgress p) {
    if (reverse != null) {
      reverse.progressed(p);
    }
  }

  private void progressed(StreamProgress p) {
    latest = p;
    if (holding && asked == null && rollbackClosed == null) {
      status.say(holdingMessage());
    }
  }

  private String holdingMessage() {
    String lag =
        latest == null
            ? "no report yet"
            : latest.stopped() != null
                ? "STOPPED: " + latest.stopped()
                : "lag "
                    + latest.lagBytes()
                    + " bytes, "
                    + latest.changes()
                    + " row changes brought back since the switch";
    return "cutover: switched; the reverse stream brings the target's writes to the source ("
        + lag
        + "); `studio rollback "
        + run.migrationId()
        + "` switches back"
        + (lastFailure == null
            ? ""
            : ". The last rollback "
                + lastFailure
                + ": the target takes writes again, ask again once the cause is fixed");
  }

  /** {@link #end(String)} of {@code reverse} (null before the migration opened). */
  static void end(ReverseReplication reverse, MigrationState end, String why) {
    if (reverse != null) {
      reverse.end(end.name().toLowerCase(Locale.ROOT) + ": " + why);
    }
  }

  /** Stops the stream and drops the reverse capture as the migration ends. */
  void end(String reason) {
    if (!active || mappingCommit == null || captureGone) {
      return;
    }
    holding = false;
    try {
      stop(reason);
    } catch (RuntimeException e) {
      log.warn("could not stop reverse stream {}: {}", childId, rootMessage(e));
    }
    try {
      drops.dropReverse(new CaptureDrop(run.migrationId(), pinned, "reverse", reason));
      captureGone = true;
    } catch (ActivityFailure e) {
      status.say(
          "the reverse capture of "
              + run.migrationId()
              + " could not be dropped: drop its slot and publication on the target by hand ("
              + rootMessage(e)
              + ")");
    }
  }
}
