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
 * A PostgreSQL table partitioned by a column other than its leading key, whose partitions were
 * analysed but not the parent (autovacuum never analyses a partitioned parent): its row estimate is
 * the sum over its partitions, so a large one is planned from a key sample across every partition
 * instead of numbering every key, and every row still falls in exactly one range.
 */
@ExtendWith(PostgresExtension.class)
class PartitionedChunkPlanIT {
  private static final PostgresDialect PG = new PostgresDialect();

  @Test
  void aPartitionedTableIsEstimatedFromItsPartitionsAndPlannedFromASample(TestDatabase source)
      throws Exception {
    source.execute(
        "CREATE TABLE events (id bigint NOT NULL, day date NOT NULL, note text,"
            + " PRIMARY KEY (id, day)) PARTITION BY RANGE (day)",
        "CREATE TABLE events_2024 PARTITION OF events"
            + " FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')"
            + " WITH (autovacuum_enabled = false)",
        "CREATE TABLE events_2025 PARTITION OF events"
            + " FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')"
            + " WITH (autovacuum_enabled = false)",
        // no auto-analyze: the estimate must stay what the ANALYZE below saw
        "CREATE TABLE events_rest PARTITION OF events DEFAULT WITH (autovacuum_enabled = false)",
        // ids interleave across the partitions: every key range touches all three
        "INSERT INTO events SELECT g, date '2024-01-01' + (g % 900)::int, 'n' || g"
            + " FROM generate_series(1, 300000) g",
        "ANALYZE events_2024, events_2025, events_rest",
        // rows the estimate does not know yet: they must still be planned into a range
        "INSERT INTO events SELECT g, date '2026-06-01', 'late' FROM generate_series(300001, 350000) g");
    try (Connection src = source.connect()) {
      MappingDocument mapping = TestMappings.identity(src, "public", "public");
      assertEquals(
          List.of("events"),
          mapping.tables().stream().map(t -> t.source()).toList(),
          "partitions are read through their parent");
      TableSql sql = new TableSql(PG, PG, mapping, mapping.tables().get(0));
      long estimate = PG.estimatedRows(src, sql.sourceTable()).orElseThrow();
      assertTrue(
          Math.abs(estimate - 300_000) < 15_000, "the partitions' analysed rows: " + estimate);

      source.execute(
          "CREATE TABLE plain (id int PRIMARY KEY)",
          "INSERT INTO plain SELECT generate_series(1, 5000)",
          "ANALYZE plain");
      assertEquals(
          5000L,
          PG.estimatedRows(src, "\"public\".\"plain\"").orElseThrow(),
          "a plain table: its own reltuples");
      assertTrue(PG.estimatedRows(src, "\"public\".\"missing\"").isEmpty(), "no such table");

      ChunkPlanner.ChunkPlan plan = ChunkPlanner.plan(src, PG, sql, 30_000, 100_000);
      assertEquals(estimate, plan.rows(), "planned from the sample: rows are the estimate");
      assertTrue(plan.chunks().size() >= 8 && plan.chunks().size() <= 12, plan.chunks().toString());
      long total = 0;
      for (ChunkRange r : plan.chunks()) {
        total += count(src, r);
      }
      assertEquals(350_000, total, "every row of every partition in exactly one range");
    }
  }

  private static long count(Connection c, ChunkRange r) throws Exception {
    String where = " WHERE true";
    if (r.lo() != null) {
      where += " AND id >= " + Long.parseLong(r.lo());
    }
    if (r.hi() != null) {
      where += " AND id < " + Long.parseLong(r.hi());
    }
    try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM events" + where);
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
