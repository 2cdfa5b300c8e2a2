package io.migrationstudio.worker.assessment;

import static io.migrationstudio.contracts.activity.ActivityFailures.run;

import io.migrationstudio.contracts.activity.CommitResult;
import io.migrationstudio.contracts.activity.EvidenceActivities;
import io.migrationstudio.contracts.activity.OpenRequest;
import io.migrationstudio.contracts.activity.OpenResult;
import io.migrationstudio.contracts.activity.RecordReviewRequest;
import io.migrationstudio.contracts.activity.StageRequest;
import io.migrationstudio.contracts.activity.SummaryRequest;
import io.migrationstudio.core.evidence.EvidenceService;
import io.migrationstudio.core.git.ArtifactStore;

/** Evidence activities: a thin adapter over {@link EvidenceService}. */
public final class EvidenceActivitiesImpl implements EvidenceActivities {
  private final EvidenceService evidence;

  public EvidenceActivitiesImpl(ArtifactStore store) {
    this(new EvidenceService(store));
  }

  public EvidenceActivitiesImpl(EvidenceService evidence) {
    this.evidence = evidence;
  }

  @Override
  public OpenResult openMigration(OpenRequest request) {
    return run(
        () -> evidence.openMigration(request.migrationId(), request.spec(), request.specText()));
  }

  @Override
  public OpenResult openValidation(OpenRequest request) {
    return run(
        () -> evidence.openValidation(request.migrationId(), request.spec(), request.specText()));
  }

  @Override
  public CommitResult recordReview(RecordReviewRequest request) {
    return run(() -> evidence.recordReview(request.branch(), request.review()));
  }

  @Override
  public CommitResult writePullRequest(SummaryRequest request) {
    return run(() -> evidence.writePullRequest(request.branch(), request.spec(), request.status()));
  }

  /**
   * {@code request.commit()} is the candidate; it must be on {@code request.branch()} and descend
   * from the branch's spec commit (the newest commit that wrote {@code migration.yaml}), since the
   * request carries no other base.
   */
  @Override
  public String verifyCommit(StageRequest request) {
    return run(
        () ->
            evidence.verifyCommit(
                request.branch(),
                evidence.specCommit(request.branch()).orElse(null),
                request.commit()));
  }
}
