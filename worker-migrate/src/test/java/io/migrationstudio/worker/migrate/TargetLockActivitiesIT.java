package io.migrationstudio.worker.migrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.activity.MigrateActivities;
import io.migrationstudio.contracts.activity.StageRequest;
import io.migrationstudio.contracts.spec.ConnectionSpec;
import io.migrationstudio.contracts.spec.MigrateOptions;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.spec.ReviewPolicy;
import io.migrationstudio.core.copy.MigrateService;
import io.migrationstudio.core.git.GitArtifactStore;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.spec.SecretResolver;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * One live migration per target, through Migrate's first activity on real PostgreSQL: a second
 * migration preparing a target another one holds is refused (TARGET_LOCKED, not retried) naming the
 * first, before it writes anything; the first re-preparing (a retry, a resumed run) is not; once
 * the first ends and releases the lock, the second goes in. Before the lock both migrations
 * prepared and planned the same target.
 */
@ExtendWith(PostgresExtension.class)
class TargetLockActivitiesIT {
  @TempDir Path home;
  private GitArtifactStore store;
  private final TestActivityEnvironment env = TestActivityEnvironment.newInstance();
  private final MigrateService migrate = new MigrateService(new SecretResolver(Map.of()));

  @BeforeEach
  void open() {
    store = GitArtifactStore.open(home, null);
    env.registerActivitiesImplementations(
        new MigrateActivitiesImpl(store, new SecretResolver(Map.of())));
  }

  @AfterEach
  void close() {
    env.close();
    store.close();
  }

  private StageRequest request(String id, TestDatabase source, TestDatabase target) {
    String commit =
        store
            .commit(
                "migrations/" + id,
                Stage.MAPPING.producerRole(),
                "mapping",
                Map.of(
                    ArtifactPaths.MAPPING_YAML,
                    Json.bytes(Json.writeYaml(MigrateActivitiesIT.itemsMapping()))))
            .head();
    MigrationSpec spec =
        new MigrationSpec(
            id,
            null,
            new ConnectionSpec(source.jdbcUrl(), source.user(), null, null),
            new ConnectionSpec(target.jdbcUrl(), target.user(), null, null),
            null,
            null,
            new MigrateOptions(null, null, 1000, null, null, null, null, null, null, null, null),
            null,
            null,
            ReviewPolicy.defaults(),
            null,
            null);
    return new StageRequest(id, spec, "migrations/" + id, commit, 1000L);
  }

  @Test
  void aSecondMigrationOfOneTargetIsRefusedNamingTheFirstUntilTheFirstEnds(
      TestDatabase source, TestDatabase target) {
    source.execute(
        "CREATE TABLE \"Items\" (\"Id\" serial PRIMARY KEY, \"Name\" text)",
        "INSERT INTO \"Items\" (\"Name\") SELECT 'item ' || g FROM generate_series(1, 50) g");
    MigrateActivities activities = env.newActivityStub(MigrateActivities.class);
    StageRequest first = request("first", source, target);
    StageRequest second = request("second", source, target);
    activities.prepareTarget(first);

    ActivityFailure e = assertThrows(ActivityFailure.class, () -> activities.prepareTarget(second));
    ApplicationFailure cause = (ApplicationFailure) e.getCause();
    assertEquals(ErrorCode.TARGET_LOCKED.name(), cause.getType());
    assertTrue(cause.isNonRetryable());
    String message = cause.getOriginalMessage();
    assertTrue(message.contains("migration first (branch migrations/first)"), message);
    assertTrue(message.contains("pid " + ProcessHandle.current().pid()), message);
    assertTrue(message.contains("studio unlock SPEC --holder first"), message);
    assertEquals(
        0,
        target.queryLong("select count(*) from studio.table_ledger where migration = 'second'"),
        "the refused migration planned nothing");

    // the first, retried or resumed, prepares again
    assertFalse(activities.prepareTarget(first).tables().isEmpty());

    // the second ending (refused) releases nothing of the first's
    assertFalse(migrate.releaseLock(second.spec(), "second"));
    assertThrows(ActivityFailure.class, () -> activities.prepareTarget(second));

    // the first ends: the second goes in
    assertTrue(migrate.releaseLock(first.spec(), "first"));
    target.execute("TRUNCATE items");
    assertFalse(activities.prepareTarget(second).tables().isEmpty());
    assertEquals(
        1,
        target.queryLong("select count(*) from studio.migration_lock where migration = 'second'"));
  }
}
