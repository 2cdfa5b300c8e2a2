package io.migrationstudio.core.assess;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.contract.AbstractLeastPrivilegeIT;
import io.migrationstudio.core.contract.EngineDb;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A least-privileged PostgreSQL source user: pg_class lists every table whatever the privileges,
 * and the catalogue reads keys from pg_constraint (information_schema hides the constraints of
 * tables the user holds only SELECT on). Either every table and key is accounted for, or the
 * assessment fails with {@code source-not-fully-readable} naming the tables it cannot read.
 */
class LeastPrivilegePostgresIT extends AbstractLeastPrivilegeIT {

  @Override
  protected Grantee grantee(String suffix, String... grants) {
    EngineDb db = EngineDb.postgres("src");
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
    return new Grantee(db, user);
  }

  @Override
  protected List<String> readEverything() {
    return List.of(
        "GRANT USAGE ON SCHEMA app TO $user", "GRANT SELECT ON ALL TABLES IN SCHEMA app TO $user");
  }

  @Override
  protected String sourceSchema() {
    return "app";
  }

  @Test
  void selectOnSomeTablesFailsTheAssessmentNamingTheOthers() {
    Grantee src =
        grantee(
            "_t",
            "GRANT USAGE ON SCHEMA app TO $user",
            "GRANT SELECT ON app.a, app.b TO $user",
            "GRANT SELECT (id) ON app.c TO $user");
    Assessed a = assess(src);
    assertEquals(List.of("a", "b"), a.tables());
    Risk risk = a.unreadableRisk();
    assertEquals(Risk.Severity.CRITICAL, risk.severity());
    assertEquals(List.of("c", "d"), risk.objects());
    assertEquals(Verdict.FAIL, a.verdict());
  }

  @Test
  void withoutUsageOnTheSchemaNoTableIsReadable() {
    Grantee src = grantee("_n", "GRANT SELECT ON ALL TABLES IN SCHEMA app TO $user");
    Assessed a = assess(src);
    assertEquals(List.of(), a.tables());
    Risk risk = a.unreadableRisk();
    assertEquals(List.of("a", "b", "c", "d"), risk.objects());
    assertEquals(Verdict.FAIL, a.verdict());
  }
}
