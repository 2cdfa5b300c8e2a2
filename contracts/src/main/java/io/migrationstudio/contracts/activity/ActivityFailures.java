package io.migrationstudio.contracts.activity;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityInfo;
import io.temporal.client.ActivityCompletionException;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
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
 *
 * <p>Inside an activity, the message ends with what Temporal will do, read from the activity's own
 * retry policy: {@code [not retried: ...]}, or {@code [retried: attempt 2 of 5 failed; the next
 * starts in about 2 s]}, or that this was the last attempt. Core code never claims a retry itself.
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
    String message = e.getMessage() + retryNote(e.code(), currentActivity());
    ApplicationFailure f =
        e.code().retryable()
            ? ApplicationFailure.newFailureWithCause(message, e.code().name(), null)
            : ApplicationFailure.newNonRetryableFailureWithCause(message, e.code().name(), null);
    f.setStackTrace(e.getStackTrace());
    return f;
  }

  /**
   * What Temporal does after this failure, as the activity's retry policy says; empty outside an
   * activity (nothing retries there).
   */
  static String retryNote(ErrorCode code, ActivityInfo activity) {
    if (activity == null) {
      return "";
    }
    if (!code.retryable()) {
      return " [not retried: " + code + " is permanent]";
    }
    int attempt = Math.max(1, activity.getAttempt());
    RetryOptions retry = activity.getRetryOptions();
    if (retry == null) {
      return " [retried: attempt " + attempt + " failed]";
    }
    int max = retry.getMaximumAttempts();
    if (max > 0 && attempt >= max) {
      return " [not retried: attempt " + attempt + " was the last of " + max + "]";
    }
    return " [retried: attempt "
        + attempt
        + (max > 0 ? " of " + max : "")
        + " failed; the next starts in about "
        + seconds(nextInterval(retry, attempt))
        + "]";
  }

  /** Temporal's backoff: the initial interval times the coefficient per attempt, capped. */
  static Duration nextInterval(RetryOptions retry, int attempt) {
    Duration initial =
        retry.getInitialInterval() == null ? Duration.ofSeconds(1) : retry.getInitialInterval();
    double coefficient = retry.getBackoffCoefficient() <= 0 ? 2.0 : retry.getBackoffCoefficient();
    double millis = initial.toMillis() * Math.pow(coefficient, attempt - 1);
    Duration cap = retry.getMaximumInterval();
    if (cap == null) {
      cap = initial.multipliedBy(100);
    }
    return millis >= cap.toMillis() ? cap : Duration.ofMillis((long) millis);
  }

  private static String seconds(Duration d) {
    long s = Math.max(1, Math.round(d.toMillis() / 1000.0));
    return s + " s";
  }

  private static ActivityInfo currentActivity() {
    try {
      return Activity.getExecutionContext().getInfo();
    } catch (RuntimeException notInAnActivity) {
      return null;
    }
  }
}
