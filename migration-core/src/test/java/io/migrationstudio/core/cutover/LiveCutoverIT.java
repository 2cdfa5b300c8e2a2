package io.migrationstudio.core.cutover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.cdc.apply.StreamService;
import io.migrationstudio.core.copy.Loads;
import io.migrationstudio.core.copy.TestMappings;
import io.migrationstudio.core.cutover.reverse.ReverseStream;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.spec.SecretResolver;
import io.migrationstudio.core.spec.SpecLoader;
import io.migrationstudio.testkit.MariaDbExtension;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import io.migrationstudio.testkit.TestMariaDb;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The live cutover's gate on lag: a stream that needs longer than {@code cutover.max_lag} to reach
 * the source's end of log is refused before anything is frozen; within it, the catch-up applies
 * what was pending and the sequence step moves the target's identity past the keys the stream
 * brought.
 */
@ExtendWith({PostgresExtension.class, MariaDbExtension.class})
class LiveCutoverIT {
  @Test
  void aStreamBehindMaxLagIsRefusedAndOneWithinItCatchesUp(TestDatabase source, TestDatabase target)
      throws Exception {
    source.execute(
        "CREATE TABLE t (id bigserial PRIMARY KEY, v text)",
        "INSERT INTO t (v) SELECT 'v' || g FROM generate_series(1, 20) g");
    SecretResolver secrets = new SecretResolver(Map.of());
    StreamService stream = new StreamService(secrets);
    MigrationSpec strict = spec(source, target, "PT0.001S");
    MappingDocument mapping;
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      mapping = TestMappings.identity(src, "public", "public");
      String start = stream.prepare(strict, mapping, "m").position();
      Loads.migrate(src, tgt, mapping, "m", 10);
      source.execute("INSERT INTO t (v) VALUES ('streamed')");
      applyUntilStreamed(stream, strict, mapping, "m", start, target);
    }
    try {
      source.execute("INSERT INTO t (v) SELECT 'later' FROM generate_series(1, 5)");
      StepRecorder.CheckFailed refused =
          assertThrows(
              StepRecorder.CheckFailed.class,
              () -> new LiveCutover(strict, mapping, "m", secrets).catchUp());
      assertTrue(refused.getMessage().contains("cutover.max_lag PT0.001S"), refused.getMessage());
      assertTrue(refused.getMessage().contains("nothing was frozen"), refused.getMessage());

      LiveCutover live = new LiveCutover(spec(source, target, "PT1M"), mapping, "m", secrets);
      String caughtUp = live.catchUp();
      assertTrue(caughtUp.contains("within cutover.max_lag PT1M"), caughtUp);
      assertEquals(26, target.queryLong("SELECT count(*) FROM t"));
      live.sequences();
      target.execute("INSERT INTO t (v) VALUES ('on the target')");
      assertEquals(27, target.queryLong("SELECT max(id) FROM t"));
      assertTrue(live.live(null).lagMillis() <= 60_000, String.valueOf(live.live(null)));
    } finally {
      stream.drop(strict, StreamService.captureName("m"));
    }
  }

  /**
   * A MariaDB {@code TRUNCATE} passes the write guards (triggers do not fire on it; root, or any
   * account with {@code DROP}). Committed after the freeze and before the end marker, the drain
   * used to apply it (the marker was the freeze point): the target emptied too, both sides equal,
   * the cutover would pass. The freeze point is now the source's end of log read by the freeze's
   * session right after the freeze: the drain refuses the TRUNCATE, names it, and does not apply
   * it; the target keeps its rows.
   */
  @Test
  void aTruncateThatPassesTheMariaDbGuardsAfterTheFreezeIsRefusedNotApplied(
      TestMariaDb maria, TestDatabase target) throws Exception {
    maria.execute(
        "CREATE TABLE t (id int AUTO_INCREMENT PRIMARY KEY, v varchar(40)) ENGINE=InnoDB",
        "INSERT INTO t (v) VALUES ('a'), ('b'), ('c')");
    SecretResolver secrets = new SecretResolver(Map.of());
    MigrationSpec spec =
        SpecLoader.parse(
            "id: trunc\n"
                + "source: { url: \""
                + maria.jdbcUrl()
                + "\", user: root, schema: "
                + maria.name()
                + " }\n"
                + "target: { url: \""
                + target.jdbcUrl()
                + "\", user: postgres, schema: public }\n"
                + "migrate: { strategy: online }\n"
                + "cutover: { max_lag: PT1M }\n");
    StreamService stream = new StreamService(secrets);
    io.migrationstudio.core.dialect.Dialect md =
        io.migrationstudio.core.dialect.Dialects.forUrl(maria.jdbcUrl());
    List<String> guarded = List.of("`" + maria.name() + "`.`t`");
    MappingDocument mapping;
    try (Connection src = maria.connect();
        Connection tgt = target.connect()) {
      mapping = TestMappings.mariaDbIdentity(maria, src, x -> true);
      String start = stream.prepare(spec, mapping, "trunc").position();
      io.migrationstudio.core.copy.TargetPreparer.Prepared prepared =
          new io.migrationstudio.core.copy.TargetPreparer(md, Loads.PG)
              .prepare(src, tgt, mapping, "trunc", 10);
      for (var plan : prepared.tables()) {
        for (var r : plan.chunks()) {
          new io.migrationstudio.core.copy.ChunkCopier(md, Loads.PG)
              .copy(
                  src,
                  tgt,
                  mapping,
                  mapping.bySource(plan.sourceTable()).orElseThrow(),
                  r,
                  "trunc",
                  io.migrationstudio.core.copy.ChunkProgress.NONE);
        }
      }
      new io.migrationstudio.core.copy.LoadFinisher(Loads.PG).finish(tgt, mapping, "trunc", 0L);
      maria.execute("INSERT INTO t (v) VALUES ('streamed')");
      applyUntilStreamed(stream, spec, mapping, "trunc", start, target);
    }
    var guards = md.writeFreeze().orElseThrow();
    try (Connection control = maria.connect()) {
      LiveCutover live = new LiveCutover(spec, mapping, "trunc", secrets);
      live.catchUp();
      guards.freezeWrites(control, guarded, Duration.ofSeconds(10));
      String point = live.freezePoint(control);
      try (Connection root = maria.connect();
          Statement st = root.createStatement()) {
        assertTrue(guards.tryWrite(root, guarded.get(0)).startsWith("SQLState 25006"));
        st.execute("TRUNCATE TABLE t"); // the guards do not fire
      }
      assertEquals(0, maria.queryLong("SELECT count(*) FROM t"));
      live.mark();
      StepRecorder.CheckFailed refused =
          assertThrows(StepRecorder.CheckFailed.class, live::drain, point);
      assertTrue(
          refused.getMessage().contains("after the freeze point")
              && refused.getMessage().contains("t TRUNCATE"),
          refused.getMessage());
      assertEquals(4, target.queryLong("SELECT count(*) FROM t"), "the target keeps its rows");
    } finally {
      try (Connection control = maria.connect()) {
        guards.unfreezeWrites(control, guarded);
      }
      stream.drop(spec, StreamService.captureName("trunc"));
    }
  }

  /**
   * The drill after the cutover approval, on the real pair of an online migration: catch-up,
   * freeze, marker, drain, switch, reverse stream, the drill's tagged writes on the target, then
   * the way back by the rollback service and the target unfrozen. Afterwards the source holds
   * exactly what it held plus the streamed row (the drill's writes never reached it: the reverse
   * stream applied 0 changes while the drill wrote 1 row), takes writes again, the foreign session
   * opened before the drill is still alive, and only the forward capture is left.
   */
  @Test
  void theDrillRehearsesTheWayThereAndBackOnTheRealPairAndLeavesTheSourceAsItWas(
      TestDatabase source, TestDatabase target) throws Exception {
    source.execute(
        "CREATE TABLE t (id bigserial PRIMARY KEY, v text)",
        "INSERT INTO t (v) SELECT 'v' || g FROM generate_series(1, 20) g");
    SecretResolver secrets = new SecretResolver(Map.of());
    StreamService stream = new StreamService(secrets);
    MigrationSpec spec = drillSpec(source, target, "PT1M");
    MappingDocument mapping;
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      mapping = TestMappings.identity(src, "public", "public");
      String start = stream.prepare(spec, mapping, "drill").position();
      Loads.migrate(src, tgt, mapping, "drill", 10);
      source.execute("INSERT INTO t (v) VALUES ('streamed')");
      applyUntilStreamed(stream, spec, mapping, "drill", start, target);
    }
    source.execute("INSERT INTO t (v) VALUES ('pending, applied by the drill')");
    String before = md5(source);
    try (Connection foreign = source.connect()) {
      long foreignPid = pid(foreign);
      DrillReport drill =
          new CutoverService(null, secrets)
              .rehearseRealPath(spec, "drill", mapping, "approved", 42L);
      System.out.println("drill: " + drill.summary());
      assertEquals(Verdict.PASS, drill.verdict(), drill.toString());
      assertEquals(DrillReport.ONLINE, drill.kind());
      assertEquals(42L, drill.requestedAt());
      List<String> names = drill.steps().stream().map(CutoverStep::name).toList();
      for (String step :
          List.of(
              CutoverService.CATCH_UP,
              CutoverService.FREEZE,
              CutoverService.DRAIN,
              CutoverService.REVERSE_START,
              CutoverService.DRILL_WRITES,
              "drain the reverse stream to the marker", // RollbackService's own steps
              "unfreeze source writes",
              CutoverService.UNFREEZE_TARGET)) {
        assertTrue(names.contains(step), step + " in " + names);
      }
      assertTrue(drill.steps().stream().allMatch(st -> !st.failed()), drill.steps().toString());
      assertTrue(drill.rollbackMillis() > 0 && drill.rollbackMillis() <= 60_000);
      assertEquals(1L, drill.drillWrites(), "one row rewritten on the target");
      assertEquals(0L, drill.reverseChanges(), "the drill's tagged write was not applied back");

      assertEquals(before, md5(source), "the source holds what it held");
      assertEquals(before, md5(target), "the target holds the same rows");
      try (Statement s = foreign.createStatement()) {
        s.execute("INSERT INTO t (v) VALUES ('the foreign session writes again')");
      }
      assertEquals(foreignPid, pid(foreign), "the session opened before the drill survived");
      target.execute("INSERT INTO t (id, v) VALUES (1000, 'the target is not frozen')");
      assertEquals(
          0,
          target.queryLong(
              "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '"
                  + ReverseStream.captureName("drill")
                  + "'"),
          "the drill's reverse capture is gone");
      assertEquals(
          1,
          source.queryLong(
              "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '"
                  + StreamService.captureName("drill")
                  + "'"),
          "the forward capture stays for the execution");
      assertFalse(drill.notRehearsed().isEmpty());
    } finally {
      stream.drop(spec, StreamService.captureName("drill"));
    }
  }

  private static long pid(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static String md5(TestDatabase db) throws SQLException {
    try (Connection c = db.connect();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT md5(string_agg(id || ':' || v, ',' ORDER BY id)) FROM t")) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static MigrationSpec drillSpec(TestDatabase source, TestDatabase target, String rto) {
    return SpecLoader.parse(
        "id: drill\n"
            + "source: { url: \""
            + source.jdbcUrl()
            + "\", user: postgres }\n"
            + "target: { url: \""
            + target.jdbcUrl()
            + "\", user: postgres }\n"
            + "migrate: { strategy: online }\n"
            + "cutover: { max_lag: PT1M, rto: "
            + rto
            + " }\n");
  }

  private static MigrationSpec spec(TestDatabase source, TestDatabase target, String maxLag) {
    return SpecLoader.parse(
        "id: live\n"
            + "source: { url: \""
            + source.jdbcUrl()
            + "\", user: postgres }\n"
            + "target: { url: \""
            + target.jdbcUrl()
            + "\", user: postgres }\n"
            + "migrate: { strategy: online }\n"
            + "cutover: { max_lag: "
            + maxLag
            + " }\n");
  }

  /**
   * Applies 2 s slices (as the Migrate stage does) until the target holds the source's {@code
   * streamed} row: one slice can end before the walsender sends anything on a loaded machine, and
   * then the catch-up has no position to drain from.
   */
  private static void applyUntilStreamed(
      StreamService stream,
      MigrationSpec spec,
      MappingDocument mapping,
      String migrationId,
      String start,
      TestDatabase target) {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    do {
      stream.applySlice(
          spec,
          mapping,
          migrationId,
          StreamService.captureName(migrationId),
          start,
          Duration.ofSeconds(2),
          p -> {});
    } while (target.queryLong("SELECT count(*) FROM t WHERE v = 'streamed'") == 0
        && System.nanoTime() < deadline);
    assertEquals(
        1,
        target.queryLong("SELECT count(*) FROM t WHERE v = 'streamed'"),
        "the stream applied the streamed row within 90 s");
  }
}
