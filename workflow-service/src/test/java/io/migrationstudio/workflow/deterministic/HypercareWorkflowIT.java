package io.migrationstudio.workflow.deterministic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.TaskQueues;
import io.migrationstudio.contracts.activity.ResidualSession;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.workflow.Decision;
import io.migrationstudio.contracts.workflow.MigrationInput;
import io.migrationstudio.contracts.workflow.MigrationOutcome;
import io.migrationstudio.contracts.workflow.MigrationState;
import io.migrationstudio.contracts.workflow.MigrationStatus;
import io.migrationstudio.contracts.workflow.MigrationWorkflow;
import io.migrationstudio.contracts.workflow.Review;
import io.migrationstudio.core.cdc.apply.StreamService;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.git.GitArtifactStore;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.spec.SecretResolver;
import io.migrationstudio.core.spec.SpecLoader;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import io.migrationstudio.worker.cutover.HypercareActivitiesImpl;
import io.migrationstudio.workflow.WorkflowWorker;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hypercare and the decommission of a migration, with the real hypercare activities against
 * PostgreSQL and Temporal's time skipping (the stages before are the fakes of {@link
 * MigrationWorkflowTest}; the cutover's leftovers, a capture slot and publication, the write guards
 * and the target's studio schema, are made by the test as a cutover leaves them).
 */
@ExtendWith(PostgresExtension.class)
@Timeout(240)
class HypercareWorkflowIT {
  private static final String ID = "wf-test"; // the replay test's recorded workflow id
  private static final String BRANCH = TaskQueues.branch(ID);
  private static final String APP = "hypercare-it-app";

  @TempDir Path home;

  @Test
  void theMigrationStaysOpenInHypercareNotesEachDayAndDecommissionsOnceApproved(
      TestDatabase source, TestDatabase target) throws Exception {
    String capture = StreamService.captureName(ID);
    source.execute("CREATE TABLE t (id integer PRIMARY KEY)", "INSERT INTO t VALUES (1)");
    target.execute(
        "CREATE TABLE t (id integer PRIMARY KEY)",
        "CREATE SCHEMA studio",
        "CREATE TABLE studio.chunk_ledger (migration text NOT NULL, table_name text, chunk int)",
        "INSERT INTO studio.chunk_ledger VALUES ('" + ID + "', 't', 0)");
    try (Connection c = source.connect()) {
      Dialects.forName("postgresql")
          .changeCapture()
          .orElseThrow()
          .prepare(c, capture, List.of("t"));
      Dialects.forName("postgresql")
          .writeFreeze()
          .orElseThrow()
          .freezeWrites(c, List.of("public.t"), Duration.ofSeconds(10));
    }
    MigrationSpec spec =
        SpecLoader.parse(
            "id: "
                + ID
                + "\nsource: { url: \""
                + source.jdbcUrl()
                + "\", user: postgres }\ntarget: { url: \""
                + target.jdbcUrl()
                + "\", user: postgres }\n"
                + "cutover: { hypercare: P2D, after_decommission: release }\n"
                + "reviews: { assessment: auto, mapping: auto, migrate: auto, validation: auto,"
                + " cutover: auto, decommission: ask, identity: none }\n"
                + "approvers: { default: [alice] }\n");

    try (GitArtifactStore store = GitArtifactStore.open(home, null);
        TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance()) {
      store.openBranch(BRANCH);
      startWorkers(env.getWorkerFactory(), store);
      env.start();
      WorkflowClient client = env.getWorkflowClient();
      MigrationWorkflow wf =
          client.newWorkflowStub(
              MigrationWorkflow.class,
              WorkflowOptions.newBuilder()
                  .setWorkflowId(TaskQueues.workflowId(ID))
                  .setTaskQueue(TaskQueues.WORKFLOW)
                  .build());

      // an application that still talks to the old source after the switch
      MigrationStatus first;
      try (Connection app = connectAs(source, APP)) {
        WorkflowClient.start(wf::run, new MigrationInput(spec, null));
        first = awaitStatus(wf, s -> s.hypercare() != null && s.hypercare().notes() >= 1);
        assertTrue(app.isValid(5));
      }
      assertEquals(MigrationState.RUNNING, first.state(), first.message());
      assertEquals(Stage.DECOMMISSION, first.stage());
      assertTrue(
          first.hypercare().lastResidual().stream()
              .map(ResidualSession::application)
              .anyMatch(APP::equals),
          "the residual access names the test's session: " + first.hypercare());
      String note =
          read(
              store, ArtifactPaths.hypercareNote(day(first.hypercare().startedAtMillis()), "json"));
      assertTrue(
          note.contains(APP) && Json.mapper().readTree(note).path("frozen").asBoolean(), note);
      assertEquals(
          Duration.ofDays(2).toMillis(),
          first.hypercare().endsAtMillis() - first.hypercare().startedAtMillis());

      // a (skipped) day later: the next note
      env.sleep(Duration.ofDays(1));
      awaitStatus(wf, s -> s.hypercare().notes() >= 2);
      // the end of the hypercare: the last note, the plan, and the gate waits
      env.sleep(Duration.ofDays(1));
      MigrationStatus gated =
          awaitStatus(
              wf,
              s -> s.state() == MigrationState.AWAITING_REVIEW && s.stage() == Stage.DECOMMISSION);
      env.sleep(Duration.ofDays(3)); // the ask gate has no timeout: still waiting
      assertEquals(MigrationState.AWAITING_REVIEW, wf.status().state());
      assertEquals(3, gated.hypercare().notes(), gated.hypercare().toString());
      assertEquals(
          3,
          store.list(BRANCH, ArtifactPaths.HYPERCARE_DIR).stream()
              .filter(p -> p.matches(".*/hypercare-\\d{4}-\\d{2}-\\d{2}\\.md"))
              .count(),
          "a note per day: " + store.list(BRANCH, ArtifactPaths.HYPERCARE_DIR));
      assertTrue(read(store, ArtifactPaths.DECOMMISSION_PLAN_MD).contains("slot " + capture));
      assertEquals(1, count(source, "pg_replication_slots WHERE slot_name = '" + capture + "'"));
      assertEquals(1, count(source, "pg_trigger WHERE tgname = 'studio_write_guard'"));

      wf.review(
          new Review(Stage.DECOMMISSION, Decision.APPROVE, "alice", "go", gated.reviewCommit()));
      MigrationOutcome out = WorkflowStub.fromTyped(wf).getResult(MigrationOutcome.class);
      assertEquals(MigrationState.COMPLETED, out.state(), out.message());
      assertEquals(0, count(source, "pg_replication_slots WHERE slot_name = '" + capture + "'"));
      assertEquals(0, count(source, "pg_publication WHERE pubname = '" + capture + "'"));
      assertEquals(0, count(source, "pg_trigger WHERE tgname = 'studio_write_guard'"));
      assertEquals(0, count(target, "pg_namespace WHERE nspname = 'studio'"));
      source.execute("INSERT INTO t VALUES (2)"); // released: the source takes writes
      String report = read(store, ArtifactPaths.FINAL_REPORT_JSON);
      assertEquals("PASS", Json.mapper().readTree(report).path("verdict").asText(), report);
      assertFalse(read(store, ArtifactPaths.FINAL_REPORT_MD).isBlank());

      var history = client.fetchHistory(TaskQueues.workflowId(ID));
      MigrationWorkflowReplayTest.replay(history, MigrationWorkflowImpl.class);
      String dir = System.getProperty("studio.recordHistory");
      if (dir != null) {
        java.nio.file.Files.writeString(
            Path.of(dir, "migration-workflow-history-hypercare.json"), history.toJson(true));
      }
    }
  }

