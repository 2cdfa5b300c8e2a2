package io.migrationstudio.worker.cutover;

import io.migrationstudio.contracts.TaskQueues;
import io.migrationstudio.core.git.ArtifactStore;
import io.migrationstudio.core.spec.SecretResolver;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;

/**
 * The cutover worker service: runbook, rollback drill and cutover execution on the {@code
 * studio-cutover} task queue. Run it in-process ({@code studio run}, {@code studio server}) or as
 * its own process ({@code studio worker cutover}); more processes on the same queue share the work.
 */
public final class CutoverWorker {
  public static final String NAME = "cutover";

  private CutoverWorker() {}

  public static Worker register(
      WorkerFactory factory, WorkerOptions options, ArtifactStore store, SecretResolver secrets) {
    Worker worker = factory.newWorker(TaskQueues.CUTOVER, options);
    worker.registerActivitiesImplementations(
        new CutoverActivitiesImpl(store, secrets),
        new HypercareActivitiesImpl(store, secrets),
        new ReverseActivitiesImpl(store, secrets));
    return worker;
  }
}
