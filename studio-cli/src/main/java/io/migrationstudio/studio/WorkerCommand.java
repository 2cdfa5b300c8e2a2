package io.migrationstudio.studio;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
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
      description = "Temporal frontend (default ${DEFAULT-VALUE})")
  String temporal = "127.0.0.1:7233";

  @Option(names = "--home", paramLabel = "DIR", description = "studio home (default ./.studio)")
  Path home;

  @Option(
      names = "--namespace",
      paramLabel = "NAME",
      description = "Temporal namespace, with --temporal (default ${DEFAULT-VALUE})")
  String namespace = "default";

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

  @Override
  public Integer call() throws Exception {
    try {
      if (java.time.Duration.parse(temporalWait).isNegative()) {
        throw new java.time.format.DateTimeParseException("negative", temporalWait, 0);
      }
    } catch (java.time.format.DateTimeParseException e) {
      throw new IllegalArgumentException(
          "--temporal-wait must be an ISO-8601 duration such as PT5M, was " + temporalWait);
    }
    System.setProperty(Services.TEMPORAL_WAIT_PROPERTY, temporalWait);
    System.setProperty(Services.TEMPORAL_NAMESPACE_PROPERTY, namespace);
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
    StudioHome h = StudioHome.of(home);
    Logs.init(h);
    CountDownLatch stop = new CountDownLatch(1);
    try (Services services = Services.start(h, temporal, 0, null, workers, gitRemote)) {
      System.out.printf(
          Locale.ROOT, "studio worker %s: polling %s, home %s%n", name, temporal, h.root());
      Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
      stop.await();
    }
    return StudioMain.EXIT_OK;
  }
}
