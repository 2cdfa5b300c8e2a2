package io.migrationstudio.core.copy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.activity.ChunkRange;
import io.migrationstudio.core.dialect.postgres.PostgresDialect;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The chunk planner on real PostgreSQL: a table above the sampling threshold is planned from a key
 * sample whose boundaries follow a skewed key distribution (dense and sparse key regions), every
 * row falls in exactly one range, chunk sizes stay near {@code chunk_rows}, and the same table
 * gives the same plan twice; a table below the threshold is numbered exactly.
 */
@ExtendWith(PostgresExtension.class)
class ChunkPlannerIT {
  private static final PostgresDialect PG = new PostgresDialect();

  @Test
  void largeTablesArePlannedFromAKeySampleThatFollowsTheDistribution(TestDatabase source)
      throws Exception {
    // 200k keys packed in 1..200000, then 100k keys spread 1000 apart: min/max arithmetic would
    // put almost every row in the first few chunks
    source.execute(
        "CREATE TABLE \"Skewed \"\"t\"\"\" (id bigint PRIMARY KEY, v text)",
        "INSERT INTO \"Skewed \"\"t\"\"\" SELECT g, md5(g::text) FROM generate_series(1, 200000) g",
        "INSERT INTO \"Skewed \"\"t\"\"\" SELECT 200000 + g * 1000, 'x'"
            + " FROM generate_series(1, 100000) g",
        "ANALYZE \"Skewed \"\"t\"\"\"");
    try (Connection src = source.connect()) {
      MappingDocument mapping = TestMappings.identity(src, "public", "public");
      TableSql sql = new TableSql(PG, PG, mapping, mapping.tables().get(0));
      ChunkPlanner.ChunkPlan plan = ChunkPlanner.plan(src, PG, sql, 30_000, 100_000);
      ChunkPlanner.ChunkPlan again = ChunkPlanner.plan(src, PG, sql, 30_000, 100_000);
      assertEquals(plan.chunks(), again.chunks(), "a fixed seed: the same plan twice");
      assertEquals(10, plan.chunks().size(), plan.chunks().toString());
      long total = 0;
      for (ChunkRange r : plan.chunks()) {
        long n = count(src, sql, r);
        total += n;
        assertTrue(n > 15_000 && n < 45_000, "chunk " + r + " holds " + n + " rows");
      }
      assertEquals(300_000, total, "every row in exactly one range");
      assertTrue(src.getAutoCommit(), "the planner leaves the connection as it found it");

      ChunkPlanner.ChunkPlan exact = ChunkPlanner.plan(src, PG, sql, 30_000, 1_000_000);
      assertEquals(300_000, exact.rows(), "below the threshold the rows are counted");
      for (ChunkRange r : exact.chunks().subList(0, exact.chunks().size() - 1)) {
        assertEquals(30_000, count(src, sql, r), "numbered rows: exact chunk sizes");
      }
    }
  }

  @Test
  void aTableThatFitsOneChunkIsCountedNotNumbered(TestDatabase source) throws Exception {
    source.execute(
        "CREATE TABLE fits (id integer PRIMARY KEY, v text)",
        "INSERT INTO fits SELECT g, 'v' FROM generate_series(1, 5000) g");
    try (Connection src = source.connect()) {
      MappingDocument mapping = TestMappings.identity(src, "public", "public");
      TableSql sql = new TableSql(PG, PG, mapping, mapping.tables().get(0));
      ChunkPlanner.ChunkPlan exactly = ChunkPlanner.plan(src, PG, sql, 5_000);
      assertEquals(List.of(new ChunkRange(0, null, null)), exactly.chunks());
      assertEquals(5_000, exactly.rows());
      assertEquals("id", exactly.keyColumn());
      ChunkPlanner.ChunkPlan oneOver = ChunkPlanner.plan(src, PG, sql, 4_999);
      assertEquals(
          List.of(new ChunkRange(0, null, "5000"), new ChunkRange(1, "5000", null)),
          oneOver.chunks());
      assertEquals(5_000, oneOver.rows());
    }
  }

  @Test
  void aTableEstimatedAboveTheThresholdIsSampledWithTheDefaultThreshold(TestDatabase source)
      throws Exception {
    // 20,000 real rows estimated at 600,000 (as a 2M-row table after vacuumdb --analyze is
    // estimated at 1,999,999): the default threshold samples it instead of numbering every key
    source.execute(
        "CREATE TABLE estimated (id integer PRIMARY KEY, v text)"
            + " WITH (autovacuum_enabled = off)",
        "INSERT INTO estimated SELECT g, 'v' FROM generate_series(1, 20000) g",
        "UPDATE pg_class SET reltuples = 600000 WHERE oid = 'estimated'::regclass");
    try (Connection src = source.connect()) {
      MappingDocument mapping = TestMappings.identity(src, "public", "public");
      TableSql sql = new TableSql(PG, PG, mapping, mapping.tables().get(0));
      ChunkPlanner.ChunkPlan plan = ChunkPlanner.plan(src, PG, sql, 100);
      assertEquals(600_000, plan.rows(), "sampled: the rows are the catalog's estimate");
      long total = 0;
      for (ChunkRange r : plan.chunks()) {
        total += count(src, sql, r);
      }
      assertEquals(20_000, total, "every row in exactly one range");
    }
  }

  private static long count(Connection c, TableSql sql, ChunkRange r) throws Exception {
    String where = "";
    if (r.lo() != null) {
      where += " WHERE id >= " + Long.parseLong(r.lo());
    }
    if (r.hi() != null) {
      where += (where.isEmpty() ? " WHERE" : " AND") + " id < " + Long.parseLong(r.hi());
    }
    try (PreparedStatement ps =
            c.prepareStatement("SELECT count(*) FROM " + sql.sourceTable() + where);
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
