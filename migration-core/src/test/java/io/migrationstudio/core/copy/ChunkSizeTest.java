package io.migrationstudio.core.copy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.spec.ConnectionSpec;
import io.migrationstudio.contracts.spec.MigrateOptions;
import io.migrationstudio.contracts.spec.MigrationSpec;
import org.junit.jupiter.api.Test;

/** When the default chunk size keeps a table whole ({@link ChunkSize.WholeTable}). */
class ChunkSizeTest {
  @Test
  void aFewChunksStayWholeWhenTheCoresCouldNotRunThemAtOnce() {
    // exhaustive over small plans: whole exactly when 2..MAX_CHUNKS chunks and fewer cores than
    // CORES_PER_STREAM per chunk that would copy at once
    for (int parallelism = 1; parallelism <= 8; parallelism++) {
      for (int cores = 1; cores <= 32; cores++) {
        ChunkSize.WholeTable whole = new ChunkSize.WholeTable(parallelism, cores);
        for (long chunks = 0; chunks <= 12; chunks++) {
          boolean expected =
              chunks >= 2
                  && chunks <= ChunkSize.WholeTable.MAX_CHUNKS
                  && cores < ChunkSize.WholeTable.CORES_PER_STREAM * Math.min(chunks, parallelism);
          assertEquals(
              expected,
              whole.keepsWhole(chunks),
              chunks + " chunks, parallelism " + parallelism + ", " + cores + " cores");
        }
      }
    }
    // the benchmark's case: 10M pgbench rows are 4 chunks of 256 MiB, 4 at once, on 2 cores
    assertTrue(new ChunkSize.WholeTable(4, 2).keepsWhole(4));
    assertFalse(new ChunkSize.WholeTable(4, 16).keepsWhole(4), "16 cores copy 4 chunks at once");
    assertFalse(new ChunkSize.WholeTable(4, 2).keepsWhole(9), "a failure would redo too much");
    assertFalse(new ChunkSize.WholeTable(1, 1).keepsWhole(1), "one chunk is whole already");
    assertThrows(IllegalArgumentException.class, () -> new ChunkSize.WholeTable(0, 2));
    assertThrows(IllegalArgumentException.class, () -> new ChunkSize.WholeTable(2, 0));
  }

  @Test
  void onlyTheDefaultChunkSizeMayKeepATableWhole() {
    ChunkSize.WholeTable defaults = MigrateService.wholeTables(spec(MigrateOptions.defaults()));
    assertNotNull(defaults, "no migrate settings: the studio decides");
    assertEquals(4, defaults.parallelism(), "the default parallelism");
    assertEquals(Runtime.getRuntime().availableProcessors(), defaults.cores());
    assertEquals(
        2,
        MigrateService.wholeTables(
                spec(
                    new MigrateOptions(
                        null, 2, null, null, null, null, null, null, null, null, null)))
            .parallelism(),
        "the spec's parallelism");
    assertNull(
        MigrateService.wholeTables(
            spec(
                new MigrateOptions(
                    null, null, 50_000, null, null, null, null, null, null, null, null))),
        "chunk_rows: chunks as asked");
    assertNull(
        MigrateService.wholeTables(
            spec(
                new MigrateOptions(
                    null, null, null, null, null, null, null, 64L << 20, null, null, null))),
        "another chunk_bytes: chunks as asked");
  }

  /**
   * The plan of bench/chunk-cost.sh's "default" and "whole" variants (issue 17: 14.0 s against 18.0
   * s): pgbench_accounts at scale 100, 10M rows of about 100 bytes as the copy reads them (the
   * filler column, 84 characters, and three integers), on 2 cores. The default spec (parallelism 2
   * or 4) keeps the table's 4 chunks of 256 MiB whole, and {@code chunk_bytes: 4294967296} fits it
   * in one: both are the same single unbounded chunk, read by one sequential scan and loaded with
   * TRUNCATE + COPY FREEZE (both targets' pages were checked frozen and all-visible after the
   * runs): a difference between the two in a run is not a second code path.
   */
  @Test
  void theDefaultAndAForcedWholeTableChunkAreTheSameFrozenPlan() throws Exception {
    long estimate = 10_000_000;
    double average = 100;
    int ceiling = MigrateOptions.CHUNK_ROWS_WHEN_SIZED_BY_BYTES;
    for (int parallelism : new int[] {2, 4}) {
      ChunkSize.WholeTable whole = new ChunkSize.WholeTable(parallelism, 2);
      int byDefault =
          ChunkSize.rows(average, estimate, ceiling, MigrateOptions.DEFAULT_CHUNK_BYTES, whole);
      // a chunk_bytes other than the default: no WholeTable (MigrateService.wholeTables)
      int forced = ChunkSize.rows(average, estimate, ceiling, 4_294_967_296L, null);
      for (int rows : new int[] {byDefault, forced}) {
        assertTrue(rows >= estimate, rows + " rows per chunk, parallelism " + parallelism);
        java.util.List<io.migrationstudio.contracts.activity.ChunkRange> plan =
            ChunkPlanner.rangesFrom(
                ChunkPlanner.sampledBoundaries(null, null, "t", "aid", estimate, rows)
                    .orElseThrow());
        assertEquals(
            java.util.List.of(new io.migrationstudio.contracts.activity.ChunkRange(0, null, null)),
            plan);
        assertTrue(BinaryCopyPipe.wholeTable(plan.get(0)), "loaded with TRUNCATE + COPY FREEZE");
      }
    }
    // the same table on 16 cores: the default cuts it into 4 chunks of 256 MiB that copy at once
    int rows =
        ChunkSize.rows(
            average,
            estimate,
            ceiling,
            MigrateOptions.DEFAULT_CHUNK_BYTES,
            new ChunkSize.WholeTable(4, 16));
    assertEquals(MigrateOptions.DEFAULT_CHUNK_BYTES / 100, rows);
    assertEquals(4, (estimate + rows - 1) / rows);
    // no estimate: chunks by bytes
    assertEquals(
        MigrateOptions.DEFAULT_CHUNK_BYTES / 100,
        ChunkSize.rows(
            average,
            null,
            ceiling,
            MigrateOptions.DEFAULT_CHUNK_BYTES,
            new ChunkSize.WholeTable(4, 2)));
  }

  private static MigrationSpec spec(MigrateOptions migrate) {
    return new MigrationSpec(
        "m",
        null,
        new ConnectionSpec("jdbc:postgresql://localhost/s", "u", null, "public"),
        new ConnectionSpec("jdbc:postgresql://localhost/t", "u", null, "public"),
        null,
        null,
        migrate,
        null,
        null,
        null,
        null,
        null);
  }
}
