package io.migrationstudio.workflow.service;

import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.AbstractHealthIndicator;
import io.migrationstudio.workflow.TemporalConnection;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code /health} reports Temporal: UP when its frontend answers a {@code GetSystemInfo} within
 * {@link #PROBE_TIMEOUT}, DOWN (HTTP 503) with the gRPC status otherwise; the details name the
 * target and namespace. Without it the service said UP while no workflow could move.
 */
@Singleton
final class TemporalHealthIndicator extends AbstractHealthIndicator<Map<String, Object>> {
  /** A health check answers quickly; a frontend slower than this is reported DOWN. */
  static final Duration PROBE_TIMEOUT = Duration.ofSeconds(3);

  private final TemporalConnection temporal;

  TemporalHealthIndicator(TemporalConnection temporal) {
    this.temporal = temporal;
  }

  @Override
  protected Map<String, Object> getHealthInformation() {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("target", temporal.target());
    details.put("namespace", temporal.namespace());
    Optional<String> problem = temporal.probe(PROBE_TIMEOUT);
    healthStatus = problem.isEmpty() ? HealthStatus.UP : HealthStatus.DOWN;
    problem.ifPresent(p -> details.put("error", p));
    return details;
  }

  @Override
  protected String getName() {
    return "temporal";
  }
}
