package io.migrationstudio.contracts.activity;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.spec.GateMode;
import io.migrationstudio.contracts.workflow.ArtifactRef;
import io.migrationstudio.contracts.workflow.Verdict;
import java.util.List;
import java.util.Objects;

/**
 * A review gate that waits, as committed on the branch ({@code gates/<stage>.json}) when it opens:
 * the stage, the exact commit under review, the checker's verdict and summary, the mode it waits in
 * and the stage's artifacts. A workflow re-created after its Temporal state was lost waits at this
 * gate again for this commit, without re-running the stage's producer and checker.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record GateEvidence(
    Stage stage,
    String commit,
    Verdict verdict,
    String summary,
    GateMode mode,
    List<ArtifactRef> artifacts) {
  public GateEvidence {
    Objects.requireNonNull(stage, "stage is required");
    Objects.requireNonNull(commit, "commit is required");
    summary = summary == null ? "" : summary;
    artifacts = artifacts == null ? List.of() : List.copyOf(artifacts);
  }
}
