package io.migrationstudio.studio;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
import io.migrationstudio.proto.v1.ControlRequest;
import io.migrationstudio.proto.v1.ListRequest;
import io.migrationstudio.proto.v1.MigrationServiceGrpc;
import io.migrationstudio.workflow.OperatorSecurity;
import io.migrationstudio.workflow.OperatorServer;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator API with TLS and a token: the handshake needs the CA, a mutating call needs the
 * token (reads do not), health and reflection answer for grpcurl, and an address other than
 * loopback is refused without TLS and a token.
 */
@Timeout(240)
class OperatorApiSecurityIT {
  static final String TOKEN = "3f0c2a9e8b7d6c5e4f3a2b1c0d9e8f7a";

  @TempDir static Path dir;
  static TestCertificates certs;
  static Path tokenFile;
  static Optional<InetAddress> external;
  static Services services;

  @BeforeAll
  static void start() throws IOException {
    external = ListenerBindingIT.externalAddress();
    certs =
        TestCertificates.create(
            dir.resolve("pki"),
            external.map(InetAddress::getHostAddress).stream().toArray(String[]::new));
    tokenFile = Files.writeString(dir.resolve("api-token"), TOKEN + "\n");
    services =
        Services.start(
            StudioHome.of(dir.resolve("home")),
            null,
            0,
            new Services.ServicePorts(Services.LOOPBACK, 0, -1, tlsAndToken()),
            Set.of(),
            null);
  }

  @AfterAll
  static void stop() {
    if (services != null) {
      services.close();
    }
  }

  static OperatorSecurity tlsAndToken() {
    return new OperatorSecurity(certs.serverCert(), certs.serverKey(), null, tokenFile, false);
  }

  static String server() {
    return "localhost:" + services.apiPort();
  }

  static ManagedChannel channel(String target, Path ca, String token) {
    ApiClientOptions o = new ApiClientOptions();
    o.ca = ca;
    return o.channel(target, Map.of(ApiClientOptions.TOKEN_ENV, token == null ? "" : token)::get);
  }

  @Test
  void theTlsHandshakeSucceedsWithTheCaAndFailsWithout() {
    TemporalTlsIT.Run ok =
        TemporalTlsIT.studio("list", "--server", server(), "--tls-ca", certs.ca().toString());
    assertEquals(StudioMain.EXIT_OK, ok.exit(), ok.err());

    TemporalTlsIT.Run untrusted = TemporalTlsIT.studio("list", "--server", server(), "--tls");
    assertEquals(StudioMain.EXIT_FAILED, untrusted.exit(), untrusted.err());
    assertTrue(untrusted.err().contains("TLS with the studio server failed"), untrusted.err());
    assertTrue(untrusted.err().contains("--tls-ca"), untrusted.err());

    TemporalTlsIT.Run plaintext = TemporalTlsIT.studio("list", "--server", server());
    assertEquals(StudioMain.EXIT_FAILED, plaintext.exit(), plaintext.err());
  }

