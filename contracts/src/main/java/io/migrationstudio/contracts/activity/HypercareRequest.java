package io.migrationstudio.contracts.activity;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.migrationstudio.contracts.spec.MigrationSpec;
import java.util.Objects;

/**
 * One hypercare sample: the migration, the hypercare's start and end (workflow time), when this
 * sample is taken (workflow time; its UTC day names the note) and the reverse stream's lag in
 * milliseconds as the workflow last saw it (null when no reverse stream runs).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record HypercareRequest(
    String migrationId,
    MigrationSpec spec,
    String branch,
    long startedAtMillis,
    long endsAtMillis,
    long sampledAtMillis,
    Long reverseLagMillis) {
  public HypercareRequest {
    Objects.requireNonNull(migrationId, "migrationId is required");
    Objects.requireNonNull(spec, "spec is required");
    Objects.requireNonNull(branch, "branch is required");
    if (endsAtMillis < startedAtMillis) {
      throw new IllegalArgumentException(
          "hypercare of " + migrationId + " ends before it starts: " + endsAtMillis);
    }
  }
}
