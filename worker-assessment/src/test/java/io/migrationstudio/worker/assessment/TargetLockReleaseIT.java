package io.migrationstudio.worker.assessment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.activity.EvidenceActivities;
import io.migrationstudio.contracts.activity.OpenRequest;
import io.migrationstudio.contracts.activity.SummaryRequest;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.workflow.MigrationState;
import io.migrationstudio.contracts.workflow.MigrationStatus;
import io.migrationstudio.core.copy.TargetLock;
import io.migrationstudio.core.copy.TargetSchema;
import io.migrationstudio.core.git.GitArtifactStore;
import io.migrationstudio.core.spec.SecretResolver;
import io.migrationstudio.core.spec.SpecLoader;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import io.temporal.testing.TestActivityEnvironment;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every end of a migration writes its PULL_REQUEST.md through {@code writePullRequest}: that
 * summary releases the target's migration lock when the migration ended (completed, failed,
 * rejected), and only then; a validation-only run of the same id never releases it.
 */
@ExtendWith(PostgresExtension.class)
class TargetLockReleaseIT {
  @TempDir Path home;
  GitArtifactStore store;
  TestActivityEnvironment env;
  EvidenceActivities activities;

  @BeforeEach
  void setUp() {
    store = GitArtifactStore.open(home, null);
    env = TestActivityEnvironment.newInstance();
    env.registerActivitiesImplementations(
        new EvidenceActivitiesImpl(store, new SecretResolver(Map.of())));
    activities = env.newActivityStub(EvidenceActivities.class);
  }

  @AfterEach
  void tearDown() {
    env.close();
    store.close();
  }

  private static MigrationStatus status(MigrationState state, String kind) {
    return MigrationStatus.of("shop", "migrations/shop", null, state, "m")
        .withKind(kind)
        .withWorkflowId("wf");
  }

  @Test
  void theSummaryOfAnEndedMigrationReleasesItsTargetLock(TestDatabase source, TestDatabase target)
      throws Exception {
    String text =
        "id: shop\n"
            + "source: { url: \""
            + source.jdbcUrl()
            + "\", user: "
            + source.user()
            + " }\n"
            + "target: { url: \""
            + target.jdbcUrl()
            + "\", user: "
            + target.user()
            + " }\n";
    MigrationSpec spec = SpecLoader.parse(text);
    activities.openMigration(new OpenRequest("shop", spec, text));
    TargetLock lock = new TargetLock(TargetSchema.DEFAULT_STUDIO_SCHEMA);
    try (Connection c = target.connect()) {
      lock.acquire(c, TargetLock.holderFor(spec, "shop"));
    }
    for (MigrationState live : List.of(MigrationState.RUNNING, MigrationState.AWAITING_REVIEW)) {
      activities.writePullRequest(
          new SummaryRequest(
              "shop", spec, "migrations/shop", status(live, MigrationStatus.KIND_MIGRATION)));
    }
    activities.writePullRequest(
        new SummaryRequest(
            "shop",
            spec,
            "migrations/shop",
            status(MigrationState.FAILED, MigrationStatus.KIND_VALIDATION)));
    assertEquals(1, target.queryLong("select count(*) from studio.migration_lock"), "still held");

    activities.writePullRequest(
        new SummaryRequest(
            "shop",
            spec,
            "migrations/shop",
            status(MigrationState.FAILED, MigrationStatus.KIND_MIGRATION)));
    try (Connection c = target.connect()) {
      assertTrue(lock.holder(c).isEmpty(), "released when the migration ended");
    }
  }
}
