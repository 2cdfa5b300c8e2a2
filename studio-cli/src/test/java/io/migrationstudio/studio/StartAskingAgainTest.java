package io.migrationstudio.studio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.migrationstudio.proto.v1.MigrationServiceGrpc;
import io.migrationstudio.proto.v1.StartRequest;
import io.migrationstudio.proto.v1.StartResponse;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

/**
 * A start whose answer the client did not get in time is asked again with the same token (seen
 * under load: the first call started the migration after the client's deadline, and a second
 * `studio start` was refused as "already running"), over a real gRPC server on a local port.
 */
class StartAskingAgainTest {
  @Test
  void aStartThatTimedOutIsAskedAgainWithTheSameToken() throws Exception {
    List<String> tokens = new CopyOnWriteArrayList<>();
    withServer(
        (req, out) -> {
          tokens.add(req.getStartToken());
          if (tokens.size() == 1) {
            sleep(1_500); // past the first call's deadline: its answer is lost
          }
          out.onNext(StartResponse.newBuilder().setMigrationId("m1").build());
          out.onCompleted();
        },
        channel -> {
          ByteArrayOutputStream err = new ByteArrayOutputStream();
          StartRequest request =
              StartRequest.newBuilder().setSpecText("id: m1").setStartToken("t-1").build();
          StartResponse r =
              ClientCommands.startAskingAgain(
                  MigrationServiceGrpc.newBlockingStub(channel)
                      .withDeadlineAfter(500, TimeUnit.MILLISECONDS),
                  request,
                  new PrintStream(err, true, StandardCharsets.UTF_8));
          assertEquals("m1", r.getMigrationId());
          assertEquals(List.of("t-1", "t-1"), tokens, "the same token both times");
          String said = err.toString(StandardCharsets.UTF_8);
          assertTrue(
              said.contains("asking again with the same start token (attempt 2 of 5)"), said);
        });
  }

  @Test
  void aRefusedStartIsNotAskedAgain() throws Exception {
    List<String> tokens = new CopyOnWriteArrayList<>();
    withServer(
        (req, out) -> {
          tokens.add(req.getStartToken());
          out.onError(
              Status.INVALID_ARGUMENT
                  .withDescription("migration m1 is already running")
                  .asRuntimeException());
        },
        channel -> {
          StatusRuntimeException e =
              assertThrows(
                  StatusRuntimeException.class,
                  () ->
                      ClientCommands.startAskingAgain(
                          MigrationServiceGrpc.newBlockingStub(channel),
                          StartRequest.newBuilder().setStartToken("t-2").build(),
                          new PrintStream(
                              new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)));
          assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
          assertEquals(1, tokens.size(), "a refusal is an answer: asked once");
        });
  }

  /**
   * Runs {@code client} against a real gRPC server on a local port whose start is {@code start}.
   */
  private static void withServer(
      BiConsumer<StartRequest, StreamObserver<StartResponse>> start, ClientSide client)
      throws Exception {
    Server server =
        ServerBuilder.forPort(0)
            .addService(
                new MigrationServiceGrpc.MigrationServiceImplBase() {
                  @Override
                  public void start(StartRequest req, StreamObserver<StartResponse> out) {
                    start.accept(req, out);
                  }
                })
            .build()
            .start();
    ManagedChannel channel =
        ManagedChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
    try {
      client.run(channel);
    } finally {
      channel.shutdownNow();
      server.shutdownNow();
    }
  }

  /** The client half of a test. */
  private interface ClientSide {
    void run(ManagedChannel channel) throws Exception;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
