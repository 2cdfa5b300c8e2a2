package io.migrationstudio.core.validate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RegressionReplayerTest {
  @Test
  void percentilesAreNearestRank() {
    double[] five = {5, 1, 4, 2, 3};
    assertEquals(3.0, RegressionReplayer.percentile(five, 50));
    assertEquals(5.0, RegressionReplayer.percentile(five, 95));
    assertEquals(1.0, RegressionReplayer.percentile(five, 1));
  }

  @Test
  void aRegressionIsSlowerThanToleratedAndAboveTheNoiseFloor() {
    assertTrue(RegressionReplayer.isRegression(10.0, 11.5, 0.10));
    assertFalse(RegressionReplayer.isRegression(10.0, 10.9, 0.10));
    assertFalse(RegressionReplayer.isRegression(0.2, 0.9, 0.10), "0.7 ms is noise");
    assertFalse(RegressionReplayer.isRegression(10.0, 5.0, 0.10));
  }

  @Test
  void multisetDifferenceCountsDuplicates() {
    assertArrayEquals(
        new long[] {2, 2},
        RegressionReplayer.multisetDifference(new long[] {1, 2, 2, 5}, new long[] {2, 3, 4, 5}));
    assertArrayEquals(
        new long[] {0, 0}, RegressionReplayer.multisetDifference(new long[] {}, new long[] {}));
    assertArrayEquals(
        new long[] {1, 0},
        RegressionReplayer.multisetDifference(new long[] {7, 7}, new long[] {7}));
  }
}
