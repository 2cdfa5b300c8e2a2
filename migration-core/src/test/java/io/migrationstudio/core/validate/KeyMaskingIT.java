package io.migrationstudio.core.validate;

import static io.migrationstudio.core.copy.Loads.PG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.migrationstudio.contracts.activity.RepairPlan.RepairChunk;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.copy.ChunkCopier;
import io.migrationstudio.core.copy.ChunkProgress;
import io.migrationstudio.core.copy.CopyOptions;
import io.migrationstudio.core.copy.Loads;
import io.migrationstudio.core.copy.RepairSession;
import io.migrationstudio.core.copy.TargetSchema;
import io.migrationstudio.core.copy.TestMappings;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.EvidenceMask;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.report.StageOutput;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 12 item 8 for Validation: a Chinook-like customer table keyed by e-mail, the target
 * corrupted (a changed row, a deleted row, an extra row, later a duplicate key):
 * validation.{json,md} and repair-plan.{json,md} name no e-mail in plain text (keys, chunk bounds
 * and integrity examples go through the evidence mask), and the repair still finds and re-copies
 * the differing chunks from the masked report: validation passes again. A key column listed plain
 * is shown as it is.
 */
@ExtendWith(PostgresExtension.class)
class KeyMaskingIT {
  private static final String ID = "key-masking";
  private static final int CHUNK_ROWS = 200;
  private static final Pattern EMAIL = Pattern.compile("(customer|intruder)[0-9]*@[a-z0-9.]+");

  @Test
  void keysOfDifferingRowsAreMaskedAndTheRepairStillFixesThem(
      TestDatabase source, TestDatabase target) throws Exception {
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      exec(
          src,
          "CREATE TABLE customer (email text PRIMARY KEY, first_name text NOT NULL,"
              + " phone text, support_rep_id int)",
          "INSERT INTO customer SELECT 'customer' || g || '@mail' || (g % 7) || '.example.com',"
              + " 'Name' || g, '+49 30 ' || (1000000 + g), g % 5 FROM generate_series(1, 1000) g");
      MappingDocument mapping = TestMappings.identity(src, "public", "public");
      Loads.migrate(src, tgt, mapping, ID, CHUNK_ROWS);
      exec(
          tgt,
          "UPDATE customer SET first_name = 'Changed' WHERE email = 'customer42@mail0.example.com'",
          "DELETE FROM customer WHERE email = 'customer500@mail3.example.com'",
          "INSERT INTO customer VALUES ('intruder@evil.example.com', 'Eve', NULL, 1)");

      Validator validator = new Validator(PG, PG);
      StageOutput failed =
          validator.validate(src, tgt, mapping, ID, 100, CHUNK_ROWS, EvidenceMask.masked());
      ValidationReport report = report(failed);
      assertEquals(Verdict.FAIL, report.status());
      ValidationReport.TableValidation customer = report.tables().get(0);
      assertEquals(
          List.of(1L, 1L, 1L), List.of(customer.missing(), customer.extra(), customer.changed()));
      assertEquals(
          List.of("changed", "extra", "missing"),
          customer.differences().stream().map(ValidationReport.Difference::kind).toList());
      assertEquals(
          "xxxxxxxx##@xxxx#.xxxxxxx.xxx",
          customer.differences().get(0).key(),
          "the key shows its shape only");
      assertNoEmail(failed.files());

      // the repair needs no plain key from the report: it hashes the ledger chunks itself
      RepairPlanner planner = new RepairPlanner(PG, PG, TargetSchema.DEFAULT_STUDIO_SCHEMA);
      RepairPlanner.Result plan =
          planner.plan(
              src,
              tgt,
              mapping,
              ID,
              failed.files().get(ArtifactPaths.VALIDATION_JSON),
              "0123456789abcdef0123456789abcdef01234567",
              EvidenceMask.masked());
      assertTrue(plan.repairable(), plan.output().summary());
      assertFalse(plan.chunks().isEmpty());
      assertNoEmail(plan.output().files());
      assertTrue(
          plan.chunks().stream()
              .anyMatch(c -> c.chunk().lo() != null && EMAIL.matcher(c.chunk().lo()).matches()),
          "the chunks the workflow re-copies keep their plain bounds: " + plan.chunks());

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
          forced.copy(
              src,
              repair,
              mapping,
              mapping.bySource(c.sourceTable()).orElseThrow(),
              c.chunk(),
              ID,
              ChunkProgress.NONE);
        }
      }
      StageOutput repaired =
          validator.validate(src, tgt, mapping, ID, 100, CHUNK_ROWS, EvidenceMask.masked());
      assertEquals(Verdict.PASS, report(repaired).status(), text(repaired.files()));
      assertEquals(
          1,
          target.queryLong(
              "SELECT count(*) FROM customer WHERE email = 'customer42@mail0.example.com'"
                  + " AND first_name = 'Name42'"),
          "the changed row is the source's again");

      // integrity examples are keys too: a duplicate e-mail once the key is gone
      exec(
          tgt,
          "ALTER TABLE customer DROP CONSTRAINT customer_pkey",
          "INSERT INTO customer SELECT * FROM customer WHERE email = 'customer7@mail0.example.com'");
      StageOutput duplicate =
          validator.validate(src, tgt, mapping, ID, 100, CHUNK_ROWS, EvidenceMask.masked());
      ValidationReport.IntegrityCheck dup =
          report(duplicate).tables().get(0).integrity().stream()
              .filter(i -> i.kind().equals(TargetIntegrity.DUPLICATE_KEY))
              .findFirst()
              .orElseThrow();
      assertEquals(1, dup.count());
      assertEquals(List.of("xxxxxxxx#@xxxx#.xxxxxxx.xxx"), dup.examples());
      assertNoEmail(duplicate.files());

      // listed plain, the key column is shown as it is
      StageOutput plain =
          validator.validate(
              src,
              tgt,
              mapping,
              ID,
              100,
              CHUNK_ROWS,
              EvidenceMask.plain(List.of("customer.email")));
      assertTrue(text(plain.files()).contains("customer7@mail0.example.com"), text(plain.files()));
    }
  }

  private static void assertNoEmail(Map<String, byte[]> files) {
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      String s = new String(f.getValue(), StandardCharsets.UTF_8);
      Matcher m = EMAIL.matcher(s);
      if (m.find()) {
        fail(f.getKey() + " shows a plain e-mail key: " + m.group() + "\n" + s);
      }
    }
  }

  private static String text(Map<String, byte[]> files) {
    StringBuilder sb = new StringBuilder();
    files.values().forEach(v -> sb.append(new String(v, StandardCharsets.UTF_8)).append('\n'));
    return sb.toString();
  }

  private static ValidationReport report(StageOutput out) {
    return Json.read(
        out.files().get(ArtifactPaths.VALIDATION_JSON), ValidationReport.class, "validation");
  }

  private static void exec(Connection c, String... sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      for (String q : sql) {
        s.execute(q);
      }
    }
  }
}
