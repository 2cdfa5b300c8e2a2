package io.migrationstudio.contracts.activity;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
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
 * gate again for this commit, without re-running the stage's producer and checker. {@code
 * changesRequested} and {@code approved} are never in the file: the branch's reviews set them when
 * reopening. {@code changesRequested}: the last accepted review of this commit asked for changes,
 * and the gate then waits for a revised commit. {@code approved}: the last accepted review of this
 * commit approved it (the rollback drill's review, approved before the execution ran), and the gate
 * does not wait again.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GateEvidence(
    Stage stage,
    String commit,
    Verdict verdict,
    String summary,
    GateMode mode,
    List<ArtifactRef> artifacts,
    Boolean changesRequested,
    Boolean approved) {
  public GateEvidence {
    Objects.requireNonNull(stage, "stage is required");
    Objects.requireNonNull(commit, "commit is required");
    summary = summary == null ? "" : summary;
    artifacts = artifacts == null ? List.of() : List.copyOf(artifacts);
    changesRequested = Boolean.TRUE.equals(changesRequested) ? Boolean.TRUE : null;
    approved = Boolean.TRUE.equals(approved) ? Boolean.TRUE : null;
  }

  /** A gate waiting for a review of {@code commit}. */
  public GateEvidence(
      Stage stage,
      String commit,
      Verdict verdict,
      String summary,
      GateMode mode,
      List<ArtifactRef> artifacts) {
    this(stage, commit, verdict, summary, mode, artifacts, null, null);
  }

  /** This gate after a REQUEST_CHANGES on its commit: it waits for a revised commit. */
  public GateEvidence markedChangesRequested() {
    return new GateEvidence(stage, commit, verdict, summary, mode, artifacts, true, null);
  }

  /** This gate after an APPROVE of its commit: it does not wait again. */
  public GateEvidence markedApproved() {
    return new GateEvidence(stage, commit, verdict, summary, mode, artifacts, null, true);
  }

  /** Whether the commit was approved (the gate does not wait again). */
  public boolean wasApproved() {
    return Boolean.TRUE.equals(approved);
  }

  /** Whether changes were requested on the commit (the gate waits for a revised commit). */
  public boolean waitsForRevision() {
    return Boolean.TRUE.equals(changesRequested);
  }
}
