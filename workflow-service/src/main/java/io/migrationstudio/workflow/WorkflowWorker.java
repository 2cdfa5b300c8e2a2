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
   * The longest time between two heartbeats an activity sends to Temporal (the SDK's default is 80
   * % of the heartbeat timeout, 24 s for a stream slice): a cancel or a pause reaches a running
   * chunk or slice in the answer to a heartbeat, so this bounds how late it notices.
   */
  static final Duration HEARTBEAT_THROTTLE = Duration.ofSeconds(1);

  /**
   * Worker options. Against the in-process test server sticky queues must be off: otherwise a
   * worker process that dies leaves its workflows stalled (STACK.md). A real cluster keeps them.
   */
  public static WorkerOptions options(boolean embeddedServer) {
    WorkerOptions.Builder b =
        WorkerOptions.newBuilder().setMaxHeartbeatThrottleInterval(HEARTBEAT_THROTTLE);
    if (embeddedServer) {
      b.setStickyQueueScheduleToStartTimeout(Duration.ZERO);
    }
    return b.build();
  }
}
