package io.migrationstudio.workflow;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.TaskQueues;
import io.migrationstudio.workflow.deterministic.MigrationSearchAttributes;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowServiceException;
import io.temporal.testing.TestWorkflowEnvironment;
import org.junit.jupiter.api.Test;

/**
 * A namespace without the migration search attributes refuses a start that sets them, in a way
 * {@link SearchAttributesStart#refused} recognises, so the operator starts without them; with them
 * registered the same start is accepted.
 */
class SearchAttributesStartTest {
  private static WorkflowOptions options(String id) {
    return WorkflowOptions.newBuilder()
        .setWorkflowId(TaskQueues.workflowId(id))
        .setTaskQueue(TaskQueues.WORKFLOW)
        .setTypedSearchAttributes(MigrationSearchAttributes.initial(id))
        .build();
  }

  @Test
  void anUnregisteredAttributeIsRefusedRecognisablyAndARegisteredOneIsAccepted() {
    try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance()) {
      WorkflowClient client = env.getWorkflowClient();
      WorkflowServiceException e =
          assertThrows(
              WorkflowServiceException.class,
              () -> client.newUntypedWorkflowStub("MigrationWorkflow", options("sa-a")).start());
      assertTrue(SearchAttributesStart.refused(e), e.toString());
      for (var key :
          java.util.List.of(
              MigrationSearchAttributes.MIGRATION_ID,
              MigrationSearchAttributes.MIGRATION_STAGE,
              MigrationSearchAttributes.MIGRATION_STATE)) {
        env.registerSearchAttribute(
            key.getName(), io.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
      }
      client.newUntypedWorkflowStub("MigrationWorkflow", options("sa-b")).start();
      assertFalse(SearchAttributesStart.refused(new IllegalStateException("other")));
    }
  }
}
