package io.migrationstudio.contracts.workflow;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.migrationstudio.contracts.spec.MigrationSpec;
import java.util.Objects;

/**
 * The input of a migration's change-stream workflow ({@code <migration workflow id>/stream}):
 * {@code last} is the progress carried over a continue-as-new (null at the start), {@code paused}
 * whether the run before it was paused (null: not; a run started from an older history has none).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record StreamRequest(
    String migrationId,
    MigrationSpec spec,
    String branch,
    String mappingCommit,
    String capture,
    String startPosition,
    String parentWorkflowId,
    StreamProgress last,
    Boolean paused) {
  public StreamRequest {
    Objects.requireNonNull(migrationId, "migrationId is required");
    Objects.requireNonNull(spec, "spec is required");
    Objects.requireNonNull(capture, "capture is required");
    Objects.requireNonNull(parentWorkflowId, "parentWorkflowId is required");
  }

  public StreamRequest withLast(StreamProgress progress) {
    return new StreamRequest(
        migrationId,
        spec,
        branch,
        mappingCommit,
        capture,
        startPosition,
        parentWorkflowId,
        progress,
        paused);
  }

  public StreamRequest withPaused(Boolean paused) {
    return new StreamRequest(
        migrationId,
        spec,
        branch,
        mappingCommit,
        capture,
        startPosition,
        parentWorkflowId,
        last,
        paused);
  }

  /** Whether the stream starts paused (carried over a continue-as-new). */
  public boolean startsPaused() {
    return Boolean.TRUE.equals(paused);
  }
}
