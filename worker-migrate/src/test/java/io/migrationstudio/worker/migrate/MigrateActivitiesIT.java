package io.migrationstudio.worker.migrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.activity.ChunkBatchRequest;
import io.migrationstudio.contracts.activity.ChunkBatchResult;
import io.migrationstudio.contracts.activity.ChunkRange;
import io.migrationstudio.contracts.activity.ChunkRequest;
import io.migrationstudio.contracts.activity.ChunkResult;
import io.migrationstudio.contracts.activity.MigrateActivities;
import io.migrationstudio.contracts.activity.MigratePlan;
import io.migrationstudio.contracts.activity.StageRequest;
import io.migrationstudio.contracts.activity.StageResult;
import io.migrationstudio.contracts.spec.ConnectionSpec;
import io.migrationstudio.contracts.spec.MigrateOptions;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.git.GitArtifactStore;
import io.migrationstudio.core.mapping.ColumnMapping;
import io.migrationstudio.core.mapping.Disposition;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.schema.CanonicalType;
import io.migrationstudio.core.spec.SecretResolver;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(PostgresExtension.class)
class MigrateActivitiesIT {

  @TempDir Path home;
  private GitArtifactStore store;

  @BeforeEach
  void openStore() {
    store = GitArtifactStore.open(home, null);
  }

  private final TestActivityEnvironment env = TestActivityEnvironment.newInstance();

  @AfterEach
  void close() {
    env.close();
    store.close();
  }

  static MappingDocument itemsMapping() {
    return itemsMapping(true);
  }

  static MappingDocument itemsMapping(boolean nameNullable) {
    return new MappingDocument(
        1,
        "identity",
        "postgresql",
        "public",
        "public",
        List.of(
            new TableMapping(
                "Items",
                "items",
                null,
                List.of("id"),
                List.of(
                    ColumnMapping.builder()
                        .source("Id")
                        .target("id")
                        .disposition(Disposition.MAP)
                        .sourceType("integer")
                        .type("integer")
                        .canonical(CanonicalType.INTEGER)
                        .identity(true)
                        .build(),
                    ColumnMapping.builder()
                        .source("Name")
                        .target("name")
                        .disposition(Disposition.CAST)
                        .sourceType("text")
                        .type("varchar(40)")
                        .canonical(CanonicalType.VARCHAR)
                        .nullable(nameNullable)
                        .build()),
                null,
                null,
                null)),
        null);
  }

