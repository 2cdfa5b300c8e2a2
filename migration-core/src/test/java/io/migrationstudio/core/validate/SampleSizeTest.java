package io.migrationstudio.core.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SampleSizeTest {
  @Test
  void theInfinitePopulationSizeIsCochransFormula() {
    assertEquals(384.16, SampleSize.N0, 1e-9);
  }

  @Test
  void finitePopulationCorrectionRoundedUp() {
    assertEquals(278, SampleSize.of(1_000));
    assertEquals(347, SampleSize.of(3_503));
    assertEquals(370, SampleSize.of(10_000));
    assertEquals(385, SampleSize.of(1_000_000));
    assertEquals(385, SampleSize.of(Long.MAX_VALUE));
  }

  @Test
  void neverFewerThanAHundredRowsOrTheWholeTable() {
    assertEquals(0, SampleSize.of(0));
    assertEquals(57, SampleSize.of(57));
    assertEquals(100, SampleSize.of(100));
    assertEquals(100, SampleSize.of(101), "the formula says 81");
    assertEquals(193, SampleSize.of(385));
    assertThrows(IllegalArgumentException.class, () -> SampleSize.of(-1));
  }

  @Test
  void growsWithThePopulationAndStaysWithinIt() {
    long previous = 0;
    for (long n = 0; n < 20_000; n++) {
      long s = SampleSize.of(n);
      assertTrue(s >= previous, "monotone at " + n);
      assertTrue(s <= n, "within the table at " + n);
      assertTrue(s >= Math.min(n, 100), "at least 100 at " + n);
      double exact = SampleSize.N0 / (1 + (SampleSize.N0 - 1) / n);
      assertTrue(n <= 100 || s >= exact, "rounded up at " + n);
      previous = s;
    }
  }
}
