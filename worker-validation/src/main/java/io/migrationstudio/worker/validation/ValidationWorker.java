package io.migrationstudio.worker.validation;

import io.migrationstudio.contracts.TaskQueues;
import io.migrationstudio.core.git.ArtifactStore;
import io.migrationstudio.core.spec.SecretResolver;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;

/**
 * The validation worker service: reconciliation and regression replay on the {@code
 * studio-validation} task queue. Run it in-process ({@code studio run}, {@code studio server}) or
 * as its own process ({@code studio worker validation}); more processes on the same queue share the
 * work.
 */
public final class ValidationWorker {
  public static final String NAME = "validation";

  private ValidationWorker() {}

  public static Worker register(
      WorkerFactory factory, WorkerOptions options, ArtifactStore store, SecretResolver secrets) {
    Worker worker = factory.newWorker(TaskQueues.VALIDATION, options);
    worker.registerActivitiesImplementations(new ValidationActivitiesImpl(store, secrets));
    return worker;
  }
}
