package io.migrationstudio.core.validate;

import static io.migrationstudio.core.copy.Loads.PG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.activity.ChunkResult;
import io.migrationstudio.contracts.activity.RepairPlan.RepairChunk;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.copy.ChunkCopier;
import io.migrationstudio.core.copy.ChunkProgress;
import io.migrationstudio.core.copy.CopyOptions;
import io.migrationstudio.core.copy.Ledger;
import io.migrationstudio.core.copy.Loads;
import io.migrationstudio.core.copy.RepairSession;
import io.migrationstudio.core.copy.TargetSchema;
import io.migrationstudio.core.copy.TestMappings;
import io.migrationstudio.core.db.SampleDatabases;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.report.StageOutput;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The repair path with the real services: Chinook copied PostgreSQL → PostgreSQL, the target
 * corrupted behind the studio's back (a changed value in a table other tables reference, a deleted
 * row, an extra row), validated (FAIL), the repair planned from the report (exactly the chunks
 * holding the corruptions), those chunks re-copied forced in a repair session, validated again:
 * PASS. Before the repair the FAIL stays; a difference that is not one of rows is not repairable.
 */
@ExtendWith(PostgresExtension.class)
class RepairIT {
  private static final String ID = "repair";
  private static final int CHUNK_ROWS = 500;

  @Test
  void aCorruptedTargetIsRepairedChunkByChunkAndValidatesAgain(
      TestDatabase source, TestDatabase target) throws Exception {
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      SampleDatabases.loadChinookPostgres(src);
      MappingDocument mapping = TestMappings.identity(src, "public", "public");
      Loads.migrate(src, tgt, mapping, ID, CHUNK_ROWS);
      Validator validator = new Validator(PG, PG);
      assertEquals(Verdict.PASS, validator.report(src, tgt, mapping, ID, 100, CHUNK_ROWS).status());
      Freshness.LedgerState loaded =
          Freshness.ledgerState(tgt, PG, TargetSchema.DEFAULT_STUDIO_SCHEMA, ID);

      // track is referenced by invoice_line and playlist_track: re-writing its chunk needs the
      // repair session (FK triggers suspended), else the delete of the range is refused
      exec(
          tgt,
          "UPDATE track SET name = 'Corrupted' WHERE track_id = 1042",
          "DELETE FROM invoice_line WHERE invoice_line_id = 7",
          "INSERT INTO artist VALUES (100000, 'Intruder')");
      StageOutput failed = validator.validate(src, tgt, mapping, ID, 100, CHUNK_ROWS);
      ValidationReport report = report(failed);
      assertEquals(Verdict.FAIL, report.status());
      assertEquals(Set.of("artist", "invoice_line", "track"), failing(report));

      RepairPlanner planner = new RepairPlanner(PG, PG, TargetSchema.DEFAULT_STUDIO_SCHEMA);
      RepairPlanner.Result plan =
          planner.plan(
              src,
              tgt,
              mapping,
              ID,
              failed.files().get(ArtifactPaths.VALIDATION_JSON),
              "0123456789abcdef0123456789abcdef01234567");
      assertTrue(plan.repairable(), plan.output().summary());
      assertEquals(
          List.of("artist", "invoice_line", "track"),
          plan.chunks().stream().map(RepairChunk::sourceTable).sorted().toList(),
          "one chunk per corrupted table, nothing else");
      for (RepairChunk c : plan.chunks()) {
        long key =
            switch (c.sourceTable()) {
              case "artist" -> 100000;
              case "invoice_line" -> 7;
              default -> 1042;
            };
        assertTrue(
            (c.chunk().lo() == null || Long.parseLong(c.chunk().lo()) <= key)
                && (c.chunk().hi() == null || key < Long.parseLong(c.chunk().hi())),
            "the chunk " + c + " holds the corrupted key " + key);
      }
      String md = new String(plan.output().files().get(RepairPlanner.PLAN_MD), "UTF-8");
      assertTrue(md.contains("**Repairable**: re-copy 3 chunks of 3 tables"), md);
      assertEquals(
          Verdict.FAIL,
          validator.report(src, tgt, mapping, ID, 100, CHUNK_ROWS).status(),
          "planning changes nothing: without the repair the target stays different");

      // the repair: exactly the planned chunks, forced, in a repair session
      ChunkCopier forced =
          new ChunkCopier(
              PG,
              PG,
              TargetSchema.DEFAULT_STUDIO_SCHEMA,
              Clock.systemUTC(),
              CopyOptions.defaults().withForce(true));
      try (Connection repair = target.connect()) {
        RepairSession.prepare(repair);
        for (RepairChunk c : plan.chunks()) {
          ChunkResult r =
              forced.copy(
                  src,
                  repair,
                  mapping,
                  mapping.bySource(c.sourceTable()).orElseThrow(),
                  c.chunk(),
                  ID,
                  ChunkProgress.NONE);
          assertFalse(r.alreadyCommitted(), c.toString());
          assertEquals(2, r.attempt(), "the ledger counts the repair as the chunk's 2nd attempt");
        }
      }
      ValidationReport repaired = validator.report(src, tgt, mapping, ID, 100, CHUNK_ROWS);
      assertEquals(Verdict.PASS, repaired.status(), Json.write(repaired));
      assertEquals(0, target.queryLong("SELECT count(*) FROM artist WHERE artist_id = 100000"));
      assertEquals(
          0,
          target.queryLong(
              "SELECT count(*) FROM invoice_line l WHERE NOT EXISTS"
                  + " (SELECT 1 FROM track t WHERE t.track_id = l.track_id)"),
          "the children of the re-written track chunk still find their parents");
      assertEquals(
          3,
          new Ledger(PG, TargetSchema.DEFAULT_STUDIO_SCHEMA)
              .chunks(tgt, ID).stream().filter(r -> r.attempt() == 2).count());
      assertNotEquals(
          loaded,
          Freshness.ledgerState(tgt, PG, TargetSchema.DEFAULT_STUDIO_SCHEMA, ID),
          "a report made before the repair no longer matches the ledger");

      // a difference that is not one of rows: proposed as not repairable, nothing to re-copy
      exec(tgt, "DROP INDEX invoice_line_track_id_idx");
      StageOutput integrity = validator.validate(src, tgt, mapping, ID, 100, CHUNK_ROWS);
      RepairPlanner.Result none =
          planner.plan(
              src,
              tgt,
              mapping,
              ID,
              integrity.files().get(ArtifactPaths.VALIDATION_JSON),
              "0123456789abcdef0123456789abcdef01234567");
      assertFalse(none.repairable(), none.output().summary());
      assertTrue(none.chunks().isEmpty());
      exec(tgt, "CREATE INDEX invoice_line_track_id_idx ON invoice_line (track_id)");
    }
  }

  private static ValidationReport report(StageOutput out) {
    return Json.read(
        out.files().get(ArtifactPaths.VALIDATION_JSON), ValidationReport.class, "validation");
  }

  private static Set<String> failing(ValidationReport r) {
    return r.tables().stream()
        .filter(t -> t.status() == Verdict.FAIL)
        .map(ValidationReport.TableValidation::table)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static void exec(Connection c, String... sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      for (String q : sql) {
        s.execute(q);
      }
    }
  }
}
