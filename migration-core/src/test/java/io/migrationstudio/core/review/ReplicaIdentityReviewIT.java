package io.migrationstudio.core.review;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.spec.MigrateOptions;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.assess.InventoryService;
import io.migrationstudio.core.dialect.postgres.PostgresDialect;
import io.migrationstudio.core.mapping.Fixtures;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.MappingGenerator;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.EvidenceMask;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.report.StageOutput;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * With {@code migrate.strategy: online} a table needs a replica identity on the target (its primary
 * key, or a declared unique key of NOT NULL columns copied from the source); with {@code bulk} it
 * does not. The review's summary and report say what each strategy demands of the source's writes.
 */
@ExtendWith(PostgresExtension.class)
class ReplicaIdentityReviewIT {
  private static final PostgresDialect PG = new PostgresDialect();
  private static final MigrateOptions ONLINE = MigrateOptions.defaults().withStrategy("online");

  @Test
  void onlineRefusesATableWithoutAReplicaIdentityUnlessTheMappingDeclaresOne(TestDatabase src)
      throws Exception {
    try (Connection c = src.connect()) {
      try (Statement s = c.createStatement()) {
        s.execute("CREATE TABLE keyed (id int PRIMARY KEY, v text)");
        s.execute("CREATE TABLE loose (a int NOT NULL, b text)");
        s.execute("CREATE TABLE declared (code text NOT NULL, v text)");
        s.execute("CREATE TABLE nullable_key (code text, v text)");
        s.execute("INSERT INTO keyed VALUES (1, 'x')");
        s.execute("INSERT INTO loose VALUES (1, 'x')");
        s.execute("INSERT INTO declared VALUES ('a', 'x')");
        s.execute("INSERT INTO nullable_key VALUES ('a', 'x')");
      }
      Inventory inv = InventoryService.introspect(c, PG, "public", t -> true);
      String overrides =
          """
          tables:
            - source: declared
              unique_keys:
                - name: declared_code_key
                  columns: [code]
            - source: nullable_key
              unique_keys:
                - name: nullable_key_code_key
                  columns: [code]
          """;
      MappingDocument mapping =
          new MappingGenerator()
              .generate(inv, Fixtures.spec("identity", "o.yaml"), Json.bytes(overrides));

      StageOutput online = review(new CompatibilityReviewer(ONLINE), c, inv, mapping);
      assertEquals(Verdict.FAIL, online.verdict(), md(online));
      CompatibilityReport report = report(online);
      List<String> refused =
          report.findings().stream()
              .filter(f -> f.check().equals("no_replica_identity"))
              .map(Finding::table)
              .sorted()
              .toList();
      assertEquals(List.of("loose", "nullable_key"), refused, md(online));
      Finding loose =
          report.findings().stream()
              .filter(f -> f.check().equals("no_replica_identity") && f.table().equals("loose"))
              .findFirst()
              .orElseThrow();
      assertEquals(Finding.Level.FAIL, loose.verdict());
      assertTrue(loose.detail().contains("declares no unique key"), loose.detail());
      assertTrue(online.summary().contains("strategy online"), online.summary());
      assertTrue(online.summary().contains("max_lag PT5S"), online.summary());
      assertTrue(md(online).contains("**Source writes:** Strategy online"), md(online));

      StageOutput bulk = review(new CompatibilityReviewer(), c, inv, mapping);
      assertTrue(
          report(bulk).findings().stream().noneMatch(f -> f.check().equals("no_replica_identity")),
          md(bulk));
      assertTrue(
          bulk.summary().contains("stop writes to the source before approving"), bulk.summary());
    }
  }

  /**
   * With {@code cutover.rollback: reverse} the review also judges the way back: a transformed
   * column and a table without a key fail (the reverse stream would refuse them), a dropped column
   * is a warning; without it, no such finding.
   */
  @Test
  void reverseRollbackFlagsEveryMappingWithoutAnInverse(TestDatabase src) throws Exception {
    try (Connection c = src.connect()) {
      try (Statement s = c.createStatement()) {
        s.execute("CREATE TABLE straight (id int PRIMARY KEY, v text)");
        s.execute("CREATE TABLE shaped (id int PRIMARY KEY, email text, note text)");
        s.execute("CREATE TABLE keyless (a int NOT NULL, b text)");
        s.execute("INSERT INTO straight VALUES (1, 'x')");
        s.execute("INSERT INTO shaped VALUES (1, 'A@X', 'n')");
        s.execute("INSERT INTO keyless VALUES (1, 'x')");
      }
      Inventory inv = InventoryService.introspect(c, PG, "public", t -> true);
      String overrides =
          """
          tables:
            - source: shaped
              columns:
                - source: email
                  disposition: transform
                  expression: lower(email)
                - source: note
                  disposition: drop
                  reason: not needed
          """;
      MappingDocument mapping =
          new MappingGenerator()
              .generate(inv, Fixtures.spec("identity", "o.yaml"), Json.bytes(overrides));

      StageOutput reverse = review(new CompatibilityReviewer(ONLINE, true), c, inv, mapping);
      assertEquals(Verdict.FAIL, reverse.verdict(), md(reverse));
      List<String> flagged =
          report(reverse).findings().stream()
              .filter(f -> f.check().equals("not_invertible"))
              .map(f -> f.verdict() + " " + f.table() + "." + f.column())
              .sorted()
              .toList();
      assertEquals(
          List.of("FAIL keyless.null", "FAIL shaped.email", "WARNING shaped.note"),
          flagged,
          md(reverse));
      assertTrue(md(reverse).contains("not_invertible"), md(reverse));

      StageOutput none = review(new CompatibilityReviewer(ONLINE, false), c, inv, mapping);
      assertTrue(
          report(none).findings().stream().noneMatch(f -> f.check().equals("not_invertible")),
          md(none));
    }
  }

  private static StageOutput review(
      CompatibilityReviewer reviewer, Connection c, Inventory inv, MappingDocument mapping) {
    return reviewer.review(c, PG, "public", null, inv, mapping, EvidenceMask.plain(List.of("*")));
  }

  private static CompatibilityReport report(StageOutput out) {
    return Json.read(
        out.files().get(ArtifactPaths.COMPATIBILITY_JSON), CompatibilityReport.class, "c");
  }

  private static String md(StageOutput out) {
    return new String(out.files().get(ArtifactPaths.COMPATIBILITY_MD), StandardCharsets.UTF_8);
  }
}
