package io.migrationstudio.contracts.workflow;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * The change stream of one online migration, a child of its migration workflow: applies the
 * source's log to the target in bounded slices until stopped, continuing as new to keep its history
 * short, and signals its progress to the migration.
 */
@WorkflowInterface
public interface ChangeStreamWorkflow {
  @WorkflowMethod
  StreamProgress run(StreamRequest request);

  @QueryMethod
  StreamProgress progress();

  /** Stop after the running slice (the migration ended, or the cutover drained the stream). */
  @SignalMethod
  void stop(String reason);

  /**
   * Pause or resume ({@code studio pause|resume} of the migration; {@code rowsPerSecond} unused):
   * paused, the running slice is cancelled at its next batch, between two source transactions, and
   * no slice applies until resumed; the position stays on the target, so the next slice goes on
   * from it.
   */
  @SignalMethod
  void control(CopyControl control);
}
