package io.migrationstudio.contracts.activity;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.temporal.client.ActivityCompletionException;
import io.temporal.failure.ApplicationFailure;
import java.util.function.Supplier;

/**
 * Runs an activity body and translates failures for Temporal: a {@link MigrationException} becomes
 * an application failure whose type is its {@link ErrorCode} name, non-retryable unless the code
 * says otherwise; anything else unexpected is an {@code INTERNAL} failure (not retried: a bug does
 * not fix itself). Temporal's own failures pass through untouched: an {@link ApplicationFailure}
 * already translated, and the {@link ActivityCompletionException} a heartbeat throws when the
 * activity was cancelled or timed out (Temporal must see it as such, not as a bug). Messages are
 * already redacted by MigrationException. Every activity implementation runs its body through
 * {@link #run}; this is the only translation of studio errors into Temporal failures.
 */
public final class ActivityFailures {
  private ActivityFailures() {}

  /** Runs an activity body, translating what it throws (see the class comment). */
  public static <T> T run(Supplier<T> body) {
    try {
      return body.get();
    } catch (MigrationException e) {
      throw translate(e);
    } catch (ApplicationFailure | ActivityCompletionException e) {
      throw e;
    } catch (RuntimeException e) {
      throw translate(
          new MigrationException(
              ErrorCode.INTERNAL,
              "unexpected " + e.getClass().getSimpleName() + ": " + e.getMessage(),
              e));
    }
  }

  /** The failure of a studio error: type = the code's name, retryable as the code says. */
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
