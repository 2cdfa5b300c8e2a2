package io.migrationstudio.core.assess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import io.migrationstudio.testkit.MariaDbExtension;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import io.migrationstudio.testkit.TestMariaDb;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A least-privileged MariaDB source user: MariaDB lists a user only the tables it holds a privilege
 * on, so tables without a grant were silently absent (validation "6/6 consistent"). Now either
 * every table and key is accounted for, or the assessment fails with {@code
 * source-not-fully-readable} naming the tables or the missing privilege.
 */
@ExtendWith({MariaDbExtension.class, PostgresExtension.class})
class LeastPrivilegeMariaDbIT {
  private static final String PASSWORD = "lp-Pw-1";
  private final SecretResolver secrets = new SecretResolver(Map.of("LP_PW", PASSWORD));

  private static void schema(TestMariaDb db, String... grants) {
    db.execute(
        "CREATE TABLE a (id INT PRIMARY KEY, x INT UNIQUE)",
        "CREATE TABLE b (id INT PRIMARY KEY, a INT, CONSTRAINT b_a FOREIGN KEY (a) REFERENCES a(id))",
        "CREATE TABLE c (id INT PRIMARY KEY, secret INT)",
        "CREATE TABLE d (k1 INT, k2 INT, PRIMARY KEY (k1, k2))",
        "INSERT INTO a VALUES (1, 1)");
    db.execute(grants);
  }

  private static String user(TestMariaDb db, String suffix) {
    String user = db.name().substring(Math.max(0, db.name().length() - 10)) + suffix;
    db.execute("CREATE USER '" + user + "'@'localhost' IDENTIFIED BY '" + PASSWORD + "'");
    return user;
  }

  private static MigrationSpec spec(TestMariaDb source, String user, TestDatabase target) {
    return new MigrationSpec(
        "least-privilege-mariadb",
        null,
        new ConnectionSpec(source.jdbcUrl(), user, "${env:LP_PW}", null),
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
  void tableGrantsOnSomeTablesFailTheAssessmentNamingTheMissingPrivilege(
      TestMariaDb src, TestDatabase dst) {
    String user = user(src, "_t");
    schema(
        src,
        "GRANT SELECT, SHOW VIEW ON " + src.name() + ".a TO '" + user + "'@'localhost'",
        "GRANT SELECT, SHOW VIEW ON " + src.name() + ".b TO '" + user + "'@'localhost'");
    Assessed a = assess(spec(src, user, dst));
    assertEquals(List.of("a", "b"), tables(a.inventory()), "c and d are invisible to the user");
    Risk risk = unreadable(a.risks()).orElseThrow(() -> new AssertionError(a.risks().risks()));
    assertEquals(Risk.Severity.CRITICAL, risk.severity());
    assertTrue(risk.detail().contains("no SELECT on `" + src.name() + "`.*"), risk.detail());
    assertEquals(Verdict.FAIL, a.verdict());
  }

  @Test
  void withProcessTheAssessmentNamesEveryTableItCannotRead(TestMariaDb src, TestDatabase dst) {
    String user = user(src, "_p");
    String to = " TO '" + user + "'@'localhost'";
    schema(
        src,
        "GRANT SELECT, SHOW VIEW ON " + src.name() + ".a" + to,
        "GRANT SELECT (id) ON " + src.name() + ".c" + to, // column grant: c is not readable whole
        "GRANT INSERT ON " + src.name() + ".d" + to, // listed, but not readable
        "GRANT PROCESS ON *.*" + to);
    Assessed a = assess(spec(src, user, dst));
    assertEquals(List.of("a"), tables(a.inventory()));
    Risk risk = unreadable(a.risks()).orElseThrow(() -> new AssertionError(a.risks().risks()));
    assertEquals(List.of("b", "c", "d"), risk.objects());
    assertEquals(Verdict.FAIL, a.verdict());
  }

  @Test
  void selectOnTheDatabaseAccountsForEveryTableAndKey(TestMariaDb src, TestDatabase dst) {
    String user = user(src, "_s");
    schema(src, "GRANT SELECT, SHOW VIEW ON " + src.name() + ".* TO '" + user + "'@'localhost'");
    Assessed a = assess(spec(src, user, dst));
    assertEquals(List.of("a", "b", "c", "d"), tables(a.inventory()));
    assertEquals(
        List.of(List.of("id"), List.of("id"), List.of("id"), List.of("k1", "k2")),
        a.inventory().tables().stream().map(t -> t.primaryKey().columns()).toList());
    assertEquals(1, a.inventory().table("b").orElseThrow().foreignKeys().size());
    assertEquals(Optional.empty(), unreadable(a.risks()), a.risks().risks().toString());
  }
}
