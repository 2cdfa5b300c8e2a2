package io.migrationstudio.core.copy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.activity.ChunkRange;
import io.migrationstudio.contracts.activity.ChunkResult;
import io.migrationstudio.core.dialect.postgres.PostgresDialect;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code migrate.chunk_bytes} on real PostgreSQL: wide rows get few rows per chunk, narrow rows
 * keep {@code chunk_rows}, an empty table keeps {@code chunk_rows}, and the planner then cuts the
 * table into chunks of that many rows.
 */
@ExtendWith(PostgresExtension.class)
class ChunkSizeIT {
  private static final PostgresDialect PG = new PostgresDialect();

  @Test
  void chunkBytesBoundsTheRowsOfAChunkByTheMeasuredRowSize(TestDatabase source) throws Exception {
    source.execute(
        // about 1,008 bytes a row as copied: 4 digits of id at most + 1000 characters + 4
        "CREATE TABLE wide (id int PRIMARY KEY, doc text, n int)",
        "INSERT INTO wide SELECT g, repeat('w', 1000), 1000 + g % 9000"
            + " FROM generate_series(1, 5000) g",
        "CREATE TABLE narrow (id int PRIMARY KEY, flag boolean)",
        "INSERT INTO narrow SELECT g, g % 2 = 0 FROM generate_series(1, 5000) g",
        "CREATE TABLE nothing (id int PRIMARY KEY, doc text)");
    try (Connection src = source.connect()) {
      MappingDocument mapping = TestMappings.identity(src, "public", "public");
      TableSql wide = sql(mapping, "wide");
      TableSql narrow = sql(mapping, "narrow");
      TableSql nothing = sql(mapping, "nothing");

      int rows = ChunkSize.rows(src, PG, wide, 10_000, 100_000L);
      // 100,000 bytes / (1..4 digits + 1000 + 4 digits) per row
      assertTrue(rows >= 98 && rows <= 99, "rows per 100 kB chunk of ~1 kB rows: " + rows);
      assertEquals(10_000, ChunkSize.rows(src, PG, wide, 10_000, null), "no chunk_bytes: rows");
      assertEquals(50, ChunkSize.rows(src, PG, wide, 50, 100_000L), "chunk_rows still caps");
      assertEquals(
          10_000, ChunkSize.rows(src, PG, narrow, 10_000, 1_000_000L), "narrow rows: chunk_rows");
      assertEquals(10_000, ChunkSize.rows(src, PG, nothing, 10_000, 1_024L), "empty: chunk_rows");
      assertTrue(src.getAutoCommit(), "the measure leaves the connection as it found it");

      ChunkPlanner.ChunkPlan plan = ChunkPlanner.plan(src, PG, wide, rows);
      assertEquals(
          (5000 + rows - 1) / rows, plan.chunks().size(), "the planner cuts chunks of that size");
    }
  }

  @Test
  void theDefaultSizeKeepsATableOfAFewChunksWholeAndFrozenWhenItsChunksCouldNotRunAtOnce(
      TestDatabase source, TestDatabase target) throws Exception {
    source.execute(
        "CREATE TABLE accounts (id int PRIMARY KEY, branch int, filler char(84))",
        "INSERT INTO accounts SELECT g, g % 10, '' FROM generate_series(1, 30000) g",
        "ANALYZE accounts");
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      MappingDocument mapping = TestMappings.identity(src, "public", "public");
      TableSql sql = sql(mapping, "accounts");
      int ceiling = 1_000_000_000;
      // chunks of about 10,000 rows: three for the table
      long bytes = (long) (ChunkSize.averageRowBytes(src, PG, sql).orElseThrow() * 10_000);
      int byBytes = ChunkSize.rows(src, PG, sql, ceiling, bytes);
      int chunks = (30_000 + byBytes - 1) / byBytes;
      assertTrue(chunks >= 3 && chunks <= 4, "rows per chunk by bytes: " + byBytes);
      assertEquals(
          ceiling,
          ChunkSize.rows(src, PG, sql, ceiling, bytes, new ChunkSize.WholeTable(4, 2)),
          "2 cores cannot copy 3 chunks at once: one chunk");
      assertEquals(
          byBytes,
          ChunkSize.rows(src, PG, sql, ceiling, bytes, new ChunkSize.WholeTable(4, 16)),
          "16 cores can: chunks by bytes");
      assertEquals(
          20_000,
          ChunkSize.rows(src, PG, sql, 20_000, bytes, new ChunkSize.WholeTable(4, 2)),
          "kept whole, chunk_rows still caps a chunk");

      TargetPreparer preparer = new TargetPreparer(PG, PG);
      TargetPreparer.Prepared split =
          preparer.prepare(src, tgt, mapping, "split", ceiling, bytes, true, null);
      assertEquals(chunks, split.tables().get(0).chunks().size(), "no policy: chunks by bytes");
      TargetPreparer.Prepared resumed =
          preparer.prepare(
              src, tgt, mapping, "split", ceiling, bytes, true, new ChunkSize.WholeTable(4, 2));
      assertEquals(
          split.tables(), resumed.tables(), "a resumed migration keeps the ledger's chunks");

      target.execute("DROP SCHEMA studio CASCADE", "DROP TABLE accounts");
      TargetPreparer.Prepared whole =
          preparer.prepare(
              src, tgt, mapping, "whole", ceiling, bytes, false, new ChunkSize.WholeTable(4, 2));
      assertEquals(
          List.of(new ChunkRange(0, null, null)), whole.tables().get(0).chunks(), "one chunk");
      // no vacuum may set the pages all-visible: only the FREEZE below does
      target.execute("ALTER TABLE accounts SET (autovacuum_enabled = false)");
      List<ChunkResult> copied = Loads.copyAll(src, tgt, mapping, whole, "whole");
      assertEquals(30_000, copied.get(0).rows());
      // loaded by TRUNCATE + COPY FREEZE: the pages are all-visible before any vacuum (a plain
      // COPY leaves none; COPY FREEZE may leave the last page of each insert batch unmarked)
      target.execute("ANALYZE accounts");
      long pages = target.queryLong("SELECT relpages FROM pg_class WHERE relname = 'accounts'");
      long visible =
          target.queryLong("SELECT relallvisible FROM pg_class WHERE relname = 'accounts'");
      assertTrue(pages > 100 && visible >= pages * 9 / 10, visible + " of " + pages + " pages");
    }
  }

  private static TableSql sql(MappingDocument mapping, String table) {
    TableMapping t = mapping.bySource(table).orElseThrow();
    return new TableSql(PG, PG, mapping, t);
  }
}
