package io.migrationstudio.workflow;

import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.services.HealthStatusManager;
import io.migrationstudio.proto.v1.MigrationServiceGrpc;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the operator API's gRPC health ({@code grpc.health.v1.Health}, the server and {@code
 * studio.v1.MigrationService}) in step with Temporal: SERVING while Temporal's frontend answers a
 * {@code GetSystemInfo} probe, NOT_SERVING otherwise. Without Temporal the API still answers, but
 * no migration moves and no start, review or control goes through, so a load balancer or {@code
 * grpc-health-probe} must not see it as healthy. The HTTP {@code /health} says the same ({@code
 * TemporalHealthIndicator}). Probed every {@link #INTERVAL} on one daemon thread; a health check
 * answers from the last probe, so it is at most that old.
 */
final class TemporalServing implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TemporalServing.class);

  /** How often Temporal is probed: a health check sees a change within about this long. */
  static final Duration INTERVAL = Duration.ofSeconds(2);

  /** A frontend slower than this is reported NOT_SERVING (as {@code /health}'s 3 s). */
  static final Duration PROBE_TIMEOUT = Duration.ofSeconds(3);

  private final HealthStatusManager health;
  private final Function<Duration, Optional<String>> probe;
  private final ScheduledExecutorService timer;
  private ServingStatus last;

  private TemporalServing(HealthStatusManager health, Function<Duration, Optional<String>> probe) {
    this.health = health;
    this.probe = probe;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "operator-api-health");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * SERVING at once (the API starts once Temporal answered), then what {@code probe} (given the
   * timeout; empty when Temporal answered, else why not) finds every {@link #INTERVAL}.
   */
  static TemporalServing start(
      HealthStatusManager health, Function<Duration, Optional<String>> probe) {
    TemporalServing serving = new TemporalServing(health, probe);
    serving.set(ServingStatus.SERVING, null);
    serving.timer.scheduleWithFixedDelay(
        serving::refresh, INTERVAL.toMillis(), INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    return serving;
  }

  private void refresh() {
    Optional<String> problem;
    try {
      problem = probe.apply(PROBE_TIMEOUT);
    } catch (RuntimeException e) { // the next probe tries again; the status says why meanwhile
      problem = Optional.of(e.toString());
    }
    set(
        problem.isEmpty() ? ServingStatus.SERVING : ServingStatus.NOT_SERVING,
        problem.orElse(null));
  }

  private void set(ServingStatus status, String problem) {
    if (status != last && last != null) {
      log.warn(
          "operator API health: {} ({})",
          status,
          problem == null ? "Temporal answers again" : "Temporal does not answer: " + problem);
    }
    last = status;
    health.setStatus("", status);
    health.setStatus(MigrationServiceGrpc.SERVICE_NAME, status);
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
