package io.migrationstudio.worker.cutover;

import static io.migrationstudio.contracts.activity.ActivityFailures.run;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.activity.CutoverActivities;
import io.migrationstudio.contracts.activity.StageRequest;
import io.migrationstudio.contracts.activity.StageResult;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.cutover.CutoverService;
import io.migrationstudio.core.evidence.StageArtifacts;
import io.migrationstudio.core.git.ArtifactStore;
import io.migrationstudio.core.report.StageOutput;
import io.migrationstudio.core.spec.SecretResolver;
import java.util.function.Supplier;

/**
 * Cutover activities: a thin adapter over {@link CutoverService} that commits each output with the
 * role that produced it (coordinator for runbook and execution, rollback engineer for the drill).
 */
public final class CutoverActivitiesImpl implements CutoverActivities {
  private final ArtifactStore store;
  private final StageArtifacts artifacts;
  private final CutoverService cutover;

  public CutoverActivitiesImpl(ArtifactStore store, SecretResolver secrets) {
    this.store = store;
    this.artifacts = new StageArtifacts(this.store);
    this.cutover = new CutoverService(store, secrets);
  }

  @Override
  public StageResult planCutover(StageRequest request) {
    return commit(
        request,
        Stage.CUTOVER.producerRole(),
        "Cutover runbook",
        () -> cutover.planCutover(request.spec(), commitOrBranch(request)));
  }

  @Override
  public StageResult drillRollback(StageRequest request) {
    return commit(
        request,
        Stage.CUTOVER.checkerRole(),
        "Rollback drill",
        () -> cutover.drillRollback(request.spec(), request.branch()));
  }

  @Override
  public StageResult planDrill(StageRequest request) {
    return commit(
        request,
        Stage.CUTOVER.checkerRole(),
        "Rollback drill plan",
        () -> cutover.planDrill(request.spec(), commitOrBranch(request)));
  }

  /**
   * Commits the drill, {@code rollback.md} and the runbook re-rendered with its measured durations
   * (a FAIL verdict is a result, not a failure: the workflow blocks the execution on it).
   */
  @Override
  public StageResult drillAfterApproval(StageRequest request) {
    return commit(
        request,
        Stage.CUTOVER.checkerRole(),
        "Rollback drill on the real pair",
        () ->
            cutover.drillAfterApproval(
                request.spec(),
                request.migrationId(),
                request.branch(),
                request.commit(),
                request.stageStartedAtMillis()));
  }

  /** Commits the cutover log first, then fails with CUTOVER_FAILED when the cutover rolled back. */
  @Override
  public StageResult executeCutover(StageRequest request) {
    return run(
        () -> {
          StageOutput out =
              cutover.executeCutover(
                  request.spec(), request.migrationId(), request.branch(), commitOrBranch(request));
          StageResult result =
              artifacts.commit(
                  Stage.CUTOVER,
                  Stage.CUTOVER.producerRole(),
                  request.branch(),
                  "Cutover executed",
                  out);
          if (out.verdict() == Verdict.FAIL) {
            throw new MigrationException(
                ErrorCode.CUTOVER_FAILED,
                "cutover of "
                    + request.migrationId()
                    + " failed: "
                    + out.summary()
                    + ". The log is 05-cutover/cutover-log.md at commit "
                    + result.commit());
          }
          return result;
        });
  }

  /**
   * The one shape of these activities: produce the stage's output, commit it to the request's
   * branch as {@code role} with {@code message}; failures cross into Temporal through {@link
   * io.migrationstudio.contracts.activity.ActivityFailures#run}.
   */
  private StageResult commit(
      StageRequest request, String role, String message, Supplier<StageOutput> output) {
    return run(
        () -> artifacts.commit(Stage.CUTOVER, role, request.branch(), message, output.get()));
  }

  private static String commitOrBranch(StageRequest request) {
    return request.commit() != null ? request.commit() : request.branch();
  }
}
