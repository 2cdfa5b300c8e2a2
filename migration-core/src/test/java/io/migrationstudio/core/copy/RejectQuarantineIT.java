package io.migrationstudio.core.copy;

import static io.migrationstudio.core.copy.Loads.PG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.activity.ChunkRange;
import io.migrationstudio.contracts.activity.ChunkResult;
import io.migrationstudio.core.assess.InventoryService;
import io.migrationstudio.core.mapping.ColumnMapping;
import io.migrationstudio.core.mapping.Disposition;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.MappingLoader;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.report.StageOutput;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Target constraint violations are quarantined row by row: a mapping override narrows {@code code}
 * to {@code varchar(5)} and makes {@code note} NOT NULL, and the target gets a CHECK the source
 * does not have. The bad rows land in {@code studio.rejects} with their SQLState, the good rows
 * land, a failed and retried chunk quarantines its rows once, and {@code reject_limit} fails the
 * chunk with REJECT_LIMIT_EXCEEDED when exceeded.
 */
@ExtendWith(PostgresExtension.class)
class RejectQuarantineIT {
  private static final int ROWS = 1500;

  /** 1500 rows; id 7 has a too-long code, id 600 a NULL note, id 1234 a negative qty. */
  static MappingDocument source(Connection src) throws Exception {
    src.createStatement()
        .execute(
            "CREATE TABLE item (id int PRIMARY KEY, code varchar(20), qty int, note text);"
                + " INSERT INTO item SELECT i, 'c' || i, i, 'n' || i"
                + " FROM generate_series(1, "
                + ROWS
                + ") i;"
                + " UPDATE item SET code = 'far-too-long' WHERE id = 7;"
                + " UPDATE item SET note = NULL WHERE id = 600;"
                + " UPDATE item SET qty = -1 WHERE id = 1234");
    MappingDocument mapping = TestMappings.identity(src, "public", "public");
    List<TableMapping> tables = new ArrayList<>();
    for (TableMapping t : mapping.tables()) {
      List<ColumnMapping> cols = new ArrayList<>();
      for (ColumnMapping c : t.columns()) {
        cols.add(
            switch (c.source()) {
              // a CAST, which the source SELECT must not truncate: the target refuses the value
              case "code" -> override(c, Disposition.CAST, "character varying(5)", c.nullable());
              case "note" -> override(c, c.disposition(), c.type(), false);
              default -> c;
            });
      }
      tables.add(t.withColumns(cols));
    }
    MappingDocument edited =
        new MappingDocument(
            mapping.version(),
            mapping.naming(),
            mapping.sourceEngine(),
            mapping.sourceSchema(),
            mapping.targetSchema(),
            tables,
            mapping.sequences());
    return MappingLoader.load(
        MappingLoader.renderBytes(edited),
        InventoryService.introspect(src, PG, "public", t -> true));
  }

  private static ColumnMapping override(
      ColumnMapping c, Disposition disposition, String type, boolean nullable) {
    return ColumnMapping.builder()
        .source(c.source())
        .target(c.target())
        .disposition(disposition)
        .sourceType(c.sourceType())
        .type(type)
        .canonical(c.canonical())
        .nullable(nullable)
        .identity(c.identity())
        .defaultValue(c.defaultValue())
        .expression(c.expression())
        .reason(c.reason())
        .build();
  }

  private static ChunkCopier copier(long rejectLimit) {
    return new ChunkCopier(
        PG,
        PG,
        TargetSchema.DEFAULT_STUDIO_SCHEMA,
        Clock.systemUTC(),
        CopyOptions.defaults().withRejectLimit(rejectLimit));
  }

  private static Map<Long, String> rejects(Connection tgt, String migration) throws Exception {
    Map<Long, String> out = new TreeMap<>();
    try (ResultSet rs =
        tgt.createStatement()
            .executeQuery(
                "SELECT row_key, sqlstate, row_data, reason FROM studio.rejects WHERE migration = '"
                    + migration
                    + "'")) {
      while (rs.next()) {
        JsonNode row = Json.mapper().readTree(rs.getString(3));
        assertEquals(rs.getString(1), row.get("id").asText(), "row_data is the source row");
        assertTrue(rs.getString(4).contains(rs.getString(2)), "reason names the SQLState");
        out.put(Long.parseLong(rs.getString(1)), rs.getString(2));
      }
    }
    return out;
  }

