package io.migrationstudio.contracts.activity;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.workflow.ControlRecord;
import java.util.Objects;

/** Commit {@code cancel.json} on {@code branch}: who cancelled, when, why, in which stage. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RecordCancelRequest(
    String migrationId, String branch, Stage stage, ControlRecord cancel) {
  public RecordCancelRequest {
    Objects.requireNonNull(migrationId, "migrationId is required");
    Objects.requireNonNull(branch, "branch is required");
    Objects.requireNonNull(cancel, "cancel is required");
  }
}
