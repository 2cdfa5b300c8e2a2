package io.migrationstudio.contracts.activity;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * The branch, the commit holding the spec, the stages already approved on the branch (in order, a
 * prefix of the lifecycle), how many reviews it already records and, when the next stage's gate was
 * waiting for a review of a commit when the earlier run stopped, that gate ({@code awaiting}, null
 * otherwise).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record OpenResult(
    String branch,
    String specCommit,
    List<ApprovedStage> approved,
    int reviewCount,
    GateEvidence awaiting) {
  public OpenResult {
    approved = approved == null ? List.of() : List.copyOf(approved);
  }

  /** No gate was waiting. */
  public OpenResult(
      String branch, String specCommit, List<ApprovedStage> approved, int reviewCount) {
    this(branch, specCommit, approved, reviewCount, null);
  }
}