  @Test
  void theActivitiesPrepareCopyFinishAndCheck(TestDatabase source, TestDatabase target) {
    source.execute(
        "CREATE TABLE \"Items\" (\"Id\" serial PRIMARY KEY, \"Name\" text)",
        "INSERT INTO \"Items\" (\"Name\") SELECT 'item ' || g FROM generate_series(1, 2500) g");
    String mappingCommit =
        store
            .commit(
                "migrations/m",
                Stage.MAPPING.producerRole(),
                "mapping",
                Map.of(ArtifactPaths.MAPPING_YAML, Json.bytes(Json.writeYaml(itemsMapping()))))
            .head();
    MigrationSpec spec =
        new MigrationSpec(
            "m",
            null,
            new ConnectionSpec(source.jdbcUrl(), source.user(), null, null),
            new ConnectionSpec(target.jdbcUrl(), target.user(), null, null),
            null,
            null,
            new MigrateOptions(null, null, 1000, null, null, null, null, null, null, null, null),
            null,
            null,
            null,
            null,
            null);
    env.registerActivitiesImplementations(
        new MigrateActivitiesImpl(store, new SecretResolver(Map.of())));
    MigrateActivities activities = env.newActivityStub(MigrateActivities.class);
    List<Object> heartbeats = new ArrayList<>();
    env.setActivityHeartbeatListener(Long.class, heartbeats::add);

    StageRequest prepareReq = new StageRequest("m", spec, "migrations/m", mappingCommit, 1000L);
    MigratePlan plan = activities.prepareTarget(prepareReq);
    assertEquals(3, plan.tables().get(0).chunks().size());
    assertTrue(text(plan.commit(), ArtifactPaths.TARGET_SCHEMA_SQL).contains("IDENTITY"));

    // the worker's chunks share one source and one target session (issue 17: no connection
    // opened per chunk)
    awaitNoneOf(target, sessions(target));
    awaitNoneOf(source, sessions(source));
    List<Set<Integer>> targetSessions = new ArrayList<>();
    List<Set<Integer>> sourceSessions = new ArrayList<>();
    for (ChunkRange r : plan.tables().get(0).chunks()) {
      ChunkResult res =
          activities.copyChunk(
              new ChunkRequest(
                  "m", spec, "migrations/m", mappingCommit, "Items", r, "m/Items/" + r.index()));
      assertFalse(res.alreadyCommitted());
      targetSessions.add(sessions(target));
      sourceSessions.add(sessions(source));
    }
    assertEquals(1, targetSessions.get(0).size(), "target sessions: " + targetSessions);
    assertEquals(1, sourceSessions.get(0).size(), "source sessions: " + sourceSessions);
    assertEquals(Set.of(targetSessions.get(0)), Set.copyOf(targetSessions));
    assertEquals(Set.of(sourceSessions.get(0)), Set.copyOf(sourceSessions));
    assertEquals(2500, target.queryLong("select count(*) from items"));
    assertTrue(heartbeats.contains(1000L), "heartbeats carry rows copied: " + heartbeats);

    // a chunk that fails inside its work closes its sessions: they are never used again
    ChunkRange first = plan.tables().get(0).chunks().get(0);
    ChunkRange misplanned = new ChunkRange(first.index(), first.lo(), "999999");
    ActivityFailure failed =
        org.junit.jupiter.api.Assertions.assertThrows(
            ActivityFailure.class,
            () ->
                activities.copyChunk(
                    new ChunkRequest(
                        "m", spec, "migrations/m", mappingCommit, "Items", misplanned, "m/x")));
    assertEquals(
        ErrorCode.INVALID_ARTIFACT.name(), ((ApplicationFailure) failed.getCause()).getType());
    awaitNoneOf(target, targetSessions.get(0));
    awaitNoneOf(source, sourceSessions.get(0));
    ChunkResult again =
        activities.copyChunk(
            new ChunkRequest(
                "m", spec, "migrations/m", mappingCommit, "Items", first, "m/Items/0"));
    assertTrue(again.alreadyCommitted());
    assertEquals(1, sessions(target).size());
    assertFalse(sessions(target).containsAll(targetSessions.get(0)), "a new target session");

    StageRequest req = new StageRequest("m", spec, "migrations/m", plan.commit(), 1000L);
    StageResult finished = activities.finishLoad(req);
    assertEquals(Stage.MIGRATE.producerRole(), finished.role());
    assertEquals(2, finished.artifacts().size());
    assertEquals(2501, target.queryLong("select nextval(pg_get_serial_sequence('items', 'id'))"));
    // the stage ended: the worker keeps no session open on either database
    awaitNoneOf(target, sessions(target));
    awaitNoneOf(source, sessions(source));
    assertEquals(Set.of(), sessions(target));
    StageResult twice = activities.finishLoad(req);
    assertEquals(finished.commit(), twice.commit(), "identical run files make no new commit");

    StageResult check = activities.checkIntegration(req);
    assertEquals(Verdict.PASS, check.verdict());
    assertEquals(Stage.MIGRATE.checkerRole(), check.role());
    assertTrue(
        check
            .summary()
            .endsWith(
                "; strategy bulk: keep writes to the source stopped until the"
                    + " cutover; a write made since Migrate started is not on the target"),
        check.summary());
  }

