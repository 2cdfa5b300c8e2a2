package io.migrationstudio.core.review;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.migrationstudio.core.assess.InventoryService;
import io.migrationstudio.core.dialect.postgres.PostgresDialect;
import io.migrationstudio.core.mapping.Fixtures;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.MappingGenerator;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.report.StageOutput;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import java.sql.Connection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A NaN in a PostgreSQL numeric column is not a numeric overflow: numeric(p,s) stores it as it is.
 * NaN sorts above every number, so {@code abs(v) >= 10^k} counted it as one (issue 12 #11); a real
 * overflow next to it is still found, counted and shown.
 */
@ExtendWith(PostgresExtension.class)
class NumericNaNReviewIT {

  @Test
  void nanIsNotReportedAsANumericOverflow(TestDatabase db) throws Exception {
    db.execute(
        "CREATE TABLE m (id integer PRIMARY KEY, v numeric, w numeric)",
        "INSERT INTO m VALUES (1, 'NaN', 1.5), (2, 12.25, 'NaN'), (3, NULL, 123456.5)");
    String overrides =
        """
        tables:
          - source: m
            columns:
              - source: v
                type: numeric(5,2)
              - source: w
                type: numeric(5,2)
        """;
    try (Connection src = db.connect()) {
      PostgresDialect pg = new PostgresDialect();
      Inventory inv = InventoryService.introspect(src, pg, "public", t -> true);
      MappingDocument mapping =
          new MappingGenerator()
              .generate(inv, Fixtures.spec("identity", "o.yaml"), Json.bytes(overrides));
      StageOutput out = new CompatibilityReviewer().review(src, pg, "public", null, inv, mapping);
      CompatibilityReport report =
          Json.read(
              out.files().get(ArtifactPaths.COMPATIBILITY_JSON), CompatibilityReport.class, "c");
      Finding v = find(report, "v");
      assertEquals(Finding.Level.OK, v.verdict(), v.toString());
      Finding w = find(report, "w");
      assertEquals(Finding.Level.FAIL, w.verdict(), w.toString());
      assertEquals(1L, w.count(), "only 123456.5 overflows numeric(5,2): " + w);
    }
  }

  private static Finding find(CompatibilityReport report, String column) {
    return report.findings().stream()
        .filter(f -> column.equals(f.column()) && f.check().equals("numeric_range"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no numeric_range finding for " + column));
  }
}
