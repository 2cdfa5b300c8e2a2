package io.migrationstudio.core.assess;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.spec.Approvers;
import io.migrationstudio.contracts.spec.ConnectionSpec;
import io.migrationstudio.contracts.spec.EvidenceOptions;
import io.migrationstudio.contracts.spec.MappingOptions;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.db.SampleDatabases;
import io.migrationstudio.core.dialect.DataProbe;
import io.migrationstudio.core.dialect.DataProbe.Sample;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.report.StageOutput;
import io.migrationstudio.core.spec.SecretResolver;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The data checks and their PostgreSQL probe on the shared embedded PostgreSQL. */
@ExtendWith(PostgresExtension.class)
class RiskChecksIT {
  private final SecretResolver secrets = new SecretResolver(Map.of());

  static MigrationSpec spec(TestDatabase source, TestDatabase target) {
    return new MigrationSpec(
        "risk-checks-it",
        null,
        new ConnectionSpec(source.jdbcUrl(), source.user(), null, null),
        new ConnectionSpec(target.jdbcUrl(), target.user(), null, null),
        null,
        null,
        null,
        null,
        null,
        null,
        new Approvers(Map.of("default", List.of("alice"), "cutover", List.of("carol"))),
        null);
  }

  private StageOutput assess(MigrationSpec spec) {
    StageOutput inventory = new InventoryService(secrets).run(spec, Optional.empty());
    return new RiskAnalyzer(secrets)
        .analyzeInventoryJson(
            inventory.files().get(ArtifactPaths.INVENTORY_JSON),
            "inventory.json",
            spec,
            Set.of(),
            Set.of());
  }

  private static RiskReport report(StageOutput out) {
    return Json.read(out.files().get(ArtifactPaths.RISKS_JSON), RiskReport.class, "risks.json");
  }

  private static CheckRun run(RiskReport r, String key) {
    return r.checks().get(RiskCatalog.keys().indexOf(key));
  }

  private static Risk risk(RiskReport r, String id) {
    return r.risks().stream()
        .filter(x -> x.id().equals(id))
        .findFirst()
        .orElseThrow(
            () -> new AssertionError(id + " not in " + r.risks().stream().map(Risk::id).toList()));
  }

  @Test
  void caseCollisionsAndANonEmptyTargetAreFoundOnTheRealData(TestDatabase src, TestDatabase dst) {
    src.execute(
        "CREATE TABLE people (id int PRIMARY KEY, name text NOT NULL UNIQUE, note text)",
        "INSERT INTO people VALUES (1, 'Bob', NULL), (2, 'bob', NULL), (3, 'alice', NULL),"
            + " (4, 'ALICE', NULL), (5, 'carol', NULL)",
        "CREATE TABLE tags (id int PRIMARY KEY, label varchar(20) UNIQUE)",
        "INSERT INTO tags VALUES (1, 'Red'), (2, 'green')");
    dst.execute(
        "CREATE TABLE \"People\" (id int)",
        "INSERT INTO \"People\" VALUES (1)",
        "CREATE TABLE unrelated (id int)",
        "INSERT INTO unrelated VALUES (1)",
        "CREATE TABLE empty_one (id int)");
    MigrationSpec spec = spec(src, dst);

    StageOutput first = assess(spec);
    RiskReport r = report(first);
    assertEquals(Verdict.PASS, r.verdict(), first.summary());

    Risk collision = risk(r, "case-insensitive-unique-collision/people.name");
    assertEquals(Risk.Severity.LOW, collision.severity(), "same engine: only with a ci target");
    assertTrue(collision.detail().startsWith("4 rows of people"), collision.detail());
    // the colliding keys are source values: masked unless the spec lists them plain
    assertTrue(collision.detail().contains("e.g. [xxxxx, xxx]"), collision.detail());
    assertFalse(collision.detail().contains("alice"), collision.detail());
    assertEquals(1, run(r, "case-insensitive-unique-collision").risks(), "tags has no collision");

    Risk target = risk(r, "target-not-empty/People");
    assertEquals(List.of("People", "unrelated"), target.objects());
    assertEquals(Risk.Severity.HIGH, target.severity());

    CheckRun nul = run(r, "text-with-nul-bytes");
    assertEquals(CheckRun.Status.SKIPPED, nul.status());
    assertTrue(nul.reason().contains("PostgreSQL text types reject NUL bytes"), nul.reason());
    assertEquals(CheckRun.Status.RAN, run(r, "collation-differences").status());
    assertEquals(CheckRun.Status.RAN, run(r, "mysql-unsigned-overflow").status());

    MigrationSpec plain =
        new MigrationSpec(
            spec.id(),
            null,
            spec.source(),
            spec.target(),
            null,
            new MappingOptions(
                null, null, null, new EvidenceOptions(List.of("people.name", "tags"))),
            null,
            null,
            null,
            null,
            spec.approvers(),
            null);
    assertTrue(
        risk(report(assess(plain)), "case-insensitive-unique-collision/people.name")
            .detail()
            .contains("e.g. [alice, bob]"),
        "listed plain");

    StageOutput again = assess(spec);
    for (String path : first.files().keySet()) {
      assertArrayEquals(first.files().get(path), again.files().get(path), path);
    }
    String md = new String(first.files().get(ArtifactPaths.RISKS_MD), StandardCharsets.UTF_8);
    assertTrue(md.contains("| `text-with-nul-bytes` | data-loss | skipped | 0 |"), md);
  }

