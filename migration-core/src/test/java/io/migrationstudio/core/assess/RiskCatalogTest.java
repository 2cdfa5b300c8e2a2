package io.migrationstudio.core.assess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.schema.Inventory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RiskCatalogTest {
  /** docs/ lives at the repository root; tests run in the module directory. */
  static final Path DOC = Path.of("..", "docs", "risk-checks.md");

  @Test
  void catalogueHasAtLeast25UniqueKebabCaseKeysWithOneLineDocs() {
    List<String> keys = RiskCatalog.keys();
    assertTrue(keys.size() >= 25, "only " + keys.size() + " checks");
    assertEquals(keys.size(), new HashSet<>(keys).size(), "duplicate keys " + keys);
    for (RiskCheck c : RiskCatalog.all()) {
      assertTrue(c.key().matches("[a-z0-9]+(-[a-z0-9]+)*"), c.key());
      assertTrue(!c.doc().isBlank() && !c.doc().contains("\n"), c.key());
      assertTrue(!c.mitigation().isBlank() && !c.mitigation().contains("\n"), c.key());
    }
    for (String required :
        List.of(
            "table-without-primary-key",
            "fk-cycle",
            "fk-self-reference",
            "large-table",
            "unsupported-type",
            "lob-column",
            "identifier-too-long",
            "reserved-word-identifier",
            "identifier-needs-quoting",
            "case-insensitive-unique-collision",
            "text-with-nul-bytes",
            "mysql-zero-dates",
            "mysql-unsigned-overflow",
            "enum-to-text",
            "set-column",
            "spatial-column-without-postgis",
            "fulltext-index",
            "trigger-needs-manual-port",
            "routine-needs-manual-port",
            "view-needs-rewrite",
            "materialized-view-refresh",
            "sequence-reset",
            "timezone-semantics",
            "float-precision",
            "generated-column",
            "check-constraint-port",
            "partitioned-table",
            "empty-scope",
            "no-approvers-for-external-gate",
            "target-not-empty",
            "collation-differences",
            "online-log-settings",
            "online-replication-privileges",
            "online-replication-capacity",
            "online-log-retention",
            "online-replica-identity",
            "online-snapshot-position")) {
      assertTrue(RiskCatalog.byKey(required).isPresent(), required);
    }
  }

  @Test
  void docsPageIsGeneratedFromTheCatalogue() throws IOException {
    String expected = RiskCatalog.markdown();
    String actual = Files.exists(DOC) ? Files.readString(DOC, StandardCharsets.UTF_8) : "";
    if (!expected.equals(actual)) {
      System.out.println("---- expected " + DOC.normalize() + " ----\n" + expected + "----");
    }
    assertEquals(
        expected,
        actual,
        "docs/risk-checks.md is out of date: replace it with the content printed above");
  }

  @Test
  void selectionRecordsEveryCheckAndRefusesUnknownKeys() {
    Inventory inv = RiskAnalyzerTest.inventory(List.of(), null, null);
    RiskContext ctx = RiskContext.of(inv, RiskAnalyzerTest.PG_TO_PG);

    RiskReport only = RiskAnalyzer.report(ctx, Set.of("empty-scope", "fk-cycle"), Set.of());
    assertEquals(RiskCatalog.keys(), only.checks().stream().map(CheckRun::key).toList());
    assertEquals(
        Set.of("empty-scope", "fk-cycle"),
        only.checks().stream()
            .filter(c -> c.status() == CheckRun.Status.RAN)
            .map(CheckRun::key)
            .collect(java.util.stream.Collectors.toSet()));
    assertEquals(1, only.risks().size());

    RiskReport skipped = RiskAnalyzer.report(ctx, Set.of(), Set.of("empty-scope"));
    assertTrue(skipped.risks().isEmpty());
    assertEquals(io.migrationstudio.contracts.workflow.Verdict.PASS, skipped.verdict());
    CheckRun empty = skipped.checks().get(RiskCatalog.keys().indexOf("empty-scope"));
    assertEquals(CheckRun.Status.NOT_SELECTED, empty.status());
    assertEquals("listed in assessment.skip_checks", empty.reason());

    MigrationException e =
        assertThrows(
            MigrationException.class,
            () -> RiskAnalyzer.report(ctx, Set.of("fk-cycle", "no-such-check"), Set.of()));
    assertEquals(ErrorCode.INVALID_SPEC, e.code());
    assertTrue(e.getMessage().contains("[no-such-check]"), e.getMessage());
  }

  @Test
  void withoutDatabaseAccessDataChecksWithCandidatesAreSkippedWithTheReason() {
    Inventory inv =
        RiskAnalyzerTest.inventory(
            List.of(
                RiskAnalyzerTest.table(
                    "users",
                    RiskAnalyzerTest.pk("users"),
                    null,
                    null,
                    1,
                    1,
                    RiskAnalyzerTest.col(
                        "id", io.migrationstudio.core.schema.CanonicalType.TEXT, false))),
            null,
            null);
    RiskReport report =
        RiskAnalyzer.report(RiskContext.of(inv, RiskAnalyzerTest.PG_TO_PG), Set.of(), Set.of());
    for (String key :
        List.of("case-insensitive-unique-collision", "text-with-nul-bytes", "target-not-empty")) {
      CheckRun run = report.checks().get(RiskCatalog.keys().indexOf(key));
      assertEquals(CheckRun.Status.SKIPPED, run.status(), key);
      assertTrue(run.reason().contains(RiskContext.NO_DATABASE_ACCESS), run.reason());
    }
    CheckRun zero = report.checks().get(RiskCatalog.keys().indexOf("mysql-zero-dates"));
    assertEquals(CheckRun.Status.RAN, zero.status(), "no date column: nothing to probe");
    String json = new String(Json.bytes(Json.write(report)), StandardCharsets.UTF_8);
    assertTrue(json.contains("\"status\" : \"skipped\""), json);
    RiskReport back = Json.read(json.getBytes(StandardCharsets.UTF_8), RiskReport.class, "r");
    assertEquals(report, back);
    assertTrue(ArtifactPaths.RISKS_JSON.endsWith("risks.json"));
  }
}
