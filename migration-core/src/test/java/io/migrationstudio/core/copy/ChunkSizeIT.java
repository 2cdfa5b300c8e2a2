package io.migrationstudio.core.copy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.core.dialect.postgres.PostgresDialect;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import java.sql.Connection;
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

  private static TableSql sql(MappingDocument mapping, String table) {
    TableMapping t = mapping.bySource(table).orElseThrow();
    return new TableSql(PG, PG, mapping, t);
  }
}
