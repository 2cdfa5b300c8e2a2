package io.migrationstudio.studio;

import io.migrationstudio.workflow.TemporalAccess;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "worker",
    description = {
      "One worker service as its own process against a running Temporal: the unit of scale-out.",
      "NAME is assessment, migrate, validation or cutover."
    })
final class WorkerCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "NAME")
  String name;

  @Option(
      names = "--temporal",
      paramLabel = "HOST:PORT",
      description =
          "Temporal frontend (default: env "
              + TemporalAccess.ADDRESS_ENV
              + ", else 127.0.0.1:7233)")
  String temporal;

  @Option(names = "--home", paramLabel = "DIR", description = "studio home (default ./.studio)")
  Path home;

  @Option(
      names = "--namespace",
      paramLabel = "NAME",
      description =
          "Temporal namespace (default: env " + TemporalAccess.NAMESPACE_ENV + ", else default)")
  String namespace;

  @Mixin TemporalOptions temporalOptions = new TemporalOptions();

  @Option(names = "--git-remote", paramLabel = "URI", description = "artifact repository remote")
  String gitRemote = System.getProperty("studio.git.remote");

  @Option(
      names = "--activity-slots",
      paramLabel = "N",
      description =
          "at most N activities (e.g. chunk copies) at once in this process; default: the SDK's")
  Integer activitySlots;

  @Option(
      names = "--temporal-wait",
      paramLabel = "DURATION",
      description =
          "how long to wait at start-up for Temporal to answer, retrying with backoff"
              + " (ISO-8601, default ${DEFAULT-VALUE})")
  String temporalWait = Services.DEFAULT_TEMPORAL_WAIT;

  @Option(
      names = "--health-port",
      paramLabel = "N",
      description = {
        "serve HTTP /health on port N (0: a free port, printed): UP (200) while this worker polls"
            + " and Temporal answers, DOWN (503) otherwise, also while it waits for Temporal at"
            + " start-up.",
        "Default: no health endpoint (several workers of one machine would claim the same port)."
      })
  Integer healthPort;

  @Option(
      names = "--health-bind",
      paramLabel = "ADDRESS",
      description =
          "address /health listens on (default ${DEFAULT-VALUE}: this machine only; a Kubernetes"
              + " probe needs the pod's address, e.g. 0.0.0.0)")
  String healthBind = Services.LOOPBACK;

  @Override
  public Integer call() throws Exception {
    checkWait(temporalWait);
    String target = TemporalOptions.address(temporal, System::getenv, "127.0.0.1:7233");
    TemporalAccess access = temporalOptions.access(System::getenv);
    System.setProperty(Services.TEMPORAL_WAIT_PROPERTY, temporalWait);
    System.setProperty(
        Services.TEMPORAL_NAMESPACE_PROPERTY, TemporalOptions.namespace(namespace, System::getenv));
    if (activitySlots != null) {
      if (activitySlots < 1) {
        throw new IllegalArgumentException(
            "--activity-slots must be at least 1, was " + activitySlots);
      }
      System.setProperty(Services.ACTIVITY_SLOTS_PROPERTY, Integer.toString(activitySlots));
    }
    Set<String> workers = Services.parseWorkers(name);
    if (workers.size() != 1) {
      throw new IllegalArgumentException("name exactly one worker: " + Services.WORKERS);
    }
    if (healthPort != null && (healthPort < 0 || healthPort > 65_535)) {
      throw new IllegalArgumentException("--health-port must be 0..65535, was " + healthPort);
    }
    StudioHome h = StudioHome.of(home);
    Logs.init(h);
    PayloadWarmUp.startInBackground(); // built by the first task otherwise, inside it
    CountDownLatch stop = new CountDownLatch(1);
    AtomicReference<Services> running = new AtomicReference<>();
    try (AutoCloseable health = health(target, running);
        Services services = Services.start(h, target, access, 0, null, workers, gitRemote)) {
      running.set(services);
      System.out.printf(
          Locale.ROOT,
          "studio worker %s: polling %s (%s, namespace %s), home %s%n",
          name,
          target,
          access,
          Services.namespace(),
          h.root());
      Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
      stop.await();
    }
    return StudioMain.EXIT_OK;
  }

  /** The worker's {@code /health} when {@code --health-port} asks for it (DOWN until it polls). */
  private AutoCloseable health(String target, AtomicReference<Services> running) {
    if (healthPort == null) {
      return () -> {};
    }
    WorkerHealth health = WorkerHealth.start(healthBind, healthPort, name, target, running::get);
    System.out.printf(
        Locale.ROOT,
        "studio worker %s: health on http://%s/health%n",
        name,
        Services.clientAddress(healthBind, health.port()));
    return health;
  }

  /** Refuses a --temporal-wait that is not a non-negative ISO-8601 duration. */
  static void checkWait(String temporalWait) {
    try {
      if (java.time.Duration.parse(temporalWait).isNegative()) {
        throw new java.time.format.DateTimeParseException("negative", temporalWait, 0);
      }
    } catch (java.time.format.DateTimeParseException e) {
      throw new IllegalArgumentException(
          "--temporal-wait must be an ISO-8601 duration such as PT5M, was " + temporalWait);
    }
  }
}
