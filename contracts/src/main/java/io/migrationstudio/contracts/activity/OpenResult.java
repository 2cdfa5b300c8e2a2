package io.migrationstudio.contracts.activity;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * The branch, the commit holding the spec, the stages already approved on the branch (in order, a
 * prefix of the lifecycle), how many reviews it already records and, when the next stage's gate was
 * waiting for a review of a commit when the earlier run stopped, that gate ({@code awaiting}, null
 * otherwise). {@code hypercareStartedAtMillis}: when the hypercare after an executed cutover began
 * ({@code 06-hypercare/hypercare.json}; null when none began), so that a re-created migration goes
 * on with the hypercare instead of executing the cutover again.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record OpenResult(
    String branch,
    String specCommit,
    List<ApprovedStage> approved,
    int reviewCount,
    GateEvidence awaiting,
    Long hypercareStartedAtMillis) {
  public OpenResult {
    approved = approved == null ? List.of() : List.copyOf(approved);
  }

  /** No hypercare began. */
  public OpenResult(
      String branch,
      String specCommit,
      List<ApprovedStage> approved,
      int reviewCount,
      GateEvidence awaiting) {
    this(branch, specCommit, approved, reviewCount, awaiting, null);
  }

  /** No gate was waiting. */
  public OpenResult(
      String branch, String specCommit, List<ApprovedStage> approved, int reviewCount) {
    this(branch, specCommit, approved, reviewCount, (GateEvidence) null);
  }
}
