package io.migrationstudio.core.xengine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.activity.ChunkRange;
import io.migrationstudio.contracts.activity.TablePlan;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.assess.InventoryService;
import io.migrationstudio.core.copy.ChunkCopier;
import io.migrationstudio.core.copy.LoadFinisher;
import io.migrationstudio.core.copy.TargetPreparer;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.dialect.postgres.PostgresDialect;
import io.migrationstudio.core.mapping.ColumnMapping;
import io.migrationstudio.core.mapping.Disposition;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.MappingGenerator;
import io.migrationstudio.core.mapping.MappingLoader;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.report.StageOutput;
import io.migrationstudio.core.review.CompatibilityReviewer;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.core.spec.SecretResolver;
import io.migrationstudio.core.spec.SpecLoader;
import io.migrationstudio.core.validate.ValidationReport;
import io.migrationstudio.core.validate.Validator;
import io.migrationstudio.testkit.MariaDbExtension;
import io.migrationstudio.testkit.MariaDbSamples;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import io.migrationstudio.testkit.TestMariaDb;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code mapping.type_rules} on the real Sakila in MariaDB: customer.active ({@code tinyint(1)})
 * becomes smallint by a column-glob rule, every {@code datetime} becomes timestamptz read in
 * Europe/Berlin, and a per-column override beats the rule for rental.return_date. The rules' origin
 * is in mapping.yaml, the review passes, the copy lands the converted values and validation
 * (reading the source through the same conversion) passes.
 */
@ExtendWith({PostgresExtension.class, MariaDbExtension.class})
class TypeRulesSakilaIT {
  private static final PostgresDialect PG = new PostgresDialect();
  private static final SecretResolver SECRETS = new SecretResolver(Map.of());
  private static final int CHUNK_ROWS = 5000;

