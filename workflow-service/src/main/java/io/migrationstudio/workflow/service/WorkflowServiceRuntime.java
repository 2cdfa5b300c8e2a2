package io.migrationstudio.workflow.service;

import io.micronaut.context.annotation.Context;
import io.migrationstudio.workflow.OperatorServer;
import io.migrationstudio.workflow.OperatorService;
import io.migrationstudio.workflow.TemporalConnection;
import io.migrationstudio.workflow.WorkflowWorker;
import io.temporal.worker.WorkerFactory;
import jakarta.annotation.PreDestroy;

/**
 * What the workflow service runs once its context is up: the worker hosting {@code
 * io.migrationstudio.workflow.deterministic.MigrationWorkflowImpl} and the gRPC operator API. Eager
 * ({@link Context}) so that starting the application starts serving.
 */
@Context
public class WorkflowServiceRuntime implements AutoCloseable {
  private final WorkerFactory factory;
  private final OperatorServer operatorServer;

  WorkflowServiceRuntime(
      ServiceConfig config, TemporalConnection temporal, OperatorService operator) {
    // refused before anything starts: a non-loopback address without TLS and a token
    config.operatorSecurity().checkFor(config.bindAddress());
    this.factory = WorkerFactory.newInstance(temporal.client());
    WorkflowWorker.register(factory, WorkflowWorker.options(config.embeddedTemporal()));
    factory.start();
    this.operatorServer =
        OperatorServer.start(
            operator, config.bindAddress(), config.apiPort(), config.operatorSecurity());
  }

  /** The port the gRPC operator API listens on. */
  public int apiPort() {
    return operatorServer.port();
  }

  @PreDestroy
  @Override
  public void close() {
    factory.shutdownNow();
    operatorServer.close();
  }
}
