package io.migrationstudio.worker.migrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.activity.MigrateActivities;
import io.migrationstudio.contracts.activity.MigratePlan;
import io.migrationstudio.contracts.activity.StageRequest;
import io.migrationstudio.contracts.spec.ConnectionSpec;
import io.migrationstudio.contracts.spec.GateMode;
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
 * {@code migrate.target_not_empty} on real PostgreSQL: by default ({@code fail}) Migrate refuses a
 * target table that already holds rows before it writes or plans anything, even with every gate on
 * auto; {@code replace} is the explicit decision to write into it; a resumed migration is not
 * refused by the rows it copied itself.
 */
@ExtendWith(PostgresExtension.class)
class TargetNotEmptyIT {
  @TempDir Path home;
  private GitArtifactStore store;
  private final TestActivityEnvironment env = TestActivityEnvironment.newInstance();

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

  private StageRequest request(
      String id, TestDatabase source, TestDatabase target, String targetNotEmpty) {
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
    ReviewPolicy allAuto = ReviewPolicy.defaults();
    for (Stage s : Stage.values()) {
      allAuto = allAuto.with(s, GateMode.AUTO);
    }
    MigrationSpec spec =
        new MigrationSpec(
            id,
            null,
            new ConnectionSpec(source.jdbcUrl(), source.user(), null, null),
            new ConnectionSpec(target.jdbcUrl(), target.user(), null, null),
            null,
            null,
            new MigrateOptions(
                null, null, 1000, null, null, null, null, null, targetNotEmpty, null, null),
            null,
            null,
            allAuto,
            null,
            null);
    return new StageRequest(id, spec, "migrations/" + id, commit, 1000L);
  }

  private static void sourceItems(TestDatabase source) {
    source.execute(
        "CREATE TABLE \"Items\" (\"Id\" serial PRIMARY KEY, \"Name\" text)",
        "INSERT INTO \"Items\" (\"Name\") SELECT 'item ' || g FROM generate_series(1, 50) g");
  }

  @Test
  void aTargetTableWithRowsIsRefusedByDefaultEvenWhenEveryGateIsAuto(
      TestDatabase source, TestDatabase target) {
    sourceItems(source);
    target.execute(
        "CREATE TABLE items (id integer PRIMARY KEY, name varchar(40))",
        "INSERT INTO items VALUES (7, 'someone else''s row')");
    MigrateActivities activities = env.newActivityStub(MigrateActivities.class);
    StageRequest req = request("keep", source, target, null);
    assertEquals("fail", req.spec().migrate().targetNotEmpty());
    ActivityFailure e = assertThrows(ActivityFailure.class, () -> activities.prepareTarget(req));
    ApplicationFailure cause = (ApplicationFailure) e.getCause();
    assertEquals(ErrorCode.TARGET_NOT_EMPTY.name(), cause.getType());
    assertTrue(cause.isNonRetryable());
    assertTrue(cause.getOriginalMessage().contains("items"), cause.getOriginalMessage());
    assertTrue(
        cause.getOriginalMessage().contains("target_not_empty: replace"),
        cause.getOriginalMessage());
    assertEquals(1, target.queryLong("select count(*) from items"), "the row is untouched");
    assertEquals(
        1, target.queryLong("select count(*) from items where name = 'someone else''s row'"));
    assertEquals(
        0,
        target.queryLong("select count(*) from studio.chunk_ledger where migration = 'keep'"),
        "nothing planned");
  }

  @Test
  void replaceIsTheExplicitDecisionAndAResumedMigrationIsNotRefused(
      TestDatabase source, TestDatabase target) {
    sourceItems(source);
    target.execute(
        "CREATE TABLE items (id integer PRIMARY KEY, name varchar(40))",
        "INSERT INTO items VALUES (7, 'old')");
    MigrateActivities activities = env.newActivityStub(MigrateActivities.class);
    StageRequest swap = request("swap", source, target, "replace");
    MigratePlan plan = activities.prepareTarget(swap);
    assertEquals(1, plan.tables().size());
    // swap ends: it releases the target's migration lock, so the next migration may prepare it
    assertTrue(new MigrateService(new SecretResolver(Map.of())).releaseLock(swap.spec(), "swap"));

    // a first migration plans an empty target; its own rows do not refuse its resumption
    TestDatabase fresh = target;
    fresh.execute("DELETE FROM items");
    StageRequest own = request("own", source, fresh, null);
    activities.prepareTarget(own);
    fresh.execute("INSERT INTO items VALUES (1, 'copied by own')");
    MigratePlan resumed = activities.prepareTarget(own);
    assertFalse(resumed.tables().isEmpty());
  }
}
