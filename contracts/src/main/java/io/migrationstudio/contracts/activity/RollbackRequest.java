package io.migrationstudio.contracts.activity;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.migrationstudio.contracts.spec.MigrationSpec;
import java.util.Objects;

/**
 * Roll back migration {@code migrationId}, asked by {@code by} for {@code reason}: the reverse
 * stream goes through the mapping at {@code mappingCommit}; its drain may take {@code
 * drainTimeoutMillis}.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RollbackRequest(
    String migrationId,
    MigrationSpec spec,
    String branch,
    String mappingCommit,
    String by,
    String reason,
    long drainTimeoutMillis) {
  public RollbackRequest {
    Objects.requireNonNull(migrationId, "migrationId is required");
    Objects.requireNonNull(spec, "spec is required");
    Objects.requireNonNull(branch, "branch is required");
    by = by == null ? "" : by;
    reason = reason == null ? "" : reason;
    if (drainTimeoutMillis <= 0) {
      throw new IllegalArgumentException(
          "drainTimeoutMillis must be > 0, was " + drainTimeoutMillis);
    }
  }
}
