package io.migrationstudio.core.validate;

import static io.migrationstudio.core.copy.Loads.PG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.copy.Loads;
import io.migrationstudio.core.copy.TestMappings;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.EvidenceMask;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.report.StageOutput;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 17, validation: integrity facts the target's catalogue proves are not re-proved by scanning
 * (a valid primary key or unique index: no duplicates; a validated NOT NULL: no NULLs), the report
 * says which proof it used, and a fact the catalogue no longer proves is scanned again and its
 * violations found. The integrity pass of a proved table reads none of its rows (the transaction's
 * own scan counters stay at zero). validation.json records {@code started_at}, {@code duration_ms}
 * and each table's time per check once stamped.
 */
@ExtendWith(PostgresExtension.class)
class CatalogueProofIT {
  private static final String ID = "proof";

  @Test
  void theCatalogueProvesKeysAndNotNullWithoutAScan(TestDatabase source, TestDatabase target)
      throws Exception {
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      exec(
          src,
          "CREATE TABLE account (id int PRIMARY KEY, email text NOT NULL UNIQUE, note text)",
          "INSERT INTO account SELECT g, 'a' || g || '@x.example', NULL"
              + " FROM generate_series(1, 2000) g");
      MappingDocument mapping = TestMappings.identity(src, "public", "public");
      Loads.migrate(src, tgt, mapping, ID, 500);
      TableMapping account = mapping.bySource("account").orElseThrow();

      // counts not yet flushed (the load's own scans) show in the view too: compare before/after
      tgt.setAutoCommit(false);
      long before = scans(tgt);
      List<ValidationReport.IntegrityCheck> proved =
          new TargetIntegrity(PG, mapping, account).check(tgt);
      long scans = scans(tgt) - before;
      tgt.rollback();
      tgt.setAutoCommit(true);
      Map<String, ValidationReport.IntegrityCheck> byObject = byObject(proved);
      assertEquals(
          "catalogue: valid unique index account_pkey",
          byObject.get("primary key (id)").provedBy());
      assertEquals(
          "catalogue: valid unique index account_email_key",
          byObject.values().stream()
              .filter(
                  i ->
                      i.kind().equals(TargetIntegrity.DUPLICATE_KEY)
                          && !i.object().startsWith("primary key"))
              .findFirst()
              .orElseThrow()
              .provedBy());
      assertEquals("catalogue: validated NOT NULL constraint", byObject.get("email").provedBy());
      assertEquals(
          0, scans, "the integrity pass of a table the catalogue proves reads no row: " + proved);

      // no longer proved: the key dropped, NOT NULL dropped; scanned, and the violations found
      exec(
          tgt,
          "ALTER TABLE account DROP CONSTRAINT account_email_key",
          "CREATE UNIQUE INDEX account_email_partial ON account (email) WHERE id > 1000",
          "ALTER TABLE account ALTER COLUMN email DROP NOT NULL",
          "UPDATE account SET email = 'a2@x.example' WHERE id = 1",
          "UPDATE account SET email = NULL WHERE id = 3");
      Map<String, ValidationReport.IntegrityCheck> scanned =
          byObject(new TargetIntegrity(PG, mapping, account).check(tgt));
      ValidationReport.IntegrityCheck email =
          scanned.values().stream()
              .filter(
                  i ->
                      i.kind().equals(TargetIntegrity.DUPLICATE_KEY)
                          && !i.object().startsWith("primary key"))
              .findFirst()
              .orElseThrow();
      assertNull(email.provedBy(), "a partial unique index proves nothing");
      assertEquals(1, email.count());
      assertNull(scanned.get("email").provedBy());
      assertEquals(1, scanned.get("email").count());
      assertEquals(
          "catalogue: valid unique index account_pkey", scanned.get("primary key (id)").provedBy());

      // the stamped report: when it started, how long it took, each check's time
      CheckTimings timings = new CheckTimings(Clock.systemUTC());
      StageOutput out =
          timings.stamp(
              new Validator(PG, PG)
                  .validate(src, tgt, mapping, ID, 100, 500, EvidenceMask.masked(), timings));
      JsonNode json =
          Json.read(out.files().get(ArtifactPaths.VALIDATION_JSON), JsonNode.class, "validation");
      assertEquals(Verdict.FAIL.name(), json.path("status").asText());
      assertTrue(json.path(CheckTimings.STARTED_AT).isTextual(), json.toString());
      assertTrue(json.path(CheckTimings.DURATION_MS).asLong(-1) >= 0, json.toString());
      JsonNode checks = json.path("tables").get(0).path(CheckTimings.TIMINGS_MS);
      for (String check : List.of("checksums", "counts", "sample", "aggregates", "integrity")) {
        assertTrue(checks.path(check).isIntegralNumber(), check + " timed: " + checks);
      }
      String md = new String(out.files().get(ArtifactPaths.VALIDATION_MD), StandardCharsets.UTF_8);
      assertTrue(md.contains("Validated in "), md);
      assertTrue(
          json.toString().contains("\"proved_by\":\"catalogue: valid unique index"),
          json.toString());
    }
  }

  /**
   * A foreign key to a partitioned table, added NOT VALID and validated as the load does: its
   * derived per-partition rows stay {@code convalidated = false} in the catalogue, yet the key is
   * validated (the pgbench {@code --partitions --foreign-keys} run failed Validation on this). A
   * key really left NOT VALID is still reported.
   */
  @Test
  void aValidatedKeyToAPartitionedTableIsValidated(TestDatabase source, TestDatabase target)
      throws Exception {
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      String[] ddl = {
        "CREATE TABLE acct (id int PRIMARY KEY) PARTITION BY RANGE (id)",
        "CREATE TABLE acct_1 PARTITION OF acct FOR VALUES FROM (0) TO (100)",
        "CREATE TABLE acct_2 PARTITION OF acct FOR VALUES FROM (100) TO (200)",
        "CREATE TABLE hist (id int PRIMARY KEY, acct int)",
        "INSERT INTO acct SELECT g FROM generate_series(1, 150) g",
        "INSERT INTO hist SELECT g, g FROM generate_series(1, 150) g"
      };
      exec(src, ddl);
      MappingDocument mapping = TestMappings.identity(src, "public", "public");
      exec(tgt, ddl);
      exec(
          tgt,
          "ALTER TABLE hist ADD CONSTRAINT hist_acct_fkey FOREIGN KEY (acct) REFERENCES acct"
              + " NOT VALID",
          "ALTER TABLE hist VALIDATE CONSTRAINT hist_acct_fkey");
      TableMapping hist = mapping.bySource("hist").orElseThrow();
      ValidationReport.IntegrityCheck validated =
          new TargetIntegrity(PG, mapping, hist)
              .check(tgt).stream()
                  .filter(i -> i.kind().equals(TargetIntegrity.CONSTRAINT_NOT_VALIDATED))
                  .findFirst()
                  .orElseThrow();
      assertEquals(0, validated.count(), "validated key reported: " + validated);

      exec(
          tgt,
          "ALTER TABLE hist ADD CONSTRAINT hist_acct_again FOREIGN KEY (acct) REFERENCES acct"
              + " NOT VALID");
      ValidationReport.IntegrityCheck notValid =
          new TargetIntegrity(PG, mapping, hist)
              .check(tgt).stream()
                  .filter(i -> i.kind().equals(TargetIntegrity.CONSTRAINT_NOT_VALIDATED))
                  .findFirst()
                  .orElseThrow();
      assertTrue(notValid.count() >= 1, notValid.toString());
      assertTrue(notValid.examples().contains("hist_acct_again"), notValid.toString());
    }
  }

  /** Sequential and index scans of {@code account} in the connection's open transaction. */
  private static long scans(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT coalesce(seq_scan, 0) + coalesce(idx_scan, 0)"
                    + " FROM pg_stat_xact_user_tables WHERE relname = 'account'")) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  private static Map<String, ValidationReport.IntegrityCheck> byObject(
      List<ValidationReport.IntegrityCheck> checks) {
    return checks.stream()
        .collect(Collectors.toMap(ValidationReport.IntegrityCheck::object, i -> i, (a, b) -> a));
  }

  private static void exec(Connection c, String... sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      for (String q : sql) {
        s.execute(q);
      }
    }
  }
}
