package io.migrationstudio.core.copy;

import static io.migrationstudio.core.copy.Loads.PG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.StageOutput;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code migrate.dry_run}: every row is read, transformed and checked against the target's real
 * types and constraints (a mapping override narrows {@code code} to varchar(5) and makes {@code
 * note} NOT NULL), the would-be rejects are reported with their SQLState, and the target is left
 * exactly as it was: no tables, no studio schema, no ledger rows.
 */
@ExtendWith(PostgresExtension.class)
class DryRunIT {
  private static final int ROWS = 1500;

  @Test
  void aDryRunReportsRejectsAndThroughputAndLeavesTheTargetUntouched(
      TestDatabase source, TestDatabase target) throws Exception {
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      MappingDocument mapping = RejectQuarantineIT.source(src);
      long objectsBefore = objects(target);
      AtomicLong heard = new AtomicLong();
      DryRunner.Report report =
          new DryRunner(PG, PG).run(src, tgt, mapping, "dry", 400, 5, heard::set);

      assertEquals(Verdict.PASS, report.status());
      assertEquals(ROWS, report.rows());
      assertEquals(ROWS - 2, report.wouldWrite());
      assertEquals(2, report.rejects());
      assertTrue(report.rowsPerSecond() > 0);
      assertEquals(ROWS, heard.get(), "progress heard every row");
      DryRunner.TableDry item = report.tables().get(0);
      assertEquals(4, item.chunks());
      Map<String, String> byKey = new TreeMap<>();
      item.rejectSamples().forEach(s -> byKey.put(s.key(), s.sqlstate()));
      assertEquals(Map.of("7", "22001", "600", "23502"), byKey);

      assertEquals(objectsBefore, objects(target), "no table, schema or sequence was left");
      assertEquals(
          0,
          target.queryLong(
              "SELECT count(*) FROM pg_namespace WHERE nspname = '"
                  + TargetSchema.DEFAULT_STUDIO_SCHEMA
                  + "'"),
          "no studio schema, so no ledger rows");
      assertEquals(0, target.queryLong("SELECT count(*) FROM pg_class WHERE relname = 'item'"));

      StageOutput out = DryRunner.output(report);
      String md =
          new String(out.files().get(ArtifactPaths.DRY_RUN_REPORT_MD), StandardCharsets.UTF_8);
      assertTrue(md.contains("| 22001 |") && md.contains("| 23502 |"), md);
      assertTrue(out.files().containsKey(ArtifactPaths.DRY_RUN_REPORT_JSON));

      DryRunner.Report strict =
          new DryRunner(PG, PG).run(src, tgt, mapping, "dry", 400, 1, ChunkProgress.NONE);
      assertEquals(Verdict.FAIL, strict.status(), "2 would-be rejects exceed reject_limit 1");
      assertEquals(objectsBefore, objects(target));
    }
  }

  /** Tables, sequences, indexes and schemas outside the catalogs. */
  private static long objects(TestDatabase db) {
    return db.queryLong(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')")
        + db.queryLong("SELECT count(*) FROM pg_namespace");
  }
}
