package io.migrationstudio.workflow;

import io.migrationstudio.contracts.TaskQueues;
import io.migrationstudio.workflow.deterministic.ChangeStreamWorkflowImpl;
import io.migrationstudio.workflow.deterministic.MigrationWorkflowImpl;
import io.migrationstudio.workflow.deterministic.ReverseStreamWorkflowImpl;
import io.migrationstudio.workflow.deterministic.TableCopyWorkflowImpl;
import io.migrationstudio.workflow.deterministic.ValidationWorkflowImpl;
import io.temporal.activity.ActivityOptions;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import io.temporal.worker.WorkflowImplementationOptions;
import java.time.Duration;
import java.util.Map;

/**
 * Registers the workflows (package {@code deterministic}: {@code MigrationWorkflowImpl}, its
 * per-table {@code TableCopyWorkflowImpl}, {@code ValidationWorkflowImpl}) on the workflow task
 * queue.
 */
public final class WorkflowWorker {
  private WorkflowWorker() {}

  /**
   * Test hook, unset in production: a heartbeat timeout (ISO-8601, e.g. {@code PT5S}) for the chunk
   * and stream-slice activities instead of {@code ActivityOptionsCatalog}'s 15 s and 30 s, so that
   * an end-to-end test that kills a migrate worker sees its chunks and its slice taken over in
   * seconds instead of waiting out the production timeouts. Read when the worker is registered.
   */
  public static final String HEARTBEAT_TIMEOUT_PROPERTY = "studio.test.heartbeatTimeout";

  public static Worker register(WorkerFactory factory, WorkerOptions options) {
    Worker worker = factory.newWorker(TaskQueues.WORKFLOW, options);
    worker.registerWorkflowImplementationTypes(
        implementationOptions(System.getProperty(HEARTBEAT_TIMEOUT_PROPERTY)),
        TableCopyWorkflowImpl.class,
        MigrationWorkflowImpl.class,
        ValidationWorkflowImpl.class,
        ChangeStreamWorkflowImpl.class,
        ReverseStreamWorkflowImpl.class);
    return worker;
  }

  /**
   * The workflows' options: none, or the heartbeat timeout of {@link #HEARTBEAT_TIMEOUT_PROPERTY}.
   */
  static WorkflowImplementationOptions implementationOptions(String heartbeatTimeout) {
    WorkflowImplementationOptions.Builder b = WorkflowImplementationOptions.newBuilder();
    if (heartbeatTimeout != null && !heartbeatTimeout.isBlank()) {
      ActivityOptions beat =
          ActivityOptions.newBuilder()
              .setHeartbeatTimeout(Duration.parse(heartbeatTimeout.strip()))
              .build();
      // merged over the stubs' options: only the heartbeat timeout changes
      b.setActivityOptions(
          Map.of("Migrate_CopyChunk", beat, "Migrate_CopyChunks", beat, "Stream_ApplySlice", beat));
    }
    return b.build();
  }

  /**
   * The longest time between two heartbeats an activity sends to Temporal (the SDK's default is 80
   * % of the heartbeat timeout, 24 s for a stream slice): a cancel or a pause reaches a running
   * chunk or slice in the answer to a heartbeat, so this bounds how late it notices.
   */
  static final Duration HEARTBEAT_THROTTLE = Duration.ofSeconds(1);

  /**
   * How long a workflow thread may run without yielding before the SDK fails the workflow task as a
   * potential deadlock (the SDK's default is 1 s). On a loaded machine the first task of a
   * migration went over 1 s while Jackson built the deserializers of its input (cold, first use in
   * the JVM); the failed task was retried about 10 s later, twice in a row in a benchmark, before
   * the workflow's first stage ran. The code between two yields is short and bounded, so a longer
   * limit only delays the report of a real deadlock.
   */
  static final Duration DEADLOCK_DETECTION = Duration.ofSeconds(10);

  /**
   * Worker options. Against the in-process test server sticky queues must be off: otherwise a
   * worker process that dies leaves its workflows stalled (STACK.md). A real cluster keeps them.
   */
  public static WorkerOptions options(boolean embeddedServer) {
    WorkerOptions.Builder b =
        WorkerOptions.newBuilder()
            .setMaxHeartbeatThrottleInterval(HEARTBEAT_THROTTLE)
            .setDefaultDeadlockDetectionTimeout(DEADLOCK_DETECTION.toMillis());
    if (embeddedServer) {
      b.setStickyQueueScheduleToStartTimeout(Duration.ZERO);
    }
    return b.build();
  }
}
