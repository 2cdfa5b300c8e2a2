package io.migrationstudio.core.assess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.contract.AbstractLeastPrivilegeIT;
import io.migrationstudio.core.contract.EngineDb;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A least-privileged MariaDB source user: MariaDB lists a user only the tables it holds a privilege
 * on, so tables without a grant were silently absent (validation "6/6 consistent"). Now either
 * every table and key is accounted for, or the assessment fails with {@code
 * source-not-fully-readable} naming the tables or the missing privilege.
 */
class LeastPrivilegeMariaDbIT extends AbstractLeastPrivilegeIT {

  @Override
  protected Grantee grantee(String suffix, String... grants) {
    EngineDb db = EngineDb.mariadb("src");
    String user = db.name().substring(Math.max(0, db.name().length() - 10)) + suffix;
    db.execute(
        "CREATE USER '" + user + "'@'localhost' IDENTIFIED BY '" + PASSWORD + "'",
        "CREATE TABLE a (id INT PRIMARY KEY, x INT UNIQUE)",
        "CREATE TABLE b (id INT PRIMARY KEY, a INT, CONSTRAINT b_a FOREIGN KEY (a) REFERENCES a(id))",
        "CREATE TABLE c (id INT PRIMARY KEY, secret INT)",
        "CREATE TABLE d (k1 INT, k2 INT, PRIMARY KEY (k1, k2))",
        "INSERT INTO a VALUES (1, 1)");
    for (String g : grants) {
      db.execute(g.replace("$user", "'" + user + "'@'localhost'").replace("$db", db.name()));
    }
    return new Grantee(db, user);
  }

  @Override
  protected List<String> readEverything() {
    return List.of("GRANT SELECT, SHOW VIEW ON $db.* TO $user");
  }

  @Test
  void tableGrantsOnSomeTablesFailTheAssessmentNamingTheMissingPrivilege() {
    Grantee src =
        grantee(
            "_t",
            "GRANT SELECT, SHOW VIEW ON $db.a TO $user",
            "GRANT SELECT, SHOW VIEW ON $db.b TO $user");
    Assessed a = assess(src);
    assertEquals(List.of("a", "b"), a.tables(), "c and d are invisible to the user");
    Risk risk = a.unreadableRisk();
    assertEquals(Risk.Severity.CRITICAL, risk.severity());
    assertTrue(risk.detail().contains("no SELECT on `" + src.db().name() + "`.*"), risk.detail());
    assertEquals(Verdict.FAIL, a.verdict());
  }

  @Test
  void withProcessTheAssessmentNamesEveryTableItCannotRead() {
    Assessed a =
        assess(
            grantee(
                "_p",
                "GRANT SELECT, SHOW VIEW ON $db.a TO $user",
                "GRANT SELECT (id) ON $db.c TO $user", // column grant: c is not readable whole
                "GRANT INSERT ON $db.d TO $user", // listed, but not readable
                "GRANT PROCESS ON *.* TO $user"));
    assertEquals(List.of("a"), a.tables());
    assertEquals(List.of("b", "c", "d"), a.unreadableRisk().objects());
    assertEquals(Verdict.FAIL, a.verdict());
  }
}
