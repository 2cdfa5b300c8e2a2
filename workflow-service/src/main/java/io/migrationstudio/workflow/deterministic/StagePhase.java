package io.migrationstudio.workflow.deterministic;

/**
 * Where a stage is, as the status query shows it: {@link #key()} is the string of {@code
 * StageStatus.state} (and so of the JSON and of every client), unchanged from before the enum.
 */
enum StagePhase {
  /** Not started yet. */
  PENDING("pending"),
  /** Not part of this run (a validation-only run skips Migrate and Cutover). */
  NOT_RUN("not-run"),
  /** Approved in an earlier run: its evidence on the branch is reused. */
  SKIPPED("skipped"),
  /** The producer works. */
  RUNNING("running"),
  /** The checker works on the producer's (or a revised) commit. */
  CHECKING("checking"),
  /** The gate waits for a review of the commit under review. */
  AWAITING_REVIEW("awaiting-review"),
  /** REQUEST_CHANGES: waits for a review naming the revised commit. */
  CHANGES_REQUESTED("changes-requested"),
  APPROVED("approved"),
  REJECTED("rejected"),
  /** An activity or a table copy failed; the summary says why. */
  FAILED("failed"),
  /** Done without a gate (validation-only runs; the executed cutover). */
  COMPLETED("completed"),
  /** Validation FAIL under validation.repair: the validator plans the repair. */
  PLANNING_REPAIR("planning-repair"),
  /** The planned chunks are re-copied. */
  REPAIRING("repairing"),
  /** The approved cutover waits for cutover.window. */
  WAITING_WINDOW("waiting-window"),
  /** The cutover checks that the validation report is fresh. */
  CHECKING_FRESHNESS("checking-freshness"),
  /** The report was stale: Validation is re-made before the cutover. */
  REVALIDATING("revalidating"),
  /** The rollback drill runs on the real pair, after the cutover approval. */
  DRILLING("drilling"),
  /** Freeze, final validation, switch. */
  EXECUTING("executing"),
  /** After the switch: the migration stays open for cutover.hypercare before the decommission. */
  HYPERCARE("hypercare"),
  /** The migration was cancelled while this stage ran or waited. */
  CANCELLED("cancelled");

  private final String key;

  StagePhase(String key) {
    this.key = key;
  }

  /** The string the status shows. */
  String key() {
    return key;
  }
}
