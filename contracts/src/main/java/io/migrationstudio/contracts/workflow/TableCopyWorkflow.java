package io.migrationstudio.contracts.workflow;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Copies one table's chunks as a child of {@link MigrationWorkflow}, so that each history stays
 * small whatever the number of tables and chunks. Chunks run with bounded parallelism; each is one
 * idempotent activity keyed {@code migration/table/chunk}.
 */
@WorkflowInterface
public interface TableCopyWorkflow {
  @WorkflowMethod
  TableCopyResult copy(TableCopyRequest request);

  /** Pause, resume or a new row rate cap from the migration. */
  @SignalMethod
  void control(CopyControl control);

  /**
   * The pause and rate cap in force (the last {@link #control}; a rate of null: the spec's). A
   * running chunk reads it every few seconds, so a throttle reaches the chunks already copying.
   */
  @QueryMethod
  CopyControl currentControl();
}