  @Test
  void aMutatingCallNeedsTheTokenAndAReadDoesNot() {
    ControlRequest pause =
        ControlRequest.newBuilder().setMigrationId("no-such-migration").setAction("pause").build();
    for (String token : new String[] {null, "0000000000000000wrong0000000000"}) {
      ManagedChannel c = channel(server(), certs.ca(), token);
      try {
        StatusRuntimeException e =
            assertThrows(
                StatusRuntimeException.class,
                () -> MigrationServiceGrpc.newBlockingStub(c).control(pause));
        assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode(), String.valueOf(token));
        // a read needs no token
        assertDoesNotThrow(
            () -> MigrationServiceGrpc.newBlockingStub(c).list(ListRequest.getDefaultInstance()));
      } finally {
        c.shutdownNow();
      }
    }
    ManagedChannel c = channel(server(), certs.ca(), TOKEN);
    try {
      StatusRuntimeException e =
          assertThrows(
              StatusRuntimeException.class,
              () -> MigrationServiceGrpc.newBlockingStub(c).control(pause));
      // past the token check: the service itself answers that there is no such migration
      assertNotEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode(), e.getMessage());
    } finally {
      c.shutdownNow();
    }

    TemporalTlsIT.Run refused =
        TemporalTlsIT.studio(
            "pause", "no-such-migration", "--server", server(), "--tls-ca", certs.ca().toString());
    assertEquals(StudioMain.EXIT_FAILED, refused.exit());
    assertTrue(refused.err().contains("UNAUTHENTICATED"), refused.err());
    assertTrue(refused.err().contains("--api-token-file"), refused.err());
    TemporalTlsIT.Run withToken =
        TemporalTlsIT.studio(
            "pause",
            "no-such-migration",
            "--server",
            server(),
            "--tls-ca",
            certs.ca().toString(),
            "--api-token-file",
            tokenFile.toString());
    assertFalse(withToken.err().contains("UNAUTHENTICATED"), withToken.err());
    assertFalse(withToken.err().contains(TOKEN) || withToken.out().contains(TOKEN));
  }

  @Test
  void healthAnswersServingAndReflectionListsTheService() throws Exception {
    ManagedChannel c = channel(server(), certs.ca(), null);
    try {
      for (String service : List.of("", MigrationServiceGrpc.SERVICE_NAME)) {
        assertEquals(
            HealthCheckResponse.ServingStatus.SERVING,
            HealthGrpc.newBlockingStub(c)
                .check(HealthCheckRequest.newBuilder().setService(service).build())
                .getStatus());
      }
      CompletableFuture<ServerReflectionResponse> answer = new CompletableFuture<>();
      StreamObserver<ServerReflectionRequest> requests =
          ServerReflectionGrpc.newStub(c)
              .serverReflectionInfo(
                  new StreamObserver<>() {
                    @Override
                    public void onNext(ServerReflectionResponse r) {
                      answer.complete(r);
                    }

                    @Override
                    public void onError(Throwable t) {
                      answer.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {}
                  });
      requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
      requests.onCompleted();
      List<String> names =
          answer.get(30, TimeUnit.SECONDS).getListServicesResponse().getServiceList().stream()
              .map(s -> s.getName())
              .toList();
      assertTrue(names.contains(MigrationServiceGrpc.SERVICE_NAME), names.toString());
      assertTrue(names.contains("grpc.health.v1.Health"), names.toString());
    } finally {
      c.shutdownNow();
    }
  }

  @Test
  void clientCertificatesAreRequiredWhenAClientCaIsGiven() {
    OperatorSecurity mtls =
        new OperatorSecurity(certs.serverCert(), certs.serverKey(), certs.ca(), null, false);
    try (OperatorServer api =
        OperatorServer.start(services.operator(), Services.LOOPBACK, 0, mtls)) {
      String target = "localhost:" + api.port();
      ApiClientOptions with = new ApiClientOptions();
      with.ca = certs.ca();
      with.cert = certs.clientCert();
      with.key = certs.clientKey();
      ApiClientOptions rogue = new ApiClientOptions();
      rogue.ca = certs.ca();
      rogue.cert = certs.rogueCert();
      rogue.key = certs.rogueKey();
      assertEquals(
          HealthCheckResponse.ServingStatus.SERVING, health(with.channel(target, k -> null)));
      for (ManagedChannel refused :
          List.of(channel(target, certs.ca(), null), rogue.channel(target, k -> null))) {
        StatusRuntimeException e =
            assertThrows(StatusRuntimeException.class, () -> health(refused));
        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.toString());
      }
    }
  }

  private static HealthCheckResponse.ServingStatus health(ManagedChannel c) {
    try {
      return HealthGrpc.newBlockingStub(c)
          .withDeadlineAfter(30, TimeUnit.SECONDS)
          .check(HealthCheckRequest.getDefaultInstance())
          .getStatus();
    } finally {
      c.shutdownNow();
    }
  }

  @Test
  void anotherAddressIsRefusedWithoutTlsAndAToken(@TempDir Path home) {
    TemporalTlsIT.Run open =
        TemporalTlsIT.studio("server", "--home", home.toString(), "--bind", "0.0.0.0");
    assertEquals(StudioMain.EXIT_INVALID, open.exit(), open.err());
    assertTrue(open.err().contains("refusing to serve the operator API on 0.0.0.0"), open.err());
    assertTrue(open.err().contains("--insecure"), open.err());

    TemporalTlsIT.Run noToken =
        TemporalTlsIT.studio(
            "server",
            "--home",
            home.toString(),
            "--bind",
            "0.0.0.0",
            "--tls-cert",
            certs.serverCert().toString(),
            "--tls-key",
            certs.serverKey().toString());
    assertEquals(StudioMain.EXIT_INVALID, noToken.exit(), noToken.err());
    assertTrue(noToken.err().contains("without a token"), noToken.err());

    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Services.start(
                    StudioHome.of(home),
                    null,
                    0,
                    new Services.ServicePorts("0.0.0.0", 0, -1),
                    Set.of(),
                    null));
    assertTrue(e.getMessage().contains("without TLS and a token"), e.getMessage());
  }

  @Test
  void onAnotherAddressWithTlsAndATokenTheEmbeddedTemporalStaysOnLoopback(@TempDir Path home)
      throws Exception {
    assumeTrue(external.isPresent(), "this machine has no non-loopback address to try");
    String address = external.get().getHostAddress();
    try (Services exposed =
        Services.start(
            StudioHome.of(home),
            null,
            0,
            new Services.ServicePorts(address, 0, -1, tlsAndToken()),
            Set.of(),
            null)) {
      TemporalTlsIT.Run list =
          TemporalTlsIT.studio(
              "list",
              "--server",
              address + ":" + exposed.apiPort(),
              "--tls-ca",
              certs.ca().toString());
      assertEquals(StudioMain.EXIT_OK, list.exit(), list.err());
      int temporal = Integer.parseInt(exposed.temporalTarget().replaceAll(".*:", ""));
      assertTrue(exposed.temporalTarget().startsWith(Services.LOOPBACK), exposed.temporalTarget());
      assertThrows(
          IOException.class,
          () -> ListenerBindingIT.connect(external.get(), temporal),
          "the embedded Temporal (no authentication) must not answer on " + address);
    }
  }
}
