package io.migrationstudio.workflow.deterministic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.TaskQueues;
import io.migrationstudio.contracts.activity.CommitResult;
import io.migrationstudio.contracts.activity.OpenRequest;
import io.migrationstudio.contracts.activity.OpenResult;
import io.migrationstudio.contracts.activity.StageRequest;
import io.migrationstudio.contracts.activity.StageResult;
import io.migrationstudio.contracts.activity.SummaryRequest;
import io.migrationstudio.contracts.spec.ConnectionSpec;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.workflow.MigrationInput;
import io.migrationstudio.contracts.workflow.MigrationOutcome;
import io.migrationstudio.contracts.workflow.MigrationState;
import io.migrationstudio.contracts.workflow.MigrationStatus;
import io.migrationstudio.contracts.workflow.StageStatus;
import io.migrationstudio.contracts.workflow.ValidationWorkflow;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.evidence.EvidenceService;
import io.migrationstudio.core.evidence.RunState;
import io.migrationstudio.core.git.GitArtifactStore;
import io.migrationstudio.core.spec.SpecLoader;
import io.migrationstudio.workflow.OperatorService;
import io.migrationstudio.workflow.Recovery;
import io.migrationstudio.workflow.WorkflowWorker;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.WorkerOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The validation-only workflow on Temporal's test environment with fake activities. */
@org.junit.jupiter.api.Timeout(60)
class ValidationWorkflowTest {
  private TestWorkflowEnvironment env;
  private FakeActivities fakes;
  private WorkflowClient client;
  private final AtomicReference<String> validateAt = new AtomicReference<>();
  private final AtomicReference<String> regressionAt = new AtomicReference<>();
  private volatile boolean validatorUnreachable;

  /** When set, the branch is opened and the run's end recorded in this real git store. */
  private volatile GitArtifactStore realStore;

  /** The length of the branch's log right after the run opened it in {@link #realStore}. */
  private final AtomicInteger openedLog = new AtomicInteger(-1);

