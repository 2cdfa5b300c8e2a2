package io.migrationstudio.studio;

import io.migrationstudio.core.git.GitArtifactStore;
import io.migrationstudio.core.spec.SecretResolver;
import io.migrationstudio.worker.assessment.AssessmentWorker;
import io.migrationstudio.worker.cutover.CutoverWorker;
import io.migrationstudio.worker.migrate.MigrateWorker;
import io.migrationstudio.worker.validation.ValidationWorker;
import io.migrationstudio.workflow.OperatorServer;
import io.migrationstudio.workflow.OperatorService;
import io.migrationstudio.workflow.TemporalConnection;
import io.migrationstudio.workflow.WorkflowWorker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The studio's services in one process: optionally the embedded Temporal server, the workflow
 * worker and operator API, and any of the four activity workers. {@code run}, {@code demo}, {@code
 * server} and {@code worker} are all this class with different parts switched on.
 */
final class Services implements AutoCloseable {
  static final List<String> WORKERS =
      List.of(AssessmentWorker.NAME, MigrateWorker.NAME, ValidationWorker.NAME, CutoverWorker.NAME);

  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final TemporalConnection connection;
  private final GitArtifactStore store;
  private final OperatorService operator;
  private OperatorServer operatorServer;
  private final WorkerFactory factory;

  private Services(TemporalConnection connection, GitArtifactStore store, WorkerFactory factory) {
    this.connection = connection;
    this.store = store;
    this.factory = factory;
    this.operator = new OperatorService(connection.client(), store);
  }

  /**
   * Connects to Temporal at {@code temporalTarget} (or starts the embedded server when null), opens
   * the artifact store under {@code home} and registers the workflow worker (when {@code workflow})
   * and the named activity workers.
   */
  static Services start(
      StudioHome home,
      String temporalTarget,
      int temporalPort,
      boolean workflow,
      Set<String> workers,
      String gitRemote) {
    List<AutoCloseable> opened = new ArrayList<>();
    EmbeddedTemporal embedded = null;
    String target = temporalTarget;
    if (target == null) {
      embedded = EmbeddedTemporal.start(temporalPort);
      opened.add(embedded);
      target = embedded.target();
    }
    TemporalConnection connection = TemporalConnection.connect(target);
    GitArtifactStore store = GitArtifactStore.open(home.root(), gitRemote);
    WorkerFactory factory = WorkerFactory.newInstance(connection.client());
    Services s = new Services(connection, store, factory);
    s.closeables.addAll(opened);
    // against the in-process server sticky queues must be off (see STACK.md); the same default
    // is used for workers in their own processes, which mostly run against it too
    WorkerOptions options = WorkflowWorker.options(true);
    if (workflow) {
      WorkflowWorker.register(factory, options);
    }
    SecretResolver secrets = new SecretResolver();
    for (String w : workers) {
      switch (w) {
        case AssessmentWorker.NAME -> AssessmentWorker.register(factory, options, store, secrets);
        case MigrateWorker.NAME -> MigrateWorker.register(factory, options, store, secrets);
        case ValidationWorker.NAME -> ValidationWorker.register(factory, options, store, secrets);
        case CutoverWorker.NAME -> CutoverWorker.register(factory, options, store, secrets);
        default -> throw new IllegalArgumentException(unknownWorker(w));
      }
    }
    factory.start();
    return s;
  }

  /** Parses {@code all}, {@code none} or a comma list of worker names. */
  static Set<String> parseWorkers(String value) {
    Set<String> out = new LinkedHashSet<>();
    for (String part : value.split(",")) {
      String p = part.trim().toLowerCase(Locale.ROOT);
      if (p.isEmpty() || p.equals("none")) {
        continue;
      }
      if (p.equals("all")) {
        out.addAll(WORKERS);
      } else if (WORKERS.contains(p)) {
        out.add(p);
      } else {
        throw new IllegalArgumentException(unknownWorker(p));
      }
    }
    return out;
  }

  private static String unknownWorker(String name) {
    return "unknown worker '" + name + "': expected all, none or a list of " + WORKERS;
  }

  /** Serves the operator API on {@code port} (0: a free port). */
  int serveOperatorApi(int port) {
    operatorServer = OperatorServer.start(operator, port);
    return operatorServer.port();
  }

  OperatorService operator() {
    return operator;
  }

  String temporalTarget() {
    return connection.target();
  }

  GitArtifactStore store() {
    return store;
  }

  @Override
  public void close() {
    factory.shutdownNow();
    if (operatorServer != null) {
      operatorServer.close();
    }
    connection.close();
    store.close();
    for (int i = closeables.size() - 1; i >= 0; i--) {
      try {
        closeables.get(i).close();
      } catch (Exception ignored) {
        // shutting down: nothing useful to do with a failure to close
      }
    }
  }
}
