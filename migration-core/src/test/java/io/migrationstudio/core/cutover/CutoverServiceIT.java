package io.migrationstudio.core.cutover;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.git.GitArtifactStore;
import io.migrationstudio.core.mapping.ColumnMapping;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.report.StageOutput;
import io.migrationstudio.core.schema.CanonicalType;
import io.migrationstudio.core.spec.SecretResolver;
import io.migrationstudio.core.spec.SpecLoader;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(PostgresExtension.class)
class CutoverServiceIT {
  static final String BRANCH = "migrations/shop";

  /** Mixed case and a space, a reserved word, a quote and unicode. */
  static final List<String> TABLES = List.of("Order Items", "select", "ünï\"q");

  @TempDir Path home;
  @TempDir Path apps;
  GitArtifactStore store;
  CutoverService cutover;
  TestDatabase source;
  TestDatabase target;
  Path config;
  String commit;

  @BeforeEach
  void setUp(TestDatabase source, TestDatabase target) throws Exception {
    this.source = source;
    this.target = target;
    for (TestDatabase db : List.of(source, target)) {
      for (String t : TABLES) {
        db.execute("CREATE TABLE " + q(t) + " (id integer PRIMARY KEY)");
      }
      db.execute("ALTER TABLE \"select\" ADD COLUMN v text");
    }
    // the source has 2 extra rows in "Order Items" that the mapping's filter leaves behind
    source.execute(
        "INSERT INTO \"Order Items\" SELECT g FROM generate_series(1, 7) g",
        "INSERT INTO \"select\" SELECT g, 'v' || g FROM generate_series(1, 3) g",
        "INSERT INTO \"ünï\"\"q\" VALUES (1)");
    target.execute(
        "INSERT INTO \"Order Items\" SELECT g FROM generate_series(1, 5) g",
        "INSERT INTO \"select\" SELECT g, 'v' || g FROM generate_series(1, 3) g",
        "INSERT INTO \"ünï\"\"q\" VALUES (1)");
    config = apps.resolve("conf/db.properties");
    Files.createDirectories(config.getParent());
    Files.writeString(config, "url=jdbc:postgresql://old/shop\n");

    store = GitArtifactStore.open(home, null);
    cutover = new CutoverService(store, new SecretResolver(Map.of()));
    store.openBranch(BRANCH);
    List<TableMapping> tables =
        TABLES.stream()
            .map(
                t ->
                    new TableMapping(
                        t,
                        t,
                        t.equals("Order Items") ? "id <= 5" : null,
                        List.of("id"),
                        columns(t),
                        null,
                        null,
                        null))
            .toList();
    MappingDocument mapping =
        new MappingDocument(1, "identity", "postgresql", "public", "public", tables, null);
    commit =
        store
            .commit(
                BRANCH,
                "studio",
                "evidence",
                Map.of(
                    ArtifactPaths.MAPPING_YAML, Json.bytes(Json.writeYaml(mapping)),
                    ArtifactPaths.RUN_JSON, Json.bytes("{\"duration_ms\": 123456}\n")))
            .head();
  }

  /** {@code id integer} for every table; {@code "select"} also has {@code v text}. */
  private static List<ColumnMapping> columns(String table) {
    ColumnMapping id = ColumnMapping.mapped("id", "integer", CanonicalType.INTEGER).build();
    if (!table.equals("select")) {
      return List.of(id);
    }
    return List.of(
        id,
        id.toBuilder()
            .source("v")
            .target("v")
            .sourceType("text")
            .type("text")
            .canonical(CanonicalType.TEXT)
            .nullable(true)
            .build());
  }

  @AfterEach
  void tearDown() throws SQLException {
    store.close();
    // whatever freeze a failed step left: the write guards go
    source.execute(
        "DO $$ DECLARE r record; BEGIN FOR r IN SELECT tgrelid::regclass AS t FROM pg_trigger WHERE tgname = 'studio_write_guard' LOOP EXECUTE format('DROP TRIGGER studio_write_guard ON %s', r.t); END LOOP; END $$");
  }

