package io.migrationstudio.studio;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import io.migrationstudio.core.git.ArtifactStore;
import io.migrationstudio.core.git.GitArtifactStore;
import io.migrationstudio.core.spec.SecretResolver;
import io.migrationstudio.worker.assessment.AssessmentWorker;
import io.migrationstudio.worker.cutover.CutoverWorker;
import io.migrationstudio.worker.migrate.MigrateWorker;
import io.migrationstudio.worker.validation.ValidationWorker;
import io.migrationstudio.workflow.OperatorSecurity;
import io.migrationstudio.workflow.OperatorService;
import io.migrationstudio.workflow.Recovery;
import io.migrationstudio.workflow.TemporalAccess;
import io.migrationstudio.workflow.TemporalConnection;
import io.migrationstudio.workflow.WorkflowWorker;
import io.migrationstudio.workflow.service.WorkflowServiceRuntime;
import io.temporal.client.WorkflowException;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerFactoryOptions;
import io.temporal.worker.WorkerOptions;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The studio's services in one process: optionally the embedded Temporal server, the workflow
 * service (a Micronaut application: workflow worker, gRPC operator API, HTTP status and health),
 * and any of the four activity workers. {@code run}, {@code demo}, {@code server} and {@code
 * worker} are all this class with different parts switched on.
 */
final class Services implements AutoCloseable {
  /**
   * System property: at most this many activities at once per worker of this process (set by {@code
   * studio worker --activity-slots}; the SDK's default otherwise).
   */
  static final String ACTIVITY_SLOTS_PROPERTY = "studio.worker.activitySlots";

  /**
   * System property: how long a process without the embedded server waits for Temporal to answer at
   * start-up (ISO-8601 duration, default {@value #DEFAULT_TEMPORAL_WAIT}; set by {@code studio
   * worker --temporal-wait}).
   */
  static final String TEMPORAL_WAIT_PROPERTY = "studio.temporal.wait";

  static final String DEFAULT_TEMPORAL_WAIT = "PT5M";

  /**
   * System property: the Temporal namespace of this process's clients and workers (set by {@code
   * --namespace} of {@code studio server} and {@code studio worker}; default {@code default}).
   */
  static final String TEMPORAL_NAMESPACE_PROPERTY = "studio.temporal.namespace";

