package io.migrationstudio.worker.migrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.activity.ChunkRange;
import io.migrationstudio.contracts.activity.ChunkRequest;
import io.migrationstudio.contracts.activity.ChunkResult;
import io.migrationstudio.contracts.activity.MigrateActivities;
import io.migrationstudio.contracts.activity.MigratePlan;
import io.migrationstudio.contracts.activity.StageRequest;
import io.migrationstudio.contracts.spec.ConnectionSpec;
import io.migrationstudio.contracts.spec.MigrateOptions;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.core.dialect.ConnectPhase;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.git.GitArtifactStore;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.spec.SecretResolver;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.RestartablePostgres;
import io.migrationstudio.testkit.TestDatabase;
import io.temporal.activity.ActivityOptions;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.RetryOptions;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 #6: a target PostgreSQL that restarts in the middle of a chunk (about 9 s down) must not
 * end the migration. The session lost mid-copy and the connections refused while the server is down
 * are transient (retried with Temporal's backoff, as the chunk's activity options say), and the
 * chunk completes once the server is back. The target is the testkit's {@link RestartablePostgres},
 * stopped (fast shutdown) and started again on the same data directory and port.
 */
@ExtendWith(PostgresExtension.class)
class TargetRestartIT {
  private static final Duration DOWN = Duration.ofSeconds(9);

  @TempDir Path home;

  /** One chunk through the retry policy of a chunk activity (ActivityOptionsCatalog.chunk). */
  @WorkflowInterface
  public interface OneChunk {
    @WorkflowMethod
    ChunkResult copy(ChunkRequest request);
  }

  public static class OneChunkImpl implements OneChunk {
    private final MigrateActivities migrate =
        Workflow.newActivityStub(
            MigrateActivities.class,
            ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofMinutes(5))
                .setRetryOptions(
                    RetryOptions.newBuilder()
                        .setInitialInterval(Duration.ofSeconds(1))
                        .setBackoffCoefficient(2.0)
                        .setMaximumInterval(Duration.ofSeconds(30))
                        .setMaximumAttempts(20)
                        .setDoNotRetry(ErrorCode.nonRetryableTypes())
                        .build())
                .build());

