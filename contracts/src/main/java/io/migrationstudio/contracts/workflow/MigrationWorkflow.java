package io.migrationstudio.contracts.workflow;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.UpdateValidatorMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * One migration, id {@code migration-<id>}: Assessment, Mapping, Migrate, Validation, Cutover in
 * order, each a producer then a checker activity and a review gate.
 */
@WorkflowInterface
public interface MigrationWorkflow {

  @WorkflowMethod
  MigrationOutcome run(MigrationInput input);

  /** A human decision on the stage awaiting review; refused by {@link #validateReview}. */
  @UpdateMethod
  ReviewRecord review(Review review);

  @UpdateValidatorMethod(updateName = "review")
  void validateReview(Review review);

  /**
   * The same review as a signal, for Temporal UI users. It goes through the same checks; a refused
   * signal is recorded in the status with the reason instead of failing the caller.
   */
  @SignalMethod
  void reviewSignal(Review review);

  @QueryMethod
  MigrationStatus status();

  /**
   * An operator's control (cancel, pause, resume, throttle, rollback); refused by {@link
   * #validateControl} when the migration ended or the request is incomplete.
   */
  @UpdateMethod
  ControlRecord control(ControlRequest request);

  @UpdateValidatorMethod(updateName = "control")
  void validateControl(ControlRequest request);

  /** Progress from a table's copy workflow (one per finished chunk). */
  @SignalMethod
  void chunkCopied(ChunkCopied progress);

  /** Progress from a table's copy workflow: the chunks finished since its previous signal. */
  @SignalMethod
  void chunksCopied(ChunksCopied progress);

  /** Progress from the migration's change-stream workflow (online migrations). */
  @SignalMethod
  void streamProgress(StreamProgress progress);

  /**
   * Progress from the migration's reverse-stream workflow (after a switch with a reverse stream).
   */
  @SignalMethod
  void reverseProgress(StreamProgress progress);
}
