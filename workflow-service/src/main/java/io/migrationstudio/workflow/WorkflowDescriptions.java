package io.migrationstudio.workflow;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse;
import io.temporal.client.WorkflowClient;

/**
 * Temporal's description of a workflow's latest run ({@code DescribeWorkflowExecution} in the
 * client's namespace): its status and memo, and the activities it has pending (which worker runs
 * them). The one place that builds the request.
 */
public final class WorkflowDescriptions {
  private WorkflowDescriptions() {}

  /**
   * The description of {@code workflowId}'s latest run.
   *
   * @throws StatusRuntimeException from Temporal, {@code NOT_FOUND} for a workflow it does not know
   */
  public static DescribeWorkflowExecutionResponse describe(
      WorkflowClient client, String workflowId) {
    return client
        .getWorkflowServiceStubs()
        .blockingStub()
        .describeWorkflowExecution(
            DescribeWorkflowExecutionRequest.newBuilder()
                .setNamespace(client.getOptions().getNamespace())
                .setExecution(WorkflowExecution.newBuilder().setWorkflowId(workflowId))
                .build());
  }

  /** The status of {@code workflowId}'s latest run ({@link #describe} says what it throws). */
  public static WorkflowExecutionStatus status(WorkflowClient client, String workflowId) {
    return describe(client, workflowId).getWorkflowExecutionInfo().getStatus();
  }

  /** Whether {@code workflowId}'s latest run is running; false when Temporal does not know it. */
  public static boolean running(WorkflowClient client, String workflowId) {
    try {
      return status(client, workflowId)
          == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
        return false;
      }
      throw e;
    }
  }
}