  /**
   * A batch of chunks (issue 17: one activity for consecutive chunks) copies each exactly once in
   * its own transaction: a batch that fails on its third chunk leaves the first two committed in
   * the ledger with their rows, and the retried batch finds them so, copies the rest and ends with
   * every row once and every ledger row committed.
   */
  @Test
  void aBatchOfChunksCopiesEachOnceAndResumesAfterAFailedChunk(
      TestDatabase source, TestDatabase target) {
    source.execute(
        "CREATE TABLE \"Items\" (\"Id\" serial PRIMARY KEY, \"Name\" text)",
        "INSERT INTO \"Items\" (\"Name\") SELECT 'item ' || g FROM generate_series(1, 2500) g");
    String mappingCommit =
        store
            .commit(
                "migrations/b",
                Stage.MAPPING.producerRole(),
                "mapping",
                Map.of(ArtifactPaths.MAPPING_YAML, Json.bytes(Json.writeYaml(itemsMapping()))))
            .head();
    MigrationSpec spec =
        new MigrationSpec(
            "b",
            null,
            new ConnectionSpec(source.jdbcUrl(), source.user(), null, null),
            new ConnectionSpec(target.jdbcUrl(), target.user(), null, null),
            null,
            null,
            new MigrateOptions(null, null, 500, null, null, null, null, null, null, null, null),
            null,
            null,
            null,
            null,
            null);
    env.registerActivitiesImplementations(
        new MigrateActivitiesImpl(store, new SecretResolver(Map.of())));
    MigrateActivities activities = env.newActivityStub(MigrateActivities.class);
    MigratePlan plan =
        activities.prepareTarget(new StageRequest("b", spec, "migrations/b", mappingCommit, 1000L));
    List<ChunkRange> chunks = plan.tables().get(0).chunks();
    assertEquals(5, chunks.size(), chunks.toString());

    ChunkRange third = chunks.get(2);
    List<ChunkRange> failing =
        List.of(chunks.get(0), chunks.get(1), new ChunkRange(third.index(), third.lo(), "999999"));
    ActivityFailure failed =
        org.junit.jupiter.api.Assertions.assertThrows(
            ActivityFailure.class,
            () ->
                activities.copyChunks(
                    new ChunkBatchRequest(
                        "b",
                        spec,
                        "migrations/b",
                        mappingCommit,
                        "Items",
                        failing,
                        "b/Items/0-2")));
    assertEquals(
        ErrorCode.INVALID_ARTIFACT.name(), ((ApplicationFailure) failed.getCause()).getType());
    assertEquals(1000, target.queryLong("select count(*) from items"), "chunks 0 and 1 are in");
    assertEquals(
        2,
        target.queryLong(
            "select count(*) from studio.chunk_ledger where migration = 'b' and status = 'committed'"));

    ChunkBatchResult batch =
        activities.copyChunks(
            new ChunkBatchRequest(
                "b", spec, "migrations/b", mappingCommit, "Items", chunks, "b/Items/0-4"));
    assertEquals(
        List.of(true, true, false, false, false),
        batch.chunks().stream().map(ChunkResult::alreadyCommitted).toList(),
        batch.toString());
    assertEquals(List.of(0, 1, 2, 3, 4), batch.chunks().stream().map(ChunkResult::index).toList());
    assertEquals(2500, batch.chunks().stream().mapToLong(ChunkResult::rows).sum());
    assertEquals(2500, target.queryLong("select count(*) from items"));
    assertEquals(2500, target.queryLong("select count(distinct id) from items"));
    assertEquals(
        5,
        target.queryLong(
            "select count(*) from studio.chunk_ledger where migration = 'b' and status = 'committed'"));
  }

  /**
   * The other client sessions on {@code db}'s database (the pooled ones of the worker), once two
   * reads 50 ms apart agree (a session closed just before may take a moment to leave).
   */
  static Set<Integer> sessions(TestDatabase db) {
    Set<Integer> last = readSessions(db);
    for (int i = 0; i < 100; i++) {
      sleep(50);
      Set<Integer> now = readSessions(db);
      if (now.equals(last)) {
        return now;
      }
      last = now;
    }
    return last;
  }

