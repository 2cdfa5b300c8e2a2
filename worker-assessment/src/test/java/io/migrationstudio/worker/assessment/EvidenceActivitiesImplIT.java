package io.migrationstudio.worker.assessment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.activity.EvidenceActivities;
import io.migrationstudio.contracts.activity.OpenRequest;
import io.migrationstudio.contracts.activity.OpenResult;
import io.migrationstudio.contracts.activity.StageRequest;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.core.git.GitArtifactStore;
import io.migrationstudio.core.spec.SpecLoader;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvidenceActivitiesImplIT {
  static final String SPEC =
      """
      id: shop
      source: { url: "jdbc:postgresql://db1/shop", password: "${env:A}" }
      target: { url: "jdbc:postgresql://db2/shop" }
      """;

  @TempDir Path home;
  GitArtifactStore store;
  TestActivityEnvironment env;
  EvidenceActivities activities;

  @BeforeEach
  void setUp() {
    store = GitArtifactStore.open(home, null);
    env = TestActivityEnvironment.newInstance();
    env.registerActivitiesImplementations(new EvidenceActivitiesImpl(store));
    activities =
        env.newActivityStub(
            EvidenceActivities.class,
            ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofMinutes(1))
                .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
                .build());
  }

  @AfterEach
  void tearDown() {
    env.close();
    store.close();
  }

  @Test
  void opensTheBranchAndVerifiesCommitsAgainstTheSpecCommit() {
    MigrationSpec spec = SpecLoader.parse(SPEC);
    OpenResult opened = activities.openMigration(new OpenRequest("shop", spec, SPEC));
    assertEquals("migrations/shop", opened.branch());
    assertEquals(
        opened.specCommit(),
        activities.verifyCommit(
            new StageRequest("shop", spec, opened.branch(), opened.specCommit(), 0)));

    String main = store.head("main").orElseThrow();
    ActivityFailure failure =
        assertThrows(
            ActivityFailure.class,
            () ->
                activities.verifyCommit(new StageRequest("shop", spec, opened.branch(), main, 0)));
    ApplicationFailure cause = assertInstanceOf(ApplicationFailure.class, failure.getCause());
    assertEquals("INVALID_COMMIT", cause.getType());
    assertTrue(cause.isNonRetryable());
  }

  @Test
  void anInvalidSpecIsANonRetryableInvalidSpecFailure() {
    MigrationSpec spec = SpecLoader.parse(SPEC);
    ActivityFailure failure =
        assertThrows(
            ActivityFailure.class,
            () ->
                activities.openMigration(
                    new OpenRequest("shop", spec, SPEC.replace("\"${env:A}\"", "literal"))));
    ApplicationFailure cause = assertInstanceOf(ApplicationFailure.class, failure.getCause());
    assertEquals("INVALID_SPEC", cause.getType());
    assertTrue(cause.isNonRetryable());
  }
}
