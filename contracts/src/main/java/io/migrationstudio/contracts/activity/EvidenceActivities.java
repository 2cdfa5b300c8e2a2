package io.migrationstudio.contracts.activity;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** Git evidence that belongs to no stage: the branch, the spec, reviews, the PR summary. */
@ActivityInterface(namePrefix = "Evidence_")
public interface EvidenceActivities {
  @ActivityMethod
  OpenResult openMigration(OpenRequest request);

  /**
   * Opens (or re-opens) the validation-only branch {@code validations/<id>} and commits the spec as
   * {@code migration.yaml} there; the answer names no approved stages (validation runs have no
   * reviews).
   */
  @ActivityMethod
  OpenResult openValidation(OpenRequest request);

  @ActivityMethod
  CommitResult recordReview(RecordReviewRequest request);

  /**
   * Verifies a review's signature against the approvers' keys of the spec before the gate takes it:
   * refusals are answers (accepted false, with the problem), not failures.
   */
  @ActivityMethod
  ReviewCheck verifyReview(VerifyReviewRequest request);

  /**
   * Commits {@code gates/<stage>.json}: the gate now waits for a review of the named commit (no new
   * commit when the same gate was recorded before).
   */
  @ActivityMethod
  CommitResult recordGate(RecordGateRequest request);

  /** Commits {@code cancel.json}: the migration was cancelled, by whom, when and why. */
  @ActivityMethod
  CommitResult recordCancel(RecordCancelRequest request);

  @ActivityMethod
  CommitResult writePullRequest(SummaryRequest request);

  /**
   * Checks that {@code commit} is on the branch and descends from {@code base}; returns it, or
   * fails with {@code INVALID_COMMIT}.
   */
  @ActivityMethod
  String verifyCommit(StageRequest request);
}
