package io.migrationstudio.worker.assessment;

import io.migrationstudio.contracts.TaskQueues;
import io.migrationstudio.core.git.ArtifactStore;
import io.migrationstudio.core.spec.SecretResolver;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;

/**
 * The assessment worker service: assessment, mapping and git evidence activities on the {@code
 * studio-assessment} task queue. Run it in-process ({@code studio run}, {@code studio server}) or
 * as its own process ({@code studio worker assessment}); more processes on the same queue share the
 * work.
 */
public final class AssessmentWorker {
  public static final String NAME = "assessment";

  private AssessmentWorker() {}

  public static Worker register(
      WorkerFactory factory, WorkerOptions options, ArtifactStore store, SecretResolver secrets) {
    Worker worker = factory.newWorker(TaskQueues.ASSESSMENT, options);
    worker.registerActivitiesImplementations(
        new AssessmentActivitiesImpl(store, secrets),
        new MappingActivitiesImpl(store, secrets),
        new EvidenceActivitiesImpl(store, secrets));
    return worker;
  }
}
