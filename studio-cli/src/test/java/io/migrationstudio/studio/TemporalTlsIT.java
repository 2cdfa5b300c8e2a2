package io.migrationstudio.studio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.migrationstudio.workflow.TemporalAccess;
import io.temporal.internal.testservice.GRPCServerHelper;
import io.temporal.internal.testservice.TestServicesStarter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The studio against a Temporal frontend that wants mTLS and an API key, as a Temporal Cloud
 * namespace or a secured cluster does: Temporal's in-process server behind a TLS-terminating gRPC
 * endpoint that requires a client certificate of the test CA and checks {@code authorization:
 * Bearer <key>} on every call.
 */
@Timeout(180)
class TemporalTlsIT {
  static final String API_KEY = "tmprl-test-key-0123456789abcdef";

  @TempDir static Path dir;
  static TestCertificates certs;
  static SecuredTemporal temporal;

  @BeforeAll
  static void start() throws IOException {
    certs = TestCertificates.create(dir.resolve("pki"));
    temporal = new SecuredTemporal(certs, API_KEY);
  }

  @AfterAll
  static void stop() {
    if (temporal != null) {
      temporal.close();
    }
  }

  static TemporalAccess mtls(String apiKey) {
    return new TemporalAccess(
        false, certs.ca(), certs.clientCert(), certs.clientKey(), null, apiKey);
  }

  @Test
  void aWorkerAndTheServerConnectWithTheClientCertificateAndTheApiKey(@TempDir Path home) {
    temporal.authorizations.clear();
    try (Services worker =
        Services.start(
            StudioHome.of(home.resolve("w")),
            temporal.target(),
            mtls(API_KEY),
            0,
            null,
            Set.of("assessment"),
            null)) {
      assertEquals(temporal.target(), worker.temporalTarget());
    }
    try (Services server =
        Services.start(
            StudioHome.of(home.resolve("s")),
            temporal.target(),
            mtls(API_KEY),
            0,
            new Services.ServicePorts(Services.LOOPBACK, 0, -1),
            Set.of(),
            null)) {
      // the operator API lists through the secured frontend
      assertNotNull(server.operator().list());
    }
    assertFalse(temporal.authorizations.isEmpty(), "calls reached the frontend");
    assertTrue(
        temporal.authorizations.stream().allMatch(("Bearer " + API_KEY)::equals),
        "every call carried the API key as a bearer token: " + temporal.authorizations);
  }

  @Test
  void withoutAClientCertificateTheWorkerStopsAtOnceSayingWhy(@TempDir Path home) {
    Run run =
        studio(
            "worker",
            "assessment",
            "--home",
            home.toString(),
            "--temporal",
            temporal.target(),
            "--temporal-ca",
            certs.ca().toString(),
            "--temporal-wait",
            "PT60S");
    assertEquals(StudioMain.EXIT_INVALID, run.exit(), run.err());
    assertTrue(
        run.err().contains("TLS handshake with Temporal at " + temporal.target()), run.err());
    assertTrue(run.err().contains("--temporal-cert"), run.err());
    assertFalse(run.err().contains("not ready (attempt"), "no waiting for a refusal: " + run.err());
  }

