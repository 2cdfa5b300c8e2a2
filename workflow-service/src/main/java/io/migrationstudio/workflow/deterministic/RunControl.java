package io.migrationstudio.workflow.deterministic;

import static io.migrationstudio.workflow.deterministic.Messages.rootMessage;

import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.activity.EvidenceActivities;
import io.migrationstudio.contracts.activity.RecordCancelRequest;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.workflow.ControlAction;
import io.migrationstudio.contracts.workflow.ControlRecord;
import io.migrationstudio.contracts.workflow.ControlRequest;
import io.migrationstudio.contracts.workflow.CopyControl;
import io.migrationstudio.contracts.workflow.MigrationState;
import io.migrationstudio.contracts.workflow.StageStatus;
import io.migrationstudio.contracts.workflow.TableCopyWorkflow;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * The operator's controls of a running migration ({@code studio cancel|pause|resume|throttle}): the
 * update's validator and handler, the cancellation scope the stage loop runs in, the pause and rate
 * the copy follows, and what a cancel leaves on the branch.
 *
 * <ul>
 *   <li>CANCEL cancels the scope of the stage loop: a running activity or table copy is cancelled
 *       (chunks heartbeat, so they stop within a heartbeat), a waiting gate stops waiting. Then,
 *       outside that scope, {@code cancel.json} is committed (who, when, why, stage), {@link
 *       #releaseHeld} runs, and the migration ends CANCELLED. A cancel request through Temporal
 *       (the UI's Cancel) ends the same way, recorded as by {@code temporal}. The validator refuses
 *       a CANCEL while the cutover drills or executes, or a rollback runs ({@link
 *       #uninterruptible}): those activities freeze a database and do not heartbeat, so a cancel
 *       would not reach them.
 *   <li>PAUSE holds the copy at a chunk boundary: no new table copy and no new chunk starts,
 *       running chunks finish (each is one target transaction under the ledger). It holds the
 *       change streams too (version {@link ChangeStream#PAUSE}): the running slice stops between
 *       two source transactions, nothing more is applied, the position stays on the target and the
 *       source keeps its log for the stream. RESUME lets them go on. Outside Migrate and the
 *       streams they only change what a copy would do.
 *   <li>THROTTLE sets the rows-per-second cap ({@code migrate.max_rows_per_second}) of the chunks
 *       started from then on; 0 removes the cap. Running chunks read the cap in force every few
 *       seconds (the table copy's {@code currentControl} query) and follow it.
 * </ul>
 *
 * Deterministic: the handler changes plain state, cancels a scope and signals the running table
 * copies; the activities of a cancel run in the main thread, from version {@link #RUN_CONTROL} on
 * (histories before it never saw a control).
 */
final class RunControl {
  private static final Logger log = Workflow.getLogger(RunControl.class);

  /** Change id of the cancel record and release (version 1). */
  static final String RUN_CONTROL_CHANGE = "run-control";

  static final int RUN_CONTROL = 1;

  /** Who a cancel request through Temporal itself is recorded as. */
  static final String TEMPORAL = "temporal";

  private final EvidenceActivities evidence =
      Workflow.newActivityStub(EvidenceActivities.class, ActivityOptionsCatalog.evidence());
  private final StatusLine status;
  private final Set<String> copies = new LinkedHashSet<>();
  private final List<ControlRecord> accepted = new ArrayList<>();
  private CancellationScope scope;
  private ControlRecord cancel;
  private ControlRecord pause;
  private Long rate;
  private ReverseReplication reverse;
  private ChangeStream stream;
  private StageBoard board;

  RunControl(StatusLine status) {
    this.status = status;
  }

  /** The change stream a PAUSE holds too (set once the migration is open). */
  void follows(ChangeStream stream) {
    this.stream = stream;
  }

  /** The reverse stream a ROLLBACK goes to (set once the migration is open). */
  void afterSwitch(ReverseReplication reverse) {
    this.reverse = reverse;
  }

  /**
   * The board whose cutover phase says when a cancel cannot be taken ({@link #uninterruptible});
   * returns it.
   */
  StageBoard watches(StageBoard board) {
    this.board = board;
    return board;
  }

  /** Runs the stage loop in the scope a CANCEL cancels. */
  <T> T cancellable(Supplier<T> body) {
    List<T> out = new ArrayList<>(1);
    scope = Workflow.newCancellationScope(() -> out.add(body.get()));
    if (cancel != null) {
      scope.cancel(reason(cancel));
    }
    scope.run();
    return out.get(0);
  }

  /** The update validator: every reason to refuse {@code r}, joined; nothing when acceptable. */
  void validate(ControlRequest r) {
    List<String> problems = new ArrayList<>();
    if (r == null || r.action() == null) {
      throw new IllegalArgumentException(
          "a control needs an action: cancel, pause, resume, throttle or rollback");
    }
    MigrationState s = status.state();
    if (s != MigrationState.RUNNING && s != MigrationState.AWAITING_REVIEW) {
      problems.add("the migration ended " + s + "; there is nothing to " + key(r.action()));
    }
    if (cancel != null) {
      problems.add("the migration is being cancelled (by " + cancel.by() + ")");
    }
    if (r.by() == null || r.by().isBlank()) {
      problems.add("say who asks (--by NAME)");
    }
    switch (r.action()) {
      case CANCEL -> {
        if (r.reason().isBlank()) {
          problems.add(
              "say why the migration is cancelled (--reason TEXT): it is recorded on the branch");
        }
        uninterruptible().ifPresent(problems::add);
      }
      case PAUSE -> {
        if (pause != null) {
          problems.add("the copy is paused already (by " + pause.by() + "); resume it first");
        }
      }
      case RESUME -> {
        if (pause == null) {
          problems.add("the copy is not paused");
        }
      }
      case ROLLBACK -> {
        if (reverse == null) {
          problems.add("the migration has not opened yet: there is nothing to roll back");
        } else {
          reverse.validate(r, problems);
        }
      }
      case THROTTLE -> {
        if (r.rowsPerSecond() == null || r.rowsPerSecond() < 0) {
          problems.add(
              "--rows-per-second must be a whole number >= 0 (0 removes the cap), was "
                  + r.rowsPerSecond());
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
  }

  /**
   * Why a cancel cannot be taken now, if it cannot. The cutover's drill and execution freeze the
   * source, a rollback freezes the target, and none of them heartbeats: a cancel would not reach
   * the activity, and the migration would end CANCELLED (its capture dropped, its lock released)
   * while the activity went on freezing and switching.
   */
  private Optional<String> uninterruptible() {
    if (reverse != null && reverse.rollingBack()) {
      return Optional.of(
          "a rollback is running (the target is frozen while the reverse stream drains): wait for"
              + " its end (studio status), then cancel");
    }
    StageStatus cutover = board == null ? null : board.get(Stage.CUTOVER);
    String phase = cutover == null ? null : cutover.state();
    if (StagePhase.DRILLING.key().equals(phase)) {
      return Optional.of(
          "the rollback drill is running on the real pair (it freezes the source for a while):"
              + " wait for it to end (studio status), then cancel");
    }
    if (StagePhase.EXECUTING.key().equals(phase)) {
      return Optional.of(
          "the cutover is executing (the source is frozen while it validates and switches) and"
              + " cannot be stopped halfway: wait for its end (studio status); to go back to the"
              + " source afterwards, studio rollback");
    }
    return Optional.empty();
  }

  /** The update handler: takes an accepted control. */
  ControlRecord accept(ControlRequest r) {
    ControlRecord rec =
        new ControlRecord(
            r.action(),
            r.by().strip(),
            r.reason(),
            r.rowsPerSecond(),
            Workflow.currentTimeMillis(),
            note(r));
    accepted.add(rec);
    switch (r.action()) {
      case CANCEL -> {
        cancel = rec;
        if (scope != null) {
          scope.cancel(reason(rec));
        }
      }
      case PAUSE -> {
        pause = rec;
        streams(true);
      }
      case RESUME -> {
        pause = null;
        streams(false);
      }
      case THROTTLE -> rate = r.rowsPerSecond();
      case ROLLBACK -> reverse.ask(rec);
    }
    if (r.action() != ControlAction.CANCEL && r.action() != ControlAction.ROLLBACK) {
      copies.forEach(this::tell);
    }
    log.info("{} by {}: {}", r.action(), rec.by(), rec.note());
    return rec;
  }

  /** Pauses or resumes the change streams, forward and reverse, where they are. */
  private void streams(boolean paused) {
    if (stream != null) {
      stream.control(paused);
    }
    if (reverse != null) {
      reverse.control(paused);
    }
  }

  private String note(ControlRequest r) {
    return switch (r.action()) {
      case CANCEL -> "running work is cancelled, then the migration ends CANCELLED";
      case PAUSE ->
          "no new chunk starts; running chunks finish; a change stream stops applying between two"
              + " source transactions and keeps its position";
      case RESUME -> "the copy and the streams go on";
      case ROLLBACK ->
          "the reverse stream is drained under the target's freeze, then the source takes writes"
              + " again (05-cutover/rollback-log.md)";
      case THROTTLE ->
          r.rowsPerSecond() == 0
              ? "chunks have no rate cap from now on (running ones within seconds)"
              : "chunks copy at most "
                  + r.rowsPerSecond()
                  + " rows/s from now on (running ones within seconds)";
    };
  }

  // --- what the copy follows ---

  /** Waits while the copy is paused (the caller is about to start a table copy or a chunk). */
  void awaitResumed() {
    Workflow.await(() -> pause == null || cancel != null);
  }

  /** {@code spec} with the rate set by THROTTLE, if any. */
  MigrationSpec spec(MigrationSpec spec) {
    return withRate(spec, rate);
  }

  /** {@code spec} with {@code rate} rows/s (0: no cap; null: the spec's own). */
  static MigrationSpec withRate(MigrationSpec spec, Long rate) {
    if (rate == null) {
      return spec;
    }
    return spec.withMigrate(spec.migrate().withMaxRowsPerSecond(rate == 0 ? null : rate));
  }

  /**
   * A table copy child started: it is told of every control until it ends (and at once when the
   * copy was paused meanwhile).
   */
  <R> void copyStarted(String childId, Promise<WorkflowExecution> started, Promise<R> result) {
    started.thenApply(
        e -> {
          copies.add(childId);
          if (pause != null || rate != null) {
            tell(childId);
          }
          return e;
        });
    result.handle(
        (r, failure) -> {
          copies.remove(childId);
          return null;
        });
  }

  private void tell(String childId) {
    TableCopyWorkflow child = Workflow.newExternalWorkflowStub(TableCopyWorkflow.class, childId);
    Async.procedure(child::control, new CopyControl(pause != null, rate));
  }

  // --- cancel ---

  /**
   * Whether a failure that ended the stage loop ends the migration as a cancel: one was accepted
   * here, or Temporal was asked to cancel the workflow (a table copy cancelled on its own is a
   * failed table, not a cancelled migration).
   */
  boolean cancelling() {
    return cancel != null || CancellationScope.current().isCancelRequested();
  }

  /**
   * After the stage loop was cancelled, outside its scope: commits {@code cancel.json}, releases
   * what the run holds, and returns why the migration ended.
   */
  String cancelled(RunContext run) {
    ControlRecord c =
        cancel != null
            ? cancel
            : new ControlRecord(
                ControlAction.CANCEL,
                TEMPORAL,
                "cancel request through Temporal",
                null,
                Workflow.currentTimeMillis(),
                "");
    String why = reason(c);
    if (Workflow.getVersion(RUN_CONTROL_CHANGE, Workflow.DEFAULT_VERSION, RUN_CONTROL)
        < RUN_CONTROL) {
      return why;
    }
    if (run != null) {
      try {
        evidence.recordCancel(
            new RecordCancelRequest(run.migrationId(), run.branch(), status.stage(), c));
      } catch (ActivityFailure e) {
        log.warn("could not commit cancel.json on {}: {}", run.branch(), rootMessage(e));
      }
    }
    releaseHeld(run);
    return why;
  }

  /**
   * The hook where a cancelled (or ended) migration gives back what it holds outside the workflow.
   * Today the workflow itself holds nothing there: a cancel is refused while the cutover's drill or
   * execution or a rollback holds a freeze ({@link #uninterruptible}; a Temporal cancel request is
   * not validated: the execution's own {@code finally} unfreezes the source when it does not
   * complete), and the table copies and their chunks end with the cancelled scope. The change
   * captures (slots, publications) are dropped and the target's migration lock released as the
   * cancelled migration ends ({@code ChangeStream.end}, {@code ReverseReplication.end}, the final
   * summary), as for any other end.
   */
  void releaseHeld(RunContext run) {
    // nothing held by the workflow yet; see the class comment
  }

  // --- read by the status query ---

  /** {@code message} with the pause and rate in force while the migration runs, for the query. */
  String describe(String message) {
    MigrationState s = status.state();
    if (s != MigrationState.RUNNING && s != MigrationState.AWAITING_REVIEW) {
      return message;
    }
    StringBuilder out = new StringBuilder();
    if (pause != null) {
      out.append("PAUSED by ")
          .append(pause.by())
          .append(pause.reason().isBlank() ? "" : " (" + pause.reason() + ")")
          .append(": no new chunk starts")
          .append(
              stream != null && stream.running()
                  ? " and the change stream applies nothing (its position is kept; the source keeps"
                      + " its log meanwhile and the lag grows)"
                  : "")
          .append("; resume with `studio resume`. ");
    }
    if (rate != null) {
      out.append(rate == 0 ? "No rate cap. " : "Throttled to " + rate + " rows/s. ");
    }
    return out + message;
  }

  boolean paused() {
    return pause != null;
  }

  List<ControlRecord> accepted() {
    return accepted;
  }

  private static String reason(ControlRecord c) {
    return "cancelled by " + c.by() + (c.reason().isBlank() ? "" : ": " + c.reason());
  }

  private static String key(ControlAction a) {
    return a.name().toLowerCase(java.util.Locale.ROOT);
  }
}
