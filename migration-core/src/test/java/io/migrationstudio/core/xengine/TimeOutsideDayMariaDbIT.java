package io.migrationstudio.core.xengine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.activity.ChunkRange;
import io.migrationstudio.contracts.activity.TablePlan;
import io.migrationstudio.contracts.spec.ConnectionSpec;
import io.migrationstudio.contracts.spec.MappingOptions;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.spec.TypeRule;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.assess.InventoryService;
import io.migrationstudio.core.copy.ChunkCopier;
import io.migrationstudio.core.copy.ChunkProgress;
import io.migrationstudio.core.copy.TargetPreparer;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.dialect.postgres.PostgresDialect;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.MappingGenerator;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.EvidenceMask;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.review.CompatibilityReport;
import io.migrationstudio.core.review.CompatibilityReviewer;
import io.migrationstudio.core.review.Finding;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.core.spec.SecretResolver;
import io.migrationstudio.core.validate.ValidationReport;
import io.migrationstudio.core.validate.Validator;
import io.migrationstudio.testkit.MariaDbExtension;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import io.migrationstudio.testkit.TestMariaDb;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * MySQL {@code time} spans -838:59:59 to 838:59:59; PostgreSQL {@code time} holds one day. The
 * compatibility review finds the values outside a day (with counts and keys) that Migrate would
 * quarantine under the catalogue's {@code time} target, and a type rule {@code time → interval}
 * copies every one of them exactly: the target's {@code extract(epoch)} equals the source server's
 * {@code TIME_TO_SEC}, and validation passes.
 */
@ExtendWith({PostgresExtension.class, MariaDbExtension.class})
class TimeOutsideDayMariaDbIT {
  /** The assertions read example keys and values; masking is FindingMaskingIT\'s. */
  private static final EvidenceMask PLAIN = EvidenceMask.plain(List.of("*"));

  private static final PostgresDialect PG = new PostgresDialect();

  @Test
  void theReviewFindsTimesOutsideADayAndAnIntervalRuleKeepsThem(
      TestMariaDb maria, TestDatabase target) throws Exception {
    maria.execute(
        "CREATE TABLE shifts (id int PRIMARY KEY, worked time(6) NULL)",
        "INSERT INTO shifts VALUES (1, '10:00:00'), (2, '-12:34:56.5'), (3, '838:59:59'),"
            + " (4, NULL), (5, '-838:59:59'), (6, '23:59:59.999999'), (7, '24:00:00'),"
            + " (8, '-00:00:00.5'), (9, '00:00:00'), (10, '100:00:00.000001')");
    Dialect source = Dialects.forUrl(maria.jdbcUrl());
    try (Connection src =
            Dialects.open(
                new ConnectionSpec(maria.jdbcUrl(), maria.user(), null, null),
                new SecretResolver(Map.of()),
                "source");
        Connection tgt = target.connect()) {
      Inventory inventory = InventoryService.introspect(src, source, maria.name(), t -> true);

      // the catalogue's time(6): the review names the rows Migrate would quarantine
      MappingDocument catalogue = generate(maria, inventory, null);
      assertEquals("time(6)", catalogue.tables().get(0).columns().get(1).type());
      CompatibilityReport first = review(src, source, maria, inventory, catalogue);
      Finding outside = find(first, "worked", "time_outside_day");
      assertEquals(Finding.Level.FAIL, outside.verdict(), Json.write(first));
      assertEquals(6L, outside.count());
      assertEquals(List.of("2", "3", "5", "7", "8"), outside.examples());
      assertTrue(outside.detail().contains("interval"), outside.detail());
      assertEquals(Verdict.FAIL, first.verdict());

      // a type rule maps time to interval: nothing left to find, every value arrives
      TypeRule rule =
          new TypeRule(
              new TypeRule.Match("time", null, null),
              "interval",
              null,
              "MySQL times span ±838 hours");
      MappingDocument ruled = generate(maria, inventory, rule);
      assertEquals("interval", ruled.tables().get(0).columns().get(1).type());
      CompatibilityReport second = review(src, source, maria, inventory, ruled);
      assertTrue(
          second.findings().stream().noneMatch(f -> f.check().equals("time_outside_day")),
          Json.write(second));
      assertEquals(Verdict.PASS, second.verdict(), Json.write(second));

      TargetPreparer.Prepared prepared =
          new TargetPreparer(source, PG).prepare(src, tgt, ruled, "times", 4);
      ChunkCopier copier = new ChunkCopier(source, PG);
      for (TablePlan plan : prepared.tables()) {
        TableMapping table = ruled.bySource(plan.sourceTable()).orElseThrow();
        for (ChunkRange range : plan.chunks()) {
          copier.copy(src, tgt, ruled, table, range, "times", ChunkProgress.NONE);
        }
      }
      assertEquals(
          seconds(src, "SELECT id, TIME_TO_SEC(worked) FROM shifts ORDER BY id"),
          seconds(tgt, "SELECT id, extract(epoch FROM worked) FROM shifts ORDER BY id"));
      ValidationReport report = new Validator(source, PG).report(src, tgt, ruled, "times", 10, 4);
      assertEquals(Verdict.PASS, report.status(), Json.write(report));
      assertTrue(
          report.tables().get(0).aggregates().stream()
              .anyMatch(a -> a.column().startsWith("worked (microseconds")),
          "the servers' seconds were compared: " + Json.write(report));
    }
  }

  private static MappingDocument generate(TestMariaDb maria, Inventory inventory, TypeRule rule) {
    MigrationSpec spec =
        new MigrationSpec(
            "times",
            null,
            new ConnectionSpec(maria.jdbcUrl(), "root", null, maria.name()),
            new ConnectionSpec("jdbc:postgresql://localhost/x", "postgres", null, "public"),
            null,
            new MappingOptions("identity", null, rule == null ? null : List.of(rule)),
            null,
            null,
            null,
            null,
            null,
            null);
    return new MappingGenerator().generate(inventory, spec, null);
  }

  private static CompatibilityReport review(
      Connection src,
      Dialect source,
      TestMariaDb maria,
      Inventory inventory,
      MappingDocument mapping) {
    return Json.read(
        new CompatibilityReviewer()
            .review(src, source, maria.name(), null, inventory, mapping, PLAIN)
            .files()
            .get(ArtifactPaths.COMPATIBILITY_JSON),
        CompatibilityReport.class,
        "c");
  }

  private static Finding find(CompatibilityReport report, String column, String check) {
    return report.findings().stream()
        .filter(f -> column.equals(f.column()) && f.check().equals(check))
        .findFirst()
        .orElseThrow(
            () -> new AssertionError("no " + check + " for " + column + ": " + Json.write(report)));
  }

  /** "id=seconds" per row, the seconds as an exact decimal without trailing zeros. */
  private static List<String> seconds(Connection c, String sql) throws Exception {
    List<String> out = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        BigDecimal v = rs.getBigDecimal(2);
        out.add(rs.getInt(1) + "=" + (v == null ? null : v.stripTrailingZeros().toPlainString()));
      }
    }
    return out;
  }
}
