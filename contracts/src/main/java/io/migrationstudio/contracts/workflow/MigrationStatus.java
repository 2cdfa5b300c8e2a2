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

  /** Without a reverse stream and before the hypercare. */
  public MigrationStatus(
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
      StreamProgress stream) {
    this(
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
        null,
        null);
  }

  /** Without a change stream (a bulk migration, a validation run). */
  public MigrationStatus(
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
      String workflowId) {
    this(
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
        (StreamProgress) null);
  }

  /** Before {@code kind} and {@code workflowId}: a migration, workflow id unknown. */
  public MigrationStatus(
      String migrationId,
      String branch,
      Stage stage,
      MigrationState state,
      String reviewCommit,
      List<StageStatus> stages,
      List<ArtifactRef> artifacts,
      List<ReviewRecord> reviews,
      Progress progress,
      String message) {
    this(
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
        null,
        null);
  }
}
