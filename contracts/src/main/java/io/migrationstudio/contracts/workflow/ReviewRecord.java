package io.migrationstudio.contracts.workflow;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.migrationstudio.contracts.Stage;

/**
 * A review as the workflow recorded it: {@code accepted} false for a signal the workflow refused
 * (updates that fail validation never reach history), with the reason in {@code note}. {@code path}
 * is the review file on the branch, once committed.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ReviewRecord(
    int sequence,
    Stage stage,
    Decision decision,
    String reviewer,
    String comment,
    String commit,
    long atMillis,
    boolean accepted,
    String note,
    String path) {
  /**
   * The {@code note} of a decision on a proposed repair (not on the stage): resuming from the
   * evidence does not count its APPROVE as the stage's approval.
   */
  public static final String REPAIR_PLAN_NOTE = "decision on the repair plan";

  public ReviewRecord withPath(String newPath) {
    return new ReviewRecord(
        sequence, stage, decision, reviewer, comment, commit, atMillis, accepted, note, newPath);
  }
}
