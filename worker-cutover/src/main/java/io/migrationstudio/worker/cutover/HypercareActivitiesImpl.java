package io.migrationstudio.worker.cutover;

import static io.migrationstudio.contracts.activity.ActivityFailures.run;

import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.activity.HypercareActivities;
import io.migrationstudio.contracts.activity.HypercareNote;
import io.migrationstudio.contracts.activity.HypercareRequest;
import io.migrationstudio.contracts.activity.StageRequest;
import io.migrationstudio.contracts.activity.StageResult;
import io.migrationstudio.contracts.workflow.ArtifactRef;
import io.migrationstudio.core.cutover.Decommission;
import io.migrationstudio.core.cutover.Hypercare;
import io.migrationstudio.core.dialect.Secrets;
import io.migrationstudio.core.evidence.StageArtifacts;
import io.migrationstudio.core.git.ArtifactStore;
import io.migrationstudio.core.report.StageOutput;
import java.util.List;

/**
 * Hypercare and decommission activities: a thin adapter over {@link Hypercare} and {@link
 * Decommission} that commits each note, plan and report on the migration's branch, the notes and
 * the plan as the cutover coordinator, the executed decommission as the rollback engineer.
 */
public final class HypercareActivitiesImpl implements HypercareActivities {
  private final ArtifactStore store;
  private final StageArtifacts artifacts;
  private final Hypercare hypercare;
  private final Decommission decommission;

  public HypercareActivitiesImpl(ArtifactStore store, Secrets secrets) {
    this.store = store;
    this.artifacts = new StageArtifacts(store);
    this.hypercare = new Hypercare(secrets);
    this.decommission = new Decommission(store, secrets);
  }

  @Override
  public HypercareNote sample(HypercareRequest request) {
    return run(
        () -> {
          Hypercare.Sample sample = hypercare.sample(request.spec());
          StageOutput note = Hypercare.note(request, sample);
          ArtifactStore.CommitOutcome outcome =
              store.commit(
                  request.branch(),
                  Stage.CUTOVER.producerRole(),
                  "Hypercare note: " + note.summary(),
                  note.files());
          List<ArtifactRef> refs =
              note.files().keySet().stream().map(p -> new ArtifactRef(p, outcome.head())).toList();
          return new HypercareNote(
              outcome.head(),
              refs,
              sample.residual(),
              !sample.guardedTables().isEmpty(),
              request.sampledAtMillis(),
              sample.describe());
        });
  }

  @Override
  public StageResult planDecommission(StageRequest request) {
    return run(
        () ->
            artifacts.commit(
                Stage.DECOMMISSION,
                Stage.DECOMMISSION.producerRole(),
                request.branch(),
                "Decommission plan",
                Decommission.planOutput(
                    request.migrationId(),
                    request.spec(),
                    decommission.plan(request.spec(), request.migrationId()))));
  }

  @Override
  public StageResult decommission(StageRequest request) {
    return run(
        () -> {
          List<Decommission.Item> done =
              decommission.execute(request.spec(), request.migrationId());
          return artifacts.commit(
              Stage.DECOMMISSION,
              Stage.DECOMMISSION.checkerRole(),
              request.branch(),
              "Decommissioned",
              decommission.finalReport(
                  request.migrationId(),
                  request.spec(),
                  request.branch(),
                  done,
                  request.stageStartedAtMillis()));
        });
  }
}
