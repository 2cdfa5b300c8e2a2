package io.migrationstudio.workflow.deterministic;

import static io.migrationstudio.workflow.deterministic.Messages.rootMessage;

import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.activity.ApprovedStage;
import io.migrationstudio.contracts.activity.GateEvidence;
import io.migrationstudio.contracts.activity.HypercareActivities;
import io.migrationstudio.contracts.activity.HypercareNote;
import io.migrationstudio.contracts.activity.HypercareRequest;
import io.migrationstudio.contracts.activity.OpenResult;
import io.migrationstudio.contracts.activity.StageResult;
import io.migrationstudio.contracts.workflow.HypercareStatus;
import io.migrationstudio.contracts.workflow.MigrationOutcome;
import io.migrationstudio.contracts.workflow.MigrationState;
import io.migrationstudio.contracts.workflow.Verdict;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import org.slf4j.Logger;

/**
 * After the executed cutover (version {@link #HYPERCARE}): the migration stays open for {@code
 * cutover.hypercare}, a durable workflow timer per day, and each day the source's residual access
 * is sampled and a note committed ({@code 06-hypercare/}); then the gated decommission: its plan is
 * produced, the {@link ReviewGate} decides it as for any stage ({@code reviews.decommission}), the
 * reverse stream is stopped and the decommission activity removes what the migration left and
 * writes the final report ({@code 07-decommission/}).
 *
 * <p>A migration re-created from its branch during the hypercare goes on with the hypercare it
 * began ({@code 06-hypercare/hypercare.json}) instead of executing the cutover again; one whose
 * decommission gate waited waits for the same plan commit ({@link #RESUMED_GATE_CHANGE}); one whose
 * decommission was approved goes straight to the decommission.
 *
 * <p>The reverse stream enters through {@link ReverseStreamHook}: its lag is shown and recorded in
 * each note, and it is stopped before the decommission.
 */
final class HypercareStage {
  private static final Logger log = Workflow.getLogger(HypercareStage.class);

  /**
   * Change id of the hypercare and decommission after the switch (version 1). Histories before it
   * end the migration at the switch.
   */
  static final String HYPERCARE_CHANGE = "hypercare";

  static final int HYPERCARE = 1;

  /**
   * Change id of the decommission gate of a re-created migration (version 1): the gate that waited
   * when the earlier run stopped ({@code gates/decommission.json}, reported by the resume scan)
   * waits again for the same plan commit, and the plan is not made again. Histories before it made
   * the plan again and waited for a review of its new commit.
   */
  static final String RESUMED_GATE_CHANGE = "decommission-gate-after-recovery";

  static final int RESUMED_GATE = 1;

  /** A note per day: the workflow sleeps at most this long between samples. */
  static final Duration NOTE_INTERVAL = Duration.ofDays(1);

  /**
   * The reverse stream as the hypercare sees it (workflow code, deterministic): its lag in
   * milliseconds as last reported (null when none runs), and how to stop it before the
   * decommission.
   */
  interface ReverseStreamHook {
    /** No reverse stream. */
    ReverseStreamHook NONE =
        new ReverseStreamHook() {
          @Override
          public Long lagMillis() {
            return null;
          }

          @Override
          public void stop(String why) {}
        };

    Long lagMillis();

    /** Stops the reverse stream (and waits until it has stopped); nothing when none runs. */
    void stop(String why);

    /**
     * Waits {@code d}, or less when a rollback ended the migration: then its outcome, else null.
     */
    default String await(Duration d) {
      Workflow.sleep(d);
      return null;
    }

    /**
     * The hypercare has ended ({@code why}): from now on a rollback is refused, since nothing waits
     * on it any more and the decommission stops the reverse stream.
     */
    default void rollbackClosed(String why) {}
  }

  /** How the migration ends after the hypercare. */
  record Ending(MigrationState state, String why) {}

  private final HypercareActivities activities =
      Workflow.newActivityStub(HypercareActivities.class, ActivityOptionsCatalog.hypercare());
  private final RunContext run;
  private final StageBoard board;
  private final StatusLine status;
  private final ReviewGate gate;
  private ReverseStreamHook reverse = ReverseStreamHook.NONE;
  private HypercareStatus shown;

  /** The decommission gate that waited when the earlier run stopped, until the gate is reached. */
  private GateEvidence waiting;

  HypercareStage(RunContext run, StageBoard board, StatusLine status, ReviewGate gate) {
    this.run = run;
    this.board = board;
    this.status = status;
    this.gate = gate;
  }

  /** The reverse stream whose lag is watched and which is stopped before the decommission. */
  void reverseStream(ReverseStreamHook hook) {
    this.reverse = hook == null ? ReverseStreamHook.NONE : hook;
  }

  /** The stages of the workflow's stage loop: every stage before the decommission. */
  static final List<Stage> BEFORE =
      java.util.Arrays.stream(Stage.values()).filter(s -> s != Stage.DECOMMISSION).toList();