  @Test
  void violatingRowsAreQuarantinedWithTheirSqlStateAndGoodRowsLand(
      TestDatabase source, TestDatabase target) throws Exception {
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      MappingDocument mapping = source(src);
      TargetPreparer.Prepared prepared = Loads.prepare(src, tgt, mapping, "q", 500);
      tgt.createStatement().execute("ALTER TABLE item ADD CONSTRAINT qty_ok CHECK (qty >= 0)");
      TableMapping item = mapping.bySource("item").orElseThrow();
      List<ChunkRange> chunks = prepared.tables().get(0).chunks();
      assertTrue(chunks.size() >= 3, "several chunks: " + chunks);

      ChunkCopier copier = copier(10);
      // the first delivery of the chunk holding id 600 dies after its rows were quarantined
      ChunkRange withNullNote =
          chunks.stream().filter(r -> contains(r, 600)).findFirst().orElseThrow();
      ChunkProgress dies =
          rows -> {
            if (rows == countIn(withNullNote)) {
              throw new IllegalStateException("worker died");
            }
          };
      assertThrows(
          IllegalStateException.class,
          () -> copier.copy(src, tgt, mapping, item, withNullNote, "q", dies));
      assertEquals(Map.of(), rejects(tgt, "q"), "the failed delivery left no rejects");

      long written = 0;
      for (ChunkRange r : chunks) {
        ChunkResult res = copier.copy(src, tgt, mapping, item, r, "q", ChunkProgress.NONE);
        written += res.rows();
      }
      assertEquals(ROWS - 3, written);
      assertEquals(ROWS - 3, target.queryLong("SELECT count(*) FROM item"));
      assertEquals(0, target.queryLong("SELECT count(*) FROM item WHERE id IN (7, 600, 1234)"));
      assertEquals(1, target.queryLong("SELECT count(*) FROM item WHERE id = 1499"));
      Map<Long, String> expected = Map.of(7L, "22001", 600L, "23502", 1234L, "23514");
      assertEquals(expected, rejects(tgt, "q"));

      // a redelivered (forced) chunk re-quarantines its rows once, not twice
      ChunkCopier again =
          new ChunkCopier(
              PG,
              PG,
              TargetSchema.DEFAULT_STUDIO_SCHEMA,
              Clock.systemUTC(),
              CopyOptions.defaults().withRejectLimit(10).withForce(true));
      for (ChunkRange r : chunks) {
        again.copy(src, tgt, mapping, item, r, "q", ChunkProgress.NONE);
      }
      assertEquals(expected, rejects(tgt, "q"));
      assertEquals(ROWS - 3, target.queryLong("SELECT count(*) FROM item"));
      assertEquals(
          3, target.queryLong("SELECT sum(rejects) FROM studio.chunk_ledger WHERE migration='q'"));
      assertEquals(
          ROWS - 3,
          target.queryLong("SELECT sum(\"rows\") FROM studio.chunk_ledger WHERE migration='q'"));

      StageOutput out = new LoadFinisher(PG).finish(tgt, mapping, "q", 0L);
      JsonNode run = Json.mapper().readTree(out.files().get(ArtifactPaths.RUN_JSON));
      assertEquals(3, run.get("totals").get("rejects").asLong());
      assertEquals(3, run.get("tables").get(0).get("rejects").asLong());
    }
  }

  @Test
  void moreViolationsThanTheRejectLimitFailTheChunkAndLeaveNothing(
      TestDatabase source, TestDatabase target) throws Exception {
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      MappingDocument mapping = source(src);
      TargetPreparer.Prepared prepared = Loads.prepare(src, tgt, mapping, "lim", ROWS);
      tgt.createStatement().execute("ALTER TABLE item ADD CONSTRAINT qty_ok CHECK (qty >= 0)");
      TableMapping item = mapping.bySource("item").orElseThrow();
      ChunkRange all = prepared.tables().get(0).chunks().get(0);
      MigrationException e =
          assertThrows(
              MigrationException.class,
              () -> copier(2).copy(src, tgt, mapping, item, all, "lim", ChunkProgress.NONE));
      assertEquals(ErrorCode.REJECT_LIMIT_EXCEEDED, e.code());
      assertEquals(0, target.queryLong("SELECT count(*) FROM item"));
      assertEquals(0, target.queryLong("SELECT count(*) FROM studio.rejects"));
      assertEquals(
          0,
          target.queryLong(
              "SELECT count(*) FROM studio.chunk_ledger WHERE status = '"
                  + Ledger.COMMITTED
                  + "'"));

      // within the limit the same chunk commits with its three rejects
      ChunkResult ok = copier(3).copy(src, tgt, mapping, item, all, "lim", ChunkProgress.NONE);
      assertEquals(ROWS - 3, ok.rows());
      assertEquals(3, target.queryLong("SELECT count(*) FROM studio.rejects"));
    }
  }

  private static boolean contains(ChunkRange r, long id) {
    return (r.lo() == null || Long.parseLong(r.lo()) <= id)
        && (r.hi() == null || id < Long.parseLong(r.hi()));
  }

  private static long countIn(ChunkRange r) {
    long lo = r.lo() == null ? 1 : Long.parseLong(r.lo());
    long hi = r.hi() == null ? ROWS + 1 : Long.parseLong(r.hi());
    return hi - lo;
  }
}
