package io.migrationstudio.workflow.service;

import io.micronaut.runtime.Micronaut;

/**
 * The workflow service as its own process (Micronaut): the workflow worker, the gRPC operator API
 * and the HTTP endpoints ({@code /api/migrations}, {@code /health}), against the Temporal named by
 * {@code studio.service.temporal}. {@code studio server} starts the same application context
 * in-process.
 */
public final class WorkflowServiceApplication {
  private WorkflowServiceApplication() {}

  public static void main(String[] args) {
    Micronaut.run(WorkflowServiceApplication.class, args);
  }
}
