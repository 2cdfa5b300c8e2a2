package io.migrationstudio.worker.assessment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.temporal.failure.ApplicationFailure;
import org.junit.jupiter.api.Test;

class MappingFailuresTest {
  @Test
  void everyCodeBecomesItsFailureTypeWithItsRetryability() {
    for (ErrorCode code : ErrorCode.values()) {
      ApplicationFailure f =
          MappingFailures.toFailure(new MigrationException(code, "boom for " + code));
      assertEquals(code.name(), f.getType());
      assertEquals(!code.retryable(), f.isNonRetryable(), code.name());
      assertTrue(f.getOriginalMessage().contains("boom for " + code));
    }
  }

  @Test
  void unexpectedExceptionsAreInternalAndNotRetried() {
    ApplicationFailure f =
        MappingFailures.toFailure(
            new IllegalStateException("jdbc:postgresql://h/db?password=hunter2 broke"));
    assertEquals(ErrorCode.INTERNAL.name(), f.getType());
    assertTrue(f.isNonRetryable());
    assertFalse(f.getOriginalMessage().contains("hunter2"));
  }

  @Test
  void applicationFailuresPassThrough() {
    ApplicationFailure original = ApplicationFailure.newFailure("x", "T");
    assertSame(original, MappingFailures.toFailure(original));
  }
}
