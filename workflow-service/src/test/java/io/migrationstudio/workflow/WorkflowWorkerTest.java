package io.migrationstudio.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.activity.MigrateActivities;
import io.migrationstudio.contracts.activity.StreamActivities;
import io.temporal.common.metadata.POJOActivityInterfaceMetadata;
import io.temporal.common.metadata.POJOActivityMethodMetadata;
import io.temporal.worker.WorkflowImplementationOptions;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WorkflowWorkerTest {
  @Test
  void withoutTheTestHookNoActivityOptionIsOverridden() {
    assertTrue(WorkflowWorker.implementationOptions(null).getActivityOptions().isEmpty());
    assertTrue(WorkflowWorker.implementationOptions(" ").getActivityOptions().isEmpty());
  }

  /** The hook names real activity types: a renamed activity would silently keep its timeout. */
  @Test
  void theTestHookSetsOnlyTheHeartbeatTimeoutOfTheChunkAndSliceActivities() {
    WorkflowImplementationOptions o = WorkflowWorker.implementationOptions("PT5S");
    Set<String> types = new HashSet<>();
    for (Class<?> c : new Class<?>[] {MigrateActivities.class, StreamActivities.class}) {
      POJOActivityInterfaceMetadata.newInstance(c).getMethodsMetadata().stream()
          .map(POJOActivityMethodMetadata::getActivityTypeName)
          .forEach(types::add);
    }
    assertEquals(3, o.getActivityOptions().size(), o.getActivityOptions().toString());
    o.getActivityOptions()
        .forEach(
            (type, options) -> {
              assertTrue(types.contains(type), type + " is not an activity type: " + types);
              assertEquals(Duration.ofSeconds(5), options.getHeartbeatTimeout(), type);
              assertNull(options.getStartToCloseTimeout(), type);
              assertNull(options.getRetryOptions(), type);
              assertNull(options.getTaskQueue(), type);
            });
  }

  /**
   * A workflow task slowed by a loaded machine (a cold Jackson deserializer of the migration's
   * input took over 1 s in a benchmark) is not failed as a deadlock and retried 10 s later.
   */
  @Test
  void aWorkflowThreadMayRunTenSecondsBeforeItCountsAsADeadlock() {
    for (boolean embedded : new boolean[] {true, false}) {
      assertEquals(10_000, WorkflowWorker.options(embedded).getDefaultDeadlockDetectionTimeout());
    }
  }
}
