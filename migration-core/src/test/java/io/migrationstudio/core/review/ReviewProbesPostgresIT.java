package io.migrationstudio.core.review;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.assess.InventoryService;
import io.migrationstudio.core.dialect.postgres.PostgresDialect;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.MappingLoader;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.EvidenceMask;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.core.schema.TableInfo;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The review's row and key probes on a PostgreSQL source (whose streaming cursor needs a
 * transaction): a lower() key over case-sensitive text, counted exactly however many passes the key
 * memory bound forces, and a PostgreSQL enum read through a value map.
 */
@ExtendWith(PostgresExtension.class)
class ReviewProbesPostgresIT {
  private static final PostgresDialect PG = new PostgresDialect();

  private static final String YAML =
      """
      version: 1
      source_engine: postgresql
      source_schema: public
      target_schema: public
      tables:
        - source: people
          target: people
          primary_key: [id]
          unique_keys:
            - name: people_login_key
              columns: [login]
          columns:
            - source: id
              target: id
              disposition: map
              source_type: integer
              type: integer
              nullable: false
            - source: login
              target: login
              disposition: transform
              source_type: text
              type: text
              nullable: false
              expression: lower(login)
            - source: mood
              target: mood
              disposition: cast
              source_type: mood
              type: smallint
              values: {'sad': 1, 'ok': 2}
      """;

  @Test
  void keysAreCountedExactlyAcrossPassesAndAnEnumGoesThroughItsValueMap(TestDatabase db)
      throws Exception {
    db.execute(
        "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')",
        "CREATE TABLE people (id int PRIMARY KEY, login text NOT NULL UNIQUE, mood mood)",
        "INSERT INTO people SELECT g, 'user' || g, 'ok' FROM generate_series(1, 40) g",
        "INSERT INTO people VALUES (41, 'USER1', 'sad'), (42, 'User2', 'happy'),"
            + " (43, 'uSeR1', NULL)");
    try (Connection src = db.connect()) {
      Inventory inv = InventoryService.introspect(src, PG, "public", t -> true);
      MappingDocument mapping = MappingLoader.load(Json.bytes(YAML), inv);
      TableMapping table = mapping.tables().get(0);
      TableInfo info = inv.table("people").orElseThrow();
      List<KeyProbe.Key> keys = KeyProbe.keys(table, info);
      assertEquals(List.of("login"), keys.stream().flatMap(k -> k.columns().stream()).toList());
      for (int bound : List.of(KeyProbe.KEYS_IN_MEMORY, 7, 1)) {
        List<Finding> found = KeyProbe.run(src, PG, PG, mapping, table, info, keys, bound);
        assertEquals(1, found.size());
        assertEquals(3L, found.get(0).count(), "bound " + bound);
        assertEquals(Finding.Level.FAIL, found.get(0).verdict());
        assertTrue(src.getAutoCommit(), "the connection's auto-commit is restored");
      }
      assertEquals(
          List.of(
              "41 (same target key as 1)",
              "42 (same target key as 2)",
              "43 (same target key as 1)"),
          KeyProbe.run(
                  src,
                  PG,
                  PG,
                  mapping,
                  table,
                  info,
                  keys,
                  KeyProbe.KEYS_IN_MEMORY,
                  EvidenceMask.plain(List.of("*")))
              .get(0)
              .examples());
      assertEquals(
          List.of(
              "## (same target key as #)",
              "## (same target key as #)",
              "## (same target key as #)"),
          KeyProbe.run(src, PG, PG, mapping, table, info, keys).get(0).examples(),
          "masked by default: the keys' shapes");

      CompatibilityReport report =
          Json.read(
              new CompatibilityReviewer()
                  // the assertions read the values; masking is FindingMaskingIT's
                  .review(src, PG, "public", null, inv, mapping, EvidenceMask.plain(List.of("*")))
                  .files()
                  .get(ArtifactPaths.COMPATIBILITY_JSON),
              CompatibilityReport.class,
              "c");
      Finding mood =
          report.findings().stream()
              .filter(f -> "mood".equals(f.column()) && f.check().equals("values_outside_enum"))
              .findFirst()
              .orElseThrow(() -> new AssertionError(Json.write(report)));
      assertEquals(Finding.Level.FAIL, mood.verdict());
      assertEquals(1L, mood.count());
      assertEquals(List.of("42"), mood.examples());
      assertTrue(mood.detail().contains("'happy'"), mood.detail());
      assertEquals(Verdict.FAIL, report.verdict());
      String dryRun =
          new String(
              new CompatibilityReviewer()
                  // the assertion reads the rendered values; masking is DryRunMaskingIT's
                  .review(src, PG, "public", null, inv, mapping, EvidenceMask.plain(List.of("*")))
                  .files()
                  .get(ArtifactPaths.DRY_RUN_MD),
              java.nio.charset.StandardCharsets.UTF_8);
      assertTrue(dryRun.contains("| 1 | user1 | 2 |"), dryRun);
    }
  }
}
