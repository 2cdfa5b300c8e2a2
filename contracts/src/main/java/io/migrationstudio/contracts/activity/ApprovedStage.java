package io.migrationstudio.contracts.activity;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.workflow.ArtifactRef;
import java.util.List;

/** A stage the branch shows as approved by an earlier run (resume from the evidence). */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ApprovedStage(Stage stage, String commit, List<ArtifactRef> artifacts) {
  public ApprovedStage {
    artifacts = artifacts == null ? List.of() : List.copyOf(artifacts);
  }
}
