package io.migrationstudio.workflow.deterministic;

import static io.migrationstudio.workflow.deterministic.Messages.shortId;

import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.activity.CutoverActivities;
import io.migrationstudio.contracts.activity.GateEvidence;
import io.migrationstudio.contracts.activity.OpenResult;
import io.migrationstudio.contracts.activity.StageRequest;
import io.migrationstudio.contracts.activity.StageResult;
import io.migrationstudio.contracts.spec.CutoverOptions;
import io.migrationstudio.contracts.spec.GateMode;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.workflow.Review;
import io.migrationstudio.contracts.workflow.ReviewRecord;
import io.migrationstudio.contracts.workflow.Verdict;
import io.temporal.workflow.Workflow;
import java.util.Optional;

/**
 * The rollback drill after the cutover approval (version {@link #DRILL_AFTER_APPROVAL}): the
 * cutover gate's checker only writes the drill plan, and the drill runs on the real pair once the
 * gate is approved (inside the window, after the freshness check, with an online migration's stream
 * stopped: {@link CutoverGuard} calls {@link #drill}). The drill's commit carries the runbook
 * re-rendered with the measured durations, and {@code PULL_REQUEST.md} is written again before
 * anyone reviews the execution.
 *
 * <p>{@code cutover.drill}: {@code after_approval} executes on a PASS drill; a failed one (a step,
 * or the way back over the RTO) blocks the execution until a review of the drill's commit approves
 * it with a reason (the override, recorded on the branch with {@link #OVERRIDE_NOTE});
 * REQUEST_CHANGES drills again, REJECT refuses the cutover. {@code separate_gate} always waits for
 * that review (the approval of the execution). {@code skip} drills nothing. An auto gate never
 * approves a drill review: it waits as {@code ask}.
 *
 * <p>Histories before the version ran the old drill as the checker, before the approval; they keep
 * doing so.
 *
 * <p>From version {@link #DURABLE_DRILL_GATE} on, the review of the drill is a durable gate: it
 * commits {@code gates/cutover.json} naming the drill's commit, and a migration re-created from its
 * branch while that review waited (the cutover approved before) waits for the same commit again
 * instead of drilling again. Histories before it wait without the file.
 *
 * <p>From version {@link #RESUMED_DRILL_APPROVAL} on, a migration re-created after the review of
 * its drill approved the execution (the approval on the branch, the execution not run) executes
 * with that approval, after the window and the freshness check, without drilling again. Before it,
 * the re-created migration drilled again.
 */
final class CutoverDrill {
  static final String DRILL_AFTER_APPROVAL_CHANGE = "drill-after-approval";

  static final int DRILL_AFTER_APPROVAL = 1;

  static final String DURABLE_DRILL_GATE_CHANGE = "durable-drill-gate";

  static final int DURABLE_DRILL_GATE = 1;

  static final String RESUMED_DRILL_APPROVAL_CHANGE = "resumed-drill-approval";

  static final int RESUMED_DRILL_APPROVAL = 1;

  /** The note on a review that lets the execution start despite a failed drill. */
  static final String OVERRIDE_NOTE = ReviewRecord.DRILL_OVERRIDE_NOTE;

  /** The note on the approval of the execution after a drill ({@code separate_gate}). */
  static final String EXECUTION_NOTE = ReviewRecord.DRILL_EXECUTION_NOTE;

  private final CutoverActivities cutover =
      Workflow.newActivityStub(CutoverActivities.class, ActivityOptionsCatalog.cutover());
  private final RunContext run;
  private final StageBoard board;
  private final StatusLine status;
  private final ReviewGate gate;
  private final ChangeStream stream;
  private final Runnable rewritePullRequest;
  private Integer version;
  private Integer durable;

  /**
   * The drill's review that waited (or was approved) when the earlier run stopped, until the drill
   * reaches it.
   */
  private GateEvidence resumed;

  /**
   * {@code open}: what the branch proves; its waiting gate is the drill's review when the cutover
   * was approved before (see {@code ResumeScanner#awaitingDrill}).
   */
  CutoverDrill(
      RunContext run,
      StageBoard board,
      StatusLine status,
      ReviewGate gate,
      ChangeStream stream,
      Runnable rewritePullRequest,
      OpenResult open) {
    this.run = run;
    this.board = board;
    this.status = status;
    this.gate = gate;
    this.stream = stream;
    this.rewritePullRequest = rewritePullRequest;
    GateEvidence awaiting = open.awaiting();
    boolean cutoverApproved = open.approved().stream().anyMatch(a -> a.stage() == Stage.CUTOVER);
    this.resumed =
        cutoverApproved && awaiting != null && awaiting.stage() == Stage.CUTOVER ? awaiting : null;
  }

  /**
   * The approved cutover of {@code approvedCommit} (executed with {@code spec}) through its {@link
   * CutoverGuard} (window, freshness, stream stopped), with the drill right before the execution;
   * empty when it executed, else why it was refused.
   */
  Optional<String> guardAndExecute(MigrationSpec spec, String approvedCommit) {
    return new CutoverGuard(spec, run.migrationId(), run.branch(), board, status::say, stream)
        .drillFirst(this::drill)
        .execute(approvedCommit);
  }

  /** The cutover gate's checker: the drill plan from this version on, the old drill before. */
  StageResult check(StageRequest request) {
    return afterApproval() ? cutover.planDrill(request) : cutover.drillRollback(request);
  }

