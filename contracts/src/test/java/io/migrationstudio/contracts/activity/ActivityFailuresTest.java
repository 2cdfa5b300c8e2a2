package io.migrationstudio.contracts.activity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.temporal.client.ActivityCanceledException;
import io.temporal.failure.ApplicationFailure;
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
}
