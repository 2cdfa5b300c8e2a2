package io.migrationstudio.studio;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The HTTP {@code /health} of a {@code studio worker} process ({@code --health-port}): {@code UP}
 * (200) only while the process's workers poll and Temporal's frontend answers a probe within {@link
 * #PROBE_TIMEOUT} (the probe of the server's {@code /health}, {@link Services#healthProblem});
 * {@code DOWN} (503) with the reason otherwise, including while the worker still waits for Temporal
 * at start-up and after it stopped. The body is the server's shape: {@code
 * {"status":"UP","details":{...}}}. A plain JDK server: a worker has no Micronaut context to serve
 * it.
 */
final class WorkerHealth implements AutoCloseable {
  /** A health check answers quickly; a frontend slower than this is reported DOWN. */
  static final Duration PROBE_TIMEOUT = Duration.ofSeconds(3);

  private final HttpServer server;
  private final ExecutorService executor;

  private WorkerHealth(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * Serves {@code /health} on {@code bind:port} (0: a free port) for the worker {@code name} whose
   * {@link Services} {@code running} returns once started (null before); the answer names {@code
   * target}, the Temporal it polls.
   */
  static WorkerHealth start(
      String bind, int port, String name, String target, Supplier<Services> running) {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(bind, port), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot serve the worker's /health on " + bind + ":" + port + ": " + e.getMessage(), e);
    }
    ExecutorService executor = Executors.newSingleThreadExecutor(r -> daemon(r, "worker-health"));
    server.setExecutor(executor);
    server.createContext(
        "/health", exchange -> answer(exchange, name, target, problem(running.get(), target)));
    server.start();
    return new WorkerHealth(server, executor);
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  /** Why the worker is not healthy; empty when it polls and Temporal answers. */
  static Optional<String> problem(Services running, String target) {
    return running == null
        ? Optional.of("not polling yet: waiting for Temporal at " + target)
        : running.healthProblem(PROBE_TIMEOUT);
  }

  private static void answer(
      HttpExchange exchange, String name, String target, Optional<String> problem)
      throws IOException {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("worker", name);
    details.put("temporal", target);
    problem.ifPresent(p -> details.put("error", p));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", problem.isEmpty() ? "UP" : "DOWN");
    body.put("details", details);
    byte[] bytes =
        io.migrationstudio.core.report.Json.writeCompact(body).getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(problem.isEmpty() ? 200 : 503, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** The port it listens on (the one chosen when started with 0). */
  int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
