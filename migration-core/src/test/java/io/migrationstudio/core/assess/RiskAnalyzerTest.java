package io.migrationstudio.core.assess;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.spec.Approvers;
import io.migrationstudio.contracts.spec.ConnectionSpec;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.report.StageOutput;
import io.migrationstudio.core.schema.CanonicalType;
import io.migrationstudio.core.schema.Column;
import io.migrationstudio.core.schema.ForeignKey;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.core.schema.KeyConstraint;
import io.migrationstudio.core.schema.SequenceInfo;
import io.migrationstudio.core.schema.TableInfo;
import io.migrationstudio.core.schema.ViewInfo;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RiskAnalyzerTest {
  private final RiskAnalyzer analyzer = new RiskAnalyzer();

  static MigrationSpec spec(String targetUrl) {
    return new MigrationSpec(
        "risks",
        null,
        new ConnectionSpec("jdbc:postgresql://src/db", "u", null, null),
        new ConnectionSpec(targetUrl, "u", null, null),
        null,
        null,
        null,
        null,
        null,
        null,
        new Approvers(Map.of("default", List.of("alice"), "cutover", List.of("carol"))),
        null);
  }

  static final MigrationSpec PG_TO_PG = spec("jdbc:postgresql://dst/db");

  static Column col(String name, CanonicalType type, boolean nullable) {
    return Column.builder(name, type.name().toLowerCase(), type)
        .position(1)
        .nullable(nullable)
        .build();
  }

  static TableInfo table(
      String name,
      KeyConstraint pk,
      List<KeyConstraint> uniques,
      List<ForeignKey> fks,
      long rows,
      long bytes,
      Column... columns) {
    return new TableInfo(
        "public",
        name,
        List.of(columns),
        pk,
        uniques,
        fks,
        null,
        null,
        rows,
        bytes,
        null,
        List.of(),
        null,
        List.of(),
        false,
        null,
        null);
  }

  static Inventory inventory(
      List<TableInfo> tables, List<ViewInfo> views, List<SequenceInfo> seqs) {
    return new Inventory("postgresql", "17.7", "db", "public", tables, views, seqs, null, null);
  }

  static ForeignKey fk(String name, String ref) {
    return new ForeignKey(name, List.of("ref_id"), ref, List.of("id"), null, null);
  }

  static KeyConstraint pk(String table) {
    return new KeyConstraint(table + "_pkey", List.of("id"));
  }

  private static List<String> ids(List<Risk> risks) {
    return risks.stream().map(Risk::id).toList();
  }

  @Test
  void cleanSchemaHasNoRisksAndPasses() {
    Inventory inv =
        inventory(
            List.of(
                table(
                    "album",
                    pk("album"),
                    null,
                    List.of(fk("album_artist", "artist")),
                    10,
                    8192,
                    col("id", CanonicalType.INTEGER, false)),
                table(
                    "artist",
                    pk("artist"),
                    null,
                    null,
                    5,
                    8192,
                    col("id", CanonicalType.INTEGER, false))),
            null,
            null);
    StageOutput out = analyzer.analyze(inv, PG_TO_PG);
    assertEquals(Verdict.PASS, out.verdict());
    assertTrue(analyzer.risks(inv, PG_TO_PG).isEmpty());
    assertTrue(
        new String(out.files().get(ArtifactPaths.RISKS_MD), StandardCharsets.UTF_8)
            .contains("No risk found."));
  }

  @Test
  void missingPrimaryKeyDependsOnUsableUniqueKeyAndSize() {
    Column id = col("id", CanonicalType.INTEGER, false);
    Column maybe = col("maybe", CanonicalType.INTEGER, true);
    Inventory inv =
        inventory(
            List.of(
                table("heap", null, null, null, 5, 8192, id),
                table("huge_heap", null, null, null, RiskAnalyzer.LARGE_TABLE_ROWS, 1, id),
                table(
                    "nullable_unique",
                    null,
                    List.of(new KeyConstraint("u1", List.of("maybe"))),
                    null,
                    5,
                    8192,
                    maybe),
                table(
                    "unique_ok",
                    null,
                    List.of(new KeyConstraint("u2", List.of("id"))),
                    null,
                    5,
                    8192,
                    id)),
            null,
            null);
    List<Risk> risks = analyzer.risks(inv, PG_TO_PG);
    assertEquals(
        List.of(
            "table-without-primary-key/huge_heap",
            "large-table/huge_heap",
            "table-without-primary-key/heap",
            "table-without-primary-key/nullable_unique",
            "table-without-primary-key/unique_ok"),
        ids(risks));
    assertEquals(Risk.Severity.HIGH, risks.get(0).severity());
    assertEquals(Risk.Severity.MEDIUM, risks.get(2).severity());
    assertEquals(Risk.Severity.LOW, risks.get(4).severity());
    assertEquals(Risk.Category.DATA_LOSS, risks.get(0).category());
  }

  @Test
  void largeTableThresholdsAreInclusive() {
    Column id = col("id", CanonicalType.INTEGER, false);
    Inventory inv =
        inventory(
            List.of(
                table("by_bytes", pk("b"), null, null, 1, RiskAnalyzer.LARGE_TABLE_BYTES, id),
                table("by_rows", pk("r"), null, null, RiskAnalyzer.LARGE_TABLE_ROWS, 1, id),
                table(
                    "just_below",
                    pk("j"),
                    null,
                    null,
                    RiskAnalyzer.LARGE_TABLE_ROWS - 1,
                    RiskAnalyzer.LARGE_TABLE_BYTES - 1,
                    id)),
            null,
            null);
    assertEquals(
        List.of("large-table/by_bytes", "large-table/by_rows"), ids(analyzer.risks(inv, PG_TO_PG)));
  }

  /**
   * Sakila's {@code address.location} (geometry) decided by a spec type rule: the review of the
   * rule's type is Mapping's; the assessment does not fail on a column the spec already decided.
   */
  @Test
  void unsupportedTypeDecidedByATypeRuleIsMediumAndDoesNotFailTheAssessment() {
    Column location =
        Column.builder("location", "geometry", CanonicalType.UNSUPPORTED).position(2).build();
    Inventory inv =
        new Inventory(
            "mariadb",
            "11.4.5",
            "sakila",
            "sakila",
            List.of(
                table(
                    "address",
                    pk("address"),
                    null,
                    null,
                    603,
                    98304,
                    col("address_id", CanonicalType.INTEGER, false),
                    location)),
            null,
            null,
            null,
            null);
    MigrationSpec toPg = spec("jdbc:postgresql://dst/db");
    MigrationSpec ruled =
        new MigrationSpec(
            toPg.id(),
            toPg.title(),
            new ConnectionSpec("jdbc:mariadb://src:3306/db", "u", null, null),
            toPg.target(),
            toPg.scope(),
            new io.migrationstudio.contracts.spec.MappingOptions(
                "snake_case",
                null,
                List.of(
                    new io.migrationstudio.contracts.spec.TypeRule(
                        new io.migrationstudio.contracts.spec.TypeRule.Match("int", null, null),
                        "bigint",
                        null,
                        null),
                    new io.migrationstudio.contracts.spec.TypeRule(
                        new io.migrationstudio.contracts.spec.TypeRule.Match(
                            "geometry", null, null),
                        "bytea",
                        null,
                        "no PostGIS"))),
            toPg.migrate(),
            toPg.validation(),
            toPg.cutover(),
            toPg.reviews(),
            toPg.approvers(),
            toPg.assessment());
    List<Risk> risks = analyzer.risks(inv, ruled);
    Risk decided =
        risks.stream()
            .filter(r -> r.id().startsWith("unsupported-type/"))
            .findFirst()
            .orElseThrow();
    assertEquals(Risk.Severity.MEDIUM, decided.severity());
    assertTrue(decided.detail().contains("mapping.type_rules[1]"), decided.detail());
    assertTrue(decided.detail().contains("bytea"), decided.detail());
    assertEquals(Verdict.PASS, analyzer.analyze(inv, ruled).verdict());
  }

  /**
   * The same column decided by the spec's overrides file (the remedy the critical risk names): a
   * drop is low, a retype medium, neither fails the assessment; an override of another column does
   * not count.
   */
  @Test
  void unsupportedTypeDecidedByTheOverridesFileDoesNotFailTheAssessment(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    Inventory inv =
        new Inventory(
            "mariadb",
            "11.4.5",
            "sakila",
            "sakila",
            List.of(
                table(
                    "address",
                    pk("address"),
                    null,
                    null,
                    603,
                    98304,
                    col("address_id", CanonicalType.INTEGER, false),
                    Column.builder("location", "geometry", CanonicalType.UNSUPPORTED)
                        .position(2)
                        .build())),
            null,
            null,
            null,
            null);
    Map<String, Risk.Severity> expected =
        Map.of(
            "    - {source: location, disposition: drop, reason: unused}",
            Risk.Severity.LOW,
            "    - {source: location, type: bytea}",
            Risk.Severity.MEDIUM,
            "    - {source: address_id, type: bigint}",
            Risk.Severity.CRITICAL);
    for (Map.Entry<String, Risk.Severity> e : expected.entrySet()) {
      java.nio.file.Path file = dir.resolve("overrides-" + e.getValue() + ".yaml");
      java.nio.file.Files.writeString(
          file, "tables:\n  - source: address\n    columns:\n" + e.getKey() + "\n");
      MigrationSpec toPg = spec("jdbc:postgresql://dst/db");
      MigrationSpec overridden =
          new MigrationSpec(
              toPg.id(),
              toPg.title(),
              new ConnectionSpec("jdbc:mariadb://src:3306/db", "u", null, null),
              toPg.target(),
              toPg.scope(),
              new io.migrationstudio.contracts.spec.MappingOptions("snake_case", file.toString()),
              toPg.migrate(),
              toPg.validation(),
              toPg.cutover(),
              toPg.reviews(),
              toPg.approvers(),
              toPg.assessment());
      Risk risk =
          analyzer.risks(inv, overridden).stream()
              .filter(r -> r.id().startsWith("unsupported-type/"))
              .findFirst()
              .orElseThrow();
      assertEquals(e.getValue(), risk.severity(), e.getKey() + ": " + risk.detail());
      assertEquals(
          e.getValue() == Risk.Severity.CRITICAL ? Verdict.FAIL : Verdict.PASS,
          analyzer.analyze(inv, overridden).verdict(),
          e.getKey());
      if (e.getValue() != Risk.Severity.CRITICAL) {
        assertTrue(risk.detail().contains(file.toString()), risk.detail());
      }
    }
  }

  @Test
  void unsupportedTypeIsLowForSameEngineAndCriticalAcrossEngines() {
    Column ip =
        Column.builder("ip", "inet", CanonicalType.UNSUPPORTED).position(2).nullable(true).build();
    Inventory inv =
        inventory(
            List.of(
                table(
                    "hosts",
                    pk("hosts"),
                    null,
                    null,
                    3,
                    8192,
                    col("id", CanonicalType.INTEGER, false),
                    ip)),
            null,
            null);
    List<Risk> same = analyzer.risks(inv, PG_TO_PG);
    assertEquals(List.of("unsupported-type/hosts.ip"), ids(same));
    assertEquals(Risk.Severity.LOW, same.get(0).severity());
    assertTrue(same.get(0).detail().contains("text form"));
    assertEquals(Verdict.PASS, analyzer.analyze(inv, PG_TO_PG).verdict());

    MigrationSpec toMaria = spec("jdbc:mariadb://dst:3306/db");
    List<Risk> cross = analyzer.risks(inv, toMaria);
    assertEquals(Risk.Severity.CRITICAL, cross.get(0).severity());
    StageOutput out = analyzer.analyze(inv, toMaria);
    assertEquals(Verdict.FAIL, out.verdict());
    RiskReport report = Json.read(out.files().get(ArtifactPaths.RISKS_JSON), RiskReport.class, "r");
    assertEquals(Verdict.FAIL, report.verdict());
    assertEquals(1, report.counts().get("critical"));
    String json = new String(out.files().get(ArtifactPaths.RISKS_JSON), StandardCharsets.UTF_8);
    assertTrue(json.contains("\"severity\" : \"critical\""), json);
    assertTrue(json.contains("\"category\" : \"data-loss\""), json);
  }

  @Test
  void cyclesSelfReferencesViewsSequencesAndIdentifiers() {
    Column id = col("id", CanonicalType.INTEGER, false);
    Inventory inv =
        inventory(
            List.of(
                table("a", pk("a"), null, List.of(fk("a_b", "b")), 1, 1, id),
                table("b", pk("b"), null, List.of(fk("b_c", "c")), 1, 1, id),
                table("c", pk("c"), null, List.of(fk("c_a", "a")), 1, 1, id),
                table("employee", pk("e"), null, List.of(fk("reports_to", "employee")), 1, 1, id),
                table(
                    "Order Items",
                    pk("o"),
                    null,
                    null,
                    1,
                    1,
                    id,
                    col("select", CanonicalType.TEXT, true),
                    col("naïve \"quoted\"", CanonicalType.TEXT, true))),
            List.of(
                new ViewInfo("public", "top_albums", false, "SELECT 1"),
                new ViewInfo("public", "stats", true, "SELECT 2")),
            List.of(new SequenceInfo("public", "a_id_seq", "a", "id", 7L)));
    List<Risk> risks = analyzer.risks(inv, PG_TO_PG);
    assertEquals(
        List.of(
            "fk-cycle/a",
            "materialized-view-refresh/stats",
            "sequence-reset/a_id_seq",
            "view-not-migrated/stats",
            "view-not-migrated/top_albums",
            "fk-self-reference/employee.reports_to",
            "identifier-needs-quoting/Order Items",
            "lob-column/Order Items.naïve \"quoted\"",
            "reserved-word-identifier/Order Items.select"),
        ids(risks));
    Risk cycle = risks.get(0);
    assertEquals(List.of("a", "b", "c"), cycle.objects());
    assertTrue(cycle.detail().contains("a.a_b -> b"), cycle.detail());
    assertEquals(List.of("Order Items", "Order Items.naïve \"quoted\""), risks.get(6).objects());
    assertEquals(List.of("Order Items.select"), risks.get(8).objects());
    assertTrue(risks.get(3).mitigation().contains("REFRESH"));
  }

  @Test
  void emptyScopeIsCritical() {
    StageOutput out = analyzer.analyze(inventory(List.of(), null, null), PG_TO_PG);
    assertEquals(Verdict.FAIL, out.verdict());
    assertTrue(out.summary().startsWith("FAIL: 1 risks (1 critical"), out.summary());
  }

  @Test
  void outputIsByteStableAndIndependentOfInputOrder() {
    Column id = col("id", CanonicalType.INTEGER, false);
    List<TableInfo> tables = new ArrayList<>();
    for (String n : List.of("zeta", "Alpha", "mid")) {
      tables.add(table(n, null, null, null, 1, 1, id));
    }
    StageOutput one = analyzer.analyze(inventory(tables, null, null), PG_TO_PG);
    List<TableInfo> reversed = new ArrayList<>(tables);
    java.util.Collections.reverse(reversed);
    StageOutput two = analyzer.analyze(inventory(reversed, null, null), PG_TO_PG);
    for (String path : one.files().keySet()) {
      assertArrayEquals(one.files().get(path), two.files().get(path), path);
    }
    assertTrue(
        new String(one.files().get(ArtifactPaths.RISKS_JSON), StandardCharsets.UTF_8)
            .endsWith("\n"));
  }

  @Test
  void riskKeysMustBeKebabCase() {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            Risk.of(
                "Bad Key",
                Risk.Category.OPERATIONAL,
                Risk.Severity.LOW,
                Risk.Likelihood.LOW,
                "t",
                List.of(),
                "",
                "m"));
  }
}
