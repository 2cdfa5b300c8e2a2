package io.migrationstudio.workflow;

import io.migrationstudio.contracts.TaskQueues;
import io.migrationstudio.workflow.deterministic.ChangeStreamWorkflowImpl;
import io.migrationstudio.workflow.deterministic.MigrationWorkflowImpl;
import io.migrationstudio.workflow.deterministic.ReverseStreamWorkflowImpl;
import io.migrationstudio.workflow.deterministic.TableCopyWorkflowImpl;
import io.migrationstudio.workflow.deterministic.ValidationWorkflowImpl;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import java.time.Duration;

/**
 * Registers the workflows (package {@code deterministic}: {@code MigrationWorkflowImpl}, its
 * per-table {@code TableCopyWorkflowImpl}, {@code ValidationWorkflowImpl}) on the workflow task
 * queue.
 */
public final class WorkflowWorker {
  private WorkflowWorker() {}

  public static Worker register(WorkerFactory factory, WorkerOptions options) {
    Worker worker = factory.newWorker(TaskQueues.WORKFLOW, options);
    worker.registerWorkflowImplementationTypes(
        TableCopyWorkflowImpl.class,
        MigrationWorkflowImpl.class,
        ValidationWorkflowImpl.class,
        ChangeStreamWorkflowImpl.class,
        ReverseStreamWorkflowImpl.class);
    return worker;
  }

  /**
   * Worker options. Against the in-process test server sticky queues must be off: otherwise a
   * worker process that dies leaves its workflows stalled (STACK.md). A real cluster keeps them.
   */
  public static WorkerOptions options(boolean embeddedServer) {
    WorkerOptions.Builder b = WorkerOptions.newBuilder();
    if (embeddedServer) {
      b.setStickyQueueScheduleToStartTimeout(Duration.ZERO);
    }
    return b.build();
  }
}
