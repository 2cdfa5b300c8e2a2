package io.migrationstudio.workflow.deterministic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.activity.ChunkRange;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChunkBatchesTest {
  @Test
  void batchesKeepEveryChunkInOrderAndStayWithinTheirBounds() {
    for (int parallelism = 1; parallelism <= 8; parallelism++) {
      for (int n = 0; n <= 700; n++) {
        List<ChunkRange> chunks = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          chunks.add(new ChunkRange(i, null, null));
        }
        List<List<ChunkRange>> batches = ChunkBatches.of(chunks, parallelism);
        String what = n + " chunks at parallelism " + parallelism + ": " + batches.size();
        assertEquals(chunks, batches.stream().flatMap(List::stream).toList(), what);
        int size = ChunkBatches.size(n, parallelism);
        for (int b = 0; b < batches.size(); b++) {
          int s = batches.get(b).size();
          assertTrue(s >= 1 && s <= ChunkBatches.MAX_CHUNKS_PER_BATCH, what);
          assertTrue(b == batches.size() - 1 ? s <= size : s == size, what);
        }
        // a few chunks: one per activity; else enough batches to keep every slot busy
        if (n <= parallelism * ChunkBatches.BATCHES_PER_SLOT) {
          assertEquals(n, batches.size(), what);
        } else {
          // batches of ceil(n / slots) chunks make more than slots / 2 of them
          assertTrue(batches.size() > parallelism * ChunkBatches.BATCHES_PER_SLOT / 2, what);
        }
      }
    }
  }

  @Test
  void theBenchTableOf200ChunksGoesInBatchesOf16() {
    assertEquals(16, ChunkBatches.size(200, 2));
    assertEquals(1, ChunkBatches.size(8, 2));
    assertEquals(2, ChunkBatches.size(9, 2));
  }

  @Test
  void aParallelismBelowOneIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> ChunkBatches.size(10, 0));
  }
}
