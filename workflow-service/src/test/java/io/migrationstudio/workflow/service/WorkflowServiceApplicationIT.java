package io.migrationstudio.workflow.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.context.ApplicationContext;
import io.micronaut.http.client.HttpClient;
import io.micronaut.http.client.exceptions.HttpClientResponseException;
import io.micronaut.runtime.server.EmbeddedServer;
import io.temporal.testserver.TestServer;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The workflow service as a Micronaut application against a real (in-process) Temporal. */
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
      if (stopTemporal) {
        temporal.close();
        HttpClientResponseException down =
            assertThrows(
                HttpClientResponseException.class, () -> http.toBlocking().retrieve("/health"));
        assertEquals(503, down.getStatus().getCode());
        String body = down.getResponse().getBody(String.class).orElse("");
        assertTrue(body.contains("DOWN") && body.contains("temporal"), body);
        return;
      }
      assertEquals("[]", http.toBlocking().retrieve("/api/migrations"));
      assertTrue(
          server.getApplicationContext().getBean(WorkflowServiceRuntime.class).apiPort() > 0);
    }
  }
}