  /**
   * Whether the cutover approved in an earlier run ({@code earlier}, null when none) already ran: a
   * hypercare began ({@link OpenResult#hypercareStartedAtMillis}) in a history at version {@link
   * #HYPERCARE} or later; the cutover is then shown as done before.
   */
  boolean resumed(ApprovedStage earlier, OpenResult open) {
    if (earlier == null || open.hypercareStartedAtMillis() == null || !enabled()) {
      return false;
    }
    board.set(
        Stage.CUTOVER, StagePhase.SKIPPED, null, earlier.commit(), "executed in an earlier run");
    earlier.artifacts().forEach(board::put);
    return true;
  }

  /**
   * After the switch, the migration's end through {@code finish}: COMPLETED at once when it has no
   * hypercare (a history before {@link #HYPERCARE}, or {@code cutover.hypercare: PT0S}), else after
   * the hypercare and the decommission. The hypercare a re-created migration began ({@code open})
   * goes on; {@code approved}: the decommission approved in an earlier run (null: the gate
   * decides).
   */
  MigrationOutcome afterSwitch(
      ReverseReplication reverse,
      String cutoverCommit,
      OpenResult open,
      ApprovedStage approved,
      BiFunction<MigrationState, String, MigrationOutcome> finish) {
    if (reverse.start(cutoverCommit)) { // the hypercare waits on it, watches its lag, stops it
      reverseStream(reverse.hook());
    }
    String done = "all stages approved and the cutover executed";
    return afterCutover(open, approved, finish, () -> reverse.afterSwitch(done));
  }

  /**
   * As {@link #afterSwitch} once the reverse stream (if any) runs; {@code withoutHypercare} gives
   * the outcome when there is no hypercare.
   */
  MigrationOutcome afterCutover(
      OpenResult open,
      ApprovedStage approved,
      BiFunction<MigrationState, String, MigrationOutcome> finish,
      java.util.function.Supplier<String> withoutHypercare) {
    waiting = open.awaiting();
    Optional<Ending> ended = run(open.hypercareStartedAtMillis(), approved);
    return ended.isPresent()
        ? finish.apply(ended.get().state(), ended.get().why())
        : finish.apply(MigrationState.COMPLETED, withoutHypercare.get());
  }

  private Optional<Ending> run(Long startedAt, ApprovedStage approved) {
    if (!enabled()) {
      board.set(Stage.DECOMMISSION, StagePhase.NOT_RUN, null, null, "no hypercare in this run");
      return Optional.empty();
    }
    Duration length;
    try {
      length = Duration.parse(run.spec().cutover().hypercare());
    } catch (DateTimeParseException e) {
      return Optional.of(
          new Ending(
              MigrationState.FAILED,
              "cutover.hypercare '"
                  + run.spec().cutover().hypercare()
                  + "' is not an ISO-8601 duration such as P7D; the cutover ran, the source stays"
                  + " frozen: fix the spec and run studio start again"));
    }
    if (length.isZero() || length.isNegative()) {
      board.set(
          Stage.DECOMMISSION, StagePhase.NOT_RUN, null, null, "cutover.hypercare is PT0S: none");
      return Optional.empty();
    }
    status.stage(Stage.DECOMMISSION);
    long start = startedAt != null ? startedAt : Workflow.currentTimeMillis();
    long end = start + length.toMillis();
    if (approved == null) {
      String rolledBack = watch(start, end);
      if (rolledBack != null) {
        board.set(Stage.DECOMMISSION, StagePhase.NOT_RUN, null, null, "rolled back");
        return Optional.of(new Ending(MigrationState.COMPLETED, rolledBack));
      }
    }
    return Optional.of(decommission(approved));
  }

  private boolean enabled() {
    return Workflow.getVersion(HYPERCARE_CHANGE, Workflow.DEFAULT_VERSION, HYPERCARE) >= HYPERCARE;
  }

  /**
   * Samples now, then once a day (a durable timer each), and at the end; a rollback during the
   * hypercare ends it: its outcome, else null.
   */
  private String watch(long start, long end) {
    shown = new HypercareStatus(start, end, 0, null, List.of(), reverse.lagMillis(), false);
    String until = "hypercare until " + Instant.ofEpochMilli(end);
    board.set(Stage.DECOMMISSION, StagePhase.HYPERCARE, null, null, until);
    status.state(MigrationState.RUNNING);
    status.say("decommission: " + until + "; the source stays frozen");
    while (true) {
      long now = Workflow.currentTimeMillis();
      if (now >= end) {
        closeRollback(end);
      }
      sample(start, end, now);
      if (now >= end) {
        break;
      }
      String rolledBack =
          reverse.await(Duration.ofMillis(Math.min(end - now, NOTE_INTERVAL.toMillis())));
      if (rolledBack != null) {
        shown = copy(shown.notes(), shown.lastSampleAtMillis(), shown.lastResidual(), true);
        return rolledBack;
      }
    }
    shown = copy(shown.notes(), shown.lastSampleAtMillis(), shown.lastResidual(), true);
    return null;
  }

