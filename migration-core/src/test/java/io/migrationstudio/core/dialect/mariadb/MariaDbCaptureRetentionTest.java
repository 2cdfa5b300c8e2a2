package io.migrationstudio.core.dialect.mariadb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.core.dialect.CaptureReadiness.Problem;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** The binlog retention rule of {@link MariaDbCaptureReadiness}, at its boundaries. */
class MariaDbCaptureRetentionTest {
  private static Optional<Problem> rule(long seconds, OptionalDouble planned) {
    return MariaDbCaptureReadiness.retentionProblem("binlog_expire_logs_seconds", seconds, planned);
  }

  @Test
  void neverPurgedIsNoRisk() {
    assertEquals(Optional.empty(), rule(0, OptionalDouble.of(1e9)));
    assertEquals(Optional.empty(), rule(0, OptionalDouble.empty()));
  }

  @Test
  void shorterThanTheCopyBlocksShorterThanTwiceWarnsLongerIsFine() {
    assertTrue(rule(999, OptionalDouble.of(1000)).orElseThrow().blocking());
    assertFalse(rule(1000, OptionalDouble.of(1000)).orElseThrow().blocking());
    assertFalse(rule(1999, OptionalDouble.of(1000)).orElseThrow().blocking());
    assertEquals(Optional.empty(), rule(2000, OptionalDouble.of(1000)));
  }

  @Test
  void withoutAnEstimateUnderADayWarns() {
    assertFalse(rule(86_399, OptionalDouble.empty()).orElseThrow().blocking());
    assertEquals(Optional.empty(), rule(86_400, OptionalDouble.empty()));
  }
}
