package io.migrationstudio.worker.cutover;

import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.activity.ActivityFailures;
import io.migrationstudio.contracts.activity.CaptureDrop;
import io.migrationstudio.contracts.activity.ReverseActivities;
import io.migrationstudio.contracts.activity.RollbackRequest;
import io.migrationstudio.contracts.activity.StageResult;
import io.migrationstudio.contracts.activity.StreamSlice;
import io.migrationstudio.contracts.workflow.StreamProgress;
import io.migrationstudio.core.cutover.CutoverService;
import io.migrationstudio.core.cutover.reverse.ReverseReplicationService;
import io.migrationstudio.core.evidence.StageArtifacts;
import io.migrationstudio.core.git.ArtifactStore;
import io.migrationstudio.core.spec.SecretResolver;
import java.time.Duration;

/**
 * Reverse-stream activities: a thin adapter over {@link ReverseReplicationService}; the rollback
 * log is committed by the rollback engineer, whatever its verdict (the workflow reads it).
 */
public final class ReverseActivitiesImpl implements ReverseActivities {
  private final StageArtifacts artifacts;
  private final ReverseReplicationService reverse;
  private final SecretResolver secrets;

  public ReverseActivitiesImpl(ArtifactStore store, SecretResolver secrets) {
    this.artifacts = new StageArtifacts(store);
    this.secrets = secrets;
    this.reverse = new ReverseReplicationService(secrets);
  }

  @Override
  public StreamProgress applyReverseSlice(StreamSlice slice) {
    return ActivityFailures.run(
        () ->
            reverse.slice(
                slice.spec(),
                artifacts.mapping(slice.branch(), slice.mappingCommit()),
                slice.migrationId(),
                Duration.ofMillis(slice.sliceMillis())));
  }

  @Override
  public StageResult rollback(RollbackRequest r) {
    return ActivityFailures.run(
        () ->
            artifacts.commit(
                Stage.CUTOVER,
                Stage.CUTOVER.checkerRole(),
                r.branch(),
                "Rollback asked by "
                    + r.by()
                    + (r.reason().isBlank() ? "" : " (" + r.reason() + ")"),
                reverse.rollback(
                    r.spec(),
                    artifacts.mapping(r.branch(), r.mappingCommit()),
                    r.migrationId(),
                    Duration.ofMillis(r.drainTimeoutMillis()),
                    CutoverService.switchBack(r.spec(), secrets))));
  }

  @Override
  public void dropReverse(CaptureDrop drop) {
    ActivityFailures.run(
        () -> {
          reverse.drop(drop.spec(), drop.migrationId());
          return null;
        });
  }
}
