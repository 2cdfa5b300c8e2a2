package io.migrationstudio.worker.migrate;

import io.migrationstudio.contracts.TaskQueues;
import io.migrationstudio.core.git.ArtifactStore;
import io.migrationstudio.core.spec.SecretResolver;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;

/**
 * The migrate worker service: schema apply, chunk copy and load finishing on the {@code
 * studio-migrate} task queue. Run it in-process ({@code studio run}, {@code studio server}) or as
 * its own process ({@code studio worker migrate}); more processes on the same queue share the work.
 */
public final class MigrateWorker {
  public static final String NAME = "migrate";

  private MigrateWorker() {}

  public static Worker register(
      WorkerFactory factory, WorkerOptions options, ArtifactStore store, SecretResolver secrets) {
    Worker worker = factory.newWorker(TaskQueues.MIGRATE, options);
    worker.registerActivitiesImplementations(
        new MigrateActivitiesImpl(store, secrets), new StreamActivitiesImpl(store, secrets));
    return worker;
  }
}
