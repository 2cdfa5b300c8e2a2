package io.migrationstudio.core.validate;

import static io.migrationstudio.core.copy.Loads.PG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.spec.QuerySpec;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Regression replay compares result columns under the rules the query names ({@code compare}). */
@ExtendWith(PostgresExtension.class)
class RegressionRulesIT {
  private static final String SQL = "select name, amount, at from totals";

  @Test
  void resultColumnsAreComparedUnderTheQuerysRules(TestDatabase source, TestDatabase target)
      throws Exception {
    String create = "CREATE TABLE totals (name text, amount numeric(12,4), at timestamp(6))";
    source.execute(
        create,
        "INSERT INTO totals SELECT 'c' || g, g * 1.25, TIMESTAMP '2024-05-01 10:00:00'"
            + " + g * INTERVAL '1 minute' FROM generate_series(1, 400) g");
    target.execute(
        create,
        "INSERT INTO totals SELECT 'c' || g, g * 1.25, TIMESTAMP '2024-05-01 10:00:00'"
            + " + g * INTERVAL '1 minute' FROM generate_series(1, 400) g",
        // within 0.01 (several straddle a 0.01 bucket boundary), a different case, +0.4 ms
        "UPDATE totals SET amount = amount + 0.0099 WHERE name IN ('c7', 'c8', 'c9')",
        "UPDATE totals SET amount = amount - 0.0061 WHERE name = 'c10'",
        "UPDATE totals SET name = upper(name) WHERE name = 'c11'",
        "UPDATE totals SET at = at + INTERVAL '400 microseconds' WHERE name = 'c12'");
    Map<String, Map<String, Object>> rules =
        Map.of(
            "amount", Map.of("tolerance", 0.01),
            "NAME", Map.of("ignore_case", true),
            "at", Map.of("precision", "ms"));
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      RegressionReplayer.QueryResult exact =
          replay(src, tgt, new QuerySpec("exact", SQL, null, null));
      assertFalse(exact.resultsEqual());
      assertEquals(6, exact.onlyInSource());
      assertEquals(6, exact.onlyInTarget());

      RegressionReplayer.QueryResult ruled =
          replay(src, tgt, new QuerySpec("ruled", SQL, null, null, rules));
      assertTrue(ruled.resultsEqual(), Json.write(ruled));
      assertEquals(400, ruled.sourceRows());

      target.execute("UPDATE totals SET amount = amount + 0.0101 WHERE name = 'c20'");
      RegressionReplayer.QueryResult beyond =
          replay(src, tgt, new QuerySpec("ruled", SQL, null, null, rules));
      assertFalse(beyond.resultsEqual(), "0.0101 is beyond the 0.01 tolerance");
      assertEquals(1, beyond.onlyInSource());
      assertEquals(1, beyond.onlyInTarget());

      RegressionReplayer.QueryResult bad =
          replay(
              src,
              tgt,
              new QuerySpec("bad", SQL, null, null, Map.of("amount", Map.of("tolerance", -1))));
      assertFalse(bad.resultsEqual());
      assertNotNull(bad.error(), "a negative tolerance is reported, not applied");
    }
  }

  private static RegressionReplayer.QueryResult replay(
      Connection src, Connection tgt, QuerySpec q) {
    byte[] pass = Json.bytes("{\"status\":\"PASS\",\"tables\":[]}");
    RegressionReplayer.Report r =
        Json.read(
            new RegressionReplayer(PG, PG)
                .replay(src, tgt, "rules", List.of(q), 100.0, pass)
                .files()
                .get(ArtifactPaths.REGRESSION_JSON),
            RegressionReplayer.Report.class,
            "rules");
    return r.queries().get(0);
  }
}
