package io.migrationstudio.contracts.workflow;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * An operator's control of a running migration: the action, who asks ({@code by}), why, and for
 * THROTTLE the new rate in rows per second (0: no cap). Checked by the workflow's validator.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ControlRequest(ControlAction action, String by, String reason, Long rowsPerSecond) {
  public ControlRequest {
    reason = reason == null ? "" : reason;
  }
}
