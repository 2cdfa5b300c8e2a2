package io.migrationstudio.contracts.activity;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.workflow.ArtifactRef;
import io.migrationstudio.contracts.workflow.Verdict;
import java.util.List;
import java.util.Objects;

/**
 * What a stage activity produced: the branch head after its commit (unchanged when the content was
 * already there), the files it wrote, and for a checker its verdict (null for producers).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record StageResult(
    Stage stage,
    String role,
    String commit,
    List<ArtifactRef> artifacts,
    Verdict verdict,
    String summary) {
  public StageResult {
    Objects.requireNonNull(stage, "stage is required");
    Objects.requireNonNull(commit, "commit is required");
    artifacts = artifacts == null ? List.of() : List.copyOf(artifacts);
    summary = summary == null ? "" : summary;
  }
}
