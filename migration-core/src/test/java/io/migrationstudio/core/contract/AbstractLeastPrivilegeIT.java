package io.migrationstudio.core.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.migrationstudio.contracts.spec.Approvers;
import io.migrationstudio.contracts.spec.ConnectionSpec;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.assess.InventoryService;
import io.migrationstudio.core.assess.Risk;
import io.migrationstudio.core.assess.RiskAnalyzer;
import io.migrationstudio.core.assess.RiskReport;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.report.StageOutput;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.core.schema.TableInfo;
import io.migrationstudio.core.spec.SecretResolver;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The Assessment under a least-privileged source user, run against every server engine by one
 * subclass each: either every table and key is accounted for, or the assessment fails with {@code
 * source-not-fully-readable}. Each subclass creates, in a fresh source, tables {@code a (id key, x
 * unique)}, {@code b (id key, a referencing a, constraint b_a)}, {@code c (id key, secret)} and
 * {@code d (k1, k2 key)}, one row in {@code a}, and a user with the engine's grants.
 */
public abstract class AbstractLeastPrivilegeIT {
  protected static final String PASSWORD = "lp-Pw-1";
  private final SecretResolver secrets = new SecretResolver(Map.of("LP_PW", PASSWORD));

  /** A source with the four tables and a user holding {@code grants} ({@code $user} replaced). */
  protected abstract Grantee grantee(String suffix, String... grants);

  /** The grants that let a user read every table of the source. */
  protected abstract List<String> readEverything();

  /** The schema the spec names for the source (null: the URL's database). */
  protected String sourceSchema() {
    return null;
  }

  /** A source database and the least-privileged user who reads it. */
  public record Grantee(EngineDb db, String user) {}

  /** What the Assessment saw and decided. */
  public record Assessed(Inventory inventory, RiskReport risks, Verdict verdict) {
    public Optional<Risk> unreadable() {
      return risks.risks().stream()
          .filter(x -> x.key().equals("source-not-fully-readable"))
          .findFirst();
    }

    public Risk unreadableRisk() {
      return unreadable().orElseThrow(() -> new AssertionError(risks.risks()));
    }

    public List<String> tables() {
      return inventory.tables().stream().map(TableInfo::name).toList();
    }
  }

  protected Assessed assess(Grantee source) {
    EngineDb target = EngineDb.postgres("dst");
    MigrationSpec spec =
        new MigrationSpec(
            "least-privilege",
            null,
            new ConnectionSpec(source.db().url(), source.user(), "${env:LP_PW}", sourceSchema()),
            new ConnectionSpec(target.url(), target.user(), null, null),
            null,
            null,
            null,
            null,
            null,
            null,
            new Approvers(Map.of("default", List.of("alice"))),
            null);
    StageOutput inventory = new InventoryService(secrets).run(spec, Optional.empty());
    StageOutput risks =
        new RiskAnalyzer(secrets)
            .analyzeInventoryJson(
                inventory.files().get(ArtifactPaths.INVENTORY_JSON),
                "inventory.json",
                spec,
                Set.of(),
                Set.of());
    return new Assessed(
        Json.read(
            inventory.files().get(ArtifactPaths.INVENTORY_JSON), Inventory.class, "inventory"),
        Json.read(risks.files().get(ArtifactPaths.RISKS_JSON), RiskReport.class, "risks.json"),
        risks.verdict());
  }

  @Test
  public void aUserWhoReadsEveryTableSeesEveryTableAndKey() {
    Assessed a = assess(grantee("_s", readEverything().toArray(String[]::new)));
    assertEquals(List.of("a", "b", "c", "d"), a.tables());
    assertEquals(
        List.of(List.of("id"), List.of("id"), List.of("id"), List.of("k1", "k2")),
        a.inventory().tables().stream().map(t -> t.primaryKey().columns()).toList());
    assertEquals(1, a.inventory().table("b").orElseThrow().foreignKeys().size());
    assertEquals(
        List.of("x"), a.inventory().table("a").orElseThrow().uniqueKeys().get(0).columns());
    assertEquals(Optional.empty(), a.unreadable(), a.risks().risks().toString());
  }
}
