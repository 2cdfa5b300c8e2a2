package io.migrationstudio.worker.assessment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.temporal.failure.ApplicationFailure;
import org.junit.jupiter.api.Test;

class FailuresTest {

  @Test
  void everyCodeBecomesAFailureOfItsTypeAndRetryability() {
    for (ErrorCode code : ErrorCode.values()) {
      MigrationException e = new MigrationException(code, "boom for " + code);
      ApplicationFailure f =
          assertThrows(
              ApplicationFailure.class,
              () ->
                  Failures.translate(
                      () -> {
                        throw e;
                      }));
      assertEquals(code.name(), f.getType());
      assertEquals(!code.retryable(), f.isNonRetryable(), code.name());
      assertSame(e, f.getCause());
    }
  }

  @Test
  void resultsAndOtherExceptionsPassThrough() {
    assertEquals("ok", Failures.translate(() -> "ok"));
    IllegalStateException bug = new IllegalStateException("bug");
    assertSame(
        bug,
        assertThrows(
            IllegalStateException.class,
            () ->
                Failures.translate(
                    () -> {
                      throw bug;
                    })));
  }
}
