package io.migrationstudio.contracts.workflow;

/** Where a migration stands as a whole. */
public enum MigrationState {
  RUNNING,
  AWAITING_REVIEW,
  COMPLETED,
  FAILED,
  REJECTED,
  /** Ended by {@code studio cancel} (or a Temporal cancel request); the branch records why. */
  CANCELLED
}
