package io.migrationstudio.contracts.activity;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * The branch, the commit holding the spec, the stages already approved on the branch (in order, a
 * prefix of the lifecycle) and how many reviews it already records.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record OpenResult(
    String branch, String specCommit, List<ApprovedStage> approved, int reviewCount) {
  public OpenResult {
    approved = approved == null ? List.of() : List.copyOf(approved);
  }
}
