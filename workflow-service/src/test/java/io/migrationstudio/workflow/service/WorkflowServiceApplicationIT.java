package io.migrationstudio.workflow.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.context.ApplicationContext;
import io.micronaut.http.client.HttpClient;
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
      assertEquals("[]", http.toBlocking().retrieve("/api/migrations"));
      assertTrue(
          server.getApplicationContext().getBean(WorkflowServiceRuntime.class).apiPort() > 0);
    }
  }
}
