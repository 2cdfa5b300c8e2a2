package io.migrationstudio.contracts.activity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.temporal.activity.ActivityInfo;
import io.temporal.client.ActivityCanceledException;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ApplicationFailure;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ActivityFailuresTest {

  @Test
  void everyCodeBecomesAFailureOfItsNameRetryableAsTheCodeSays() {
    for (ErrorCode code : ErrorCode.values()) {
      ApplicationFailure f =
          assertThrows(
              ApplicationFailure.class,
              () ->
                  ActivityFailures.run(
                      () -> {
                        throw new MigrationException(code, "boom for " + code);
                      }));
      assertEquals(code.name(), f.getType(), code.name());
      assertEquals(!code.retryable(), f.isNonRetryable(), code.name());
      assertEquals("boom for " + code, f.getOriginalMessage());
    }
    // the codes the workflow's retry policy lists as non-retryable are exactly these
    assertEquals(
        List.of(ErrorCode.values()).stream().filter(c -> !c.retryable()).map(Enum::name).toList(),
        List.of(ErrorCode.nonRetryableTypes()));
  }

  @Test
  void aBugIsANonRetryableInternalFailureWithARedactedMessage() {
    ApplicationFailure f =
        assertThrows(
            ApplicationFailure.class,
            () ->
                ActivityFailures.run(
                    () -> {
                      throw new IllegalStateException(
                          "jdbc:postgresql://db/x?user=a&password=hunter2");
                    }));
    assertEquals(ErrorCode.INTERNAL.name(), f.getType());
    assertTrue(f.isNonRetryable());
    assertTrue(f.getOriginalMessage().startsWith("unexpected IllegalStateException"));
    assertFalse(f.getOriginalMessage().contains("hunter2"), f.getOriginalMessage());
  }

  @Test
  void temporalFailuresPassThroughUntouched() {
    ApplicationFailure already = ApplicationFailure.newFailure("x", "CUSTOM");
    assertSame(
        already,
        assertThrows(
            ApplicationFailure.class,
            () ->
                ActivityFailures.run(
                    () -> {
                      throw already;
                    })));
    ActivityCanceledException cancelled = new ActivityCanceledException();
    assertSame(
        cancelled,
        assertThrows(
            ActivityCanceledException.class,
            () ->
                ActivityFailures.run(
                    () -> {
                      throw cancelled;
                    })));
    assertEquals("ok", ActivityFailures.run(() -> "ok"));
  }

  /** An activity's info with only its attempt and retry policy, as the retry note reads them. */
  private static ActivityInfo activity(int attempt, RetryOptions retry) {
    return (ActivityInfo)
        Proxy.newProxyInstance(
            ActivityInfo.class.getClassLoader(),
            new Class<?>[] {ActivityInfo.class},
            (proxy, method, args) ->
                switch (method.getName()) {
                  case "getAttempt" -> attempt;
                  case "getRetryOptions" -> retry;
                  default -> throw new UnsupportedOperationException(method.getName());
                });
  }

  @Test
  void theMessageSaysWhetherAndWhenTemporalRetries() {
    RetryOptions chunk =
        RetryOptions.newBuilder()
            .setInitialInterval(Duration.ofSeconds(1))
            .setBackoffCoefficient(2.0)
            .setMaximumInterval(Duration.ofSeconds(30))
            .setMaximumAttempts(20)
            .build();
    assertEquals("", ActivityFailures.retryNote(ErrorCode.TRANSIENT_SQL, null));
    assertEquals(
        " [not retried: DATABASE_UNREACHABLE is permanent]",
        ActivityFailures.retryNote(ErrorCode.DATABASE_UNREACHABLE, activity(1, chunk)));
    assertEquals(
        " [retried: attempt 3 of 20 failed; the next starts in about 4 s]",
        ActivityFailures.retryNote(ErrorCode.TRANSIENT_SQL, activity(3, chunk)));
    assertEquals(
        " [retried: attempt 9 of 20 failed; the next starts in about 30 s]",
        ActivityFailures.retryNote(ErrorCode.TRANSIENT_SQL, activity(9, chunk)));
    assertEquals(
        " [not retried: attempt 20 was the last of 20]",
        ActivityFailures.retryNote(ErrorCode.TRANSIENT_SQL, activity(20, chunk)));
  }
}
