package io.migrationstudio.workflow.deterministic;

import static io.migrationstudio.workflow.deterministic.Messages.shortId;

import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.TaskQueues;
import io.migrationstudio.contracts.activity.ChunkRequest;
import io.migrationstudio.contracts.activity.ChunkResult;
import io.migrationstudio.contracts.activity.MigrateActivities;
import io.migrationstudio.contracts.activity.RepairPlan;
import io.migrationstudio.contracts.activity.StageRequest;
import io.migrationstudio.contracts.activity.StageResult;
import io.migrationstudio.contracts.activity.ValidationActivities;
import io.migrationstudio.contracts.spec.GateMode;
import io.migrationstudio.contracts.workflow.Decision;
import io.migrationstudio.contracts.workflow.Review;
import io.migrationstudio.contracts.workflow.ReviewRecord;
import io.migrationstudio.contracts.workflow.Verdict;
import io.temporal.workflow.Async;
import io.temporal.workflow.Workflow;
import java.util.Optional;
import org.slf4j.Logger;

/**
 * {@code validation.repair}: after a FAIL, plan the repair (the differing ledger chunks, committed
 * as {@code repair-plan.{json,md}}); when the differences are confined to chunks, propose it at the
 * validation gate (an {@code auto} gate applies it at once; {@code ask}/{@code external} wait for a
 * review of the plan's commit: APPROVE re-copies, REQUEST_CHANGES keeps the FAIL, REJECT rejects
 * the stage), re-copy exactly those chunks (forced, each idempotent through its ledger row) and
 * validate again. Tried once per run, from version {@link #VALIDATION_REPAIR} on.
 *
 * <p>Deterministic workflow code: the same activities in the same order as when it was inline.
 */
final class ValidationRepair {
  private static final Logger log = Workflow.getLogger(ValidationRepair.class);
  private static final Stage S = Stage.VALIDATION;

  /**
   * Change id of the opt-in repair after a failed validation (version 1); histories before it go to
   * the gate with the FAIL as it is.
   */
  static final String VALIDATION_REPAIR_CHANGE = "validation-repair";

  static final int VALIDATION_REPAIR = 1;

  private final ValidationActivities validation =
      Workflow.newActivityStub(
          ValidationActivities.class, ActivityOptionsCatalog.stage(TaskQueues.VALIDATION));
  private final MigrateActivities chunks =
      Workflow.newActivityStub(MigrateActivities.class, ActivityOptionsCatalog.chunk());
  private final RunContext run;
  private final StageBoard board;
  private final StatusLine status;
  private final ReviewGate gate;
  private boolean tried;

  ValidationRepair(RunContext run, StageBoard board, StatusLine status, ReviewGate gate) {
    this.run = run;
    this.board = board;
    this.status = status;
    this.gate = gate;
  }

  /**
   * The checker's result the gate decides on: {@code checked} itself, or after a Validation FAIL
   * under {@code validation.repair} the result of the repair; empty when the stage was rejected at
   * the repair plan.
   */
  Optional<StageResult> afterCheck(Stage s, StageRequest produced, StageResult checked) {
    if (s != S || checked.verdict() != Verdict.FAIL || !run.spec().validation().repair() || tried) {
      return Optional.of(checked);
    }
    tried = true;
    int repair =
        Workflow.getVersion(VALIDATION_REPAIR_CHANGE, Workflow.DEFAULT_VERSION, VALIDATION_REPAIR);
    if (repair < VALIDATION_REPAIR) {
      return Optional.of(checked);
    }
    Optional<StageResult> repaired = repair(produced, checked);
    if (repaired.isEmpty()) {
      board.set(
          S,
          StagePhase.REJECTED,
          checked.verdict(),
          gate.reviewCommit(),
          "rejected at the repair plan");
    }
    return repaired;
  }

