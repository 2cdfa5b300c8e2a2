package io.migrationstudio.worker.assessment;

import io.migrationstudio.contracts.MigrationException;
import io.temporal.failure.ApplicationFailure;
import java.util.function.Supplier;

/**
 * Turns a {@link MigrationException} into the Temporal failure the workflow sees: the type is the
 * error code's name, and the failure is non-retryable unless the code is retryable. Other runtime
 * exceptions pass through unchanged (Temporal wraps them and applies the retry policy).
 */
public final class Failures {
  private Failures() {}

  /** The Temporal failure of a studio error; the cause is kept for the stack trace. */
  public static ApplicationFailure toFailure(MigrationException e) {
    String type = e.code().name();
    return e.code().retryable()
        ? ApplicationFailure.newFailureWithCause(e.getMessage(), type, e)
        : ApplicationFailure.newNonRetryableFailureWithCause(e.getMessage(), type, e);
  }

  /** Runs an activity body, translating a {@link MigrationException} into a Temporal failure. */
  public static <T> T translate(Supplier<T> body) {
    try {
      return body.get();
    } catch (MigrationException e) {
      throw toFailure(e);
    }
  }
}
