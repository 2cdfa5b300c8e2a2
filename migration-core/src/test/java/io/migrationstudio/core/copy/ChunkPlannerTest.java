package io.migrationstudio.core.copy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.migrationstudio.contracts.activity.ChunkRange;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChunkPlannerTest {
  @Test
  void noBoundaryIsOneUnboundedChunk() {
    assertEquals(List.of(new ChunkRange(0, null, null)), ChunkPlanner.rangesFrom(List.of()));
  }

  @Test
  void boundariesMakeHalfOpenRangesWithUnboundedEnds() {
    assertEquals(
        List.of(
            new ChunkRange(0, null, "10"),
            new ChunkRange(1, "10", "20"),
            new ChunkRange(2, "20", null)),
        ChunkPlanner.rangesFrom(List.of("10", "20")));
  }

  @Test
  void repeatedBoundariesOfACompositeKeyCollapse() {
    assertEquals(
        List.of(
            new ChunkRange(0, null, "1"),
            new ChunkRange(1, "1", "3"),
            new ChunkRange(2, "3", null)),
        ChunkPlanner.rangesFrom(List.of("1", "1", "1", "3", "3")));
  }

  @Test
  void everyKeyFallsInExactlyOneRange() {
    // exhaustive over small integer keys: the ranges partition the whole line
    for (int n = 0; n < 6; n++) {
      List<String> bounds = new ArrayList<>();
      for (int b = 1; b <= n; b++) {
        bounds.add(Integer.toString(b * 3));
      }
      List<ChunkRange> ranges = ChunkPlanner.rangesFrom(bounds);
      assertEquals(n + 1, ranges.size());
      for (int key = -5; key < 25; key++) {
        int hits = 0;
        for (ChunkRange r : ranges) {
          boolean aboveLo = r.lo() == null || key >= Integer.parseInt(r.lo());
          boolean belowHi = r.hi() == null || key < Integer.parseInt(r.hi());
          hits += aboveLo && belowHi ? 1 : 0;
        }
        assertEquals(1, hits, "key " + key + " with bounds " + bounds);
      }
      for (int i = 0; i < ranges.size(); i++) {
        assertEquals(i, ranges.get(i).index());
      }
    }
  }

  @Test
  void nullBoundaryIsRefused() {
    assertThrows(
        IllegalArgumentException.class, () -> ChunkPlanner.rangesFrom(Arrays.asList("1", null)));
  }
}
