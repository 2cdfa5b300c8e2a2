package io.migrationstudio.core.validate;

import static io.migrationstudio.core.copy.Loads.PG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.canonical.ComparisonRule;
import io.migrationstudio.core.copy.TestMappings;
import io.migrationstudio.core.mapping.ColumnMapping;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import java.math.BigDecimal;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Comparison rules end to end on real PostgreSQL, the float corruption cases of the matrix: a float
 * changed in its last digit within tolerance is not reported (even where the change crosses a hash
 * bucket, which only sends the chunk to the row diff), beyond tolerance it is; a column without a
 * rule is exact; trim/case and millisecond precision likewise.
 */
@ExtendWith(PostgresExtension.class)
class ComparisonRulesIT {
  private static final String DDL =
      "CREATE TABLE readings (id integer PRIMARY KEY, x double precision, y double precision,"
          + " note text, t timestamp(6))";
  private static final String FILL =
      "INSERT INTO readings SELECT g, sqrt(g) * 1000, ln(g + 1), 'Note ' || g,"
          + " timestamp '2024-03-01 00:00' + g * interval '1 second' + (g % 1000) * interval '1 ms'"
          + " FROM generate_series(1, 5000) g";

  @Test
  void floatsWithinToleranceAreEqualBeyondItTheyAreNamed(TestDatabase source, TestDatabase target)
      throws Exception {
    source.execute(DDL, FILL);
    target.execute(DDL, FILL);
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      MappingDocument mapping =
          withRules(
              TestMappings.identity(src, "public", "public"),
              Map.of(
                  "x", new ComparisonRule(null, new BigDecimal("1e-12"), null, null, null, null),
                  "note", new ComparisonRule(null, null, null, null, true, true),
                  "t", new ComparisonRule(null, null, "ms", null, null, null)));
      Validator validator = new Validator(PG, PG);

      ValidationReport.TableValidation clean = table(validator, src, tgt, mapping);
      assertEquals(Verdict.PASS, clean.status(), Json.write(clean));
      assertEquals("client", clean.hashPath(), "a table with rules is hashed client-side");

      // within the rules: every x moved in its last digits, blanks and case, sub-ms shifts
      target.execute(
          "UPDATE readings SET x = x * (1 + 1e-14)",
          "UPDATE readings SET note = ' ' || upper(note) || '  ' WHERE id % 10 = 0",
          "UPDATE readings SET t = t + interval '300 microseconds' WHERE id % 10 = 1");
      ValidationReport.TableValidation within = table(validator, src, tgt, mapping);
      assertEquals(Verdict.PASS, within.status(), Json.write(within));
      assertEquals(List.of(), within.differences());
      assertTrue(
          within.chunksDiffering() > 0,
          "last-digit changes cross hash buckets somewhere: the row diff settles them");

      // beyond: x by one part in a billion, y (no rule) in its last digit, a letter, 0.6 ms
      target.execute(
          "UPDATE readings SET x = x * (1 + 1e-9) WHERE id = 20",
          "UPDATE readings SET y = y * (1 + 1e-15) WHERE id = 30",
          "UPDATE readings SET note = 'Note 4O' WHERE id = 40",
          "UPDATE readings SET t = t + interval '600 microseconds' WHERE id = 50");
      ValidationReport.TableValidation beyond = table(validator, src, tgt, mapping);
      assertEquals(Verdict.FAIL, beyond.status());
      assertEquals(
          List.of("changed 20 [x]", "changed 30 [y]", "changed 40 [note]", "changed 50 [t]"),
          beyond.differences().stream()
              .map(d -> d.kind() + " " + d.key() + " " + d.columns())
              .sorted((a, b) -> Integer.compare(key(a), key(b)))
              .toList(),
          Json.write(beyond));
      assertEquals(4, beyond.changed());
      assertEquals(0, beyond.missing() + beyond.extra());
      beyond.aggregates().stream()
          .filter(a -> a.column().equals("note") || a.column().equals("t"))
          .forEach(a -> assertEquals(List.of(), a.differing(), a.column()));
    }
  }

  private static int key(String difference) {
    return Integer.parseInt(difference.split(" ")[1]);
  }

  private static ValidationReport.TableValidation table(
      Validator v, Connection src, Connection tgt, MappingDocument mapping) {
    return v.report(src, tgt, mapping, "rules", 100, 500).tables().get(0);
  }

  /** The mapping with comparison rules on the named target columns. */
  static MappingDocument withRules(MappingDocument m, Map<String, ComparisonRule> rules) {
    List<TableMapping> tables =
        m.tables().stream()
            .map(
                t ->
                    t.withColumns(
                        t.columns().stream()
                            .map(
                                (ColumnMapping c) ->
                                    rules.containsKey(c.target())
                                        ? c.withCompare(rules.get(c.target()))
                                        : c)
                            .toList()))
            .toList();
    return new MappingDocument(
        m.version(),
        m.naming(),
        m.sourceEngine(),
        m.sourceSchema(),
        m.targetSchema(),
        tables,
        m.sequences());
  }
}
