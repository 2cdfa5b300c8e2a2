package io.migrationstudio.studio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.migrationstudio.proto.v1.GetRequest;
import io.migrationstudio.proto.v1.ListRequest;
import io.migrationstudio.proto.v1.ListResponse;
import io.migrationstudio.proto.v1.MigrationServiceGrpc;
import io.migrationstudio.proto.v1.MigrationStatusReply;
import io.migrationstudio.proto.v1.StartRequest;
import io.migrationstudio.proto.v1.StartResponse;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The client commands' plaintext channel (issue 17: gRPC's OkHttp transport, not Netty, on the
 * client path) against a real gRPC server on a local port: answers, errors, large requests and
 * answers, deadlines, the token, many calls over one connection, an unreachable server.
 */
class ClientChannelTest {
  private static final List<String> AUTHORIZATIONS = new CopyOnWriteArrayList<>();
  private static final List<String> USER_AGENTS = new CopyOnWriteArrayList<>();
  private static Server server;

  @BeforeAll
  static void startServer() throws Exception {
    ServerInterceptor recordToken =
        new ServerInterceptor() {
          @Override
          public <Q, R> ServerCall.Listener<Q> interceptCall(
              ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            String a =
                headers.get(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER));
            AUTHORIZATIONS.add(a == null ? "-" : a);
            USER_AGENTS.add(
                String.valueOf(
                    headers.get(Metadata.Key.of("user-agent", Metadata.ASCII_STRING_MARSHALLER))));
            return next.startCall(call, headers);
          }
        };
    server =
        ServerBuilder.forPort(0)
            .addService(ServerInterceptors.intercept(new Service(), recordToken))
            .build()
            .start();
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
  }

  /** Get answers with the id, fails for "missing", sleeps for "slow"; List answers N entries. */
  private static final class Service extends MigrationServiceGrpc.MigrationServiceImplBase {
    @Override
    public void get(GetRequest req, StreamObserver<MigrationStatusReply> out) {
      switch (req.getMigrationId()) {
        case "missing" ->
            out.onError(
                Status.NOT_FOUND
                    .withDescription("no migration missing here; `studio list` — ünïcode 100%")
                    .asRuntimeException());
        case "slow" -> {
          try {
            Thread.sleep(1_500);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          out.onNext(MigrationStatusReply.newBuilder().setMigrationId("slow").build());
          out.onCompleted();
        }
        default -> {
          out.onNext(
              MigrationStatusReply.newBuilder()
                  .setMigrationId(req.getMigrationId())
                  .setStatusJson("{\"id\":\"" + req.getMigrationId() + "\"}")
                  .build());
          out.onCompleted();
        }
      }
    }

    @Override
    public void list(ListRequest req, StreamObserver<ListResponse> out) {
      int n = Integer.parseInt(req.getStage());
      ListResponse.Builder b = ListResponse.newBuilder();
      for (int i = 0; i < n; i++) {
        b.addMigrations(
            MigrationStatusReply.newBuilder()
                .setMigrationId("m" + i)
                .setStatusJson("x".repeat(1_000) + "é"));
      }
      out.onNext(b.build());
      out.onCompleted();
    }

    @Override
    public void start(StartRequest req, StreamObserver<StartResponse> out) {
      out.onNext(
          StartResponse.newBuilder().setMigrationId("len" + req.getSpecText().length()).build());
      out.onCompleted();
    }
  }

  private static ManagedChannel channel(Map<String, String> env) {
    return new ApiClientOptions().channel("127.0.0.1:" + server.getPort(), env::get);
  }

  @Test
  void plaintextClientsUseOkHttpUnlessNettyIsAsked() {
    for (var c :
        List.of(
            Map.entry("grpc-java-okhttp/", channel(Map.of())),
            Map.entry(
                "grpc-java-netty/", channel(Map.of(ApiClientOptions.TRANSPORT_ENV, "netty"))))) {
      try {
        USER_AGENTS.clear();
        ClientCommands.stub(c.getValue()).get(get("m1"));
        assertTrue(USER_AGENTS.get(0).startsWith(c.getKey()), c.getKey() + " " + USER_AGENTS);
      } finally {
        c.getValue().shutdownNow();
      }
    }
  }

  @Test
  void callsOverOneConnectionAnswerErrorsAndLargeResponses() {
    ManagedChannel channel = channel(Map.of());
    try {
      var stub = ClientCommands.stub(channel);
      for (int i = 0; i < 5; i++) {
        assertEquals("{\"id\":\"m" + i + "\"}", stub.get(get("m" + i)).getStatusJson());
      }
      StatusRuntimeException e =
          assertThrows(StatusRuntimeException.class, () -> stub.get(get("missing")));
      assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
      assertEquals(
          "no migration missing here; `studio list` — ünïcode 100%",
          e.getStatus().getDescription());
      // ~1 MB: far beyond HTTP/2's initial 64 KiB window and one 16 KiB frame
      ListResponse big = stub.list(ListRequest.newBuilder().setStage("1000").build());
      assertEquals(1000, big.getMigrationsCount());
      assertEquals("m999", big.getMigrations(999).getMigrationId());
      assertTrue(big.getMigrations(0).getStatusJson().endsWith("é"));
      // a request beyond the initial window
      String spec = "y".repeat(200_000);
      assertEquals(
          "len" + spec.length(),
          stub.start(StartRequest.newBuilder().setSpecText(spec).build()).getMigrationId());
      assertEquals("{\"id\":\"after\"}", stub.get(get("after")).getStatusJson());
    } finally {
      channel.shutdownNow();
    }
  }

  @Test
  void theTokenIsSentAndADeadlineEndsTheCall() {
    ManagedChannel channel = channel(Map.of(ApiClientOptions.TOKEN_ENV, "s3cret"));
    try {
      AUTHORIZATIONS.clear();
      var stub = ClientCommands.stub(channel);
      stub.get(get("m1"));
      assertEquals(List.of("Bearer s3cret"), AUTHORIZATIONS);
      StatusRuntimeException e =
          assertThrows(
              StatusRuntimeException.class,
              () -> stub.withDeadlineAfter(300, TimeUnit.MILLISECONDS).get(get("slow")));
      assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
      // the next call opens a new connection
      assertEquals("{\"id\":\"m2\"}", stub.get(get("m2")).getStatusJson());
    } finally {
      channel.shutdownNow();
    }
  }

  @Test
  void anUnreachableServerIsUnavailableWithWhatToDo() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    ManagedChannel channel = new ApiClientOptions().channel("127.0.0.1:" + port, k -> null);
    try {
      StatusRuntimeException e =
          assertThrows(
              StatusRuntimeException.class, () -> ClientCommands.stub(channel).get(get("m1")));
      assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
      assertTrue(Errors.unreachable(e).startsWith("ConnectException"), e.toString());
    } finally {
      channel.shutdownNow();
    }
  }

  private static GetRequest get(String id) {
    return GetRequest.newBuilder().setMigrationId(id).build();
  }
}