    @Override
    public ChunkResult copy(ChunkRequest request) {
      return migrate.copyChunk(request);
    }
  }

  @Test
  void aTargetRestartMidCopyIsRetriedAndTheChunkCompletes(TestDatabase source) throws Exception {
    source.execute(
        "CREATE TABLE \"Items\" (\"Id\" serial PRIMARY KEY, \"Name\" text)",
        "INSERT INTO \"Items\" (\"Name\") SELECT 'item ' || g FROM generate_series(1, 2500) g");
    RestartablePostgres targetServer = new RestartablePostgres();
    TestDatabase target = targetServer.createDatabase("restart");
    String targetUrl = target.jdbcUrl();
    ConnectionSpec targetSpec = new ConnectionSpec(targetUrl, target.user(), null, null);
    SecretResolver secrets = new SecretResolver(Map.of());
    GitArtifactStore store = GitArtifactStore.open(home, null);
    TestWorkflowEnvironment env =
        TestWorkflowEnvironment.newInstance(
            TestEnvironmentOptions.newBuilder().setUseTimeskipping(false).build());
    try {
      String mappingCommit =
          store
              .commit(
                  "migrations/r",
                  Stage.MAPPING.producerRole(),
                  "mapping",
                  Map.of(
                      ArtifactPaths.MAPPING_YAML,
                      Json.bytes(Json.writeYaml(MigrateActivitiesIT.itemsMapping()))))
              .head();
      // 500 rows/s: the one chunk of 2 500 rows takes about 4 s, so the stop lands mid-copy
      MigrationSpec spec =
          new MigrationSpec(
              "r",
              null,
              new ConnectionSpec(source.jdbcUrl(), source.user(), null, null),
              targetSpec,
              null,
              null,
              new MigrateOptions(null, null, 5000, null, null, 500L, null, null, null, null, null),
              null,
              null,
              null,
              null,
              null);
      MigrateActivitiesImpl activities = new MigrateActivitiesImpl(store, secrets);
      MigratePlan plan =
          activities.prepareTarget(new StageRequest("r", spec, "migrations/r", mappingCommit, 1L));
      ChunkRange all = plan.tables().get(0).chunks().get(0);

      Worker worker = env.newWorker("restart");
      worker.registerWorkflowImplementationTypes(OneChunkImpl.class);
      worker.registerActivitiesImplementations(activities);
      env.start();
      OneChunk wf =
          env.getWorkflowClient()
              .newWorkflowStub(
                  OneChunk.class, WorkflowOptions.newBuilder().setTaskQueue("restart").build());

      AtomicReference<MigrationException> whileDown = new AtomicReference<>();
      AtomicReference<MigrationException> atStartWhileDown = new AtomicReference<>();
      AtomicReference<Throwable> restartFailed = new AtomicReference<>();
      Thread restart =
          new Thread(
              () -> {
                try {
                  awaitCopying(targetUrl);
                  // a fast shutdown: the copying session gets 57P01
                  targetServer.restart(
                      RestartablePostgres.Shutdown.FAST,
                      () -> {
                        whileDown.set(
                            assertThrows(
                                MigrationException.class,
                                () -> Dialects.open(targetSpec, secrets, "target").close()));
                        atStartWhileDown.set(
                            assertThrows(
                                MigrationException.class,
                                () ->
                                    Dialects.open(
                                            targetSpec,
                                            secrets,
                                            "target",
                                            ConnectPhase.MIGRATION_START)
                                        .close()));
                        Thread.sleep(DOWN.toMillis());
                      });
                } catch (Throwable t) {
                  restartFailed.set(t);
                }
              });
      restart.start();
      ChunkResult result =
          WorkflowClient.execute(
                  wf::copy,
                  new ChunkRequest("r", spec, "migrations/r", mappingCommit, "Items", all, "r/0"))
              .get();
      restart.join();
      assertEquals(null, restartFailed.get());
      assertFalse(result.alreadyCommitted());

      // what the activity saw while the server was down: retried, not the end of the migration
      assertNotNull(whileDown.get());
      assertEquals(ErrorCode.TRANSIENT_SQL, whileDown.get().code(), whileDown.get().getMessage());
      assertTrue(whileDown.get().code().retryable());
      // only a database that never answered at the start of a migration is permanent
      assertEquals(ErrorCode.DATABASE_UNREACHABLE, atStartWhileDown.get().code());
      assertFalse(atStartWhileDown.get().code().retryable());

      try (Connection c = DriverManager.getConnection(targetUrl, "postgres", "");
          Statement s = c.createStatement()) {
        try (ResultSet rs = s.executeQuery("SELECT count(*) FROM items")) {
          rs.next();
          assertEquals(2500, rs.getLong(1));
        }
        try (ResultSet rs =
            s.executeQuery(
                "SELECT attempt, status FROM studio.chunk_ledger WHERE migration = 'r'")) {
          assertTrue(rs.next());
          assertTrue(rs.getInt(1) > 1, "the chunk was redone after the restart: " + rs.getInt(1));
          assertEquals("committed", rs.getString(2));
        }
      }
    } finally {
      env.close();
      store.close();
      targetServer.close();
    }
  }

  /** Waits until a session writes the chunk into the target (the copy is under way). */
  private static void awaitCopying(String url) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    try (Connection c = DriverManager.getConnection(url, "postgres", "");
        Statement s = c.createStatement()) {
      while (System.nanoTime() < deadline) {
        try (ResultSet rs =
            s.executeQuery(
                "SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid()"
                    + " AND state = 'active' AND query ILIKE '%items%'")) {
          rs.next();
          if (rs.getLong(1) > 0) {
            return;
          }
        }
        Thread.sleep(50);
      }
    }
    throw new AssertionError("the chunk never started writing to the target");
  }
}
