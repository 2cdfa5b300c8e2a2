package io.migrationstudio.core.xengine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.migrationstudio.contracts.activity.ChunkRange;
import io.migrationstudio.contracts.activity.TablePlan;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.assess.InventoryService;
import io.migrationstudio.core.copy.ChunkCopier;
import io.migrationstudio.core.copy.TargetPreparer;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.dialect.postgres.PostgresDialect;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.MappingLoader;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.EvidenceMask;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.review.CompatibilityReport;
import io.migrationstudio.core.review.CompatibilityReviewer;
import io.migrationstudio.core.review.Finding;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.core.validate.ValidationReport;
import io.migrationstudio.core.validate.Validator;
import io.migrationstudio.testkit.MariaDbExtension;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import io.migrationstudio.testkit.TestMariaDb;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A MariaDB {@code utf8mb4} column can hold bytes that are not UTF-8 ({@code ED A0 80}, an encoded
 * surrogate, is stored as it is). The driver decodes them leniently to U+FFFD, so they used to
 * arrive changed with Migrate and Validation both PASS. Now the review counts them with their keys,
 * Migrate quarantines their rows, validation fails against a target holding U+FFFD, and a
 * null-aware transform is the explicit decision that lets them through as NULL.
 */
@ExtendWith({PostgresExtension.class, MariaDbExtension.class})
class InvalidUtf8MariaDbIT {
  /** The assertions read example keys and values; masking is FindingMaskingIT\'s. */
  private static final EvidenceMask PLAIN = EvidenceMask.plain(List.of("*"));

  private static final PostgresDialect PG = new PostgresDialect();

  private static final String MAPPING =
      """
      version: 1
      source_engine: mariadb
      source_schema: %s
      target_schema: public
      tables:
        - source: notes
          target: notes
          primary_key: [id]
          columns:
            - source: id
              target: id
              disposition: map
              source_type: int(11)
              type: integer
              nullable: false
            - source: body
              target: body
      %s
      """;

  private static final String MAPPED =
      """
                disposition: map
                source_type: varchar(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci
                type: character varying(20)
      """;

  private static final String DECIDED =
      """
                disposition: transform
                source_type: varchar(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci
                type: character varying(20)
                expression: "body == null ? null : body"
      """;

  private static void load(TestMariaDb maria) {
    maria.execute(
        "CREATE TABLE notes (id int PRIMARY KEY,"
            + " body varchar(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci)",
        // MariaDB stores the encoded surrogate ED A0 80 as it is, even in strict mode
        "INSERT INTO notes VALUES (1, 'ok ü'), (2, X'61EDA08062'), (3, X'EDA080'), (4, NULL),"
            + " (5, '😀')");
    assertEquals(2, maria.queryLong("SELECT count(*) FROM notes WHERE HEX(body) LIKE '%EDA080%'"));
  }

  private static MappingDocument mapping(TestMariaDb maria, Inventory inventory, String body) {
    String yaml = MAPPING.formatted(maria.name(), indent(body));
    return MappingLoader.load(yaml.getBytes(StandardCharsets.UTF_8), inventory);
  }

  private static String indent(String block) {
    return String.join(
        "\n", block.stripTrailing().lines().map(l -> "        " + l.strip()).toList());
  }

