package io.migrationstudio.core.assess;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.migrationstudio.contracts.spec.Approvers;
import io.migrationstudio.contracts.spec.ConnectionSpec;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.report.StageOutput;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.core.schema.TableInfo;
import io.migrationstudio.core.spec.SecretResolver;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A least-privileged PostgreSQL source user: pg_class lists every table whatever the privileges,
 * and the catalogue reads keys from pg_constraint (information_schema hides the constraints of
 * tables the user holds only SELECT on). Either every table and key is accounted for, or the
 * assessment fails with {@code source-not-fully-readable} naming the tables it cannot read.
 */
@ExtendWith(PostgresExtension.class)
class LeastPrivilegePostgresIT {
  private static final String PASSWORD = "lp-Pw-1";
  private final SecretResolver secrets = new SecretResolver(Map.of("LP_PW", PASSWORD));

  private static String user(TestDatabase db, String suffix, String... grants) {
    String user = db.name() + suffix;
    db.execute(
        "CREATE SCHEMA app",
        "CREATE TABLE app.a (id int PRIMARY KEY, x int UNIQUE)",
        "CREATE TABLE app.b (id int PRIMARY KEY, a int CONSTRAINT b_a REFERENCES app.a(id))",
        "CREATE TABLE app.c (id int PRIMARY KEY, secret int)",
        "CREATE TABLE app.d (k1 int, k2 int, PRIMARY KEY (k1, k2))",
        "INSERT INTO app.a VALUES (1, 1)",
        "CREATE ROLE " + user + " LOGIN PASSWORD '" + PASSWORD + "'");
    for (String g : grants) {
      db.execute(g.replace("$user", user));
    }
    return user;
  }

  private static MigrationSpec spec(TestDatabase source, String user, TestDatabase target) {
    return new MigrationSpec(
        "least-privilege-postgres",
        null,
        new ConnectionSpec(source.jdbcUrl(), user, "${env:LP_PW}", "app"),
        new ConnectionSpec(target.jdbcUrl(), target.user(), null, null),
        null,
        null,
        null,
        null,
        null,
        null,
        new Approvers(Map.of("default", List.of("alice"))),
        null);
  }

  private record Assessed(Inventory inventory, RiskReport risks, Verdict verdict) {}

  private Assessed assess(MigrationSpec spec) {
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

  private static Optional<Risk> unreadable(RiskReport r) {
    return r.risks().stream().filter(x -> x.key().equals("source-not-fully-readable")).findFirst();
  }

  private static List<String> tables(Inventory inv) {
    return inv.tables().stream().map(TableInfo::name).toList();
  }

  @Test
  void selectOnSomeTablesFailsTheAssessmentNamingTheOthers(TestDatabase src, TestDatabase dst) {
    String user =
        user(
            src,
            "_t",
            "GRANT USAGE ON SCHEMA app TO $user",
            "GRANT SELECT ON app.a, app.b TO $user",
            "GRANT SELECT (id) ON app.c TO $user");
    Assessed a = assess(spec(src, user, dst));
    assertEquals(List.of("a", "b"), tables(a.inventory()));
    Risk risk = unreadable(a.risks()).orElseThrow(() -> new AssertionError(a.risks().risks()));
    assertEquals(Risk.Severity.CRITICAL, risk.severity());
    assertEquals(List.of("c", "d"), risk.objects());
    assertEquals(Verdict.FAIL, a.verdict());
  }

  @Test
  void withoutUsageOnTheSchemaNoTableIsReadable(TestDatabase src, TestDatabase dst) {
    String user = user(src, "_n", "GRANT SELECT ON ALL TABLES IN SCHEMA app TO $user");
    Assessed a = assess(spec(src, user, dst));
    assertEquals(List.of(), tables(a.inventory()));
    Risk risk = unreadable(a.risks()).orElseThrow(() -> new AssertionError(a.risks().risks()));
    assertEquals(List.of("a", "b", "c", "d"), risk.objects());
    assertEquals(Verdict.FAIL, a.verdict());
  }

  @Test
  void selectOnEveryTableAccountsForEveryTableAndKey(TestDatabase src, TestDatabase dst) {
    String user =
        user(
            src,
            "_s",
            "GRANT USAGE ON SCHEMA app TO $user",
            "GRANT SELECT ON ALL TABLES IN SCHEMA app TO $user");
    Assessed a = assess(spec(src, user, dst));
    assertEquals(List.of("a", "b", "c", "d"), tables(a.inventory()));
    assertEquals(
        List.of(List.of("id"), List.of("id"), List.of("id"), List.of("k1", "k2")),
        a.inventory().tables().stream().map(t -> t.primaryKey().columns()).toList());
    assertEquals(1, a.inventory().table("b").orElseThrow().foreignKeys().size());
    assertEquals(
        List.of("x"), a.inventory().table("a").orElseThrow().uniqueKeys().get(0).columns());
    assertEquals(Optional.empty(), unreadable(a.risks()), a.risks().risks().toString());
  }
}