  @Test
  void runbookComesFromTheEvidenceAndIsByteStable() {
    MigrationSpec spec = spec("PT15M");
    StageOutput out = cutover.planCutover(spec, commit);
    String md = new String(out.files().get(ArtifactPaths.RUNBOOK_MD), UTF_8);
    assertTrue(md.contains("POINT OF NO RETURN"), md);
    assertTrue(md.contains("row counts and checksums of 3 mapped tables"), md);
    assertTrue(md.contains("Copy (`03-migrate/run.json`): 2 min 3 s"), md);
    assertTrue(md.contains("| 1 | Wait for the maintenance window | cutover-coordinator |"), md);
    assertTrue(
        md.contains("| 3 | Check the validation report is fresh (re-validate if not) |"), md);
    assertTrue(md.contains("cutover.max_validation_age (PT24H)"), md);
    assertTrue(md.contains("## Rollback"), md);
    assertArrayEquals(
        out.files().get(ArtifactPaths.RUNBOOK_MD),
        cutover.planCutover(spec, commit).files().get(ArtifactPaths.RUNBOOK_MD));
  }

  @Test
  void drillRehearsesTheRollbackAndLeavesEverythingAsItWas() throws Exception {
    MigrationSpec spec = spec("PT15M");
    StageOutput out = cutover.drillRollback(spec, BRANCH);
    DrillReport drill =
        Json.read(out.files().get(ArtifactPaths.DRILL_JSON), DrillReport.class, "drill");
    assertEquals(Verdict.PASS, out.verdict(), out.summary());
    assertEquals(
        List.of(
            CutoverService.CONNECT,
            CutoverService.FREEZE,
            CutoverService.CHECK_FROZEN,
            CutoverService.SWITCH,
            CutoverService.REVERT,
            CutoverService.UNFREEZE,
            CutoverService.CHECK_WRITABLE),
        drill.steps().stream().map(CutoverStep::name).toList());
    assertTrue(
        drill.steps().stream().allMatch(s -> s.status().equals(CutoverStep.OK)), drill.toString());
    assertTrue(drill.steps().get(2).detail().contains("25006"), drill.steps().get(2).detail());
    assertEquals(900_000, drill.rtoMillis());
    assertTrue(drill.rollbackMillis() > 0);
    assertSourceWritable();
    assertEquals("url=jdbc:postgresql://old/shop\n", Files.readString(config));

    // a one-time record: the re-run reuses it and says so
    store.commit(BRANCH, "rollback-engineer", "drill", out.files());
    StageOutput again = cutover.drillRollback(spec, BRANCH);
    assertArrayEquals(
        out.files().get(ArtifactPaths.DRILL_JSON), again.files().get(ArtifactPaths.DRILL_JSON));
    // rollback.md is rendered from the drill alone, so the re-run makes no new commit
    assertArrayEquals(
        out.files().get(ArtifactPaths.ROLLBACK_MD), again.files().get(ArtifactPaths.ROLLBACK_MD));
    assertTrue(again.summary().contains("drill reused from commit"), again.summary());
    assertFalse(out.summary().contains("reused"), out.summary());
  }

  @Test
  void aRollbackSlowerThanTheRtoFailsTheDrillAndStillUnfreezes() throws Exception {
    StageOutput out = cutover.drillRollback(spec("PT0.000001S"), BRANCH);
    assertEquals(Verdict.FAIL, out.verdict());
    assertTrue(out.summary().contains("MORE than"), out.summary());
    assertSourceWritable();
  }

