package io.migrationstudio.worker.assessment;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.temporal.failure.ApplicationFailure;

/**
 * Translates the studio's exceptions into Temporal application failures: the failure type is the
 * error code's name, and only codes that are {@link ErrorCode#retryable()} may be retried. Anything
 * that is not a MigrationException is a bug (INTERNAL) and is not retried.
 */
public final class MappingFailures {
  private MappingFailures() {}

  public static ApplicationFailure toFailure(RuntimeException e) {
    if (e instanceof ApplicationFailure already) {
      return already;
    }
    if (e instanceof MigrationException m) {
      return m.code().retryable()
          ? ApplicationFailure.newFailureWithCause(m.getMessage(), m.code().name(), m)
          : ApplicationFailure.newNonRetryableFailureWithCause(m.getMessage(), m.code().name(), m);
    }
    return ApplicationFailure.newNonRetryableFailureWithCause(
        "unexpected "
            + e.getClass().getSimpleName()
            + ": "
            + MigrationException.redact(e.getMessage()),
        ErrorCode.INTERNAL.name(),
        e);
  }
}