  private static java.time.LocalDate day(long millis) {
    return io.migrationstudio.core.cutover.Hypercare.day(millis);
  }

  private static void startWorkers(WorkerFactory factory, GitArtifactStore store) {
    WorkerOptions options =
        WorkerOptions.newBuilder().setStickyQueueScheduleToStartTimeout(Duration.ZERO).build();
    WorkflowWorker.register(factory, options);
    FakeActivities fakes = new FakeActivities();
    for (String queue : List.of(TaskQueues.ASSESSMENT, TaskQueues.MIGRATE, TaskQueues.VALIDATION)) {
      factory.newWorker(queue, options).registerActivitiesImplementations(fakes);
    }
    factory
        .newWorker(TaskQueues.CUTOVER, options)
        .registerActivitiesImplementations(
            fakes, new HypercareActivitiesImpl(store, new SecretResolver(Map.of())));
  }

  private static Connection connectAs(TestDatabase db, String application) throws Exception {
    Properties p = new Properties();
    p.setProperty("user", db.user());
    p.setProperty("ApplicationName", application);
    return DriverManager.getConnection(db.jdbcUrl(), p);
  }

  private static long count(TestDatabase db, String fromWhere) {
    return db.queryLong("SELECT count(*) FROM " + fromWhere);
  }

  private static String read(GitArtifactStore store, String path) {
    return new String(
        store.read(BRANCH, path).orElseThrow(() -> new AssertionError(path + " not on " + BRANCH)),
        StandardCharsets.UTF_8);
  }

  private static MigrationStatus awaitStatus(MigrationWorkflow wf, Predicate<MigrationStatus> p)
      throws InterruptedException {
    for (int i = 0; i < 600; i++) {
      MigrationStatus s = wf.status();
      if (p.test(s)) {
        return s;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("status never matched: " + wf.status());
  }
}
