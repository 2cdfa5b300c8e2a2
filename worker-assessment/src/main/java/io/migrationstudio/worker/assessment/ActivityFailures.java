package io.migrationstudio.worker.assessment;

import io.migrationstudio.contracts.MigrationException;
import io.temporal.failure.ApplicationFailure;
import java.util.function.Supplier;

/**
 * Turns a {@link MigrationException} into the Temporal failure the workflow sees: an {@link
 * ApplicationFailure} whose type is the error code's name, non-retryable unless the code is
 * retryable. Other exceptions pass through (Temporal retries them as unexpected).
 */
public final class ActivityFailures {
  private ActivityFailures() {}

  /** Runs activity work, translating its MigrationException. */
  public static <T> T translate(Supplier<T> work) {
    try {
      return work.get();
    } catch (MigrationException e) {
      throw toFailure(e);
    }
  }

  public static ApplicationFailure toFailure(MigrationException e) {
    String type = e.code().name();
    return e.code().retryable()
        ? ApplicationFailure.newFailureWithCause(e.getMessage(), type, e)
        : ApplicationFailure.newNonRetryableFailureWithCause(e.getMessage(), type, e);
  }
}