  /**
   * The drill after the cutover approval of a bulk migration, on the real pair: freeze, switch, a
   * new target session's write (rolled back), switch back, unfreeze, each step timed; the runbook
   * comes back with the measured durations where it said "measured by the rollback drill"; a
   * session opened before the drill survives it and the source is unchanged.
   */
  @Test
  void theDrillAfterApprovalTimesTheRealPathAndReRendersTheRunbook() throws Exception {
    MigrationSpec spec = spec("PT15M");
    String runbookBefore =
        new String(cutover.planCutover(spec, commit).files().get(ArtifactPaths.RUNBOOK_MD), UTF_8);
    assertTrue(runbookBefore.contains("measured by the rollback drill"), runbookBefore);
    assertTrue(runbookBefore.contains("not yet run"), runbookBefore);
    long rowsBefore = source.queryLong("SELECT count(*) FROM \"Order Items\"");
    try (java.sql.Connection foreign = source.connect();
        java.sql.Statement st = foreign.createStatement()) {
      st.execute("SELECT count(*) FROM \"select\"");
      StageOutput out = cutover.drillAfterApproval(spec, "shop", BRANCH, commit, 7L);
      assertEquals(Verdict.PASS, out.verdict(), out.summary());
      DrillReport drill =
          Json.read(out.files().get(ArtifactPaths.DRILL_JSON), DrillReport.class, "drill");
      assertEquals(DrillReport.BULK, drill.kind());
      assertEquals(commit, drill.approvedCommit());
      assertEquals(
          List.of(
              CutoverService.CONNECT,
              CutoverService.FREEZE,
              CutoverService.CHECK_FROZEN,
              CutoverService.SWITCH,
              CutoverService.TARGET_WRITES,
              CutoverService.REVERT,
              CutoverService.UNFREEZE,
              CutoverService.CHECK_WRITABLE),
          drill.steps().stream().map(CutoverStep::name).toList());
      assertTrue(
          drill.notRehearsed().stream().anyMatch(n -> n.contains("no change streams")),
          drill.notRehearsed().toString());
      String runbook = new String(out.files().get(ArtifactPaths.RUNBOOK_MD), UTF_8);
      assertFalse(runbook.contains("measured by the rollback drill"), runbook);
      assertFalse(runbook.contains("not yet run"), runbook);
      assertTrue(runbook.contains(" rollback, PASS"), runbook);
      assertTrue(runbook.contains("(drill)"), runbook);
      // the session opened before the drill is still there
      st.execute("SELECT 1");
      assertSourceWritable();
      assertEquals(rowsBefore, source.queryLong("SELECT count(*) FROM \"Order Items\""));
      assertEquals("url=jdbc:postgresql://old/shop\n", Files.readString(config));

      // the same request (an activity retried after its commit) reuses the drill; a new one drills
      store.commit(BRANCH, "rollback-engineer", "drill", out.files());
      assertArrayEquals(
          out.files().get(ArtifactPaths.DRILL_JSON),
          cutover
              .drillAfterApproval(spec, "shop", BRANCH, commit, 7L)
              .files()
              .get(ArtifactPaths.DRILL_JSON));
    }
  }

  /** A way back slower than the RTO fails the drill (the workflow blocks the execution on it). */
  @Test
  void aDrillAfterApprovalOverTheRtoFailsAndSaysTheExecutionIsBlocked() throws Exception {
    StageOutput out = cutover.drillAfterApproval(spec("PT0.000001S"), "shop", BRANCH, commit, 8L);
    assertEquals(Verdict.FAIL, out.verdict());
    assertTrue(out.summary().contains("MORE than the RTO"), out.summary());
    assertTrue(out.summary().contains("execution is blocked"), out.summary());
    String runbook = new String(out.files().get(ArtifactPaths.RUNBOOK_MD), UTF_8);
    assertTrue(runbook.contains(" rollback, FAIL"), runbook);
    assertSourceWritable();
  }

  @Test
  void executeFreezesCountsSwitchesAndChecks() throws Exception {
    MigrationSpec spec = spec("PT15M");
    StageOutput out = cutover.executeCutover(spec, BRANCH, commit);
    CutoverLog log =
        Json.read(out.files().get(ArtifactPaths.CUTOVER_LOG_JSON), CutoverLog.class, "log");
    assertEquals(Verdict.PASS, out.verdict(), out.summary());
    assertFalse(log.rolledBack());
    assertEquals(
        List.of(
            new CutoverLog.TableCount("Order Items", "Order Items", 5, 5, true),
            new CutoverLog.TableCount("select", "select", 3, 3, true),
            new CutoverLog.TableCount("ünï\"q", "ünï\"q", 1, 1, true)),
        log.tables());
    assertEquals(commit, log.mappingCommit());
    assertEquals(CutoverLog.CHECK_FULL, log.finalCheck().mode(), log.finalCheck().toString());
    assertTrue(log.finalCheck().reason().contains("bulk"), log.finalCheck().reason());
    assertEquals(9, log.finalCheck().rows());
    assertEquals(3, log.finalCheck().tablesInFull());
    IllegalStateException refused =
        assertThrows(
            IllegalStateException.class,
            () -> source.execute("INSERT INTO \"select\" VALUES (99)"));
    assertEquals("25006", ((SQLException) refused.getCause()).getSQLState());
    target.execute("INSERT INTO \"select\" VALUES (99)");
    String switched = Files.readString(config);
    assertTrue(switched.contains("url=" + target.jdbcUrl() + "\n"), switched);
    assertFalse(switched.contains("password="), switched);
    assertEquals(
        "url=jdbc:postgresql://old/shop\n",
        Files.readString(Path.of(config + CutoverService.PRE_CUTOVER_SUFFIX)));

    // done is done: a re-run reports the recorded cutover without executing again
    store.commit(BRANCH, "cutover-coordinator", "cutover", out.files());
    StageOutput again = cutover.executeCutover(spec, BRANCH, commit);
    assertEquals(out.files().keySet(), again.files().keySet());
    for (String path : out.files().keySet()) {
      assertArrayEquals(out.files().get(path), again.files().get(path), path);
    }
  }

