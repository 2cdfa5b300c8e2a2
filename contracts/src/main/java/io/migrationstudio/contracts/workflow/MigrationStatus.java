package io.migrationstudio.contracts.workflow;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.migrationstudio.contracts.Stage;
import java.util.List;

/**
 * The answer of the {@code status} query. {@code reviewCommit} is the commit a reviewer must name
 * while the migration awaits review.
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
    String message) {
  public MigrationStatus {
    stages = stages == null ? List.of() : List.copyOf(stages);
    artifacts = artifacts == null ? List.of() : List.copyOf(artifacts);
    reviews = reviews == null ? List.of() : List.copyOf(reviews);
    progress = progress == null ? Progress.empty() : progress;
  }
}
