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

  /**
   * The {@code note} of an approval that lets the execution start despite a failed rollback drill
   * (a review of the drill's commit, after the cutover's approval).
   */
  public static final String DRILL_OVERRIDE_NOTE = "override of a failed rollback drill";

  /**
   * The {@code note} of an approval of the execution after the rollback drill ({@code
   * cutover.drill: separate_gate}).
   */
  public static final String DRILL_EXECUTION_NOTE =
      "approval of the execution after the rollback drill";

  /**
   * Whether this is a decision on a proposal inside a stage (a repair plan, a rollback drill), not
   * on the stage itself: resuming from the evidence does not take it as the stage's decision.
   */
  public boolean onProposal() {
    return REPAIR_PLAN_NOTE.equals(note)
        || DRILL_OVERRIDE_NOTE.equals(note)
        || DRILL_EXECUTION_NOTE.equals(note);
  }

  public ReviewRecord withPath(String newPath) {
    return new ReviewRecord(
        sequence, stage, decision, reviewer, comment, commit, atMillis, accepted, note, newPath);
  }
}