  @Test
  void aCountMismatchRollsBackBeforeTheSwitch() throws Exception {
    target.execute("DELETE FROM \"select\" WHERE id = 3");
    StageOutput out = cutover.executeCutover(spec("PT15M"), BRANCH, commit);
    CutoverLog log =
        Json.read(out.files().get(ArtifactPaths.CUTOVER_LOG_JSON), CutoverLog.class, "log");
    assertEquals(Verdict.FAIL, out.verdict());
    assertTrue(log.rolledBack());
    CutoverStep counts =
        log.steps().stream()
            .filter(s -> s.name().equals(CutoverService.COUNTS))
            .findFirst()
            .orElseThrow();
    assertEquals(CutoverStep.FAILED, counts.status());
    assertTrue(counts.detail().contains("select (3 vs 2 rows; missing 1"), counts.detail());
    assertTrue(log.steps().stream().noneMatch(s -> s.name().equals(CutoverService.SWITCH)));
    assertSourceWritable();
    assertEquals("url=jdbc:postgresql://old/shop\n", Files.readString(config));
    assertFalse(Files.exists(Path.of(config + CutoverService.PRE_CUTOVER_SUFFIX)));
    String md = new String(out.files().get(ArtifactPaths.CUTOVER_LOG_MD), UTF_8);
    assertTrue(md.contains("| select | select | 3 | 2 | **no** |"), md);
  }

  /**
   * Drift after Validation that keeps every count equal (an UPDATE, a DELETE + INSERT of another
   * key): a count comparison passed such a cutover and lost the rows; the checksums refuse it, name
   * the rows, and leave the source unfrozen and the applications where they were.
   */
  @Test
  void sourceChangesThatKeepTheCountsAreFoundAndRefuseTheSwitch() throws Exception {
    source.execute("UPDATE \"select\" SET v = 'changed after validation' WHERE id = 2");
    source.execute(
        "DELETE FROM \"Order Items\" WHERE id = 4", "INSERT INTO \"Order Items\" VALUES (0)");
    StageOutput out = cutover.executeCutover(spec("PT15M"), BRANCH, commit);
    CutoverLog log =
        Json.read(out.files().get(ArtifactPaths.CUTOVER_LOG_JSON), CutoverLog.class, "log");
    assertEquals(Verdict.FAIL, out.verdict(), out.summary());
    assertTrue(log.rolledBack());
    CutoverStep compared =
        log.steps().stream()
            .filter(s -> s.name().equals(CutoverService.COUNTS))
            .findFirst()
            .orElseThrow();
    assertEquals(CutoverStep.FAILED, compared.status());
    assertTrue(
        compared.detail().contains("Order Items (5 vs 5 rows; missing 1, extra 1"),
        compared.detail());
    assertTrue(
        compared.detail().contains("select (3 vs 3 rows; missing 0, extra 0, changed 1; rows: "),
        compared.detail());
    assertTrue(log.steps().stream().noneMatch(s -> s.name().equals(CutoverService.SWITCH)));
    assertSourceWritable();
    assertEquals("url=jdbc:postgresql://old/shop\n", Files.readString(config));
  }

