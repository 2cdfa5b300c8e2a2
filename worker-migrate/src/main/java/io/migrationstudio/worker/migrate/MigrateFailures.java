package io.migrationstudio.worker.migrate;

import io.migrationstudio.contracts.MigrationException;
import io.temporal.failure.ApplicationFailure;

/**
 * Turns a {@link MigrationException} into the Temporal failure the workflow sees: type = the error
 * code's name, non-retryable unless the code is retryable (a chunk redoes exactly its range, so
 * transient failures are safe to retry).
 */
final class MigrateFailures {
  private MigrateFailures() {}

  static ApplicationFailure toFailure(MigrationException e) {
    String type = e.code().name();
    return e.code().retryable()
        ? ApplicationFailure.newFailureWithCause(e.getMessage(), type, e)
        : ApplicationFailure.newNonRetryableFailureWithCause(e.getMessage(), type, e);
  }
}