  @BeforeEach
  void setUp() {
    env = TestWorkflowEnvironment.newInstance();
    fakes =
        new FakeActivities() {
          @Override
          public StageResult validate(StageRequest r) {
            validateAt.set(r.commit());
            if (validatorUnreachable) {
              throw ApplicationFailure.newNonRetryableFailure(
                  "target database unreachable", ErrorCode.DATABASE_UNREACHABLE.name());
            }
            return super.validate(r);
          }

          @Override
          public OpenResult openValidation(OpenRequest r) {
            GitArtifactStore store = realStore;
            if (store == null) {
              return super.openValidation(r);
            }
            OpenResult open =
                new EvidenceService(store).openValidation(r.migrationId(), r.spec(), r.specText());
            openedLog.set(store.log(open.branch()).size());
            return open;
          }

          @Override
          public CommitResult writePullRequest(SummaryRequest r) {
            GitArtifactStore store = realStore;
            return store == null
                ? super.writePullRequest(r)
                : new EvidenceService(store).writePullRequest(r.branch(), r.spec(), r.status());
          }

          @Override
          public StageResult replayRegression(StageRequest r) {
            regressionAt.set(r.commit());
            return super.replayRegression(r);
          }
        };
    client = env.getWorkflowClient();
    WorkerOptions options =
        WorkerOptions.newBuilder().setStickyQueueScheduleToStartTimeout(Duration.ZERO).build();
    WorkflowWorker.register(env.getWorkerFactory(), options);
    for (String queue : List.of(TaskQueues.ASSESSMENT, TaskQueues.VALIDATION)) {
      env.getWorkerFactory().newWorker(queue, options).registerActivitiesImplementations(fakes);
    }
    env.start();
    // as the studio's embedded server has them
    for (var key :
        List.of(
            MigrationSearchAttributes.MIGRATION_ID,
            MigrationSearchAttributes.MIGRATION_STAGE,
            MigrationSearchAttributes.MIGRATION_STATE)) {
      env.registerSearchAttribute(
          key.getName(), io.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    }
  }

  @AfterEach
  void tearDown() {
    env.close();
  }

  private static MigrationSpec spec() {
    return new MigrationSpec(
        "val-test",
        null,
        new ConnectionSpec("jdbc:postgresql://db/src", "u", null, null),
        new ConnectionSpec("jdbc:postgresql://db/dst", "u", null, null),
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null);
  }

  private ValidationWorkflow run() {
    ValidationWorkflow wf =
        client.newWorkflowStub(
            ValidationWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(TaskQueues.validationWorkflowId("val-test", 1))
                .setTaskQueue(TaskQueues.WORKFLOW)
                .build());
    WorkflowClient.start(wf::run, new MigrationInput(spec(), null));
    return wf;
  }

  private static Map<Stage, StageStatus> stages(MigrationStatus st) {
    return st.stages().stream().collect(Collectors.toMap(StageStatus::stage, s -> s));
  }

  @Test
  void passingVerdictCompletesAfterOpenInventoryMappingValidateReplayWithNoCopyNoGate() {
    ValidationWorkflow wf = run();
    MigrationOutcome out = WorkflowStub.fromTyped(wf).getResult(MigrationOutcome.class);

    assertEquals(MigrationState.COMPLETED, out.state(), out.message());
    assertEquals("validations/val-test", out.branch());
    assertTrue(out.message().startsWith("validation PASS"), out.message());
    assertEquals(
        List.of("open-validation", "inventory", "schema-mapper", "validator", "regression-tester"),
        fakes.calls);
    // each step reads what the previous one committed: validator at the mapping's commit,
    // regression tester at the validation report's
    List<String> commits = fakes.branchCommits;
    assertEquals(commits.get(2), validateAt.get());
    assertEquals(commits.get(3), regressionAt.get());

    MigrationStatus st = wf.status();
    assertEquals(MigrationState.COMPLETED, st.state());
    assertEquals(MigrationStatus.KIND_VALIDATION, st.kind(), "list and status tell runs apart");
    assertEquals(
        WorkflowStub.fromTyped(wf).getExecution().getWorkflowId(),
        st.workflowId(),
        "a validation run is addressed by its workflow id");
    assertEquals(Stage.VALIDATION, st.stage());
    assertNull(st.reviewCommit());
    assertTrue(st.reviews().isEmpty(), "no gate, no review: " + st.reviews());
    Map<Stage, StageStatus> stages = stages(st);
    assertEquals("completed", stages.get(Stage.ASSESSMENT).state());
    assertEquals("completed", stages.get(Stage.MAPPING).state());
    assertNull(stages.get(Stage.MAPPING).verdict(), "producer-only step has no verdict");
    assertEquals("completed", stages.get(Stage.VALIDATION).state());
    assertEquals(Verdict.PASS, stages.get(Stage.VALIDATION).verdict());
    assertEquals(commits.get(4), stages.get(Stage.VALIDATION).commit());
    assertEquals(ValidationWorkflowImpl.NOT_RUN, stages.get(Stage.MIGRATE).state());
    assertEquals(ValidationWorkflowImpl.NOT_RUN, stages.get(Stage.CUTOVER).state());
    assertTrue(
        st.artifacts().stream().anyMatch(a -> a.path().equals("04-validation/validation.json")),
        st.artifacts().toString());
  }

  @Test
  void failingVerdictEndsFailedWithTheVerdictInTheStatus() {
    fakes.verdicts.put(Stage.VALIDATION, Verdict.FAIL);
    ValidationWorkflow wf = run();
    MigrationOutcome out = WorkflowStub.fromTyped(wf).getResult(MigrationOutcome.class);

    assertEquals(MigrationState.FAILED, out.state());
    assertTrue(out.message().startsWith("validation FAIL"), out.message());
    StageStatus validation = stages(wf.status()).get(Stage.VALIDATION);
    assertEquals("completed", validation.state());
    assertEquals(Verdict.FAIL, validation.verdict());
  }

  @Test
  void anActivityErrorFailsTheStepWithoutAVerdict() {
    validatorUnreachable = true;
    ValidationWorkflow wf = run();
    MigrationOutcome out = WorkflowStub.fromTyped(wf).getResult(MigrationOutcome.class);

    assertEquals(MigrationState.FAILED, out.state());
    assertTrue(out.message().contains("DATABASE_UNREACHABLE"), out.message());
    StageStatus validation = stages(wf.status()).get(Stage.VALIDATION);
    assertEquals("failed", validation.state());
    assertNull(validation.verdict());
    assertTrue(!fakes.calls.contains("regression-tester"), fakes.calls.toString());
  }

  /**
   * A validation-only run killed before its report (the branch's {@code state.json} says RUNNING,
   * the workflow lost with the embedded Temporal) is found by {@link Recovery} in the real git
   * evidence and run again from the start, as run 1 of the new server, on its own branch; opening
   * the branch again adds no commit (the spec and the running state are byte-stable), and the run
   * ends with its state on the branch, so the next start finds nothing to re-create.
   */
  @Test
  void anUnfinishedValidationRunIsRunAgainFromItsBranchWithoutAnotherOpenCommit(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path home) {
    String text =
        String.join(
            "\n",
            "id: val-test",
            "source: { url: \"jdbc:postgresql://db/src\", user: u }",
            "target: { url: \"jdbc:postgresql://db/dst\", user: u }",
            "");
    try (GitArtifactStore store = GitArtifactStore.open(home, null)) {
      EvidenceService evidence = new EvidenceService(store);
      evidence.openValidation("val-test", SpecLoader.parse(text), text); // then killed
      String branch = TaskQueues.validationBranch("val-test");
      int opened = store.log(branch).size();
      realStore = store;

      List<Recovery.Outcome> outcomes = new Recovery(client, store).recoverUnfinished();

      assertEquals(1, outcomes.size(), outcomes.toString());
      assertTrue(outcomes.get(0).recovered(), outcomes.toString());
      assertEquals(branch, outcomes.get(0).branch());
      String workflowId = TaskQueues.validationWorkflowId("val-test", 1);
      assertEquals("workflow " + workflowId, outcomes.get(0).detail());
      OperatorService operator = new OperatorService(client, store);
      assertEquals(
          MigrationState.COMPLETED,
          operator.awaitValidation(workflowId, 30_000).orElseThrow().state());
      assertEquals(opened, openedLog.get(), "re-opening the branch added no commit");
      assertTrue(RunState.read(store, branch).orElseThrow().ended());
      assertTrue(
          new Recovery(client, store)
              .recoverUnfinished().stream().noneMatch(Recovery.Outcome::recovered),
          "an ended run is not re-created");
    }
  }

  /**
   * A validation run starts with the search attributes MigrationId and MigrationStage where the
   * namespace has them (as the embedded server has them).
   */
  @Test
  void aValidationRunCarriesItsMigrationIdAndStage() {
    OperatorService operator = new OperatorService(client, null);
    String text =
        String.join(
            "\n",
            "id: val-search",
            "source: { url: \"jdbc:postgresql://db/src\", user: u }",
            "target: { url: \"jdbc:postgresql://db/dst\", user: u }",
            "");
    OperatorService.Started run = operator.startValidation(text);
    assertEquals(
        MigrationState.COMPLETED,
        operator.awaitValidation(run.workflowId(), 30_000).orElseThrow().state());
    // as the server's visibility records them (the test server has no ListWorkflowExecutions
    // query: UNIMPLEMENTED)
    var attributes =
        client.newUntypedWorkflowStub(run.workflowId()).describe().getTypedSearchAttributes();
    assertEquals("val-search", attributes.get(MigrationSearchAttributes.MIGRATION_ID));
    assertEquals("validation", attributes.get(MigrationSearchAttributes.MIGRATION_STAGE));
    assertFalse(attributes.containsKey(MigrationSearchAttributes.MIGRATION_STATE), "no state");
  }

  @Test
  void operatorNumbersRepeatedValidationsAndIgnoresGatesWithoutApprovers() {
    OperatorService operator = new OperatorService(client, null);
    // an external cutover gate with no approvers would refuse `start`; a validation has no gate
    String text =
        String.join(
            "\n",
            "id: val-test",
            "source: { url: \"jdbc:postgresql://db/src\", user: u }",
            "target: { url: \"jdbc:postgresql://db/dst\", user: u }",
            "reviews: { cutover: external }",
            "");
    assertThrows(
        MigrationException.class,
        () -> OperatorService.prepare(text, io.migrationstudio.core.spec.AutoApproval.NONE));

    OperatorService.Started first = operator.startValidation(text);
    assertEquals("validation-val-test-1", first.workflowId());
    assertEquals("validations/val-test", first.branch());
    MigrationOutcome done = operator.awaitValidation(first.workflowId(), 30_000).orElseThrow();
    assertEquals(MigrationState.COMPLETED, done.state());

    OperatorService.Started second = operator.startValidation(text);
    assertEquals("validation-val-test-2", second.workflowId());
    assertEquals(
        MigrationState.COMPLETED,
        operator.awaitValidation(second.workflowId(), 30_000).orElseThrow().state());
    assertEquals(MigrationState.COMPLETED, operator.validationStatus(first.workflowId()).state());

    MigrationException invalid =
        assertThrows(MigrationException.class, () -> operator.startValidation("id: Bad_ID\n"));
    assertEquals(ErrorCode.INVALID_SPEC, invalid.code());
    assertEquals(
        ErrorCode.MISSING_OBJECT,
        assertThrows(MigrationException.class, () -> operator.validationStatus("migration-x"))
            .code());
  }
}
