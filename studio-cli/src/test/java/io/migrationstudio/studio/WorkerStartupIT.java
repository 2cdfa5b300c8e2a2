package io.migrationstudio.studio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code studio worker} against a Temporal that is not up yet (or too slow to answer): the worker
 * waits with backoff, says why, and connects when the server answers. Its {@code /health} ({@code
 * --health-port}, {@link WorkerHealth} as {@code WorkerCommand} wires it) says DOWN while it waits,
 * UP once it polls, DOWN again once it stopped.
 */
@Timeout(180)
class WorkerStartupIT {
  @Test
  void aWorkerStartedBeforeTemporalWaitsAndConnectsWhenItComesUp(@TempDir Path home)
      throws Exception {
    int port = EmbeddedTemporal.freePort();
    AtomicReference<Services> started = new AtomicReference<>();
    AtomicReference<Throwable> failed = new AtomicReference<>();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream oldErr = System.err;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    String target = "127.0.0.1:" + port;
    try (WorkerHealth health =
        WorkerHealth.start(Services.LOOPBACK, 0, "assessment", target, started::get)) {
      Thread worker =
          new Thread(
              () -> {
                try {
                  started.set(
                      Services.start(
                          StudioHome.of(home),
                          "127.0.0.1:" + port,
                          0,
                          null,
                          Set.of("assessment"),
                          null));
                } catch (Throwable e) {
                  failed.set(e);
                }
              });
      worker.start();
      // until the first failed attempt is announced: the worker waits on (polled, not a fixed
      // sleep longer than one probe's 10 s timeout)
      long deadline = System.nanoTime() + 120_000_000_000L;
      while (!err.toString(StandardCharsets.UTF_8).contains("is not ready (attempt 1: ")) {
        assertNull(failed.get(), "the worker did not give up while Temporal was down");
        assertTrue(
            System.nanoTime() < deadline, "no failed attempt announced within 120 s: " + err);
        Thread.sleep(100);
      }
      assertNull(failed.get(), "the worker did not give up while Temporal was down");
      assertTrue(worker.isAlive(), "the worker waits for Temporal");
      HttpResponse<String> waiting = health(health.port());
      assertEquals(503, waiting.statusCode(), waiting.body());
      assertTrue(waiting.body().contains("\"status\":\"DOWN\""), waiting.body());
      assertTrue(waiting.body().contains("waiting for Temporal at " + target), waiting.body());
      try (EmbeddedTemporal temporal = EmbeddedTemporal.start(Services.LOOPBACK, port)) {
        worker.join(120_000);
        assertNull(failed.get(), String.valueOf(failed.get()));
        assertNotNull(started.get(), "the worker connected once Temporal answered");
        HttpResponse<String> polling = health(health.port());
        assertEquals(200, polling.statusCode(), polling.body());
        assertTrue(polling.body().contains("\"status\":\"UP\""), polling.body());
        started.get().close();
        HttpResponse<String> stopped = health(health.port());
        assertEquals(503, stopped.statusCode(), stopped.body());
        assertTrue(stopped.body().contains("not polling"), stopped.body());
      }
    } finally {
      System.setErr(oldErr);
    }
    String said = err.toString(StandardCharsets.UTF_8);
    assertTrue(
        said.contains("Temporal at 127.0.0.1:" + port + " is not ready (attempt 1: "),
        "says why it waits: " + said);
    assertTrue(said.contains("trying again in"), said);
  }

  private static HttpResponse<String> health(int port) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build(),
            HttpResponse.BodyHandlers.ofString());
  }
}