  private static String text(TestDatabase db, String sql) throws Exception {
    try (Connection c = db.connect();
        java.sql.Statement s = c.createStatement();
        java.sql.ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  @Test
  void invalidBytesAreFoundQuarantinedAndNeverValidated(TestMariaDb maria, TestDatabase target)
      throws Exception {
    load(maria);
    Dialect source = Dialects.forUrl(maria.jdbcUrl());
    try (Connection src = maria.connect();
        Connection tgt = target.connect()) {
      Inventory inventory = InventoryService.introspect(src, source, maria.name(), t -> true);
      MappingDocument mapping = mapping(maria, inventory, MAPPED);

      CompatibilityReport review =
          Json.read(
              new CompatibilityReviewer()
                  .review(src, source, maria.name(), null, inventory, mapping, PLAIN)
                  .files()
                  .get(ArtifactPaths.COMPATIBILITY_JSON),
              CompatibilityReport.class,
              "compatibility");
      Finding invalid = find(review, "body", "invalid_encoding");
      assertEquals(Finding.Level.FAIL, invalid.verdict(), Json.write(review));
      assertEquals(2L, invalid.count());
      assertEquals(List.of("2", "3"), invalid.examples());

      io.migrationstudio.contracts.MigrationException refused =
          org.junit.jupiter.api.Assertions.assertThrows(
              io.migrationstudio.contracts.MigrationException.class,
              () -> copy(source, src, tgt, mapping, "bad-utf8", 0));
      assertEquals(io.migrationstudio.contracts.ErrorCode.REJECT_LIMIT_EXCEEDED, refused.code());
      copy(source, src, tgt, mapping, "bad-utf8", 10);
      assertEquals(
          "1|ok ü,4|null,5|😀",
          text(
              target,
              "SELECT string_agg(id || '|' || coalesce(body, 'null'), ','"
                  + " ORDER BY id) FROM notes"));
      assertEquals(0, target.queryLong("SELECT count(*) FROM notes WHERE body LIKE '%\uFFFD%'"));
      assertEquals(
          "2,3",
          text(
              target,
              "SELECT string_agg(row_data::jsonb->>'id', ',' ORDER BY row_data::jsonb->>'id')"
                  + " FROM studio.rejects WHERE reason LIKE '%not valid UTF-8%'"));

      ValidationReport quarantined =
          new Validator(source, PG).report(src, tgt, mapping, "bad-utf8", 10, 100);
      assertNotEquals(Verdict.PASS, quarantined.status(), Json.write(quarantined));

      // a target holding what the lenient driver made of them (U+FFFD) is not the source
      target.execute(
          "INSERT INTO notes VALUES (2, 'a\uFFFDb'), (3, '\uFFFD')", "DELETE FROM studio.rejects");
      ValidationReport replaced =
          new Validator(source, PG).report(src, tgt, mapping, "bad-utf8", 10, 100);
      assertEquals(Verdict.FAIL, replaced.status(), Json.write(replaced));
    }
  }

  @Test
  void aNullAwareTransformIsTheExplicitDecision(TestMariaDb maria, TestDatabase target)
      throws Exception {
    load(maria);
    Dialect source = Dialects.forUrl(maria.jdbcUrl());
    try (Connection src = maria.connect();
        Connection tgt = target.connect()) {
      Inventory inventory = InventoryService.introspect(src, source, maria.name(), t -> true);
      MappingDocument mapping = mapping(maria, inventory, DECIDED);
      copy(source, src, tgt, mapping, "decided-utf8", 0);
      assertEquals(
          "1|ok ü,2|null,3|null,4|null,5|😀",
          text(
              target,
              "SELECT string_agg(id || '|' || coalesce(body, 'null'), ','"
                  + " ORDER BY id) FROM notes"));
      assertEquals(0, target.queryLong("SELECT count(*) FROM studio.rejects"));
      ValidationReport report =
          new Validator(source, PG).report(src, tgt, mapping, "decided-utf8", 10, 100);
      assertEquals(Verdict.PASS, report.status(), Json.write(report));
    }
  }

  private static void copy(
      Dialect source,
      Connection src,
      Connection tgt,
      MappingDocument mapping,
      String id,
      long rejectLimit)
      throws Exception {
    TargetPreparer.Prepared prepared =
        new TargetPreparer(source, PG).prepare(src, tgt, mapping, id, 100);
    ChunkCopier copier =
        new ChunkCopier(
            source,
            PG,
            io.migrationstudio.core.copy.TargetSchema.DEFAULT_STUDIO_SCHEMA,
            java.time.Clock.systemUTC(),
            io.migrationstudio.core.copy.CopyOptions.defaults().withRejectLimit(rejectLimit));
    for (TablePlan plan : prepared.tables()) {
      TableMapping table = mapping.bySource(plan.sourceTable()).orElseThrow();
      for (ChunkRange range : plan.chunks()) {
        copier.copy(src, tgt, mapping, table, range, id, r -> {});
      }
    }
  }

  private static Finding find(CompatibilityReport report, String column, String check) {
    return report.findings().stream()
        .filter(f -> column.equals(f.column()) && f.check().equals(check))
        .findFirst()
        .orElseThrow(
            () -> new AssertionError("no " + check + " for " + column + ": " + Json.write(report)));
  }
}
