package io.migrationstudio.core.validate;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.activity.ChunkRange;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When the chunk counts may stand for the table's count: ranges that cover every key once. */
class ChunkTilingTest {
  @Test
  void unboundedContiguousRangesTile() {
    assertTrue(Validator.tiles(List.of(new ChunkRange(0, null, null))));
    assertTrue(
        Validator.tiles(
            List.of(
                new ChunkRange(0, null, "10"),
                new ChunkRange(1, "10", "20"),
                new ChunkRange(2, "20", null))));
  }

  @Test
  void gapsOverlapsAndBoundedEndsDoNotTile() {
    assertFalse(Validator.tiles(List.of()));
    assertFalse(Validator.tiles(List.of(new ChunkRange(0, "1", null))));
    assertFalse(Validator.tiles(List.of(new ChunkRange(0, null, "9"))));
    assertFalse(
        Validator.tiles(List.of(new ChunkRange(0, null, "10"), new ChunkRange(1, "11", null))));
    assertFalse(
        Validator.tiles(List.of(new ChunkRange(0, null, "10"), new ChunkRange(1, "5", null))));
    assertFalse(
        Validator.tiles(List.of(new ChunkRange(0, null, null), new ChunkRange(1, null, null))));
  }
}
