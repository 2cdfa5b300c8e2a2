package io.migrationstudio.core.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.activity.ChunkRange;
import io.migrationstudio.core.assess.InventoryService;
import io.migrationstudio.core.canonical.RowCodec;
import io.migrationstudio.core.copy.SourceRows;
import io.migrationstudio.core.copy.TableSql;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.dialect.postgres.PostgresDialect;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.MappingLoader;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.testkit.MariaDbExtension;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import io.migrationstudio.testkit.TestMariaDb;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * MariaDB (which cannot sample its keys) to PostgreSQL without a ledger: a large integer-keyed
 * table is cut at keys sampled from the target (which here also holds keys the source lacks, so the
 * cut is seen to come from it); the chunks tile the key space, both sides' chunk digests add up to
 * the table's rows, and a row deleted from the target is still found.
 */
@ExtendWith({PostgresExtension.class, MariaDbExtension.class})
class ValidationChunksIT {
  private static final PostgresDialect PG = new PostgresDialect();
  private static final int ROWS = 20_000;

  @Test
  void chunksCutAtTargetSampleTileAndFindADeletedRow(TestMariaDb maria, TestDatabase target)
      throws Exception {
    maria.execute(
        "CREATE TABLE items (id int PRIMARY KEY, name varchar(40) NULL)",
        "SET SESSION max_recursive_iterations = 100000",
        "INSERT INTO items WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < "
            + ROWS
            + ") SELECT n * 3, CONCAT('item ', n) FROM s");
    target.execute(
        "CREATE TABLE items (id integer PRIMARY KEY, name character varying(40))",
        "INSERT INTO items SELECT n * 3, 'item ' || n FROM generate_series(1, " + ROWS + ") n",
        // keys only the target has: a boundary among them shows where the cut came from
        "INSERT INTO items SELECT 1000000 + n, 'x' FROM generate_series(1, " + ROWS + ") n",
        "ANALYZE items");
    Dialect source = Dialects.forUrl(maria.jdbcUrl());
    ExecutorService sourceThread = Executors.newSingleThreadExecutor();
    try (Connection src = maria.connect();
        Connection tgt = target.connect()) {
      Inventory inventory = InventoryService.introspect(src, source, maria.name(), t -> true);
      String yaml =
          """
          version: 1
          source_engine: mariadb
          source_schema: %s
          target_schema: public
          tables:
            - source: items
              target: items
              primary_key: [id]
              columns:
                - { source: id, target: id, disposition: map, source_type: int(11), type: integer, nullable: false }
                - { source: name, target: name, disposition: map, source_type: varchar(40), type: character varying(40) }
          """
              .formatted(maria.name());
      MappingDocument mapping =
          MappingLoader.load(yaml.getBytes(StandardCharsets.UTF_8), inventory);
      TableMapping table = mapping.tables().get(0);
      TableSql sql = new TableSql(source, PG, mapping, table);

      List<ChunkRange> ranges = ValidationChunks.plan(src, tgt, sql, 2_000, 1_000);
      assertTrue(ranges.size() >= 5, "cut at sampled keys, not one chunk: " + ranges.size());
      assertTrue(Validator.tiles(ranges), ranges.toString());
      assertTrue(
          ranges.stream().anyMatch(r -> r.lo() != null && Long.parseLong(r.lo()) > 1_000_000),
          "cut at the target's keys: " + ranges);
      target.execute("DELETE FROM items WHERE id > 1000000");

      ChunkComparer clean = comparer(sql, table, sourceThread);
      // the sample drawn by the pass: MariaDB gives no row estimate, the target's sizes the
      // threshold, so only a few of the streamed rows are kept
      int wanted = (int) SampleSize.of(ROWS);
      PassSample sample = PassSample.of(src, tgt, sql, 7L, wanted, false);
      clean.drawSample(sample);
      assertEquals(0, clean.compareAll(src, tgt, ranges));
      assertTrue(sample.usable(wanted));
      assertTrue(sample.source.kept.size() < ROWS / 4, "kept " + sample.source.kept.size());
      assertEquals(wanted, sample.drawn(wanted).size());
      assertEquals(
          List.of(wanted, 0),
          java.util.Arrays.stream(sample.compare(src, tgt, sql, SourceRows.of(sql), wanted))
              .boxed()
              .toList());
      assertEquals(ROWS, clean.sourceRowsHashed);
      assertEquals(ROWS, clean.targetRowsHashed);

      target.execute("DELETE FROM items WHERE id = 30000");
      RowCodec codec = SourceRows.of(sql).codec();
      Validator.Diff diff = new Validator.Diff(codec, table);
      ChunkComparer dirty =
          new ChunkComparer(sql, SourceRows.of(sql), diff, 256, true, sourceThread, false);
      assertEquals(1, dirty.compareAll(src, tgt, ranges));
      assertEquals(1, diff.missing);
      assertEquals(0, diff.extra + diff.changed);
      assertEquals(ROWS - 1, dirty.targetRowsHashed);
    } finally {
      sourceThread.shutdownNow();
    }
  }

  private static ChunkComparer comparer(
      TableSql sql, TableMapping table, ExecutorService sourceThread) {
    SourceRows reader = SourceRows.of(sql);
    return new ChunkComparer(
        sql, reader, new Validator.Diff(reader.codec(), table), 256, true, sourceThread, false);
  }
}
