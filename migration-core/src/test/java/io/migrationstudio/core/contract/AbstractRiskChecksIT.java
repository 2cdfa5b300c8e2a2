package io.migrationstudio.core.contract;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.spec.Approvers;
import io.migrationstudio.contracts.spec.ConnectionSpec;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.assess.CheckRun;
import io.migrationstudio.core.assess.InventoryService;
import io.migrationstudio.core.assess.Risk;
import io.migrationstudio.core.assess.RiskAnalyzer;
import io.migrationstudio.core.assess.RiskCatalog;
import io.migrationstudio.core.assess.RiskReport;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.report.StageOutput;
import io.migrationstudio.core.spec.SecretResolver;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The Assessment's risk checks (inventory, then RiskAnalyzer with the source's data probe) into a
 * PostgreSQL target, run against every source engine by one subclass each.
 */
public abstract class AbstractRiskChecksIT {
  private final SecretResolver secrets = new SecretResolver(Map.of());

  /** A fresh, empty source database. */
  protected abstract EngineDb emptySource();

  /** A source database holding Chinook as the engine's sample script creates it. */
  protected abstract EngineDb chinookSource() throws Exception;

  /** Risks of a Chinook source that only this engine reports (or must not report). */
  protected void assertChinookRisks(RiskReport report) {}

  protected static MigrationSpec spec(EngineDb source, EngineDb target) {
    return spec(source, new ConnectionSpec(target.url(), target.user(), null, null));
  }

  private static MigrationSpec spec(EngineDb source, ConnectionSpec target) {
    return new MigrationSpec(
        "risk-checks-it",
        null,
        new ConnectionSpec(source.url(), source.user(), null, null),
        target,
        null,
        null,
        null,
        null,
        null,
        null,
        new Approvers(Map.of("default", List.of("alice"), "cutover", List.of("carol"))),
        null);
  }

  protected StageOutput assess(MigrationSpec spec) {
    StageOutput inventory = new InventoryService(secrets).run(spec, Optional.empty());
    return new RiskAnalyzer(secrets)
        .analyzeInventoryJson(
            inventory.files().get(ArtifactPaths.INVENTORY_JSON),
            "inventory.json",
            spec,
            Set.of(),
            Set.of());
  }

  /** Assesses twice: the artifacts are byte-identical, and the first run's report is returned. */
  protected StageOutput assessTwiceAlike(MigrationSpec spec) {
    StageOutput first = assess(spec);
    StageOutput again = assess(spec);
    for (String path : first.files().keySet()) {
      assertArrayEquals(first.files().get(path), again.files().get(path), path);
    }
    return first;
  }

  protected static RiskReport report(StageOutput out) {
    return Json.read(out.files().get(ArtifactPaths.RISKS_JSON), RiskReport.class, "risks.json");
  }

  protected static CheckRun run(RiskReport r, String key) {
    return r.checks().get(RiskCatalog.keys().indexOf(key));
  }

  protected static Risk risk(RiskReport r, String id) {
    return r.risks().stream()
        .filter(x -> x.id().equals(id))
        .findFirst()
        .orElseThrow(
            () -> new AssertionError(id + " not in " + r.risks().stream().map(Risk::id).toList()));
  }

  @Test
  public void chinookHasNoCriticalRiskAndTheDataChecksRun() throws Exception {
    StageOutput out = assessTwiceAlike(spec(chinookSource(), EngineDb.postgres("empty")));
    RiskReport r = report(out);
    assertEquals(Verdict.PASS, r.verdict(), out.summary());
    assertEquals(0, r.counts().get("critical"));
    assertEquals(RiskCatalog.keys(), r.checks().stream().map(CheckRun::key).toList());
    for (String key : List.of("case-insensitive-unique-collision", "target-not-empty")) {
      assertEquals(CheckRun.Status.RAN, run(r, key).status(), key + ": " + run(r, key).reason());
      assertEquals(0, run(r, key).risks(), key);
    }
    String json = new String(out.files().get(ArtifactPaths.RISKS_JSON), StandardCharsets.UTF_8);
    assertFalse(json.contains("no data probe exists"), json);
    assertChinookRisks(r);
  }

  @Test
  public void anUnreachableTargetOnlySkipsTheTargetChecks() {
    EngineDb source = emptySource();
    source.execute("CREATE TABLE t (id int PRIMARY KEY)");
    StageOutput out =
        assess(
            spec(
                source,
                new ConnectionSpec(
                    "jdbc:postgresql://127.0.0.1:1/none?password=hunter2", "u", null, null)));
    CheckRun target = run(report(out), "target-not-empty");
    assertEquals(CheckRun.Status.SKIPPED, target.status());
    assertTrue(target.reason().contains("DATABASE_UNREACHABLE"), target.reason());
    String json = new String(out.files().get(ArtifactPaths.RISKS_JSON), StandardCharsets.UTF_8);
    assertFalse(json.contains("hunter2"), json);
  }
}
