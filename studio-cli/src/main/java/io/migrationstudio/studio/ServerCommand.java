package io.migrationstudio.studio;

import io.migrationstudio.workflow.OperatorSecurity;
import io.migrationstudio.workflow.Recovery;
import io.migrationstudio.workflow.TemporalAccess;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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
        "address the operator API and the HTTP API listen on (default ${DEFAULT-VALUE}: this"
            + " machine only).",
        "Another address needs --tls-cert/--tls-key and --api-token-file, or --insecure; the"
            + " embedded Temporal (no authentication) follows it only with --insecure."
      })
  String bind = Services.LOOPBACK;

  @Option(
      names = "--tls-cert",
      paramLabel = "FILE",
      description = "PEM certificate of the operator API: it then speaks TLS only")
  Path tlsCert;

  @Option(
      names = "--tls-key",
      paramLabel = "FILE",
      description = "PEM PKCS#8 private key of --tls-cert")
  Path tlsKey;

  @Option(
      names = "--tls-client-ca",
      paramLabel = "FILE",
      description = "PEM CA: the operator API then requires client certificates it signed")
  Path tlsClientCa;

  @Option(
      names = "--api-token-file",
      paramLabel = "FILE",
      description =
          "file holding the token every mutating operator API call must carry"
              + " (authorization: Bearer; at least 16 characters, e.g. `openssl rand -hex 32`)")
  Path apiTokenFile;

  @Option(
      names = "--insecure",
      description =
          "serve a --bind address other than loopback without TLS or a token (a trusted network"
              + " only), the embedded Temporal included")
  boolean insecure;

  @Option(
      names = "--temporal",
      paramLabel = "HOST:PORT",
      description =
          "use this Temporal instead of starting the embedded one (env "
              + TemporalAccess.ADDRESS_ENV
              + ")")
  String temporal;

  @Option(
      names = "--namespace",
      paramLabel = "NAME",
      description =
          "Temporal namespace, with --temporal (default: env "
              + TemporalAccess.NAMESPACE_ENV
              + ", else default)")
  String namespace;

  @Mixin TemporalOptions temporalOptions = new TemporalOptions();

  @Option(
      names = "--temporal-wait",
      paramLabel = "DURATION",
      description =
          "with --temporal: how long to wait at start-up for Temporal to answer (ISO-8601,"
              + " default ${DEFAULT-VALUE})")
  String temporalWait = Services.DEFAULT_TEMPORAL_WAIT;

  @Option(names = "--git-remote", paramLabel = "URI", description = "artifact repository remote")
  String gitRemote = System.getProperty("studio.git.remote");

  @Override
  public Integer call() throws Exception {
    String target = TemporalOptions.address(temporal, System::getenv, null);
    String ns = TemporalOptions.namespace(namespace, System::getenv);
    if (target == null && namespace != null && !"default".equals(namespace)) {
      throw new IllegalArgumentException(
          "--namespace "
              + namespace
              + " needs --temporal HOST:PORT: the embedded Temporal has only the namespace"
              + " 'default'");
    }
    if (target == null && temporalOptions.anyGiven()) {
      throw new IllegalArgumentException(
          "--temporal-tls, --temporal-ca, --temporal-cert, --temporal-key and"
              + " --temporal-api-key-file need --temporal HOST:PORT: the embedded Temporal speaks"
              + " plaintext on this machine");
    }
    WorkerCommand.checkWait(temporalWait);
    System.setProperty(Services.TEMPORAL_WAIT_PROPERTY, temporalWait);
    System.setProperty(Services.TEMPORAL_NAMESPACE_PROPERTY, target == null ? "default" : ns);
    // the embedded Temporal is plaintext; Temporal's environment variables are for a real one
    TemporalAccess access =
        target == null ? TemporalAccess.PLAINTEXT : temporalOptions.access(System::getenv);
    OperatorSecurity security =
        new OperatorSecurity(tlsCert, tlsKey, tlsClientCa, apiTokenFile, insecure);
    security.checkFor(bind);
    StudioHome h = StudioHome.of(home);
    Logs.init(h);
    PayloadWarmUp.startInBackground(); // built by the first task otherwise, inside it
    CountDownLatch stop = new CountDownLatch(1);
    try (Services services =
        Services.start(
            h,
            target,
            access,
            port,
            new Services.ServicePorts(bind, apiPort, httpPort, security),
            Services.parseWorkers(workers),
            gitRemote)) {
      int api = services.apiPort();
      System.out.printf(
          Locale.ROOT,
          "studio server: Temporal %s%s, operator API %s:%d (%s%s), HTTP %s:%d"
              + " (/api/migrations, /health), workers %s, home %s%n",
          services.temporalTarget(),
          target == null ? " (embedded, in memory)" : " (" + access + ", namespace " + ns + ")",
          bind,
          api,
          security.tls() ? "TLS" : "plaintext",
          security.tokenFile() != null
              ? ", token for changes"
              : security.clientCa() != null ? ", client certificates" : "",
          bind,
          services.httpPort(),
          workers,
          h.root());
      // every migration this server starts or re-creates is locked to it while its workflow runs
      services.drivenBy("studio server");
      if (target == null) {
        recover(services, h);
      } else {
        lockRunning(services);
      }
      Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
      stop.await();
    }
    return StudioMain.EXIT_OK;
  }

  /**
   * A persistent Temporal kept the workflows: this server drives the running ones of its home
   * again, so it takes their run locks (a {@code studio run} of one of them is then refused).
   */
  static void lockRunning(Services services) {
    for (Recovery.Outcome o : services.lockRunning()) {
      System.out.printf(
          Locale.ROOT,
          "studio server: %s %s (%s)%n",
          o.recovered() ? "drives" : "does not drive",
          o.branch(),
          o.detail());
    }
  }

  /**
   * The embedded Temporal keeps workflows in memory: every unfinished run of the home is re-created
   * from its branch under its run lock, and each one is named with what happened to it (a migration
   * another live process of the home drives is left to it, naming that process).
   */
  static void recover(Services services, StudioHome h) {
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