  static String namespace() {
    return System.getProperty(TEMPORAL_NAMESPACE_PROPERTY, TemporalConnection.DEFAULT_NAMESPACE);
  }

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Services.class);

  static final List<String> WORKERS =
      List.of(AssessmentWorker.NAME, MigrateWorker.NAME, ValidationWorker.NAME, CutoverWorker.NAME);

  /**
   * The address every listener of the studio binds by default: this machine only. Another address
   * ({@code studio server --bind}) needs TLS and a token on the operator API, or {@code
   * --insecure}; the embedded Temporal has no authentication and follows {@code --bind} only with
   * {@code --insecure}.
   */
  static final String LOOPBACK = "127.0.0.1";

  /**
   * System property / environment variable: more directories {@code ${file:}} secrets may be read
   * from, separated by the platform's path separator, after {@code <studio home>/secrets}.
   */
  static final String SECRET_DIRS_PROPERTY = "studio.secret.dirs";

  static final String SECRET_DIRS_ENV = "STUDIO_SECRET_DIRS";

  /**
   * Listeners of the workflow service: the address they bind ({@link #LOOPBACK} unless told
   * otherwise), the gRPC operator API port and the HTTP port (0 / -1: any free port), and the
   * operator API's TLS and token.
   */
  record ServicePorts(String bind, int api, int http, OperatorSecurity security) {
    ServicePorts {
      bind = bind == null || bind.isBlank() ? LOOPBACK : bind;
      security = security == null ? OperatorSecurity.NONE : security;
    }

    ServicePorts(String bind, int api, int http) {
      this(bind, api, http, OperatorSecurity.NONE);
    }

    /**
     * Where the embedded Temporal listens: {@link #bind} with {@code --insecure} (it has no
     * authentication, so on another address it would bypass the operator API's token), else
     * loopback.
     */
    String embeddedTemporalBind() {
      return security.insecure() ? bind : LOOPBACK;
    }
  }

  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final String temporalTarget;
  private final TemporalAccess access;
  private ApplicationContext service;
  private OperatorService operator;
  private TemporalConnection connection;
  private ArtifactStore store;
  private WorkerFactory factory;
  private HomeLocks locks;
  private String apiAddress;

  private Services(String temporalTarget, TemporalAccess access) {
    this.temporalTarget = temporalTarget;
    this.access = access;
  }

  /**
   * Connects to Temporal at {@code temporalTarget} (or starts the embedded server on {@code
   * temporalPort} when null, 0 for a free port), starts the workflow service when {@code ports} is
   * given, and registers the named activity workers.
   */
  static Services start(
      StudioHome home,
      String temporalTarget,
      int temporalPort,
      ServicePorts ports,
      Set<String> workers,
      String gitRemote) {
    return start(
        home, temporalTarget, TemporalAccess.PLAINTEXT, temporalPort, ports, workers, gitRemote);
  }

  /**
   * As {@link #start(StudioHome, String, int, ServicePorts, Set, String)}, connecting to {@code
   * temporalTarget} with the TLS, client certificate and API key of {@code access}.
   */
  static Services start(
      StudioHome home,
      String temporalTarget,
      TemporalAccess access,
      int temporalPort,
      ServicePorts ports,
      Set<String> workers,
      String gitRemote) {
    if (temporalTarget == null && !access.isPlaintext()) {
      throw new IllegalArgumentException(
          "Temporal TLS or an API key ("
              + access
              + ") needs --temporal HOST:PORT: the embedded Temporal speaks plaintext on this"
              + " machine");
    }
    if (ports != null) {
      // refused before anything starts: a non-loopback address without TLS and a token
      ports.security().checkFor(ports.bind());
    }
    EmbeddedTemporal embedded = null;
    String target = temporalTarget;
    if (target == null) {
      embedded =
          EmbeddedTemporal.start(
              ports == null ? LOOPBACK : ports.embeddedTemporalBind(), temporalPort);
      target = embedded.target();
      Timings.mark("embedded Temporal started");
    }
    Services s = new Services(target, access);
    if (embedded != null) {
      s.closeables.add(embedded);
    }
    try {
      s.startParts(home, embedded != null, ports, workers, gitRemote, null);
    } catch (RuntimeException e) {
      s.close();
      throw e;
    }
    return s;
  }

  /**
   * The embedded Temporal on a free loopback port, and in one worker factory the workflow worker
   * and the named activity workers, with an {@link #operator()} of this process; no workflow
   * service (its Micronaut context, HTTP status server and gRPC operator API). For a command that
   * starts and follows its own run here and serves nobody else ({@code studio validate}): the
   * context and its two servers were a third of its start-up (issue 17).
   *
   * <p>The server starts on a thread of its own while this one runs {@code first} (the command's
   * own checks, e.g. parsing the spec), opens the artifact store and registers the workers: each
   * side is mostly class loading, and the client needs the server only when the workers start. When
   * {@code first} or anything before that fails, the server is stopped once up and the failure
   * thrown.
   */
  static Services startInProcess(
      StudioHome home, Set<String> workers, String gitRemote, Runnable first) {
    int port = EmbeddedTemporal.freePort();
    long t0 = System.currentTimeMillis();
    FutureTask<EmbeddedTemporal> starting =
        new FutureTask<>(
            () -> {
              EmbeddedTemporal e = EmbeddedTemporal.start(LOOPBACK, port);
              Timings.span(
                  "embedded Temporal start (alongside)", System.currentTimeMillis() - t0, "");
              return e;
            });
    Thread thread = new Thread(starting, "studio-embedded-temporal-start");
    thread.setDaemon(true);
    thread.start();
    Services s = new Services(EmbeddedTemporal.target(LOOPBACK, port), TemporalAccess.PLAINTEXT);
    try {
      first.run();
      Timings.mark("command checks done");
      s.startParts(home, true, null, workers, gitRemote, () -> s.adoptEmbedded(starting));
    } catch (RuntimeException e) {
      s.close();
      if (s.closeables.stream().noneMatch(EmbeddedTemporal.class::isInstance)) {
        try {
          awaitStarted(starting).close();
        } catch (RuntimeException notStarted) {
          e.addSuppressed(notStarted);
        }
      }
      throw e;
    }
    return s;
  }

  /** Takes the server {@code starting} started, to be closed last. */
  private void adoptEmbedded(FutureTask<EmbeddedTemporal> starting) {
    closeables.add(0, awaitStarted(starting));
    Timings.mark("embedded Temporal awaited");
  }

  private static EmbeddedTemporal awaitStarted(FutureTask<EmbeddedTemporal> starting) {
    try {
      return starting.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while the embedded Temporal was starting", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException("the embedded Temporal did not start", e.getCause());
    }
  }

  /**
   * Starts what this process runs besides the embedded server. {@code inProcess} null: the workflow
   * service when {@code ports} is given; else the workflow worker and an operator service of this
   * process (see {@link #startInProcess}), {@code inProcess} run just before the workers start (it
   * waits for the server).
   */
  private void startParts(
      StudioHome home,
      boolean embedded,
      ServicePorts ports,
      Set<String> workers,
      String gitRemote,
      Runnable inProcess) {
    if (ports != null) {
      if (!embedded) {
        // wait for a Temporal that is not up yet, and stop with a clear message when it refuses
        // this client, before the workflow service starts its worker against it
        try (TemporalConnection probe =
            TemporalConnection.connect(temporalTarget, namespace(), access)) {
          awaitTemporal(probe);
        }
      }
      Map<String, Object> props = new HashMap<>();
      props.put("studio.service.home", home.root().toString());
      props.put("studio.service.temporal", temporalTarget);
      props.put("studio.service.api-port", ports.api());
      props.put("studio.service.bind-address", ports.bind());
      props.put("micronaut.server.host", ports.bind());
      props.put("studio.service.embedded-temporal", embedded);
      props.put("studio.service.namespace", namespace());
      props.put("micronaut.server.port", ports.http());
      if (gitRemote != null) {
        props.put("studio.service.git-remote", gitRemote);
      }
      putPath(props, "studio.service.tls-cert", ports.security().tlsCert());
      putPath(props, "studio.service.tls-key", ports.security().tlsKey());
      putPath(props, "studio.service.tls-client-ca", ports.security().clientCa());
      putPath(props, "studio.service.api-token-file", ports.security().tokenFile());
      props.put("studio.service.insecure", ports.security().insecure());
      props.put("micronaut.application.name", "studio-workflow-service");
      // whoever starts a migration here drives it: its run lock is held while its workflow runs
      locks = new HomeLocks(home);
      closeables.add(locks);
      // the Temporal access (it may hold an API key) goes in as a bean, not as a property
      service = ApplicationContext.builder().properties(props).singletons(access, locks).start();
      Timings.mark("workflow service context started");
      EmbeddedServer http = service.getBean(EmbeddedServer.class);
      if (!http.isRunning()) {
        http.start();
      }
      connection = service.getBean(TemporalConnection.class);
      store = service.getBean(GitArtifactStore.class);
      apiAddress = clientAddress(ports.bind(), apiPort());
      locks.describe("studio", apiAddress);
      locks.watch(connection.client());
      Timings.mark("workflow service serving");
    } else {
      connection = TemporalConnection.connect(temporalTarget, namespace(), access);
      closeables.add(connection);
      if (!embedded) {
        awaitTemporal(connection);
      }
      GitArtifactStore own = GitArtifactStore.open(home.root(), gitRemote);
      closeables.add(own);
      store = own;
      if (inProcess != null) {
        operator = new OperatorService(connection.client(), store);
      }
    }
    factory =
        Timings.enabled()
            ? WorkerFactory.newInstance(
                connection.client(),
                WorkerFactoryOptions.newBuilder()
                    .setWorkerInterceptors(new ActivityTimings())
                    .build())
            : WorkerFactory.newInstance(connection.client());
    // against the in-process server sticky queues must be off (see STACK.md); the same default
    // is used for workers in their own processes, which mostly run against it too
    WorkerOptions options = WorkflowWorker.options(true);
    Integer slots = Integer.getInteger(ACTIVITY_SLOTS_PROPERTY);
    if (slots != null) {
      options =
          WorkerOptions.newBuilder(options).setMaxConcurrentActivityExecutionSize(slots).build();
    }
    if (operator != null) {
      WorkflowWorker.register(factory, WorkflowWorker.options(embedded));
    }
    SecretResolver secrets = secrets(home);
    for (String w : workers) {
      switch (w) {
        case AssessmentWorker.NAME -> AssessmentWorker.register(factory, options, store, secrets);
        case MigrateWorker.NAME -> MigrateWorker.register(factory, options, store, secrets);
        case ValidationWorker.NAME -> ValidationWorker.register(factory, options, store, secrets);
        case CutoverWorker.NAME -> CutoverWorker.register(factory, options, store, secrets);
        default -> throw new IllegalArgumentException(unknownWorker(w));
      }
    }
    Timings.mark("activity workers registered");
    if (inProcess != null) {
      inProcess.run();
    }
    startFactory(embedded);
    Timings.mark("activity workers started");
  }

  /** {@code host:port} a client on this machine reaches a listener bound to {@code bind} on. */
  static String clientAddress(String bind, int port) {
    boolean any = bind.equals("0.0.0.0") || bind.equals("::") || bind.equals("[::]");
    String host =
        any ? "localhost" : bind.contains(":") && !bind.startsWith("[") ? "[" + bind + "]" : bind;
    return host + ":" + port;
  }

  private static void putPath(Map<String, Object> props, String key, Path path) {
    if (path != null) {
      props.put(key, path.toString());
    }
  }

  /**
   * Waits for a Temporal that answers slowly or comes up late, saying why it waits; stops at once
   * when it refuses this client (TLS, credentials).
   */
  private void awaitTemporal(TemporalConnection connection) {
    java.time.Duration wait =
        java.time.Duration.parse(System.getProperty(TEMPORAL_WAIT_PROPERTY, DEFAULT_TEMPORAL_WAIT));
    try {
      connection.awaitReady(
          wait,
          message -> {
            log.warn(message);
            System.err.println("studio: " + message);
          });
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(
          "interrupted while waiting for Temporal at " + temporalTarget);
    }
  }

  /**
   * Starts the workers; the SDK checks the server first, so a frontend too slow for that check
   * (DEADLINE_EXCEEDED under load) is waited for again rather than ending the process.
   */
  private void startFactory(boolean embedded) {
    for (int attempt = 1; ; attempt++) {
      try {
        factory.start();
        return;
      } catch (io.grpc.StatusRuntimeException e) {
        java.util.Optional<String> refused = connection.refusal(e);
        if (refused.isPresent()) {
          throw new IllegalArgumentException(refused.get(), e);
        }
        if (embedded || attempt >= 5) {
          throw e;
        }
        String message =
            "starting the workers against Temporal at "
                + temporalTarget
                + " failed ("
                + e.getStatus().getCode()
                + "), attempt "
                + attempt
                + " of 5: waiting for it again";
        log.warn(message);
        System.err.println("studio: " + message);
        awaitTemporal(connection);
      }
    }
  }

  /**
   * The secret resolver of this process's workers: the process environment, and {@code ${file:}}
   * references only inside {@code <studio home>/secrets} and the directories of {@value
   * #SECRET_DIRS_PROPERTY} (system property) or {@value #SECRET_DIRS_ENV} (environment).
   */
  static SecretResolver secrets(StudioHome home) {
    List<Path> dirs = new ArrayList<>();
    dirs.add(home.secrets());
    for (String list :
        new String[] {System.getProperty(SECRET_DIRS_PROPERTY), System.getenv(SECRET_DIRS_ENV)}) {
      if (list == null) {
        continue;
      }
      for (String d : list.split(java.util.regex.Pattern.quote(File.pathSeparator))) {
        if (!d.isBlank()) {
          dirs.add(Path.of(d.strip()));
        }
      }
    }
    return new SecretResolver(System::getenv, dirs);
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

  private ApplicationContext service() {
    if (service == null) {
      throw new IllegalStateException("the workflow service does not run in this process");
    }
    return service;
  }

  OperatorService operator() {
    return operator != null ? operator : service().getBean(OperatorService.class);
  }

  int apiPort() {
    return service().getBean(WorkflowServiceRuntime.class).apiPort();
  }

  int httpPort() {
    return service().getBean(EmbeddedServer.class).getPort();
  }

  /**
   * Names this process ({@code studio server}, {@code studio run ID}) in the run locks of the
   * migrations it drives, with its operator API, so that a process refused one of them says how to
   * follow it here.
   */
  void drivenBy(String command) {
    locks().describe(command, apiAddress);
  }

  /** The run locks of the migrations this process drives (with the workflow service only). */
  HomeLocks locks() {
    service();
    return locks;
  }

  /** {@code host:port} of this process's operator API, as a client on this machine reaches it. */
  String apiAddress() {
    service();
    return apiAddress;
  }

  /**
   * Re-creates the unfinished migrations and validation runs of {@code home} (see {@link
   * Recovery}), each migration under its run lock taken by this process; one that another live
   * process of the home drives (a {@code studio run}, another server) is left to it, its outcome
   * naming that process and how to follow it (the lock's refusal).
   */
  List<Recovery.Outcome> recover(StudioHome home) {
    return new Recovery(connection.client(), store, operator()).recoverUnfinished();
  }

  /**
   * On a persistent Temporal: takes the run lock of every unfinished migration of {@code home}
   * whose workflow Temporal runs (see {@link Recovery#lockRunning}).
   */
  List<Recovery.Outcome> lockRunning() {
    return new Recovery(connection.client(), store, operator()).lockRunning(locks());
  }

  String temporalTarget() {
    return temporalTarget;
  }

  /**
   * Why this process is not healthy (a worker's {@code /health}, {@link WorkerHealth}): its workers
   * do not poll (not started, or stopped), or Temporal's frontend does not answer the probe of the
   * server's {@code /health} within {@code timeout}; empty when both hold.
   */
  java.util.Optional<String> healthProblem(java.time.Duration timeout) {
    if (factory == null || !factory.isStarted() || factory.isShutdown()) {
      return java.util.Optional.of("the workers are not polling");
    }
    return connection.probe(timeout).map(p -> "Temporal at " + temporalTarget + ": " + p);
  }

  ArtifactStore store() {
    return store;
  }

  /**
   * Waits for a workflow whose status already reads ended to return (its last activity may still be
   * pushing evidence). A failed or timed-out wait changes nothing: the status is final.
   */
  static void settle(Supplier<?> awaitEnd) {
    try {
      awaitEnd.get();
    } catch (WorkflowException e) {
      // ended by failure or termination: nothing left running to wait for
    }
  }

  @Override
  public void close() {
    if (factory != null) {
      factory.shutdownNow();
      // an interrupted activity can still be inside a git push (JGit does not stop on an
      // interrupt): let it end before the store below closes
      factory.awaitTermination(30, TimeUnit.SECONDS);
      Timings.mark("activity workers stopped");
    }
    if (service != null) {
      service.close();
      Timings.mark("workflow service closed");
    }
    for (int i = closeables.size() - 1; i >= 0; i--) {
      try {
        closeables.get(i).close();
      } catch (Exception ignored) {
        // shutting down: nothing useful to do with a failure to close
      }
    }
    Timings.mark("services closed");
  }
}
