package io.migrationstudio.core.validate;

import static io.migrationstudio.core.copy.Loads.PG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.copy.Loads;
import io.migrationstudio.core.copy.TableSql;
import io.migrationstudio.core.copy.TestMappings;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 17: on the SQL path the checksum pass hashes each row's text on both servers and nothing
 * else (the engines' own cost); when every chunk agrees, the per-column aggregates are proved by it
 * ({@code proved_by}) and not computed. So the checksums alone must find what the aggregates found:
 * in chunks of 500 rows, one changed value, a NULL become an empty string, a row missing and a row
 * extra, each named by key; the aggregates of a differing table are then computed by their own
 * query ({@link ColumnAggregates#compare}) and show the difference.
 */
@ExtendWith(PostgresExtension.class)
class PassAggregatesIT {
  private static final String ID = "pass";

  @Test
  void agreeingChecksumsProveTheAggregatesAndFindEveryKindOfDifference(
      TestDatabase source, TestDatabase target) throws Exception {
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      exec(
          src,
          "CREATE TABLE t (id int PRIMARY KEY, name text COLLATE \"C\", word text, pad char(6),"
              + " amount numeric, ratio double precision, at timestamptz, span interval,"
              + " sparse int)",
          "INSERT INTO t SELECT g, chr(65 + g % 26) || g, CASE WHEN g = 1500 THEN NULL"
              + " WHEN g % 3 = 0 THEN 'Zebra' || g ELSE 'apple' || g END, 'p' || (g % 100),"
              + " round(g / 7.0, g % 4),"
              + " CASE g WHEN 5 THEN float8 'NaN' WHEN 6 THEN float8 'Infinity' ELSE g / 3.0 END,"
              + " timestamptz '2024-01-01 00:00:00+00' + g * interval '37 minutes',"
              + " g * interval '1 day 3 hours', CASE WHEN g < 800 THEN NULL ELSE g END"
              + " FROM generate_series(1, 2600) g");
      MappingDocument mapping = TestMappings.identity(src, "public", "public");
      Loads.migrate(src, tgt, mapping, ID, 500);
      TableSql sql = new TableSql(PG, PG, mapping, mapping.bySource("t").orElseThrow());
      assertTrue(ChunkComparer.sqlEligible(sql), "the SQL path applies");

      ValidationReport.TableValidation v =
          new Validator(PG, PG).report(src, tgt, mapping, ID, 100, 500).tables().get(0);
      assertEquals(Verdict.PASS, v.status(), Json.write(v));
      assertEquals("sql", v.hashPath());
      assertTrue(v.chunks() > 1, "several chunks: " + v.chunks());
      assertEquals(9, v.aggregates().size(), Json.write(v.aggregates()));
      for (ValidationReport.ColumnAggregate a : v.aggregates()) {
        assertEquals(ColumnAggregates.PROVED_BY_CHECKSUMS, a.provedBy(), a.column());
        assertNull(a.source(), a.column());
        assertTrue(a.differing().isEmpty(), a.column());
      }
      assertFalse(Json.write(v.aggregates()).contains("\"source\""), "nothing computed");

      exec(
          tgt,
          "UPDATE t SET word = 'aardvark' WHERE id = 2000",
          "UPDATE t SET word = '' WHERE id = 1500",
          "DELETE FROM t WHERE id = 700",
          "INSERT INTO t (id, name, word) VALUES (2601, 'Z2601', 'extra')");
      ValidationReport.TableValidation changed =
          new Validator(PG, PG).report(src, tgt, mapping, ID, 100, 500).tables().get(0);
      assertEquals(Verdict.FAIL, changed.status());
      assertEquals(
          List.of(
              new ValidationReport.Difference("changed", "1500", List.of("word")),
              new ValidationReport.Difference("changed", "2000", List.of("word")),
              new ValidationReport.Difference("extra", "2601", List.of()),
              new ValidationReport.Difference("missing", "700", List.of())),
          changed.differences().stream()
              .map(ValidationReport.Difference::withoutValues)
              .sorted(
                  java.util.Comparator.comparing(ValidationReport.Difference::kind)
                      .thenComparing(ValidationReport.Difference::key))
              .toList(),
          Json.write(changed.differences()));
      assertEquals(4, changed.chunksDiffering(), "one difference per chunk of 500 rows");
      // a differing table's aggregates are computed, as one query over the table gives them
      assertEquals(
          Json.write(ColumnAggregates.compare(src, tgt, sql)), Json.write(changed.aggregates()));
      ValidationReport.ColumnAggregate word =
          changed.aggregates().stream()
              .filter(a -> a.column().equals("word"))
              .findFirst()
              .orElseThrow();
      assertNull(word.provedBy());
      assertTrue(word.differing().contains("nulls"), Json.write(word));
      assertTrue(word.differing().contains("length_sum"), Json.write(word));
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