  private Optional<StageResult> repair(StageRequest produced, StageResult failed) {
    board.set(
        S, StagePhase.PLANNING_REPAIR, failed.verdict(), failed.commit(), "planning a repair");
    status.say("validation: FAIL, planning a repair of the differing chunks");
    RepairPlan plan =
        validation.planRepair(run.request(failed.commit(), Workflow.currentTimeMillis()));
    plan.artifacts().forEach(board::put);
    if (!plan.repairable()) {
      log.info("no repair of {}: {}", run.migrationId(), plan.summary());
      return Optional.of(resummarize(failed, failed.summary() + "; " + plan.summary()));
    }
    GateMode mode = run.spec().reviews().gate(S);
    if (mode != GateMode.AUTO) {
      Decision decision = askForRepair(plan, failed.verdict(), mode);
      if (decision == Decision.REJECT) {
        return Optional.empty();
      }
      if (decision == Decision.REQUEST_CHANGES) {
        return Optional.of(resummarize(failed, failed.summary() + "; repair declined"));
      }
    }
    recopy(plan, produced.commit(), failed.verdict());
    return Optional.of(revalidate(produced.commit(), plan.chunks().size()));
  }

  /** An {@code ask}/{@code external} gate: waits for the review of the plan's commit. */
  private Decision askForRepair(RepairPlan plan, Verdict verdict, GateMode mode) {
    String why =
        "repair proposed: "
            + plan.summary()
            + " (04-validation/repair-plan.md); APPROVE re-copies, REQUEST_CHANGES keeps the"
            + " FAIL";
    board.set(S, StagePhase.AWAITING_REVIEW, verdict, plan.commit(), why);
    Review decision =
        gate.awaitProposal(
            S,
            plan.commit(),
            mode,
            "awaiting review of the repair plan " + shortId(plan.commit()) + " (" + why + ")",
            ReviewRecord.REPAIR_PLAN_NOTE);
    return decision.decision();
  }

  /** Re-copies the planned chunks, at most {@code migrate.parallelism} at once. */
  private void recopy(RepairPlan plan, String base, Verdict verdict) {
    int n = plan.chunks().size();
    board.set(S, StagePhase.REPAIRING, verdict, plan.commit(), "re-copying " + n + " chunks");
    status.say("validation: repairing: re-copying " + n + " chunks");
    int parallelism = Math.max(1, run.spec().migrate().parallelism());
    // a chunk that failed after its retries fails the stage
    BoundedFanOut<ChunkResult> repairs = new BoundedFanOut<>(parallelism, r -> {});
    String id = run.migrationId();
    for (RepairPlan.RepairChunk c : plan.chunks()) {
      ChunkRequest request =
          new ChunkRequest(
              id,
              run.spec(),
              run.branch(),
              base,
              c.sourceTable(),
              c.chunk(),
              id + "/" + c.sourceTable() + "/" + c.chunk().index() + "/repair",
              true);
      repairs.start(() -> Async.function(chunks::copyChunk, request));
    }
    repairs.awaitAllInStartOrder();
  }

  /** Validator and regression tester again, after re-copying {@code n} chunks. */
  private StageResult revalidate(String base, int n) {
    long now = Workflow.currentTimeMillis();
    board.set(
        S, StagePhase.RUNNING, null, null, "producer " + S.producerRole() + " after the repair");
    status.say("validation: re-validating after re-copying " + n + " chunks");
    StageResult again = validation.validate(run.request(base, now));
    board.record(again);
    board.set(S, StagePhase.CHECKING, null, again.commit(), "checker " + S.checkerRole());
    StageResult rechecked = validation.replayRegression(run.request(again.commit(), now));
    board.record(rechecked);
    return resummarize(rechecked, "after re-copying " + n + " chunks: " + rechecked.summary());
  }

  private static StageResult resummarize(StageResult r, String summary) {
    return new StageResult(r.stage(), r.role(), r.commit(), r.artifacts(), r.verdict(), summary);
  }
}
