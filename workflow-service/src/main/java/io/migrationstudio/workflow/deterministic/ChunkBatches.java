package io.migrationstudio.workflow.deterministic;

import io.migrationstudio.contracts.activity.ChunkRange;
import java.util.ArrayList;
import java.util.List;

/**
 * Groups a table's chunks into batches of consecutive chunks, one activity each (issue 17): every
 * activity costs an activity dispatch and a workflow task of the table's child, tens of
 * milliseconds on a loaded machine, which a small chunk cannot amortise alone.
 *
 * <p>The batch size is the chunk count over {@link #BATCHES_PER_SLOT} batches per parallel slot,
 * rounded up, at most {@link #MAX_CHUNKS_PER_BATCH}: a table of a few chunks keeps one chunk per
 * activity (as before: nothing to amortise, and each chunk still balances across the slots), a
 * table of hundreds gets batches of {@link #MAX_CHUNKS_PER_BATCH}, enough batches per slot that the
 * slots end close together, and a pause (taken between activities) or a progress update waits for
 * at most one batch.
 */
final class ChunkBatches {
  /** Batches per parallel slot at least, so that the slots stay balanced. */
  static final int BATCHES_PER_SLOT = 4;

  /** Chunks per activity at most (pause and progress wait for one batch). */
  static final int MAX_CHUNKS_PER_BATCH = 16;

  private ChunkBatches() {}

  /** The batch size for {@code chunks} chunks copied {@code parallelism} at a time. */
  static int size(int chunks, int parallelism) {
    if (chunks < 0 || parallelism < 1) {
      throw new IllegalArgumentException(
          "chunk batches need chunks >= 0 and parallelism >= 1, got "
              + chunks
              + " and "
              + parallelism);
    }
    int slots = parallelism * BATCHES_PER_SLOT;
    int size = (chunks + slots - 1) / slots;
    return Math.max(1, Math.min(MAX_CHUNKS_PER_BATCH, size));
  }

  /** {@code chunks} in order, cut into batches of {@link #size}. */
  static List<List<ChunkRange>> of(List<ChunkRange> chunks, int parallelism) {
    int size = size(chunks.size(), parallelism);
    List<List<ChunkRange>> out = new ArrayList<>();
    for (int i = 0; i < chunks.size(); i += size) {
      out.add(List.copyOf(chunks.subList(i, Math.min(chunks.size(), i + size))));
    }
    return out;
  }
}