  private static Set<Integer> readSessions(TestDatabase db) {
    try (java.sql.Connection c = db.connect();
        java.sql.Statement st = c.createStatement()) {
      st.execute("SET application_name = 'sessions-probe'");
      try (java.sql.ResultSet rs =
          st.executeQuery(
              "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                  + " AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
                  + " AND application_name <> 'sessions-probe'")) {
        Set<Integer> out = new java.util.HashSet<>();
        while (rs.next()) {
          out.add(rs.getInt(1));
        }
        return out;
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Waits (up to 10 s) until none of {@code pids} is a session of {@code db} any more. */
  static void awaitNoneOf(TestDatabase db, Set<Integer> pids) {
    long until = System.nanoTime() + 10_000_000_000L;
    Set<Integer> left = new java.util.HashSet<>(readSessions(db));
    left.retainAll(pids);
    while (!left.isEmpty() && System.nanoTime() < until) {
      sleep(20);
      left = new java.util.HashSet<>(readSessions(db));
      left.retainAll(pids);
    }
    assertEquals(Set.of(), left, "sessions still open on " + db.name());
  }

  @Test
  void aDryRunCommitsItsReportAndLeavesTheTargetEmpty(TestDatabase source, TestDatabase target) {
    source.execute(
        "CREATE TABLE \"Items\" (\"Id\" serial PRIMARY KEY, \"Name\" text)",
        "INSERT INTO \"Items\" (\"Name\") SELECT 'item ' || g FROM generate_series(1, 2500) g",
        "UPDATE \"Items\" SET \"Name\" = NULL WHERE \"Id\" IN (10, 2000)");
    String mappingCommit =
        store
            .commit(
                "migrations/d",
                Stage.MAPPING.producerRole(),
                "mapping",
                Map.of(ArtifactPaths.MAPPING_YAML, Json.bytes(Json.writeYaml(itemsMapping(false)))))
            .head();
    MigrationSpec spec =
        new MigrationSpec(
            "d",
            null,
            new ConnectionSpec(source.jdbcUrl(), source.user(), null, null),
            new ConnectionSpec(target.jdbcUrl(), target.user(), null, null),
            null,
            null,
            new MigrateOptions(null, null, 1000, 2L, true, null, null, null, null, null, null),
            null,
            null,
            null,
            null,
            null);
    env.registerActivitiesImplementations(
        new MigrateActivitiesImpl(store, new SecretResolver(Map.of())));
    MigrateActivities activities = env.newActivityStub(MigrateActivities.class);
    List<Object> heartbeats = new ArrayList<>();
    env.setActivityHeartbeatListener(Long.class, heartbeats::add);
    long before = target.queryLong("SELECT count(*) FROM pg_class");

    StageResult dry =
        activities.dryRun(new StageRequest("d", spec, "migrations/d", mappingCommit, 1000L));
    assertEquals(Verdict.PASS, dry.verdict(), dry.summary());
    String md = text(dry.commit(), ArtifactPaths.DRY_RUN_REPORT_MD);
    assertTrue(md.contains("| 23502 |"), md);
    assertTrue(text(dry.commit(), ArtifactPaths.DRY_RUN_REPORT_JSON).contains("\"rejects\" : 2"));
    // Temporal throttles heartbeats; the first carries the rows read by then
    assertTrue(heartbeats.contains(1000L), "heartbeats carry rows read: " + heartbeats);
    assertEquals(before, target.queryLong("SELECT count(*) FROM pg_class"), "nothing created");

    StageResult check =
        activities.checkIntegration(
            new StageRequest("d", spec, "migrations/d", dry.commit(), 1000L));
    assertEquals(Verdict.PASS, check.verdict(), check.summary());
    assertEquals(Stage.MIGRATE.checkerRole(), check.role());
  }

  @Test
  void aThrottledChunkIsPacedAndRecordsItsWorker(TestDatabase source, TestDatabase target) {
    source.execute(
        "CREATE TABLE \"Items\" (\"Id\" serial PRIMARY KEY, \"Name\" text)",
        "INSERT INTO \"Items\" (\"Name\") SELECT 'item ' || g FROM generate_series(1, 2500) g");
    String mappingCommit =
        store
            .commit(
                "migrations/t",
                Stage.MAPPING.producerRole(),
                "mapping",
                Map.of(ArtifactPaths.MAPPING_YAML, Json.bytes(Json.writeYaml(itemsMapping()))))
            .head();
    MigrationSpec spec =
        new MigrationSpec(
            "t",
            null,
            new ConnectionSpec(source.jdbcUrl(), source.user(), null, null),
            new ConnectionSpec(target.jdbcUrl(), target.user(), null, null),
            null,
            null,
            new MigrateOptions(
                null,
                null,
                5000,
                null,
                null,
                500L,
                new io.migrationstudio.contracts.spec.SourceLoadGuard(100, "PT1S"),
                null,
                null,
                null,
                null),
            null,
            null,
            null,
            null,
            null);
    env.registerActivitiesImplementations(
        new MigrateActivitiesImpl(store, new SecretResolver(Map.of())));
    MigrateActivities activities = env.newActivityStub(MigrateActivities.class);
    MigratePlan plan =
        activities.prepareTarget(new StageRequest("t", spec, "migrations/t", mappingCommit, 1L));
    ChunkRange all = plan.tables().get(0).chunks().get(0);
    long started = System.nanoTime();
    activities.copyChunk(
        new ChunkRequest("t", spec, "migrations/t", mappingCommit, "Items", all, "t/Items/0"));
    long ms = (System.nanoTime() - started) / 1_000_000;
    assertEquals(2500, target.queryLong("select count(*) from items"));
    // 500 rows/s with one second of burst: the last 2 000 rows take 4 s
    assertTrue(ms >= 3_500, "paced to 500 rows/s: " + ms + " ms");
    assertEquals(
        1,
        target.queryLong(
            "select count(*) from studio.chunk_ledger where migration = 't' and worker = '"
                + MigrateActivitiesImpl.WORKER_IDENTITY
                + "'"));
  }

  /**
   * A throttle given while a chunk copies reaches it: the table copy answers 250 rows/s from its
   * second query on (about a second into the chunk), and the chunk, started at 1 000 rows/s (3 s
   * for its 4 000 rows), slows down to take about 8 s.
   */
  @Test
  void aRunningChunkSlowsDownToAThrottleGivenWhileItCopies(
      TestDatabase source, TestDatabase target) {
    source.execute(
        "CREATE TABLE \"Items\" (\"Id\" serial PRIMARY KEY, \"Name\" text)",
        "INSERT INTO \"Items\" (\"Name\") SELECT 'item ' || g FROM generate_series(1, 4000) g");
    String mappingCommit =
        store
            .commit(
                "migrations/t",
                Stage.MAPPING.producerRole(),
                "mapping",
                Map.of(ArtifactPaths.MAPPING_YAML, Json.bytes(Json.writeYaml(itemsMapping()))))
            .head();
    MigrationSpec spec =
        new MigrationSpec(
            "t",
            null,
            new ConnectionSpec(source.jdbcUrl(), source.user(), null, null),
            new ConnectionSpec(target.jdbcUrl(), target.user(), null, null),
            null,
            null,
            new MigrateOptions(null, null, 5000, null, null, 1000L, null, null, null, null, null),
            null,
            null,
            null,
            null,
            null);
    java.util.concurrent.atomic.AtomicInteger asked =
        new java.util.concurrent.atomic.AtomicInteger();
    LiveRates rates =
        new LiveRates(
            id ->
                new io.migrationstudio.contracts.workflow.CopyControl(
                    false, asked.incrementAndGet() > 1 ? 250L : null));
    env.registerActivitiesImplementations(
        new MigrateActivitiesImpl(store, new SecretResolver(Map.of()), rates));
    MigrateActivities activities = env.newActivityStub(MigrateActivities.class);
    MigratePlan plan =
        activities.prepareTarget(new StageRequest("t", spec, "migrations/t", mappingCommit, 1L));
    ChunkRange all = plan.tables().get(0).chunks().get(0);
    long started = System.nanoTime();
    activities.copyChunk(
        new ChunkRequest("t", spec, "migrations/t", mappingCommit, "Items", all, "t/Items/0"));
    long ms = (System.nanoTime() - started) / 1_000_000;
    assertEquals(4000, target.queryLong("select count(*) from items"));
    assertTrue(asked.get() >= 2, "the rate was asked again while the chunk copied: " + asked);
    // at 1 000 rows/s throughout: 3 s; throttled after about a second: 2 000 rows at 250 rows/s
    assertTrue(ms >= 5_000, "slowed down to 250 rows/s while copying: " + ms + " ms");
  }

  @Test
  void aMigrationExceptionBecomesAnApplicationFailureOfItsCode(
      TestDatabase source, TestDatabase target) {
    store.openBranch("migrations/m");
    MigrationSpec spec =
        new MigrationSpec(
            "m",
            null,
            new ConnectionSpec(source.jdbcUrl(), source.user(), null, null),
            new ConnectionSpec(target.jdbcUrl(), target.user(), null, null),
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null);
    env.registerActivitiesImplementations(
        new MigrateActivitiesImpl(store, new SecretResolver(Map.of())));
    MigrateActivities activities = env.newActivityStub(MigrateActivities.class);
    ActivityFailure failure =
        org.junit.jupiter.api.Assertions.assertThrows(
            ActivityFailure.class,
            () -> activities.prepareTarget(new StageRequest("m", spec, "migrations/m", null, 0L)));
    ApplicationFailure cause = (ApplicationFailure) failure.getCause();
    assertEquals(ErrorCode.INVALID_ARTIFACT.name(), cause.getType());
    assertTrue(cause.isNonRetryable());
  }

  private String text(String commit, String path) {
    return new String(store.read(commit, path).orElseThrow(), StandardCharsets.UTF_8);
  }
}
