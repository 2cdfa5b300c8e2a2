package io.migrationstudio.contracts.activity;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.Objects;

/** Commit the gate that now waits on {@code branch} of {@code migrationId}. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RecordGateRequest(String migrationId, String branch, GateEvidence gate) {
  public RecordGateRequest {
    Objects.requireNonNull(migrationId, "migrationId is required");
    Objects.requireNonNull(branch, "branch is required");
    Objects.requireNonNull(gate, "gate is required");
  }
}