  @Test
  void unreachableTargetOnlySkipsTheTargetChecks(TestDatabase src) {
    src.execute("CREATE TABLE t (id int PRIMARY KEY)");
    MigrationSpec base = spec(src, src);
    MigrationSpec spec =
        new MigrationSpec(
            base.id(),
            null,
            base.source(),
            new ConnectionSpec(
                "jdbc:postgresql://127.0.0.1:1/none?password=hunter2", "u", null, null),
            null,
            null,
            null,
            null,
            null,
            null,
            base.approvers(),
            null);
    StageOutput out = assess(spec);
    CheckRun target = run(report(out), "target-not-empty");
    assertEquals(CheckRun.Status.SKIPPED, target.status());
    assertTrue(target.reason().contains("DATABASE_UNREACHABLE"), target.reason());
    String json = new String(out.files().get(ArtifactPaths.RISKS_JSON), StandardCharsets.UTF_8);
    assertTrue(!json.contains("hunter2"), json);
  }

  @Test
  void postgresProbeAnswersWithCountsAndExampleKeysOnHostileNames(TestDatabase db)
      throws Exception {
    db.execute(
        "CREATE SCHEMA \"Ω Schema\"",
        "CREATE TABLE \"Ω Schema\".\"Odd \"\"Table\"\"\" ("
            + " \"Key Part\" int, \"select\" text, blob bytea, big numeric(20),"
            + " PRIMARY KEY (\"Key Part\", \"select\"))",
        "INSERT INTO \"Ω Schema\".\"Odd \"\"Table\"\"\" VALUES"
            + " (1, 'Ünïcode', '\\x410042'::bytea, 18446744073709551615),"
            + " (1, 'ünïcode', '\\x4142'::bytea, 9223372036854775807),"
            + " (2, 'x', '\\x00'::bytea, 9223372036854775808),"
            + " (3, 'y', NULL, NULL)");
    try (Connection c = db.connect()) {
      DataProbe probe = Dialects.forUrl(db.jdbcUrl()).dataProbe(c, "Ω Schema").orElseThrow();
      String table = "Odd \"Table\"";
      List<String> key = List.of("Key Part", "select");

      Sample nul = probe.nulBytes(table, "blob", key);
      assertEquals(new Sample(2, List.of("1, Ünïcode", "2, x")), nul);
      assertEquals(Sample.NONE, probe.nulBytes(table, "select", key), "text never holds NUL");

      Sample big = probe.valuesAbove(table, "big", DataChecks.BIGINT_MAX, key);
      assertEquals(new Sample(2, List.of("1, Ünïcode", "2, x")), big);

      Sample dup = probe.caseInsensitiveDuplicates(table, key, List.of("select"));
      assertEquals(new Sample(2, List.of("1, ünïcode")), dup);

      assertEquals(List.of(table), probe.nonEmptyTables());
      assertEquals(Optional.of(false), probe.hasExtension("postgis"));
      assertTrue(probe.defaultCollation().isPresent());
    }
  }

  @Test
  void chinookHasNoCriticalRiskAndAllDataChecksRun(TestDatabase chinook, TestDatabase empty)
      throws Exception {
    try (Connection c = chinook.connect()) {
      SampleDatabases.loadChinookPostgres(c);
    }
    StageOutput out = assess(spec(chinook, empty));
    RiskReport r = report(out);
    assertEquals(Verdict.PASS, r.verdict(), out.summary());
    assertEquals(0, r.counts().get("critical"));
    assertEquals(RiskCatalog.keys(), r.checks().stream().map(CheckRun::key).toList());
    assertEquals(CheckRun.Status.RAN, run(r, "case-insensitive-unique-collision").status());
    assertEquals(0, run(r, "case-insensitive-unique-collision").risks());
    assertEquals(CheckRun.Status.RAN, run(r, "target-not-empty").status());
    assertEquals(0, run(r, "target-not-empty").risks());
    assertEquals(0, run(r, "collation-differences").risks());
    System.out.println(
        "Chinook: " + out.summary() + " " + r.risks().stream().map(Risk::id).toList());
  }
}