  @Test
  void aCertificateOfAnotherCaIsRefused() {
    TemporalAccess rogue =
        new TemporalAccess(false, certs.ca(), certs.rogueCert(), certs.rogueKey(), null, API_KEY);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Services.start(
                        StudioHome.of(dir.resolve("rogue")),
                        temporal.target(),
                        rogue,
                        0,
                        null,
                        Set.of("assessment"),
                        null)
                    .close());
    assertTrue(e.getMessage().contains("TLS handshake"), e.getMessage());
  }

  @Test
  void plaintextAgainstTheTlsFrontendIsRefusedSayingToUseTls(@TempDir Path home) {
    Run run =
        studio(
            "worker",
            "assessment",
            "--home",
            home.toString(),
            "--temporal",
            temporal.target(),
            "--temporal-wait",
            "PT30S");
    assertEquals(StudioMain.EXIT_INVALID, run.exit(), run.err());
    assertTrue(run.err().contains("--temporal-tls"), run.err());
  }

  @Test
  void aWrongApiKeyIsRefusedAndNoKeyIsEverPrinted(@TempDir Path home) throws IOException {
    String wrong = "tmprl-wrong-key-fedcba9876543210";
    Path keyFile = Files.writeString(home.resolve("api-key"), wrong + "\n");
    Run run =
        studio(
            "worker",
            "assessment",
            "--home",
            home.resolve("h").toString(),
            "--temporal",
            temporal.target(),
            "--temporal-ca",
            certs.ca().toString(),
            "--temporal-cert",
            certs.clientCert().toString(),
            "--temporal-key",
            certs.clientKey().toString(),
            "--temporal-api-key-file",
            keyFile.toString(),
            "--temporal-wait",
            "PT30S");
    assertEquals(StudioMain.EXIT_INVALID, run.exit(), run.err());
    assertTrue(run.err().contains("refused this client (UNAUTHENTICATED"), run.err());
    assertTrue(run.err().contains("API key ****"), run.err());
    assertTrue(temporal.authorizations.contains("Bearer " + wrong), "the key was sent");
    for (String secret : List.of(wrong, API_KEY)) {
      assertFalse(run.out().contains(secret) || run.err().contains(secret), "key printed");
      assertFalse(logsContain(secret), "key in a log file under " + logDir());
    }
  }

  @Test
  void aCertificateWithoutItsKeyIsAnInputError(@TempDir Path home) {
    Run run =
        studio(
            "worker",
            "assessment",
            "--home",
            home.toString(),
            "--temporal",
            temporal.target(),
            "--temporal-cert",
            certs.clientCert().toString());
    assertEquals(StudioMain.EXIT_INVALID, run.exit(), run.err());
    assertTrue(run.err().contains("--temporal-key"), run.err());
  }

  private static Path logDir() {
    String d = System.getProperty("studio.log.dir");
    return d == null ? null : Path.of(d);
  }

  private static boolean logsContain(String secret) throws IOException {
    Path d = logDir();
    if (d == null || !Files.isDirectory(d)) {
      return false;
    }
    try (Stream<Path> files = Files.walk(d)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        if (Files.readString(f, StandardCharsets.ISO_8859_1).contains(secret)) {
          return true;
        }
      }
    }
    return false;
  }

  record Run(int exit, String out, String err) {}

  /** Runs {@code studio ARGS} in this JVM, capturing what it prints. */
  static synchronized Run studio(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      int exit = StudioMain.execute(args);
      return new Run(
          exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
      System.clearProperty(Services.TEMPORAL_NAMESPACE_PROPERTY);
      System.clearProperty(Services.TEMPORAL_WAIT_PROPERTY);
    }
  }

  /**
   * Temporal's in-process server behind TLS that requires a client certificate of the test CA, and
   * an interceptor that records every {@code authorization} header and refuses a call without the
   * expected API key (UNAUTHENTICATED).
   */
  static final class SecuredTemporal implements AutoCloseable {
    final List<String> authorizations = new CopyOnWriteArrayList<>();
    private final TestServicesStarter services = new TestServicesStarter(true, 0);
    private final Server server;

    SecuredTemporal(TestCertificates certs, String apiKey) throws IOException {
      Metadata.Key<String> authorization =
          Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
      NettyServerBuilder builder =
          NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
              .sslContext(
                  GrpcSslContexts.forServer(certs.serverCert().toFile(), certs.serverKey().toFile())
                      .trustManager(certs.ca().toFile())
                      .clientAuth(ClientAuth.REQUIRE)
                      .build());
      builder.intercept(
          new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(
                ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
              String given = headers.get(authorization);
              if (given != null) {
                authorizations.add(given);
              }
              if (!("Bearer " + apiKey).equals(given)) {
                call.close(
                    Status.UNAUTHENTICATED.withDescription("Request unauthorized."),
                    new Metadata());
                return new ServerCall.Listener<>() {};
              }
              return next.startCall(call, headers);
            }
          });
      GRPCServerHelper.registerServicesAndHealthChecks(services.getServices(), builder);
      server = builder.build().start();
    }

    String target() {
      return "127.0.0.1:" + server.getPort();
    }

    @Override
    public void close() {
      server.shutdownNow();
      try {
        server.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      services.close();
    }
  }
}
