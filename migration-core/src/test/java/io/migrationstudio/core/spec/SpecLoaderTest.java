package io.migrationstudio.core.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.spec.GateMode;
import io.migrationstudio.contracts.spec.MigrationSpec;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SpecLoaderTest {
  /** DESIGN §5, with a PostgreSQL source (the dialect this module ships) and secret references. */
  static final String FULL =
      """
      id: chinook-to-pg                 # [a-z0-9-]+, unique
      title: Move Chinook from PostgreSQL 13 to PostgreSQL 17
      source: { url: "jdbc:postgresql://127.0.0.1:5433/Chinook", user: root, password: "${env:SRC_PW}" }
      target: { url: "jdbc:postgresql://127.0.0.1:5432/chinook", user: postgres, password: "${file:/run/secrets/dst}" }
      scope: { include: ["*"], exclude: [] }
      mapping: { naming: snake_case, overrides: null }
      migrate: { strategy: bulk, parallelism: 4, chunk_rows: 50000, reject_limit: 0, dry_run: false }
      validation: { sample_rows: 1000, queries: [], latency_tolerance: 0.10 }
      cutover: { window: null, rto: PT15M, freeze: source-read-only, switch: { type: none } }
      reviews: { assessment: auto, mapping: ask, migrate: ask, validation: ask, cutover: external }
      approvers: { default: [], mapping: [], cutover: [] }
      """;

  @Test
  void assessmentChecksAreSelectedByKnownKeysOnly() {
    MigrationSpec ok =
        SpecLoader.parse(
            FULL + "assessment: { checks: [fk-cycle, large-table], skip_checks: [lob-column] }\n");
    assertEquals(java.util.List.of("fk-cycle", "large-table"), ok.assessment().checks());
    assertEquals(java.util.List.of("lob-column"), ok.assessment().skipChecks());
    SpecException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            SpecException.class,
            () -> SpecLoader.parse(FULL + "assessment: { skip_checks: [no-such-check] }\n"));
    assertEquals("assessment.skip_checks", e.problems().get(0).key());
  }

  @Test
  void theDesignExampleIsValid() {
    MigrationSpec spec = SpecLoader.parse(FULL);
    assertEquals("chinook-to-pg", spec.id());
    assertEquals("${env:SRC_PW}", spec.source().password());
    assertEquals("snake_case", spec.mapping().naming());
    assertEquals(50_000, spec.migrate().chunkRows());
    assertEquals(0.10, spec.validation().latencyTolerance());
    assertEquals("PT15M", spec.cutover().rto());
    assertEquals("PT24H", spec.cutover().maxValidationAge(), "default max_validation_age");
    assertEquals(
        "PT2H",
        SpecLoader.parse(FULL.replace("rto: PT15M,", "rto: PT15M, max_validation_age: PT2H,"))
            .cutover()
            .maxValidationAge());
    assertEquals("none", spec.cutover().switchTo().type());
    assertFalse(spec.validation().repair(), "nothing is repaired unless asked");
    assertTrue(
        SpecLoader.parse(
                FULL.replace("latency_tolerance: 0.10", "latency_tolerance: 0.10, repair: true"))
            .validation()
            .repair());
    assertEquals(GateMode.EXTERNAL, spec.reviews().cutover());
    assertEquals(List.of(), spec.approvers().forStage(Stage.CUTOVER));
  }

  @Test
  void jsonAndYamlGiveTheSameSpecAndRenderRoundTrips() {
    MigrationSpec yaml = SpecLoader.parse(FULL);
    String json =
        "{\n\t\"id\": \"chinook-to-pg\",\n\t\"title\": \"Move Chinook from PostgreSQL 13 to"
            + " PostgreSQL 17\",\n"
            + "\t\"source\": {\"url\": \"jdbc:postgresql://127.0.0.1:5433/Chinook\", \"user\":"
            + " \"root\", \"password\": \"${env:SRC_PW}\"},\n"
            + "\t\"target\": {\"url\": \"jdbc:postgresql://127.0.0.1:5432/chinook\", \"user\":"
            + " \"postgres\", \"password\": \"${file:/run/secrets/dst}\"},\n"
            + "\t\"mapping\": {\"naming\": \"snake_case\"},\n"
            + "\t\"approvers\": {\"default\": [], \"mapping\": [], \"cutover\": []}\n}";
    assertEquals(yaml, SpecLoader.parse(json));
    String rendered = SpecLoader.render(yaml);
    assertEquals(yaml, SpecLoader.parse(rendered));
    assertEquals(rendered, SpecLoader.render(SpecLoader.parse(rendered)), "byte-stable");
    assertTrue(rendered.endsWith("\n"));
  }

  @Test
  void everyProblemIsListedWithKeyValueAndRule() {
    String text =
        """
        id: Chinook_PG
        colour: blue
        source: { url: "mysql://db/x", user: root, password: hunter2 }
        scope: { include: "*" }
        mapping: { naming: camelCase }
        migrate: { strategy: cdc, parallelism: 0, chunk_rows: 20000000, reject_limit: -1, dry_run: maybe, chunk_size: 5 }
        validation: { sample_rows: -5, latency_tolerance: -0.1, queries: [ { name: q1 } ], repair: sometimes }
        cutover: { window: tomorrow, rto: 15 minutes, freeze: partial, switch: { type: config-file }, max_validation_age: a day }
        reviews: { mapping: sometimes, deploy: ask }
        approvers: { default: [alice], cutover: bob, ops: [carol] }
        """;
    SpecException e = assertThrows(SpecException.class, () -> SpecLoader.parse(text));
    assertEquals(ErrorCode.INVALID_SPEC, e.code());
    Set<String> keys =
        e.problems().stream().map(SpecProblem::key).collect(Collectors.toCollection(TreeSet::new));
    assertEquals(
        new TreeSet<>(
            List.of(
                "id",
                "colour",
                "source.url",
                "source.password",
                "target.url",
                "scope.include",
                "mapping.naming",
                "migrate.strategy",
                "migrate.parallelism",
                "migrate.chunk_rows",
                "migrate.reject_limit",
                "migrate.dry_run",
                "migrate.chunk_size",
                "validation.sample_rows",
                "validation.latency_tolerance",
                "validation.repair",
                "validation.queries[0].sql",
                "cutover.window",
                "cutover.rto",
                "cutover.max_validation_age",
                "cutover.freeze",
                "cutover.switch.path",
                "reviews.mapping",
                "reviews.deploy",
                "approvers.cutover",
                "approvers.ops")),
        keys);
    assertEquals(keys.size(), e.problems().size(), "one problem per key: " + e.problems());
    SpecProblem chunk =
        e.problems().stream()
            .filter(p -> p.key().equals("migrate.chunk_rows"))
            .findFirst()
            .orElseThrow();
    assertEquals("20000000", chunk.value());
    assertEquals("must be 1..10000000", chunk.rule());
    assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    assertEquals(e.problems().size(), e.getMessage().lines().count() - 1, e.getMessage());
  }

  @Test
  void urlsMustBeSupportedAndCarryNoCredentials() {
    String text =
        FULL.replace("jdbc:postgresql://127.0.0.1:5433/Chinook", "jdbc:oracle:thin:@db:1521/x")
            .replace(
                "jdbc:postgresql://127.0.0.1:5432/chinook",
                "jdbc:postgresql://db/chinook?user=a&password=s3cret");
    SpecException e = assertThrows(SpecException.class, () -> SpecLoader.parse(text));
    assertEquals(
        List.of("source.url", "target.url"), e.problems().stream().map(SpecProblem::key).toList());
    assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
  }

  @Test
  void malformedTextIsOneProblem() {
    SpecException e =
        assertThrows(SpecException.class, () -> SpecLoader.parse("id: [unclosed\nsource: {"));
    assertEquals(1, e.problems().size());
    assertEquals("", e.problems().get(0).key());
    assertThrows(SpecException.class, () -> SpecLoader.parse("   "));
    assertThrows(SpecException.class, () -> SpecLoader.parse("- a\n- b\n"));
    SpecException dup =
        assertThrows(SpecException.class, () -> SpecLoader.parse(FULL + "id: other\n"));
    assertEquals(1, dup.problems().size());
  }

  @Test
  void idRuleAcceptsOnlyLowerCaseDashedNamesUpTo63Characters() {
    for (String ok : List.of("a", "0", "chinook-to-pg", "a".repeat(63), "9-")) {
      assertTrue(SpecLoader.ID.matcher(ok).matches(), ok);
    }
    for (String bad : List.of("", "-a", "A", "a_b", "a.b", "a".repeat(64), "é")) {
      assertFalse(SpecLoader.ID.matcher(bad).matches(), bad);
    }
  }

  @Test
  void anExternalGateNeedsAStageApproverUnlessAutoApproved() {
    MigrationSpec spec = SpecLoader.parse(FULL);
    List<SpecProblem> problems = SpecLoader.problemsForGates(spec);
    assertEquals(List.of("reviews.cutover"), problems.stream().map(SpecProblem::key).toList());
    assertEquals(List.of(), SpecLoader.problemsForGates(spec, Set.of(Stage.CUTOVER)));
    MigrationSpec withApprover =
        SpecLoader.parse(FULL.replace("cutover: [] }", "cutover: [change-board] }"));
    assertEquals(List.of(), SpecLoader.problemsForGates(withApprover));
    MigrationSpec defaultsOnly = SpecLoader.parse(FULL.replace("default: []", "default: [alice]"));
    assertEquals(
        1, SpecLoader.problemsForGates(defaultsOnly).size(), "defaults never open external");
  }

  @Test
  void knownKeysFollowJsonPropertyNames() {
    assertTrue(
        SpecLoader.knownKeys(io.migrationstudio.contracts.spec.CutoverOptions.class)
            .contains("switch"));
    assertTrue(
        SpecLoader.knownKeys(io.migrationstudio.contracts.spec.MigrateOptions.class)
            .contains("chunk_rows"));
  }
}
