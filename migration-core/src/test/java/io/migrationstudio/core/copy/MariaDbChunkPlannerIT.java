package io.migrationstudio.core.copy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.activity.ChunkRange;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.dialect.postgres.PostgresDialect;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.testkit.MariaDbExtension;
import io.migrationstudio.testkit.TestMariaDb;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The chunk planner on real MariaDB, which walks the key's index on the server ({@code LIMIT 1
 * OFFSET chunk_rows} from the previous boundary): with a skewed integer key the chunks hold exactly
 * {@code chunk_rows} rows each; with a composite text key whose leading value repeats more than a
 * chunk the walk passes that value instead of splitting it or looping. In both cases the ranges are
 * contiguous, do not overlap, and cover every row once, and the counted rows are exact.
 */
@ExtendWith(MariaDbExtension.class)
class MariaDbChunkPlannerIT {
  private static final PostgresDialect PG = new PostgresDialect();

  @Test
  void skewedIntegerKeysGiveExactContiguousChunks(TestMariaDb maria) throws Exception {
    // 20k keys packed in 1..20000, then 10k keys 1000 apart: min/max arithmetic would put almost
    // every row in the first chunks
    maria.execute(
        "CREATE TABLE skewed (id bigint NOT NULL PRIMARY KEY, v varchar(20))",
        "INSERT INTO skewed SELECT seq, concat('v', seq) FROM seq_1_to_20000",
        "INSERT INTO skewed SELECT 20000 + seq * 1000, 'x' FROM seq_1_to_10000");
    try (Connection src = maria.connect()) {
      TableSql sql = tableSql(maria, src, "skewed");
      ChunkPlanner.ChunkPlan plan = ChunkPlanner.plan(src, sql.sourceDialect(), sql, 3_000);
      assertEquals(30_000, plan.rows(), "rows counted exactly from the walk");
      assertEquals(10, plan.chunks().size(), plan.chunks().toString());
      assertContiguous(plan.chunks());
      for (ChunkRange r : plan.chunks()) {
        assertEquals(3_000, count(src, sql, r), "exact chunk size for " + r);
      }
      assertEquals("3001", plan.chunks().get(1).lo());
      assertEquals("1021000", plan.chunks().get(7).lo(), "boundaries in the sparse region");
      assertEveryKeyOnce(src, sql, plan.chunks(), 30_000);
      assertTrue(src.getAutoCommit(), "the planner leaves the connection as it found it");
    }
  }

  @Test
  void aRepeatedLeadingTextValueIsNeverSplit(TestMariaDb maria) throws Exception {
    maria.execute(
        "CREATE TABLE tagged (tag varchar(10) NOT NULL, n int NOT NULL, PRIMARY KEY (tag, n))",
        "INSERT INTO tagged SELECT 'a', seq FROM seq_1_to_500",
        "INSERT INTO tagged SELECT 'big', seq FROM seq_1_to_5000", // > 2 chunks of one value
        "INSERT INTO tagged SELECT concat('k', lpad(seq, 5, '0')), 1 FROM seq_1_to_4500");
    try (Connection src = maria.connect()) {
      TableSql sql = tableSql(maria, src, "tagged");
      ChunkPlanner.ChunkPlan plan = ChunkPlanner.plan(src, sql.sourceDialect(), sql, 2_000);
      assertEquals(10_000, plan.rows());
      assertContiguous(plan.chunks());
      Set<String> bounds = new HashSet<>();
      for (ChunkRange r : plan.chunks()) {
        assertTrue(r.lo() == null || bounds.add(r.lo()), "boundary repeated: " + plan.chunks());
      }
      assertEquals(null, plan.chunks().get(0).lo());
      assertEquals("big", plan.chunks().get(0).hi(), "'a' (500 rows) then 1500 rows of 'big'");
      assertEquals("k00001", plan.chunks().get(1).hi(), "all 5000 'big' rows in one chunk");
      assertEquals("k02001", plan.chunks().get(2).hi(), "then exact chunks again");
      assertEquals(5, plan.chunks().size(), plan.chunks().toString());
      long total = 0;
      for (ChunkRange r : plan.chunks()) {
        total += count(src, sql, r);
      }
      assertEquals(10_000, total, "every row in exactly one range");
    }
  }

  private static TableSql tableSql(TestMariaDb maria, Connection src, String table)
      throws Exception {
    Dialect source = Dialects.forUrl(maria.jdbcUrl());
    MappingDocument mapping = TestMappings.mariaDbIdentity(maria, src, n -> n.equals(table));
    return new TableSql(source, PG, mapping, mapping.bySource(table).orElseThrow());
  }

  private static void assertContiguous(List<ChunkRange> chunks) {
    assertNull(chunks.get(0).lo(), "the first range is open below");
    assertNull(chunks.get(chunks.size() - 1).hi(), "the last range is open above");
    for (int i = 0; i < chunks.size(); i++) {
      assertEquals(i, chunks.get(i).index());
      if (i > 0) {
        assertEquals(chunks.get(i - 1).hi(), chunks.get(i).lo(), "contiguous at " + i);
      }
    }
  }

  /** Each key of the table lies in exactly one range (ranges read back through TableSql). */
  private static void assertEveryKeyOnce(
      Connection c, TableSql sql, List<ChunkRange> chunks, int rows) throws Exception {
    Set<Long> seen = new HashSet<>();
    for (ChunkRange r : chunks) {
      try (PreparedStatement ps = c.prepareStatement(sql.sourceAggregate("id", r))) {
        sql.bindSourceRange(ps, r);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            assertTrue(seen.add(rs.getLong(1)), "key " + rs.getLong(1) + " in two ranges");
          }
        }
      }
    }
    assertEquals(rows, seen.size(), "every key in some range");
  }

  private static long count(Connection c, TableSql sql, ChunkRange r) throws Exception {
    try (PreparedStatement ps = c.prepareStatement(sql.sourceAggregate("count(*)", r))) {
      sql.bindSourceRange(ps, r);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }
}
