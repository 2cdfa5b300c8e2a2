package io.migrationstudio.contracts.workflow;

/**
 * What an operator does to a running migration ({@code studio
 * cancel|pause|resume|throttle|rollback}).
 */
public enum ControlAction {
  /** Ends the migration CANCELLED: running work is cancelled, the branch records who and why. */
  CANCEL,
  /** Holds the copy at a consistent point: no new chunk starts, running chunks finish. */
  PAUSE,
  /** Lets a paused copy go on. */
  RESUME,
  /** Changes the copy's row rate cap ({@code migrate.max_rows_per_second}) for the next chunks. */
  THROTTLE,
  /**
   * After a switch with a reverse stream: drain it, freeze the target, switch back, unfreeze the
   * source ({@code studio rollback ID}).
   */
  ROLLBACK
}