  private boolean afterApproval() {
    if (version == null) {
      version =
          Workflow.getVersion(
              DRILL_AFTER_APPROVAL_CHANGE, Workflow.DEFAULT_VERSION, DRILL_AFTER_APPROVAL);
    }
    return version >= DRILL_AFTER_APPROVAL;
  }

  private boolean durableGate() {
    if (durable == null) {
      durable =
          Workflow.getVersion(
              DURABLE_DRILL_GATE_CHANGE, Workflow.DEFAULT_VERSION, DURABLE_DRILL_GATE);
    }
    return durable >= DURABLE_DRILL_GATE;
  }

  /**
   * After the cutover approval of {@code approvedCommit}: drills, and returns empty when the
   * execution may start, else why the cutover is refused.
   */
  Optional<String> drill(String approvedCommit) {
    String mode = run.spec().cutover().drill();
    if (!afterApproval() || CutoverOptions.DRILL_SKIP.equals(mode) || approvedBefore()) {
      return Optional.empty();
    }
    while (true) {
      board.set(
          Stage.CUTOVER,
          StagePhase.DRILLING,
          null,
          approvedCommit,
          "rollback drill on the real pair");
      StageResult drilled = resumedDrill().orElseGet(() -> drillNow(approvedCommit));
      board.record(drilled);
      boolean passed = drilled.verdict() == Verdict.PASS;
      boolean review = !passed || CutoverOptions.DRILL_SEPARATE_GATE.equals(mode);
      board.set(
          Stage.CUTOVER,
          review ? StagePhase.AWAITING_REVIEW : StagePhase.DRILLING,
          drilled.verdict(),
          drilled.commit(),
          "drill " + drilled.verdict() + ": " + drilled.summary());
      rewritePullRequest.run(); // the measured durations, before anyone reviews the execution
      if (!review) {
        return Optional.empty();
      }
      GateMode configured = run.spec().reviews().gate(Stage.CUTOVER);
      GateMode reviewMode = configured == GateMode.AUTO ? GateMode.ASK : configured;
      if (durableGate()) {
        gate.recordProposal(
            new GateEvidence(
                Stage.CUTOVER,
                drilled.commit(),
                drilled.verdict(),
                drilled.summary(),
                reviewMode,
                drilled.artifacts()));
      }
      String waiting =
          passed
              ? "awaiting approval of the execution after the drill "
                  + shortId(drilled.commit())
                  + " ("
                  + drilled.summary()
                  + ")"
              : "the drill FAILED, the execution is blocked: approve "
                  + shortId(drilled.commit())
                  + " only with a reason (an override), request changes to drill again, or"
                  + " reject ("
                  + drilled.summary()
                  + ")";
      Review decision =
          passed
              ? gate.awaitProposal(
                  Stage.CUTOVER, drilled.commit(), reviewMode, waiting, EXECUTION_NOTE)
              : gate.awaitOverride(
                  Stage.CUTOVER, drilled.commit(), reviewMode, waiting, OVERRIDE_NOTE);
      switch (decision.decision()) {
        case APPROVE -> {
          return Optional.empty();
        }
        case REJECT -> {
          return Optional.of(
              "cutover refused: the review of the rollback drill "
                  + shortId(drilled.commit())
                  + " rejected it ("
                  + decision.comment()
                  + "). Nothing was switched; the source takes writes");
        }
        case REQUEST_CHANGES -> {
          // drill again
        }
      }
    }
  }

  /**
   * Whether the drill's review approved the execution before the earlier run stopped (from version
   * {@link #RESUMED_DRILL_APPROVAL} on): the drill and its approval are on the branch, so the
   * execution starts without a second drill. Asked once; before the version, the drill runs again.
   */
  private boolean approvedBefore() {
    GateEvidence approved = resumed;
    if (approved == null || !approved.wasApproved()) {
      return false;
    }
    resumed = null;
    if (Workflow.getVersion(
            RESUMED_DRILL_APPROVAL_CHANGE, Workflow.DEFAULT_VERSION, RESUMED_DRILL_APPROVAL)
        < RESUMED_DRILL_APPROVAL) {
      return false;
    }
    board.record(asResult(approved));
    String why =
        "the rollback drill "
            + shortId(approved.commit())
            + " was approved before the restart ("
            + approved.summary()
            + "): not drilled again";
    board.set(Stage.CUTOVER, StagePhase.APPROVED, approved.verdict(), approved.commit(), why);
    status.say("cutover: " + why);
    return true;
  }

  /** The drill on the real pair after the approval of {@code approvedCommit}. */
  private StageResult drillNow(String approvedCommit) {
    status.say("cutover: rehearsing the way back on the real pair (rollback drill)");
    return cutover.drillAfterApproval(
        new StageRequest(
            run.migrationId(),
            run.spec(),
            run.branch(),
            approvedCommit,
            Workflow.currentTimeMillis()));
  }

  /**
   * The drill whose review waited when the earlier run stopped (from version {@link
   * #DURABLE_DRILL_GATE} on), once: its review waits again for the same commit.
   */
  private Optional<StageResult> resumedDrill() {
    GateEvidence waiting = resumed;
    resumed = null;
    if (waiting == null || !durableGate()) {
      return Optional.empty();
    }
    return Optional.of(asResult(waiting));
  }

  /** The drill's result as its gate on the branch records it. */
  private static StageResult asResult(GateEvidence drilled) {
    return new StageResult(
        Stage.CUTOVER,
        Stage.CUTOVER.checkerRole(),
        drilled.commit(),
        drilled.artifacts(),
        drilled.verdict(),
        drilled.summary());
  }
}
