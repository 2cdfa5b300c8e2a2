package io.migrationstudio.core.validate;

import static io.migrationstudio.core.copy.Loads.PG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.copy.Loads;
import io.migrationstudio.core.copy.TestMappings;
import io.migrationstudio.core.db.SampleDatabases;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Chinook copied PostgreSQL → PostgreSQL with the real chain, then one corruption at a time
 * injected into the target, validated, and undone: the report names exactly the injected corruption
 * (table, key, kind, column) and every other table passes. Integrity-only corruptions (an index
 * dropped, a constraint added NOT VALID) are named by their check.
 */
@ExtendWith(PostgresExtension.class)
class CorruptionMatrixIT {
  @Test
  void everyInjectedCorruptionIsNamedExactlyAndNothingElse(TestDatabase source, TestDatabase target)
      throws Exception {
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      SampleDatabases.loadChinookPostgres(src);
      MappingDocument mapping = TestMappings.identity(src, "public", "public");
      Loads.migrate(src, tgt, mapping, "matrix", 500);
      Validator validator = new Validator(PG, PG);

      ValidationReport clean = validator.report(src, tgt, mapping, "matrix", 100, 500);
      assertEquals(Verdict.PASS, clean.status(), Json.write(clean));
      ValidationReport.TableValidation track = byTable(clean).get("track");
      assertEquals(9, track.aggregates().size(), "every MAP column of track aggregated");
      // every chunk agrees: the row-text checksums prove the aggregates; computed, they agree
      track
          .aggregates()
          .forEach(a -> assertEquals(ColumnAggregates.PROVED_BY_CHECKSUMS, a.provedBy()));
      ValidationReport.ColumnAggregate price =
          ColumnAggregates.compare(
                  src,
                  tgt,
                  new io.migrationstudio.core.copy.TableSql(
                      PG, PG, mapping, mapping.bySource("track").orElseThrow()))
              .stream()
              .filter(a -> a.column().equals("unit_price"))
              .findFirst()
              .orElseThrow();
      assertEquals(
          text(src, "SELECT CAST(sum(unit_price) AS text) FROM track"), price.source().sum());
      assertEquals(price.source(), price.target());
      assertTrue(
          track.integrity().stream()
              .anyMatch(i -> i.kind().equals(TargetIntegrity.DUPLICATE_KEY) && i.count() == 0),
          "the primary key is checked");

      long nullCompany =
          source.queryLong("select min(customer_id) from customer where company is null");
      long firstInvoice = source.queryLong("select min(invoice_id) from invoice");

      // update one value
      exec(tgt, "UPDATE track SET name = name || ' (remix)' WHERE track_id = 42");
      expectChanged(validator, src, tgt, mapping, "track", "42", "name");
      exec(tgt, "UPDATE track SET name = left(name, length(name) - 8) WHERE track_id = 42");

      // delete a row
      exec(
          tgt,
          "CREATE TEMP TABLE saved AS SELECT * FROM invoice_line WHERE invoice_line_id = 7",
          "DELETE FROM invoice_line WHERE invoice_line_id = 7");
      expectRow(validator, src, tgt, mapping, "invoice_line", "missing", "7", 0);
      exec(tgt, "INSERT INTO invoice_line SELECT * FROM saved", "DROP TABLE saved");

      // insert an extra row
      exec(tgt, "INSERT INTO artist VALUES (100000, 'Intruder')");
      expectRow(validator, src, tgt, mapping, "artist", "extra", "100000", 0);
      exec(tgt, "DELETE FROM artist WHERE artist_id = 100000");

      // NULL becomes ''
      exec(tgt, "UPDATE customer SET company = '' WHERE customer_id = " + nullCompany);
      ValidationReport.TableValidation customer =
          expectChanged(
              validator, src, tgt, mapping, "customer", Long.toString(nullCompany), "company");
      assertEquals(1, customer.sampleMismatches(), "59 rows: all sampled");
      exec(tgt, "UPDATE customer SET company = NULL WHERE customer_id = " + nullCompany);

      // a timestamp shifted by one hour
      exec(
          tgt,
          "UPDATE invoice SET invoice_date = invoice_date + interval '1 hour' WHERE invoice_id = "
              + firstInvoice);
      expectChanged(
          validator, src, tgt, mapping, "invoice", Long.toString(firstInvoice), "invoice_date");
      exec(
          tgt,
          "UPDATE invoice SET invoice_date = invoice_date - interval '1 hour' WHERE invoice_id = "
              + firstInvoice);

      // a broken FK, inserted with triggers (and so FK checks) off
      exec(
          tgt,
          "SET session_replication_role = replica",
          "INSERT INTO invoice_line (invoice_line_id, invoice_id, track_id, unit_price, quantity)"
              + " VALUES (100000, 1, 999999, 0.99, 1)",
          "SET session_replication_role = DEFAULT");
      ValidationReport.TableValidation line =
          expectRow(validator, src, tgt, mapping, "invoice_line", "extra", "100000", 1);
      assertEquals(
          List.of(new ValidationReport.OrphanCount("invoice_line_track_id_fkey", 1)),
          line.foreignKeys().stream().filter(f -> f.orphans() > 0).toList());
      exec(tgt, "DELETE FROM invoice_line WHERE invoice_line_id = 100000");

      // integrity only: an index of the mapping dropped, a constraint not validated
      exec(
          tgt,
          "DROP INDEX invoice_line_track_id_idx",
          "ALTER TABLE invoice DROP CONSTRAINT invoice_customer_id_fkey",
          "ALTER TABLE invoice ADD CONSTRAINT invoice_customer_id_fkey FOREIGN KEY (customer_id)"
              + " REFERENCES customer (customer_id) NOT VALID");
      ValidationReport integrity = validator.report(src, tgt, mapping, "matrix", 100, 500);
      assertEquals(Set.of("invoice", "invoice_line"), failing(integrity));
      assertEquals(
          List.of(
              new ValidationReport.IntegrityCheck(
                  TargetIntegrity.MISSING_INDEX,
                  "invoice_line",
                  1,
                  List.of("invoice_line_track_id_idx"))),
          violations(byTable(integrity).get("invoice_line")));
      assertEquals(
          List.of(
              new ValidationReport.IntegrityCheck(
                  TargetIntegrity.CONSTRAINT_NOT_VALIDATED,
                  "invoice",
                  1,
                  List.of("invoice_customer_id_fkey"))),
          violations(byTable(integrity).get("invoice")));
      String md =
          new String(
              validator
                  .validate(src, tgt, mapping, "matrix", 100, 500)
                  .files()
                  .get(ArtifactPaths.VALIDATION_MD),
              StandardCharsets.UTF_8);
      assertTrue(
          md.contains("- missing_index invoice_line: 1 (e.g. invoice_line_track_id_idx)"), md);
      exec(
          tgt,
          "CREATE INDEX invoice_line_track_id_idx ON invoice_line (track_id)",
          "ALTER TABLE invoice VALIDATE CONSTRAINT invoice_customer_id_fkey");

      // integrity: a duplicate key (PK dropped first) and a NULL in a NOT NULL column
      exec(
          tgt,
          "ALTER TABLE track DROP CONSTRAINT track_media_type_id_fkey",
          "ALTER TABLE media_type DROP CONSTRAINT media_type_pkey",
          "INSERT INTO media_type VALUES (1, 'Twin')",
          "ALTER TABLE employee ALTER COLUMN last_name DROP NOT NULL",
          "UPDATE employee SET last_name = NULL WHERE employee_id = 2");
      ValidationReport keys = validator.report(src, tgt, mapping, "matrix", 100, 500);
      assertEquals(
          List.of(
              new ValidationReport.IntegrityCheck(
                  TargetIntegrity.DUPLICATE_KEY, "primary key (media_type_id)", 1, List.of("1"))),
          violations(byTable(keys).get("media_type")));
      assertEquals(
          List.of(
              new ValidationReport.IntegrityCheck(
                  TargetIntegrity.NULL_IN_NOT_NULL, "last_name", 1, List.of("2"))),
          violations(byTable(keys).get("employee")));
      exec(
          tgt,
          "DELETE FROM media_type WHERE media_type_id = 1 AND name = 'Twin'",
          "ALTER TABLE media_type ADD CONSTRAINT media_type_pkey PRIMARY KEY (media_type_id)",
          "ALTER TABLE track ADD CONSTRAINT track_media_type_id_fkey FOREIGN KEY (media_type_id)"
              + " REFERENCES media_type (media_type_id)",
          "UPDATE employee SET last_name = '"
              + text(src, "SELECT last_name FROM employee WHERE employee_id = 2").replace("'", "''")
              + "' WHERE employee_id = 2",
          "ALTER TABLE employee ALTER COLUMN last_name SET NOT NULL");

      ValidationReport restored = validator.report(src, tgt, mapping, "matrix", 100, 500);
      assertEquals(Verdict.PASS, restored.status(), Json.write(restored));
      assertEquals(Json.write(clean), Json.write(restored), "restored target: identical report");
    }
  }

  /** A single changed row: named by key and column; the aggregates differ in that column only. */
  private static ValidationReport.TableValidation expectChanged(
      Validator validator,
      Connection src,
      Connection tgt,
      MappingDocument mapping,
      String table,
      String key,
      String column) {
    ValidationReport r = validator.report(src, tgt, mapping, "matrix", 100, 500);
    assertEquals(Set.of(table), failing(r), Json.write(r));
    ValidationReport.TableValidation t = byTable(r).get(table);
    assertEquals(
        List.of(new ValidationReport.Difference("changed", key, List.of(column))),
        t.differences().stream().map(ValidationReport.Difference::withoutValues).toList());
    assertEquals(
        List.of(column),
        t.differences().get(0).values().stream()
            .map(ValidationReport.ValueDifference::column)
            .toList(),
        "the changed value is shown");
    assertEquals(0, t.missing() + t.extra(), table);
    assertEquals(1, t.changed(), table);
    assertEquals(0, t.orphans(), table);
    Set<String> aggregateColumns =
        t.aggregates().stream()
            .filter(a -> !a.differing().isEmpty())
            .map(ValidationReport.ColumnAggregate::column)
            .collect(Collectors.toCollection(TreeSet::new));
    assertTrue(Set.of(column).containsAll(aggregateColumns), aggregateColumns.toString());
    assertEquals(List.of(), violations(t), table);
    return t;
  }

  /** A single missing or extra row; counts differ in every column's aggregates, nothing else. */
  private static ValidationReport.TableValidation expectRow(
      Validator validator,
      Connection src,
      Connection tgt,
      MappingDocument mapping,
      String table,
      String kind,
      String key,
      long orphans) {
    ValidationReport r = validator.report(src, tgt, mapping, "matrix", 100, 500);
    assertEquals(Set.of(table), failing(r), Json.write(r));
    ValidationReport.TableValidation t = byTable(r).get(table);
    assertEquals(List.of(new ValidationReport.Difference(kind, key, List.of())), t.differences());
    assertEquals(kind.equals("missing") ? 1 : 0, t.missing(), table);
    assertEquals(kind.equals("extra") ? 1 : 0, t.extra(), table);
    assertEquals(0, t.changed(), table);
    assertEquals(orphans, t.orphans(), table);
    assertFalse(t.aggregates().isEmpty());
    t.aggregates().forEach(a -> assertTrue(a.differing().contains("count"), a.column()));
    assertEquals(List.of(), violations(t), table);
    return t;
  }

  private static List<ValidationReport.IntegrityCheck> violations(
      ValidationReport.TableValidation t) {
    return t.integrity().stream().filter(i -> i.count() > 0).toList();
  }

  private static Set<String> failing(ValidationReport r) {
    return r.tables().stream()
        .filter(t -> t.status() == Verdict.FAIL)
        .map(ValidationReport.TableValidation::table)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static Map<String, ValidationReport.TableValidation> byTable(ValidationReport r) {
    return r.tables().stream()
        .collect(Collectors.toMap(ValidationReport.TableValidation::table, t -> t));
  }

  private static String text(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        java.sql.ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static void exec(Connection c, String... sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      for (String q : sql) {
        s.execute(q);
      }
    }
  }
}
