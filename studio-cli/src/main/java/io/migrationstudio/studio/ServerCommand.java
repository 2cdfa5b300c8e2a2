package io.migrationstudio.studio;

import io.migrationstudio.workflow.Recovery;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "server",
    description = {
      "Long-running: embedded Temporal (or --temporal), the workflow service with the operator",
      "API (gRPC), and the named workers in-process. Stop with Ctrl-C."
    })
final class ServerCommand implements Callable<Integer> {
  @Option(names = "--home", paramLabel = "DIR", description = "studio home (default ./.studio)")
  Path home;

  @Option(
      names = "--workers",
      paramLabel = "all|none|LIST",
      description = "workers to run in this process (default ${DEFAULT-VALUE})")
  String workers = "all";

  @Option(
      names = "--port",
      description = "port of the embedded Temporal (default ${DEFAULT-VALUE})")
  int port = 7233;

  @Option(names = "--api-port", description = "port of the operator API (default ${DEFAULT-VALUE})")
  int apiPort = 7234;

  @Option(
      names = "--http-port",
      description = "port of the HTTP status and health API (default ${DEFAULT-VALUE})")
  int httpPort = 7235;

  @Option(
      names = "--bind",
      paramLabel = "ADDRESS",
      description = {
        "address the embedded Temporal, the operator API and the HTTP API listen on (default"
            + " ${DEFAULT-VALUE}: this machine only).",
        "They have no authentication: 0.0.0.0 or an external address lets anyone who reaches it"
            + " start migrations and approve gates."
      })
  String bind = Services.LOOPBACK;

  @Option(
      names = "--temporal",
      paramLabel = "HOST:PORT",
      description = "use this Temporal instead of starting the embedded one")
  String temporal;

  @Option(
      names = "--namespace",
      paramLabel = "NAME",
      description = "Temporal namespace, with --temporal (default ${DEFAULT-VALUE})")
  String namespace = "default";

  @Option(names = "--git-remote", paramLabel = "URI", description = "artifact repository remote")
  String gitRemote = System.getProperty("studio.git.remote");

  @Override
  public Integer call() throws Exception {
    if (temporal == null && !"default".equals(namespace)) {
      throw new IllegalArgumentException(
          "--namespace "
              + namespace
              + " needs --temporal HOST:PORT: the embedded Temporal has only the namespace"
              + " 'default'");
    }
    System.setProperty(Services.TEMPORAL_NAMESPACE_PROPERTY, namespace);
    StudioHome h = StudioHome.of(home);
    Logs.init(h);
    CountDownLatch stop = new CountDownLatch(1);
    try (Services services =
        Services.start(
            h,
            temporal,
            port,
            new Services.ServicePorts(bind, apiPort, httpPort),
            Services.parseWorkers(workers),
            gitRemote)) {
      int api = services.apiPort();
      System.out.printf(
          Locale.ROOT,
          "studio server: Temporal %s%s, operator API %s:%d, HTTP %s:%d"
              + " (/api/migrations, /health), workers %s, home %s%n",
          services.temporalTarget(),
          temporal == null ? " (embedded, in memory)" : "",
          bind,
          api,
          bind,
          services.httpPort(),
          workers,
          h.root());
      if (temporal == null) {
        recover(services, h);
      }
      Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
      stop.await();
    }
    return StudioMain.EXIT_OK;
  }

  /**
   * The embedded Temporal keeps workflows in memory: every unfinished run of the home is re-created
   * from its branch, and each one is named with what happened to it.
   */
  private static void recover(Services services, StudioHome h) {
    for (Recovery.Outcome o : services.recover(h)) {
      if (o.recovered() || !o.detail().startsWith("ended ")) {
        System.out.printf(
            Locale.ROOT,
            "studio server: %s %s (%s)%n",
            o.recovered() ? "resumed" : "did not resume",
            o.branch(),
            o.detail());
      }
    }
  }
}
