package io.migrationstudio.core.assess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.spec.EvidenceOptions;
import io.migrationstudio.contracts.spec.MappingOptions;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.contract.AbstractRiskChecksIT;
import io.migrationstudio.core.contract.EngineDb;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.StageOutput;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The risk checks contract with a PostgreSQL source (its data probe), and same-engine risks. */
class RiskChecksIT extends AbstractRiskChecksIT {

  @Override
  protected EngineDb emptySource() {
    return EngineDb.postgres("src");
  }

  @Override
  protected EngineDb chinookSource() throws Exception {
    return EngineDb.postgresChinook();
  }

  @Override
  protected void assertChinookRisks(RiskReport r) {
    assertEquals(0, run(r, "collation-differences").risks(), "same engine, same collation");
  }

  @Test
  void caseCollisionsAndANonEmptyTargetAreFoundOnTheRealData() {
    EngineDb src = emptySource();
    EngineDb dst = EngineDb.postgres("dst");
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

    StageOutput first = assessTwiceAlike(spec(src, dst));
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
    MigrationSpec base = spec(src, dst);
    MigrationSpec plain =
        new MigrationSpec(
            base.id(),
            null,
            base.source(),
            base.target(),
            null,
            new MappingOptions(
                null, null, null, new EvidenceOptions(List.of("people.name", "tags"))),
            null,
            null,
            null,
            null,
            base.approvers(),
            null);
    assertTrue(
        risk(report(assess(plain)), "case-insensitive-unique-collision/people.name")
            .detail()
            .contains("e.g. [alice, bob]"),
        "listed plain");
    String md = new String(first.files().get(ArtifactPaths.RISKS_MD), StandardCharsets.UTF_8);
    assertTrue(md.contains("| `text-with-nul-bytes` | data-loss | skipped | 0 |"), md);
  }

  @Test
  void anInheritanceParentIsProbedWithoutItsChildrensRows() {
    EngineDb src = emptySource();
    EngineDb dst = EngineDb.postgres("dst");
    // the parent's unique key binds its own rows only (a child inherits no UNIQUE), and the
    // parent is copied ONLY: 'Rex' and the child's 'rex' never meet on the target
    src.execute(
        "CREATE TABLE animals (id int PRIMARY KEY, name text UNIQUE)",
        "CREATE TABLE dogs () INHERITS (animals)",
        "INSERT INTO animals VALUES (1, 'Rex')",
        "INSERT INTO dogs VALUES (2, 'rex')");
    // an empty parent whose child holds rows: the child is the non-empty target table
    dst.execute(
        "CREATE TABLE archive (id int)",
        "CREATE TABLE archive_2024 () INHERITS (archive)",
        "INSERT INTO archive_2024 VALUES (1)");

    RiskReport r = report(assessTwiceAlike(spec(src, dst)));
    CheckRun collisions = run(r, "case-insensitive-unique-collision");
    assertEquals(CheckRun.Status.RAN, collisions.status(), collisions.reason());
    assertEquals(0, collisions.risks(), "animals read ONLY holds 'Rex' alone: " + r.risks());
    List<Risk> notEmpty =
        r.risks().stream().filter(x -> x.key().equals("target-not-empty")).toList();
    assertEquals(1, notEmpty.size(), notEmpty.toString());
    assertEquals(List.of("archive_2024"), notEmpty.get(0).objects(), "archive holds no row");
  }

  @Test
  void aSourceExtensionOlderOnTheTargetIsNotedAndOneTheTargetOffersIsNoRisk() {
    EngineDb src = emptySource();
    EngineDb dst = EngineDb.postgres("dst");
    src.execute("CREATE EXTENSION citext", "CREATE TABLE t (id int PRIMARY KEY, e citext)");

    RiskReport offered = report(assessTwiceAlike(spec(src, dst)));
    CheckRun ran = run(offered, "extension-missing-on-target");
    assertEquals(CheckRun.Status.RAN, ran.status(), ran.reason());
    assertEquals(0, ran.risks(), "the target offers citext in the source's version");

    // installed on the target in an older version than the source's
    dst.execute("CREATE EXTENSION citext VERSION '1.4'");
    RiskReport older = report(assessTwiceAlike(spec(src, dst)));
    assertEquals(1, run(older, "extension-missing-on-target").risks());
    Risk r = risk(older, "extension-missing-on-target/extension citext");
    assertEquals(Risk.Severity.LOW, r.severity());
    assertTrue(r.detail().contains("the target has 1.4"), r.detail());
    assertTrue(r.mitigation().contains("ALTER EXTENSION citext UPDATE"), r.mitigation());
  }
}
