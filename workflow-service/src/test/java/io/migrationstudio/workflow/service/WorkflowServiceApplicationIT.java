package io.migrationstudio.workflow.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.micronaut.context.ApplicationContext;
import io.micronaut.http.client.HttpClient;
import io.micronaut.http.client.exceptions.HttpClientResponseException;
import io.micronaut.runtime.server.EmbeddedServer;
import io.temporal.testserver.TestServer;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The workflow service as a Micronaut application against a real (in-process) Temporal: HTTP {@code
 * /health} and the operator API's gRPC health both say whether Temporal answers.
 */
class WorkflowServiceApplicationIT {
  @Test
  void startsServingHealthAndTheMigrationList(@TempDir Path home) throws Exception {
    startAndCheck(home, false);
  }

  @Test
  void healthSaysDownWhenTemporalStopsAnswering(@TempDir Path home) throws Exception {
    startAndCheck(home, true);
  }

  private void startAndCheck(Path home, boolean stopTemporal) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    try (TestServer.PortBoundTestServer temporal = TestServer.createPortBoundServer(port, true);
        EmbeddedServer server =
            ApplicationContext.run(
                EmbeddedServer.class,
                Map.of(
                    "studio.service.home",
                    home.toString(),
                    "studio.service.temporal",
                    "127.0.0.1:" + port,
                    "studio.service.api-port",
                    0,
                    "micronaut.server.port",
                    -1));
        HttpClient http = HttpClient.create(server.getURL())) {
      String health = http.toBlocking().retrieve("/health");
      assertTrue(health.contains("UP"), health);
      int api = server.getApplicationContext().getBean(WorkflowServiceRuntime.class).apiPort();
      assertEquals(ServingStatus.SERVING, grpcHealth(api));
      if (stopTemporal) {
        temporal.close();
        // the gRPC health follows Temporal too (refreshed every few seconds)
        ServingStatus grpc = grpcHealth(api);
        for (int i = 0; i < 60 && grpc == ServingStatus.SERVING; i++) {
          Thread.sleep(250);
          grpc = grpcHealth(api);
        }
        assertEquals(ServingStatus.NOT_SERVING, grpc, "gRPC health without Temporal");
        HttpClientResponseException down =
            assertThrows(
                HttpClientResponseException.class, () -> http.toBlocking().retrieve("/health"));
        assertEquals(503, down.getStatus().getCode());
        String body = down.getResponse().getBody(String.class).orElse("");
        assertTrue(body.contains("DOWN") && body.contains("temporal"), body);
        return;
      }
      assertEquals("[]", http.toBlocking().retrieve("/api/migrations"));
      assertTrue(api > 0);
    }
  }

  private static ServingStatus grpcHealth(int port) throws InterruptedException {
    ManagedChannel channel =
        ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    try {
      return HealthGrpc.newBlockingStub(channel)
          .withDeadlineAfter(10, TimeUnit.SECONDS)
          .check(HealthCheckRequest.getDefaultInstance())
          .getStatus();
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
