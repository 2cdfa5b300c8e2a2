package io.migrationstudio.contracts.workflow;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * The reverse stream of one switched migration ({@code cutover.rollback: reverse}), a child of its
 * migration workflow ({@code <migration workflow id>/reverse}): applies the target's changes to the
 * source in bounded slices until stopped, continuing as new to keep its history short, and signals
 * its progress (lag in bytes of the target's WAL) to the migration.
 */
@WorkflowInterface
public interface ReverseStreamWorkflow {
  @WorkflowMethod
  StreamProgress run(StreamRequest request);

  @QueryMethod
  StreamProgress progress();

  /** Stop after the running slice (a rollback drains the stream itself, or the migration ends). */
  @SignalMethod
  void stop(String reason);

  /**
   * Pause or resume ({@code studio pause|resume} of the migration): paused, no slice starts after
   * the running one until resumed; the position stays where the last slice left it.
   */
  @SignalMethod
  void control(CopyControl control);
}