  /**
   * A column added to a source table after Mapping (PostgreSQL: no row change follows it, so no
   * stream would notice) is on neither the target nor in the final check, which compares the mapped
   * columns: the switch would lose its values. The cutover reads the source's columns under the
   * freeze and refuses, naming the table and the column; nothing switched, the source writable.
   */
  @Test
  void aColumnAddedToTheSourceAfterMappingRefusesTheSwitch() throws Exception {
    source.execute("ALTER TABLE \"select\" ADD COLUMN note text NOT NULL DEFAULT 'kept only here'");
    StageOutput out = cutover.executeCutover(spec("PT15M"), BRANCH, commit);
    CutoverLog log =
        Json.read(out.files().get(ArtifactPaths.CUTOVER_LOG_JSON), CutoverLog.class, "log");
    assertEquals(Verdict.FAIL, out.verdict(), out.summary());
    assertTrue(log.rolledBack());
    CutoverStep compared =
        log.steps().stream()
            .filter(s -> s.name().equals(CutoverService.COUNTS))
            .findFirst()
            .orElseThrow();
    assertEquals(CutoverStep.OK, compared.status(), compared.detail());
    CutoverStep schema =
        log.steps().stream()
            .filter(s -> s.name().equals(CutoverService.SCHEMA))
            .findFirst()
            .orElseThrow();
    assertEquals(CutoverStep.FAILED, schema.status());
    assertTrue(
        schema
            .detail()
            .contains("select: column note added (not in the mapping, not on the target)"),
        schema.detail());
    assertTrue(log.steps().stream().noneMatch(s -> s.name().equals(CutoverService.SWITCH)));
    assertSourceWritable();
    assertEquals("url=jdbc:postgresql://old/shop\n", Files.readString(config));
  }

  @Test
  void theConfigFileNeverHoldsAPassword() {
    MigrationSpec spec =
        SpecLoader.parse(
            specText("PT15M")
                .replace("user: postgres }", "user: postgres, password: \"${env:DB_PW}\" }"));
    String props = new String(ConnectionSwitch.render(spec, config), UTF_8);
    assertTrue(props.contains("password_ref=${env:DB_PW}\n"), props);
    String json = new String(ConnectionSwitch.render(spec, Path.of("x.json")), UTF_8);
    assertTrue(json.contains("\"password_ref\" : \"${env:DB_PW}\""), json);
    assertNull(spec.target().schema());
  }

  /**
   * The command switch: the hook gets the old and new connection in its environment (the password
   * resolved there, never on its command line), its output lands in the cutover log with the
   * password replaced, and a failing post-check sends it again in the rollback direction.
   */
  @Test
  void theCommandSwitchRunsTheHookWithTheConnectionsInItsEnvironment() throws Exception {
    Path hook = apps.resolve("repoint.sh");
    Path pointed = apps.resolve("pointed");
    Files.writeString(
        hook,
        "#!/bin/sh\n"
            + "echo \"$STUDIO_SWITCH_DIRECTION to $STUDIO_NEW_DATABASE from $STUDIO_OLD_DATABASE"
            + " pw=$STUDIO_NEW_PASSWORD args=$*\"\n"
            + "echo \"$STUDIO_NEW_URL\" > \"$1\"\n");
    hook.toFile().setExecutable(true);
    String password = "hunter2-" + Long.toHexString(System.nanoTime());
    CutoverService withSecret =
        new CutoverService(store, new SecretResolver(Map.of("TGT_PW", password)));
    MigrationSpec spec =
        SpecLoader.parse(
            specText("PT15M")
                .replace(
                    "\", user: postgres }\ncutover",
                    "\", user: postgres, password: \"${env:TGT_PW}\" }\ncutover")
                .replaceAll(
                    "switch: \\{[^}]*}",
                    "switch: { type: command, command: [\"" + hook + "\", \"" + pointed + "\"] }"));
    StageOutput out = withSecret.executeCutover(spec, BRANCH, commit);
    assertEquals(Verdict.PASS, out.verdict(), out.summary());
    CutoverLog log =
        Json.read(out.files().get(ArtifactPaths.CUTOVER_LOG_JSON), CutoverLog.class, "log");
    CutoverStep sw =
        log.steps().stream()
            .filter(s -> s.name().equals(CutoverService.SWITCH))
            .findFirst()
            .orElseThrow();
    assertEquals(CutoverStep.OK, sw.status(), sw.detail());
    assertTrue(sw.detail().contains("exited 0 after"), sw.detail());
    assertTrue(
        sw.detail().contains("cutover to " + target.name() + " from " + source.name()),
        sw.detail());
    assertTrue(sw.detail().contains("pw=*** args=" + pointed), sw.detail());
    assertFalse(
        new String(out.files().get(ArtifactPaths.CUTOVER_LOG_JSON), UTF_8).contains(password));
    assertFalse(
        new String(out.files().get(ArtifactPaths.CUTOVER_LOG_MD), UTF_8).contains(password));
    assertEquals(target.jdbcUrl() + "\n", Files.readString(pointed));
    source.execute(
        "DROP TRIGGER studio_write_guard ON \"select\"",
        "DROP TRIGGER studio_write_guard ON \"Order Items\"",
        "DROP TRIGGER studio_write_guard ON \"ünï\"\"q\"");

    // a hook that fails: the step fails with its exit code and output, the cutover rolls back and
    // the hook runs again in the rollback direction (old and new swapped)
    Files.writeString(
        hook,
        "#!/bin/sh\necho \"$STUDIO_SWITCH_DIRECTION to $STUDIO_NEW_DATABASE\" >> \"$1\"\n"
            + "[ \"$STUDIO_SWITCH_DIRECTION\" = rollback ] || { echo no route >&2; exit 3; }\n");
    Files.delete(pointed);
    StageOutput failed = withSecret.executeCutover(spec, BRANCH, commit);
    assertEquals(Verdict.FAIL, failed.verdict(), failed.summary());
    CutoverLog failedLog =
        Json.read(failed.files().get(ArtifactPaths.CUTOVER_LOG_JSON), CutoverLog.class, "log");
    CutoverStep refused =
        failedLog.steps().stream()
            .filter(s -> s.name().equals(CutoverService.SWITCH))
            .findFirst()
            .orElseThrow();
    assertEquals(CutoverStep.FAILED, refused.status());
    assertTrue(refused.detail().contains("exited with code 3"), refused.detail());
    assertTrue(refused.detail().contains("no route"), refused.detail());
    assertEquals(
        "cutover to " + target.name() + "\nrollback to " + source.name() + "\n",
        Files.readString(pointed));
    assertSourceWritable();
  }

