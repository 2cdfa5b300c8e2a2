package io.migrationstudio.core.xengine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.assess.InventoryService;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.mapping.MappingLoader;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.EvidenceMask;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.review.CompatibilityReport;
import io.migrationstudio.core.review.CompatibilityReviewer;
import io.migrationstudio.core.review.Finding;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.testkit.MariaDbExtension;
import io.migrationstudio.testkit.TestMariaDb;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Duplicates under a changed or new unique key, measured on real MariaDB rows: a {@code
 * utf8mb4_bin} unique column holding {@code abc} and {@code ABC} is unique on the source, but
 * mapped with {@code lower(login)} it would collide on the target; a unique key new in mapping.yaml
 * (over {@code lower(email)}) is measured too, and a key the source already guarantees is not.
 */
@ExtendWith(MariaDbExtension.class)
class KeyReviewMariaDbIT {
  /** The assertions read example keys; masking is FindingMaskingIT\'s. */
  private static final EvidenceMask PLAIN = EvidenceMask.plain(List.of("*"));

  @Test
  void aLowerTransformAndANewKeyAreMeasuredForDuplicates(TestMariaDb maria) throws Exception {
    maria.execute(
        "CREATE TABLE users (id int PRIMARY KEY,"
            + " login varchar(20) COLLATE utf8mb4_bin NOT NULL UNIQUE,"
            + " email varchar(50) NOT NULL, nick varchar(20) NOT NULL UNIQUE)",
        "INSERT INTO users VALUES (1, 'abc', 'a@x.org', 'n1'), (2, 'ABC', 'b@x.org', 'n2'),"
            + " (3, 'Def', 'A@X.org', 'n3'), (4, 'def', 'c@x.org', 'n4'),"
            + " (5, 'aBc', 'd@x.org', 'n5'), (6, 'ghi', 'e@x.org', 'n6')");
    Dialect source = Dialects.forUrl(maria.jdbcUrl());
    String yaml =
        """
        version: 1
        source_engine: mariadb
        source_schema: %s
        target_schema: public
        tables:
          - source: users
            target: users
            primary_key: [id]
            unique_keys:
              - name: users_login_key
                columns: [login]
              - name: users_email_key
                columns: [email]
              - name: users_nick_key
                columns: [nick]
            columns:
              - source: id
                target: id
                disposition: map
                source_type: int(11)
                type: integer
                nullable: false
              - source: login
                target: login
                disposition: transform
                source_type: varchar(20)
                type: character varying(20)
                nullable: false
                expression: lower(login)
              - source: email
                target: email
                disposition: transform
                source_type: varchar(50)
                type: character varying(50)
                nullable: false
                expression: lower(email)
              - source: nick
                target: nick
                disposition: map
                source_type: varchar(20)
                type: character varying(20)
                nullable: false
        """
            .formatted(maria.name());
    try (Connection src = maria.connect()) {
      Inventory inventory = InventoryService.introspect(src, source, maria.name(), t -> true);
      CompatibilityReport report =
          Json.read(
              new CompatibilityReviewer()
                  .review(
                      src,
                      source,
                      maria.name(),
                      null,
                      inventory,
                      MappingLoader.load(yaml.getBytes(StandardCharsets.UTF_8), inventory),
                      PLAIN)
                  .files()
                  .get(ArtifactPaths.COMPATIBILITY_JSON),
              CompatibilityReport.class,
              "c");
      Finding login = find(report, "login");
      assertEquals(Finding.Level.FAIL, login.verdict());
      assertEquals(3L, login.count(), "ABC, def and aBc repeat an earlier lower-cased login");
      assertEquals(
          List.of(
              "2 (same target key as 1)", "4 (same target key as 3)", "5 (same target key as 1)"),
          login.examples());
      Finding email = find(report, "email");
      assertEquals(Finding.Level.FAIL, email.verdict());
      assertEquals(1L, email.count());
      assertEquals(List.of("3 (same target key as 1)"), email.examples());
      assertTrue(email.detail().contains("no unique key"), email.detail());
      assertTrue(
          report.findings().stream()
              .noneMatch(f -> f.check().equals("duplicate_key") && "nick".equals(f.column())),
          "a key the source guarantees and the mapping keeps as it is is not re-measured");
      assertTrue(
          report.findings().stream()
              .noneMatch(f -> f.check().equals("duplicate_key") && "id".equals(f.column())));
      assertEquals(Verdict.FAIL, report.verdict());

      // a case-sensitive target key over the same data: no duplicate, the review passes there
      String exact = yaml.replace("expression: lower(login)", "expression: login");
      exact = exact.replace("expression: lower(email)", "expression: email");
      CompatibilityReport clean =
          Json.read(
              new CompatibilityReviewer()
                  .review(
                      src,
                      source,
                      maria.name(),
                      null,
                      inventory,
                      MappingLoader.load(exact.getBytes(StandardCharsets.UTF_8), inventory),
                      PLAIN)
                  .files()
                  .get(ArtifactPaths.COMPATIBILITY_JSON),
              CompatibilityReport.class,
              "c");
      assertEquals(Finding.Level.OK, find(clean, "login").verdict());
      assertEquals(0L, find(clean, "login").count());
      assertEquals(Finding.Level.OK, find(clean, "email").verdict());
      assertEquals(Verdict.PASS, clean.verdict(), Json.write(clean));
    }
  }

  private static Finding find(CompatibilityReport report, String column) {
    return report.findings().stream()
        .filter(f -> column.equals(f.column()) && f.check().equals("duplicate_key"))
        .findFirst()
        .orElseThrow(
            () -> new AssertionError("no duplicate_key for " + column + Json.write(report)));
  }
}
