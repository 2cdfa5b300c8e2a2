package io.migrationstudio.contracts.activity;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.temporal.failure.ApplicationFailure;
import java.util.function.Supplier;

/**
 * Runs an activity body and translates failures for Temporal: a {@link MigrationException} becomes
 * an application failure whose type is its {@link ErrorCode} name, non-retryable unless the code
 * says otherwise; anything else unexpected is an {@code INTERNAL} failure (not retried: a bug does
 * not fix itself). Messages are already redacted by MigrationException.
 */
public final class ActivityFailures {
  private ActivityFailures() {}

  public static <T> T run(Supplier<T> body) {
    try {
      return body.get();
    } catch (MigrationException e) {
      throw translate(e);
    } catch (ApplicationFailure e) {
      throw e;
    } catch (RuntimeException e) {
      throw translate(
          new MigrationException(
              ErrorCode.INTERNAL,
              "unexpected " + e.getClass().getSimpleName() + ": " + e.getMessage(),
              e));
    }
  }

  public static ApplicationFailure translate(MigrationException e) {
    ApplicationFailure f =
        e.code().retryable()
            ? ApplicationFailure.newFailureWithCause(e.getMessage(), e.code().name(), null)
            : ApplicationFailure.newNonRetryableFailureWithCause(
                e.getMessage(), e.code().name(), null);
    f.setStackTrace(e.getStackTrace());
    return f;
  }
}