  /**
   * From the end of the hypercare on, a rollback is refused: only the hypercare waits on it, and
   * the decommission stops the reverse stream and drops its capture.
   */
  private void closeRollback(long end) {
    reverse.rollbackClosed(
        "the hypercare ended at "
            + Instant.ofEpochMilli(end)
            + " and a rollback is taken only during the hypercare; review the decommission"
            + " instead: REJECT ends the migration without decommissioning (the reverse stream"
            + " stops, the source stays frozen, studio release ID lifts the freeze), APPROVE"
            + " decommissions");
  }

  /** One note; a sample that fails is logged and shown, and the hypercare goes on. */
  private void sample(long start, long end, long now) {
    Long lag = reverse.lagMillis();
    try {
      HypercareNote note =
          activities.sample(
              new HypercareRequest(
                  run.migrationId(), run.spec(), run.branch(), start, end, now, lag));
      note.artifacts().forEach(board::put);
      shown = copy(shown.notes() + 1, note.sampledAtMillis(), note.residual(), false);
      board.set(
          Stage.DECOMMISSION,
          StagePhase.HYPERCARE,
          null,
          note.commit(),
          "hypercare until " + Instant.ofEpochMilli(end) + ": " + note.summary());
    } catch (ActivityFailure e) {
      log.warn("hypercare sample of {} failed: {}", run.migrationId(), rootMessage(e));
      status.say("decommission: hypercare sample failed (" + rootMessage(e) + "); next one later");
    }
  }

  private HypercareStatus copy(
      int notes,
      Long lastAt,
      List<io.migrationstudio.contracts.activity.ResidualSession> who,
      boolean ended) {
    return new HypercareStatus(
        shown.startedAtMillis(),
        shown.endsAtMillis(),
        notes,
        lastAt,
        who,
        reverse.lagMillis(),
        ended);
  }

  /** The plan, the gate, then the decommission itself. */
  private Ending decommission(ApprovedStage approved) {
    closeRollback(shown == null ? Workflow.currentTimeMillis() : shown.endsAtMillis());
    String commit;
    if (approved != null) {
      commit = approved.commit();
      approved.artifacts().forEach(board::put);
    } else {
      Optional<String> decided = gated();
      if (decided.isEmpty()) {
        return new Ending(
            MigrationState.REJECTED,
            "decommission was rejected: nothing was removed and the source stays frozen (studio"
                + " release ID lifts the freeze)");
      }
      commit = decided.get();
    }
    reverse.stop("decommission: the reverse stream stops");
    board.set(Stage.DECOMMISSION, StagePhase.EXECUTING, null, commit, "removing what is left");
    status.state(MigrationState.RUNNING);
    status.say("decommission: removing captures, guards and the studio schema");
    StageResult done = activities.decommission(run.request(commit, Workflow.currentTimeMillis()));
    board.record(done);
    if (done.verdict() == Verdict.FAIL) {
      board.set(
          Stage.DECOMMISSION, StagePhase.FAILED, done.verdict(), done.commit(), done.summary());
      return new Ending(
          MigrationState.FAILED,
          done.summary() + "; see 07-decommission/final-report.md, then remove the rest by hand");
    }
    board.set(
        Stage.DECOMMISSION, StagePhase.COMPLETED, done.verdict(), done.commit(), done.summary());
    return new Ending(
        MigrationState.COMPLETED,
        "the cutover executed, the hypercare ended and the migration was decommissioned: "
            + done.summary());
  }

  /** Plans and gates until the plan is approved (its commit) or rejected (empty). */
  private Optional<String> gated() {
    String base = null;
    Optional<StageResult> resumed = resumedGate();
    while (true) {
      StageResult plan = resumed.orElse(null);
      resumed = Optional.empty();
      if (plan == null) {
        board.set(Stage.DECOMMISSION, StagePhase.RUNNING, null, null, "planning the decommission");
        status.state(MigrationState.RUNNING);
        plan = activities.planDecommission(run.request(base, Workflow.currentTimeMillis()));
        board.record(plan);
      }
      ReviewGate.Outcome outcome = gate.decide(Stage.DECOMMISSION, plan);
      switch (outcome.decision()) {
        case APPROVE -> {
          return Optional.of(outcome.commit());
        }
        case REJECT -> {
          return Optional.empty();
        }
        case REQUEST_CHANGES -> base = outcome.commit();
      }
    }
  }

  /**
   * The plan under review when the decommission gate waited as the earlier run stopped (from
   * version {@link #RESUMED_GATE} on): the gate waits for that commit again (see {@link
   * ReviewGate#resumed}). Empty when no decommission gate waited.
   */
  private Optional<StageResult> resumedGate() {
    GateEvidence w = waiting;
    waiting = null;
    if (w == null
        || w.stage() != Stage.DECOMMISSION
        || Workflow.getVersion(RESUMED_GATE_CHANGE, Workflow.DEFAULT_VERSION, RESUMED_GATE)
            < RESUMED_GATE) {
      return Optional.empty();
    }
    return gate.resumed(Stage.DECOMMISSION, w);
  }

  /** The hypercare as the status shows it; null before it began. */
  HypercareStatus status() {
    return shown;
  }
}
