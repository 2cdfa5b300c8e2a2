package io.migrationstudio.workflow.deterministic;

import static io.migrationstudio.workflow.deterministic.Messages.rootMessage;

import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.TaskQueues;
import io.migrationstudio.contracts.activity.AssessmentActivities;
import io.migrationstudio.contracts.activity.EvidenceActivities;
import io.migrationstudio.contracts.activity.MappingActivities;
import io.migrationstudio.contracts.activity.OpenRequest;
import io.migrationstudio.contracts.activity.OpenResult;
import io.migrationstudio.contracts.activity.StageRequest;
import io.migrationstudio.contracts.activity.StageResult;
import io.migrationstudio.contracts.activity.ValidationActivities;
import io.migrationstudio.contracts.spec.GateMode;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.workflow.ArtifactRef;
import io.migrationstudio.contracts.workflow.MigrationInput;
import io.migrationstudio.contracts.workflow.MigrationOutcome;
import io.migrationstudio.contracts.workflow.MigrationState;
import io.migrationstudio.contracts.workflow.MigrationStatus;
import io.migrationstudio.contracts.workflow.Progress;
import io.migrationstudio.contracts.workflow.ValidationWorkflow;
import io.migrationstudio.contracts.workflow.Verdict;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Workflow;
import java.util.List;
import org.slf4j.Logger;

/**
 * A validation-only run: open {@code validations/<id>} with the spec, inventory the source,
 * generate the mapping (the spec's overrides merged), validate the target against the source
 * through it, replay the regression queries (whose verdict, which includes the validation report's,
 * decides), and write {@code PULL_REQUEST.md}. No copy and no review gate: it only reads both
 * databases.
 *
 * <p>Deterministic like {@link MigrationWorkflowImpl}: every step is an activity with the options
 * of {@link ActivityOptionsCatalog}, each reads its input at the commit the previous step returned,
 * and only references pass through history. The validator finds no chunk ledger on a target the
 * studio did not load and plans its chunks afresh from the source's keys.
 */
public class ValidationWorkflowImpl implements ValidationWorkflow {
  private static final Logger log = Workflow.getLogger(ValidationWorkflowImpl.class);

  /** The stages a validation-only run performs, in order; the others are shown as not-run. */
  static final List<Stage> STEPS = List.of(Stage.ASSESSMENT, Stage.MAPPING, Stage.VALIDATION);

  static final String NOT_RUN = StagePhase.NOT_RUN.key();

  private final EvidenceActivities evidence =
      Workflow.newActivityStub(EvidenceActivities.class, ActivityOptionsCatalog.evidence());
  private final AssessmentActivities assessment =
      Workflow.newActivityStub(
          AssessmentActivities.class, ActivityOptionsCatalog.stage(TaskQueues.ASSESSMENT));
  private final MappingActivities mapping =
      Workflow.newActivityStub(
          MappingActivities.class, ActivityOptionsCatalog.stage(TaskQueues.ASSESSMENT));
  private final ValidationActivities validation =
      Workflow.newActivityStub(
          ValidationActivities.class, ActivityOptionsCatalog.stage(TaskQueues.VALIDATION));

  // --- state read by the status query ---
  private MigrationSpec spec;
  private String migrationId;
  private String branch;
  private Stage stage;
  private MigrationState state = MigrationState.RUNNING;
  private String message = "starting";
  private StageBoard board = new StageBoard();

  @Override
  public MigrationOutcome run(MigrationInput input) {
    spec = input.spec();
    migrationId = spec.id();
    branch = TaskQueues.validationBranch(migrationId);
    board =
        new StageBoard(
            s -> STEPS.contains(s) ? StagePhase.PENDING : StagePhase.NOT_RUN,
            s -> GateMode.AUTO,
            s ->
                STEPS.contains(s)
                    ? null
                    : "validation-only run: " + s.key() + " is not part of it");
    try {
      OpenResult open =
          evidence.openValidation(new OpenRequest(migrationId, spec, input.specText()));
      branch = open.branch();
      board.put(new ArtifactRef("migration.yaml", open.specCommit()));
      long started = Workflow.currentTimeMillis();

      stage = Stage.ASSESSMENT;
      StageResult inventory = step(assessment::inventory, open.specCommit(), started);
      stage = Stage.MAPPING;
      StageResult mapped = step(mapping::generateMapping, inventory.commit(), started);
      stage = Stage.VALIDATION;
      StageResult validated = step(validation::validate, mapped.commit(), started);
      board.set(
          Stage.VALIDATION,
          StagePhase.CHECKING,
          null,
          validated.commit(),
          Stage.VALIDATION.checkerRole() + ": " + validated.summary());
      message = "validation: " + Stage.VALIDATION.checkerRole() + " replaying the query set";
      StageResult checked =
          validation.replayRegression(
              new StageRequest(migrationId, spec, branch, validated.commit(), started));
      board.record(checked);
      Verdict verdict = checked.verdict() == null ? Verdict.FAIL : checked.verdict();
      String summary = validated.summary() + "; " + checked.summary();
      board.set(Stage.VALIDATION, StagePhase.COMPLETED, verdict, checked.commit(), summary);
      return verdict == Verdict.PASS
          ? finish(MigrationState.COMPLETED, "validation PASS: " + summary)
          : finish(MigrationState.FAILED, "validation FAIL: " + summary);
    } catch (ActivityFailure e) {
      String reason = rootMessage(e);
      board.set(stage, StagePhase.FAILED, null, null, reason);
      log.warn("validation of {} failed in {}: {}", migrationId, stage, reason);
      return finish(MigrationState.FAILED, (stage == null ? "start" : stage.key()) + ": " + reason);
    }
  }

  /** One producer step: running, then done at the commit it returned. */
  private StageResult step(StageActivity activity, String commit, long started) {
    board.set(stage, StagePhase.RUNNING, null, null, "producer " + stage.producerRole());
    message = stage.key() + ": " + stage.producerRole() + " at work";
    StageResult result =
        activity.apply(new StageRequest(migrationId, spec, branch, commit, started));
    board.record(result);
    if (stage != Stage.VALIDATION) {
      board.set(stage, StagePhase.COMPLETED, null, result.commit(), result.summary());
    }
    return result;
  }

  /** An activity method taking a stage request (a method reference on an activity stub). */
  @FunctionalInterface
  private interface StageActivity {
    StageResult apply(StageRequest request);
  }

  private MigrationOutcome finish(MigrationState end, String why) {
    state = end;
    message = why;
    return Endings.finish(evidence, new RunContext(spec, migrationId, branch), status(), end, why);
  }

  @Override
  public MigrationStatus status() {
    return new MigrationStatus(
        migrationId,
        branch,
        stage,
        state,
        null,
        board.stages(),
        board.artifacts(),
        List.of(),
        Progress.empty(),
        message,
        MigrationStatus.KIND_VALIDATION,
        Workflow.getInfo().getWorkflowId(),
        null,
        null,
        null);
  }
}