  @Test
  void theDrillDoesNotRunASwitchThatMovesLiveTraffic() throws Exception {
    Path hook = apps.resolve("repoint.sh");
    Path ran = apps.resolve("ran");
    Files.writeString(hook, "#!/bin/sh\ntouch \"$1\"\n");
    hook.toFile().setExecutable(true);
    MigrationSpec spec =
        SpecLoader.parse(
            specText("PT15M")
                .replaceAll(
                    "switch: \\{[^}]*}",
                    "switch: { type: command, command: [\"" + hook + "\", \"" + ran + "\"] }"));
    StageOutput out = cutover.drillRollback(spec, BRANCH);
    assertEquals(Verdict.PASS, out.verdict(), out.summary());
    DrillReport drill =
        Json.read(out.files().get(ArtifactPaths.DRILL_JSON), DrillReport.class, "drill");
    CutoverStep sw =
        drill.steps().stream()
            .filter(s -> s.name().equals(CutoverService.SWITCH))
            .findFirst()
            .orElseThrow();
    assertEquals(CutoverStep.SKIPPED, sw.status());
    assertTrue(sw.detail().contains("moves live traffic"), sw.detail());
    assertFalse(Files.exists(ran), "the hook did not run in the drill");
    assertSourceWritable();
  }

  @Test
  void aHookThatHangsIsKilledAtTheTimeout() throws Exception {
    Path hook = apps.resolve("hang.sh");
    Files.writeString(hook, "#!/bin/sh\necho started\nsleep 30\n");
    hook.toFile().setExecutable(true);
    MigrationSpec spec =
        SpecLoader.parse(
            specText("PT15M")
                .replaceAll(
                    "switch: \\{[^}]*}",
                    "switch: { type: command, command: [\"" + hook + "\"], timeout: PT1S }"));
    long start = System.nanoTime();
    StepRecorder.CheckFailed e =
        assertThrows(
            StepRecorder.CheckFailed.class,
            () -> new CommandSwitch(spec, new SecretResolver(Map.of())).apply());
    assertTrue((System.nanoTime() - start) / 1_000_000 < 10_000, "killed, not waited for");
    assertTrue(
        e.getMessage().contains("did not finish within cutover.switch.timeout PT1S"),
        e.getMessage());
    assertTrue(e.getMessage().contains("started"), e.getMessage());
  }

  private void assertSourceWritable() {
    source.execute("INSERT INTO \"select\" VALUES (100)", "DELETE FROM \"select\" WHERE id = 100");
  }

  private MigrationSpec spec(String rto) {
    return SpecLoader.parse(specText(rto));
  }

  private String specText(String rto) {
    return "id: shop\n"
        + "source: { url: \""
        + source.jdbcUrl()
        + "\", user: postgres }\n"
        + "target: { url: \""
        + target.jdbcUrl()
        + "\", user: postgres }\n"
        + "cutover: { rto: "
        + rto
        + ", switch: { type: config-file, path: \""
        + config
        + "\" } }\n";
  }

  private static String q(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }
}
