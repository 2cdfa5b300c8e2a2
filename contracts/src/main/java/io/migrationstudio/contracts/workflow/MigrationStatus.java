package io.migrationstudio.contracts.workflow;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.migrationstudio.contracts.Stage;
import java.util.List;

/**
 * The answer of the {@code status} query. {@code reviewCommit} is the commit a reviewer must name
 * while the migration awaits review. {@code kind} is {@value #KIND_MIGRATION} (a {@code
 * MigrationWorkflow}) or {@value #KIND_VALIDATION} (a validation-only run); {@code workflowId} the
 * workflow that answered, which is how a validation run is addressed ({@code validation-<id>-<n>}).
 * {@code stream} is the change stream of an online migration as last reported (null otherwise);
 * {@code reverse} the reverse stream after a switch with {@code cutover.rollback: reverse} (its
 * {@code lagBytes}: target WAL not yet on the source). {@code hypercare} is the hypercare after the
 * switch (null before it and when there is none).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record MigrationStatus(
    String migrationId,
    String branch,
    Stage stage,
    MigrationState state,
    String reviewCommit,
    List<StageStatus> stages,
    List<ArtifactRef> artifacts,
    List<ReviewRecord> reviews,
    Progress progress,
    String message,
    String kind,
    String workflowId,
    StreamProgress stream,
    StreamProgress reverse,
    HypercareStatus hypercare) {
  public static final String KIND_MIGRATION = "migration";
  public static final String KIND_VALIDATION = "validation";

  public MigrationStatus {
    stages = stages == null ? List.of() : List.copyOf(stages);
    artifacts = artifacts == null ? List.of() : List.copyOf(artifacts);
    reviews = reviews == null ? List.of() : List.copyOf(reviews);
    progress = progress == null ? Progress.empty() : progress;
    kind = kind == null ? KIND_MIGRATION : kind;
  }

  /**
   * A status with only its identity, position and message: no review pending, no stages, artifacts,
   * reviews, progress or streams yet, kind {@value #KIND_MIGRATION}, workflow id unknown (add them
   * with {@link #withKind} and {@link #withWorkflowId}).
   */
  public static MigrationStatus of(
      String migrationId, String branch, Stage stage, MigrationState state, String message) {
    return new MigrationStatus(
        migrationId,
        branch,
        stage,
        state,
        null,
        null,
        null,
        null,
        null,
        message,
        null,
        null,
        null,
        null,
        null);
  }

  /** This status with {@code kind} ({@value #KIND_MIGRATION} or {@value #KIND_VALIDATION}). */
  public MigrationStatus withKind(String kind) {
    return new MigrationStatus(
        migrationId,
        branch,
        stage,
        state,
        reviewCommit,
        stages,
        artifacts,
        reviews,
        progress,
        message,
        kind,
        workflowId,
        stream,
        reverse,
        hypercare);
  }

  /** This status as answered by workflow {@code workflowId}. */
  public MigrationStatus withWorkflowId(String workflowId) {
    return new MigrationStatus(
        migrationId,
        branch,
        stage,
        state,
        reviewCommit,
        stages,
        artifacts,
        reviews,
        progress,
        message,
        kind,
        workflowId,
        stream,
        reverse,
        hypercare);
  }

  /**
   * This status ended {@link MigrationState#FAILED} with {@code message} and no review pending; its
   * stages, evidence, reviews, progress, streams and hypercare stay as they were.
   */
  public MigrationStatus failed(String message) {
    return new MigrationStatus(
        migrationId,
        branch,
        stage,
        MigrationState.FAILED,
        null,
        stages,
        artifacts,
        reviews,
        progress,
        message,
        kind,
        workflowId,
        stream,
        reverse,
        hypercare);
  }
}