  @Test
  void typeRulesDecideSakilaColumnsEndToEnd(TestMariaDb sakila, TestDatabase target)
      throws Exception {
    MariaDbSamples.loadSakila(sakila);
    String id = "sakila-rules";
    MigrationSpec spec =
        SpecLoader.parse(
            "id: "
                + id
                + "\nsource: { url: \""
                + sakila.jdbcUrl()
                + "\", user: root }\ntarget: { url: \""
                + target.jdbcUrl()
                + "\", user: postgres }\nscope: { include: [customer, rental] }\n"
                + "mapping:\n"
                + "  naming: snake_case\n"
                + "  type_rules:\n"
                + "    - match: { source_type: \"tinyint(1)\", table: \"*\", column: \"act*\" }\n"
                + "      target_type: smallint\n"
                + "    - match: { source_type: datetime }\n"
                + "      target_type: timestamptz\n"
                + "      time_zone: Europe/Berlin\n"
                + "      reason: the shop's servers wrote Berlin wall time\n"
                + "migrate: { chunk_rows: "
                + CHUNK_ROWS
                + " }\n");
    String overrides =
        """
        tables:
          - source: rental
            columns:
              - source: return_date
                type: timestamp
        """;

    StageOutput inventoryOut = new InventoryService(SECRETS).run(spec, Optional.empty());
    Inventory inventory =
        Json.read(
            inventoryOut.files().get(ArtifactPaths.INVENTORY_JSON), Inventory.class, "inventory");
    assertEquals(2, inventory.tables().size());
    byte[] yaml =
        MappingLoader.renderBytes(
            new MappingGenerator()
                .generate(inventory, spec, overrides.getBytes(StandardCharsets.UTF_8)));
    MappingDocument mapping = MappingLoader.load(yaml, inventory);
    String text = new String(yaml, StandardCharsets.UTF_8);

    TableMapping customer = mapping.bySource("customer").orElseThrow();
    ColumnMapping active = customer.bySource("active").orElseThrow();
    assertEquals("smallint", active.type());
    assertEquals(Disposition.CAST, active.disposition());
    assertEquals(
        "mapping.type_rules[0] (source_type tinyint(1), table *, column act*) → smallint",
        active.rule());
    ColumnMapping created = customer.bySource("create_date").orElseThrow();
    assertEquals("timestamptz", created.type());
    assertEquals("Europe/Berlin", created.sourceTimeZone());
    assertEquals("the shop's servers wrote Berlin wall time", created.reason());
    assertTrue(text.contains("rule: \"mapping.type_rules[1] (source_type datetime)"), text);
    ColumnMapping lastUpdate = customer.bySource("last_update").orElseThrow();
    assertNull(lastUpdate.rule(), "a MySQL timestamp is no datetime: the catalogue decides");
    assertEquals("timestamptz(0)", lastUpdate.type(), "the catalogue keeps the source's digits");
    ColumnMapping returned =
        mapping.bySource("rental").orElseThrow().bySource("return_date").orElseThrow();
    assertEquals("timestamp", returned.type(), "the per-column override beats the rule");
    assertNull(returned.rule());
    assertNull(returned.sourceTimeZone());
    assertEquals(
        "Europe/Berlin",
        mapping
            .bySource("rental")
            .orElseThrow()
            .bySource("rental_date")
            .orElseThrow()
            .sourceTimeZone());

    Dialect source = Dialects.forUrl(sakila.jdbcUrl());
    try (Connection src = Dialects.open(spec.source(), SECRETS, "source");
        Connection tgt = target.connect()) {
      StageOutput review =
          new CompatibilityReviewer()
              .review(src, source, inventory.schema(), tgt, inventory, mapping);
      assertEquals(
          Verdict.PASS,
          review.verdict(),
          new String(review.files().get(ArtifactPaths.COMPATIBILITY_MD), StandardCharsets.UTF_8));

      TargetPreparer.Prepared prepared =
          new TargetPreparer(source, PG).prepare(src, tgt, mapping, id, CHUNK_ROWS);
      ChunkCopier copier = new ChunkCopier(source, PG);
      for (TablePlan plan : prepared.tables()) {
        TableMapping table = mapping.bySource(plan.sourceTable()).orElseThrow();
        for (ChunkRange range : plan.chunks()) {
          assertFalse(copier.copy(src, tgt, mapping, table, range, id, r -> {}).alreadyCommitted());
        }
      }
      new LoadFinisher(PG).finish(tgt, mapping, id, 1_700_000_000_000L);

      Validator validator = new Validator(source, PG);
      ValidationReport report = validator.report(src, tgt, mapping, id, 100, CHUNK_ROWS);
      assertEquals(Verdict.PASS, report.status(), report.toString());
      for (ValidationReport.TableValidation t : report.tables()) {
        assertEquals(t.sourceRows(), t.targetRows(), t.table());
        assertEquals(0, t.missing() + t.extra() + t.changed(), t.table());
      }

      // rental 1 was rented at 2005-05-24 22:53:30 Berlin summer time (UTC+2)
      assertEquals(
          "timestamp with time zone|2005-05-24 20:53:30|timestamp without time zone|2005-05-26"
              + " 22:04:30",
          one(
              tgt,
              "SELECT (SELECT data_type FROM information_schema.columns WHERE table_name = 'rental'"
                  + " AND column_name = 'rental_date') || '|' || (rental_date AT TIME ZONE 'UTC')"
                  + " || '|' || (SELECT data_type FROM information_schema.columns WHERE"
                  + " table_name = 'rental' AND column_name = 'return_date') || '|' || return_date"
                  + " FROM rental WHERE rental_id = 1"));
      assertEquals(
          "smallint|584|15",
          one(
              tgt,
              "SELECT (SELECT data_type FROM information_schema.columns WHERE table_name ="
                  + " 'customer' AND column_name = 'active') || '|' || count(*) FILTER (WHERE"
                  + " active = 1) || '|' || count(*) FILTER (WHERE active = 0) FROM customer"));
    }
  }

  private static String one(Connection c, String sql) throws Exception {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      assertTrue(rs.next(), sql);
      return rs.getString(1);
    }
  }
}
