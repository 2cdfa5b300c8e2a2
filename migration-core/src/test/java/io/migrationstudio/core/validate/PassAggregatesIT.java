package io.migrationstudio.core.validate;

import static io.migrationstudio.core.copy.Loads.PG;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * Issue 17: on the SQL path the per-column aggregates come from the checksum pass itself (one scan
 * per side), chunk by chunk, combined afterwards; they must be exactly what one aggregate query
 * over the whole table gives ({@link ColumnAggregates#compare}), for every type whose minimum,
 * maximum or sum is not plain arithmetic: text under a non-default collation, blank-padded char,
 * numerics of mixed scale, floats with NaN and infinities, timestamptz, interval, and a column that
 * is NULL in some chunks. A difference in one chunk still shows.
 */
@ExtendWith(PostgresExtension.class)
class PassAggregatesIT {
  private static final String ID = "pass";

  @Test
  void aggregatesFromTheChecksumPassEqualOneQueryOverTheTable(
      TestDatabase source, TestDatabase target) throws Exception {
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      exec(
          src,
          "CREATE TABLE t (id int PRIMARY KEY, name text COLLATE \"C\", word text, pad char(6),"
              + " amount numeric, ratio double precision, at timestamptz, span interval,"
              + " sparse int)",
          "INSERT INTO t SELECT g, chr(65 + g % 26) || g, CASE WHEN g % 3 = 0 THEN 'Zebra' || g"
              + " ELSE 'apple' || g END, 'p' || (g % 100), round(g / 7.0, g % 4),"
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
      assertTrue(v.chunks() > 1, "several chunks to combine: " + v.chunks());
      List<ValidationReport.ColumnAggregate> whole = ColumnAggregates.compare(src, tgt, sql);
      assertEquals(Json.write(whole), Json.write(v.aggregates()));

      exec(tgt, "UPDATE t SET word = 'aardvark' WHERE id = 2000");
      ValidationReport.TableValidation changed =
          new Validator(PG, PG).report(src, tgt, mapping, ID, 100, 500).tables().get(0);
      assertEquals(
          Json.write(ColumnAggregates.compare(src, tgt, sql)), Json.write(changed.aggregates()));
      assertTrue(
          changed.aggregates().stream()
              .filter(a -> a.column().equals("word"))
              .findFirst()
              .orElseThrow()
              .differing()
              .contains("length_sum"),
          Json.write(changed.aggregates()));
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
