package io.migrationstudio.core.validate;

import static io.migrationstudio.core.copy.Loads.PG;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.spec.QuerySpec;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.copy.Loads;
import io.migrationstudio.core.copy.TestMappings;
import io.migrationstudio.core.db.SampleDatabases;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.EvidenceMask;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.report.StageOutput;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class ValidatorIT {
  private static final EvidenceMask PLAIN = EvidenceMask.plain(List.of("*"));

  @Test
  void aCorrectCopyPassesAndEveryCorruptionIsNamed(TestDatabase source, TestDatabase target)
      throws Exception {
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      SampleDatabases.loadChinookPostgres(src);
      MappingDocument mapping = TestMappings.identity(src, "public", "public");
      Loads.migrate(src, tgt, mapping, "chinook", 500);
      Validator validator = new Validator(PG, PG);

      StageOutput ok = validator.validate(src, tgt, mapping, "chinook", 100, 500);
      ValidationReport passed = read(ok);
      assertEquals(Verdict.PASS, passed.status());
      assertEquals(11, passed.tables().size());
      passed.tables().forEach(t -> assertEquals(Verdict.PASS, t.status(), t.table()));
      assertEquals(SampleSize.of(3503), byTable(passed).get("track").sampled());
      assertEquals("sql", byTable(passed).get("track").hashPath(), "identity PG→PG hashes in SQL");
      assertEquals(8, byTable(passed).get("track").chunks());
      assertEquals("ledger", byTable(passed).get("track").chunkSource());

      long nullCompany =
          source.queryLong("select min(customer_id) from customer where company is null");
      target.execute(
          "UPDATE track SET name = name || ' (remix)' WHERE track_id = 42",
          "DELETE FROM invoice_line WHERE invoice_line_id = 7",
          "INSERT INTO artist VALUES (100000, 'Intruder')",
          "UPDATE customer SET company = '' WHERE customer_id = " + nullCompany);

      // plain: this test reads the quoted values; by default they are masked
      StageOutput bad = validator.validate(src, tgt, mapping, "chinook", 100, 500, PLAIN);
      StageOutput again = validator.validate(src, tgt, mapping, "chinook", 100, 500, PLAIN);
      String masked =
          new String(
              validator
                  .validate(src, tgt, mapping, "chinook", 100, 500)
                  .files()
                  .get(ArtifactPaths.VALIDATION_MD),
              UTF_8);
      assertTrue(masked.contains("- changed key (##): name (source "), masked);
      assertFalse(masked.contains("remix"), "a changed row's values are masked:\n" + masked);
      assertFalse(masked.contains("key (42)"), "and so are the keys:\n" + masked);
      assertArrayEquals(
          bad.files().get(ArtifactPaths.VALIDATION_JSON),
          again.files().get(ArtifactPaths.VALIDATION_JSON),
          "deterministic");
      assertArrayEquals(
          bad.files().get(ArtifactPaths.VALIDATION_MD),
          again.files().get(ArtifactPaths.VALIDATION_MD));
      String md = new String(bad.files().get(ArtifactPaths.VALIDATION_MD), UTF_8);
      assertTrue(md.contains("Chunk checksums computed in SQL on both servers: "), md);
      assertTrue(md.contains("- changed key (42): name (source "), md);
      assertTrue(md.contains(" (remix))"), md);
      ValidationReport failed = read(bad);
      assertEquals(Verdict.FAIL, failed.status());
      Map<String, ValidationReport.TableValidation> t = byTable(failed);

      assertDiff(t.get("track"), 3503, 3503, 0, 0, 1);
      assertEquals(
          List.of(new ValidationReport.Difference("changed", "42", List.of("name"))),
          plain(t.get("track").differences()));
      ValidationReport.ValueDifference remix = t.get("track").differences().get(0).values().get(0);
      assertEquals("name", remix.column());
      assertEquals(remix.source() + " (remix)", remix.target());
      assertDiff(t.get("invoice_line"), 2240, 2239, 1, 0, 0);
      assertEquals(
          List.of(new ValidationReport.Difference("missing", "7", List.of())),
          plain(t.get("invoice_line").differences()));
      assertDiff(t.get("artist"), 275, 276, 0, 1, 0);
      assertEquals(
          List.of(new ValidationReport.Difference("extra", "100000", List.of())),
          plain(t.get("artist").differences()));
      assertDiff(t.get("customer"), 59, 59, 0, 0, 1);
      assertEquals(
          List.of(
              new ValidationReport.Difference(
                  "changed", Long.toString(nullCompany), List.of("company"))),
          plain(t.get("customer").differences()));
      assertEquals(1, t.get("customer").sampleMismatches(), "59 rows: all sampled");
      assertEquals(
          List.of("artist", "customer", "invoice_line", "track"),
          failed.tables().stream()
              .filter(x -> x.status() == Verdict.FAIL)
              .map(ValidationReport.TableValidation::table)
              .sorted()
              .toList());

      // an orphan: drop the FK, remove a parent on the target only
      target.execute(
          "ALTER TABLE invoice_line DROP CONSTRAINT invoice_line_track_id_fkey",
          "DELETE FROM playlist_track WHERE track_id = 1",
          "DELETE FROM track WHERE track_id = 1");
      ValidationReport orphaned = read(validator.validate(src, tgt, mapping, "chinook", 100, 500));
      assertEquals(
          source.queryLong("select count(*) from invoice_line where track_id = 1"),
          byTable(orphaned).get("invoice_line").orphans());
    }
  }

  @Test
  void regressionReplayComparesResultsAndFollowsTheValidation(
      TestDatabase source, TestDatabase target) throws Exception {
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      SampleDatabases.loadChinookPostgres(src);
      MappingDocument mapping = TestMappings.identity(src, "public", "public");
      Loads.migrate(src, tgt, mapping, "r", 1000);
      byte[] validation =
          new Validator(PG, PG)
              .validate(src, tgt, mapping, "r", 100, 1000)
              .files()
              .get(ArtifactPaths.VALIDATION_JSON);
      RegressionReplayer replayer = new RegressionReplayer(PG, PG);

      StageOutput none = replayer.replay(src, tgt, "r", List.of(), 0.10, validation);
      assertEquals(Verdict.PASS, none.verdict());
      assertArrayEquals(
          none.files().get(ArtifactPaths.REGRESSION_JSON),
          replayer
              .replay(src, tgt, "r", List.of(), 0.10, validation)
              .files()
              .get(ArtifactPaths.REGRESSION_JSON));
      assertEquals(
          "no queries configured",
          Json.read(
                  none.files().get(ArtifactPaths.REGRESSION_JSON),
                  RegressionReplayer.Report.class,
                  "r")
              .note());

      List<QuerySpec> queries =
          List.of(
              new QuerySpec(
                  "tracks per genre",
                  "select genre_id, count(*), sum(unit_price) from track group by genre_id",
                  null,
                  null),
              new QuerySpec(
                  "top customers",
                  null,
                  "select customer_id, sum(total) from invoice group by 1 order by 2 desc, 1",
                  "select customer_id, sum(total) from invoice group by 1 order by 1"));
      RegressionReplayer.Report same =
          Json.read(
              replayer
                  .replay(src, tgt, "r", queries, 100.0, validation)
                  .files()
                  .get(ArtifactPaths.REGRESSION_JSON),
              RegressionReplayer.Report.class,
              "r");
      assertEquals(Verdict.PASS, same.status(), Json.write(same));
      same.queries().forEach(q -> assertEquals(true, q.resultsEqual(), q.name()));
      assertEquals(25, same.queries().get(0).sourceRows());

      target.execute("UPDATE track SET genre_id = 2 WHERE track_id = 1");
      RegressionReplayer.Report differs =
          Json.read(
              replayer
                  .replay(src, tgt, "r", queries, 100.0, validation)
                  .files()
                  .get(ArtifactPaths.REGRESSION_JSON),
              RegressionReplayer.Report.class,
              "r");
      assertEquals(Verdict.FAIL, differs.status());
      assertEquals(2, differs.queries().get(0).onlyInSource());
      assertEquals(2, differs.queries().get(0).onlyInTarget());

      byte[] failedValidation = Json.bytes("{\"status\":\"FAIL\",\"tables\":[]}");
      assertEquals(
          Verdict.FAIL,
          replayer.replay(src, tgt, "r", List.of(), 0.10, failedValidation).verdict());
    }
  }

  private static void assertDiff(
      ValidationReport.TableValidation t,
      long sourceRows,
      long targetRows,
      long missing,
      long extra,
      long changed) {
    assertEquals(sourceRows, t.sourceRows(), t.table());
    assertEquals(targetRows, t.targetRows(), t.table());
    assertEquals(missing, t.missing(), t.table());
    assertEquals(extra, t.extra(), t.table());
    assertEquals(changed, t.changed(), t.table());
    assertEquals(Verdict.FAIL, t.status(), t.table());
  }

  private static List<ValidationReport.Difference> plain(List<ValidationReport.Difference> d) {
    return d.stream().map(ValidationReport.Difference::withoutValues).toList();
  }

  private static ValidationReport read(StageOutput out) {
    return Json.read(
        out.files().get(ArtifactPaths.VALIDATION_JSON), ValidationReport.class, "validation.json");
  }

  private static Map<String, ValidationReport.TableValidation> byTable(ValidationReport r) {
    return r.tables().stream()
        .collect(Collectors.toMap(ValidationReport.TableValidation::table, t -> t));
  }
}
