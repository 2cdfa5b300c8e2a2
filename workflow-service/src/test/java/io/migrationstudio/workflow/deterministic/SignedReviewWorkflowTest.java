package io.migrationstudio.workflow.deterministic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.TaskQueues;
import io.migrationstudio.contracts.activity.ReviewCheck;
import io.migrationstudio.contracts.spec.Approvers;
import io.migrationstudio.contracts.spec.ConnectionSpec;
import io.migrationstudio.contracts.spec.GateMode;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.spec.ReviewPolicy;
import io.migrationstudio.contracts.workflow.Decision;
import io.migrationstudio.contracts.workflow.MigrationInput;
import io.migrationstudio.contracts.workflow.MigrationOutcome;
import io.migrationstudio.contracts.workflow.MigrationState;
import io.migrationstudio.contracts.workflow.MigrationStatus;
import io.migrationstudio.contracts.workflow.MigrationWorkflow;
import io.migrationstudio.contracts.workflow.Review;
import io.migrationstudio.contracts.workflow.ReviewRecord;
import io.migrationstudio.core.identity.ReviewPayload;
import io.migrationstudio.core.identity.SshPublicKey;
import io.migrationstudio.core.identity.SshSignature;
import io.migrationstudio.workflow.WorkflowWorker;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.WorkerOptions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Signed reviews at the gate ({@code reviews.identity: ssh}): the workflow has the signature
 * verified by the Evidence_VerifyReview activity (the real verifier, keys made here) before the
 * gate moves, on the update and on the signal path; each forgery is refused, recorded, and the gate
 * waits on for the same commit.
 */
@org.junit.jupiter.api.Timeout(90)
class SignedReviewWorkflowTest {
  private static final String ID = "wf-test";
  private TestWorkflowEnvironment env;
  private FakeActivities fakes;
  private WorkflowClient client;
  private KeyPair alice;
  private KeyPair mallory;

  @BeforeEach
  void setUp() throws Exception {
    alice = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    mallory = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    env = TestWorkflowEnvironment.newInstance();
    fakes = new FakeActivities();
    client = env.getWorkflowClient();
    WorkerOptions options =
        WorkerOptions.newBuilder().setStickyQueueScheduleToStartTimeout(Duration.ZERO).build();
    WorkflowWorker.register(env.getWorkerFactory(), options);
    for (String queue :
        List.of(
            TaskQueues.ASSESSMENT, TaskQueues.MIGRATE, TaskQueues.VALIDATION, TaskQueues.CUTOVER)) {
      env.getWorkerFactory().newWorker(queue, options).registerActivitiesImplementations(fakes);
    }
    env.start();
  }

  @AfterEach
  void tearDown() {
    env.close();
  }

  private MigrationSpec spec() {
    ReviewPolicy reviews = ReviewPolicy.defaults();
    for (Stage s : Stage.values()) {
      reviews = reviews.with(s, GateMode.AUTO);
    }
    return new MigrationSpec(
        ID,
        null,
        new ConnectionSpec("jdbc:postgresql://db/src", "u", null, null),
        new ConnectionSpec("jdbc:postgresql://db/dst", "u", null, null),
        null,
        null,
        null,
        null,
        // these scenarios end at the switch; hypercare has its own test (HypercareWorkflowIT)
        io.migrationstudio.contracts.spec.CutoverOptions.defaults().withHypercare("PT0S"),
        reviews
            .with(Stage.MAPPING, GateMode.ASK)
            .withSigners(List.of("alice " + SshPublicKey.of(alice.getPublic()).keyText())),
        new Approvers(Map.of("default", List.of("alice", "mallory"))),
        null);
  }

  private static Review approve(String reviewer, String commit) {
    return new Review(Stage.MAPPING, Decision.APPROVE, reviewer, "ok", commit);
  }

  private static String sign(KeyPair key, String namespace, String migration, Review r) {
    return SshSignature.sign(
        key.getPrivate(),
        SshPublicKey.of(key.getPublic()),
        namespace,
        "sha512",
        ReviewPayload.bytes(migration, r.stage(), r.decision(), r.commit(), r.reviewer()));
  }

  private MigrationWorkflow start() {
    MigrationWorkflow wf =
        client.newWorkflowStub(
            MigrationWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(TaskQueues.workflowId(ID))
                .setTaskQueue(TaskQueues.WORKFLOW)
                .build());
    WorkflowClient.start(wf::run, new MigrationInput(spec(), null));
    return wf;
  }

  private static MigrationStatus awaitStatus(MigrationWorkflow wf, Predicate<MigrationStatus> p)
      throws InterruptedException {
    for (int i = 0; i < 400; i++) {
      MigrationStatus s = wf.status();
      if (p.test(s)) {
        return s;
      }
      Thread.sleep(25);
    }
    throw new AssertionError("status never matched; last: " + wf.status());
  }

  private static String refusal(MigrationWorkflow wf, Review r) {
    WorkflowUpdateException e = assertThrows(WorkflowUpdateException.class, () -> wf.review(r));
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage();
  }

  @Test
  void aSignedReviewOpensTheGateAndEveryForgeryIsRefusedFirst() throws Exception {
    MigrationWorkflow wf = start();
    String commit =
        awaitStatus(
                wf, s -> s.state() == MigrationState.AWAITING_REVIEW && s.stage() == Stage.MAPPING)
            .reviewCommit();
    Review real = approve("alice", commit);

    // unsigned: refused by the update's validator, before anything reaches history
    assertTrue(refusal(wf, real).contains("not signed"));
    // mallory's key, alice's name and exact payload
    assertTrue(
        refusal(wf, real.withSignature(sign(mallory, "migration-studio", ID, real)))
            .contains("WRONG_KEY"));
    // mallory is an approver by name but has no key
    Review byMallory = approve("mallory", commit);
    assertTrue(
        refusal(wf, byMallory.withSignature(sign(mallory, "migration-studio", ID, byMallory)))
            .contains("UNKNOWN_APPROVER"));
    // alice's signature of another commit, of another migration, in git's namespace
    Review other = approve("alice", "e".repeat(40));
    assertTrue(
        refusal(wf, real.withSignature(sign(alice, "migration-studio", ID, other)))
            .contains("NOT_THIS_REVIEW"));
    assertTrue(
        refusal(wf, real.withSignature(sign(alice, "migration-studio", "other", real)))
            .contains("NOT_THIS_REVIEW"));
    assertTrue(
        refusal(wf, real.withSignature(sign(alice, "git", ID, real))).contains("WRONG_NAMESPACE"));
    // the signal path (Temporal UI, tctl) goes through the same verification
    wf.reviewSignal(real.withSignature(sign(mallory, "migration-studio", ID, real)));
    MigrationStatus waiting =
        awaitStatus(
            wf,
            s ->
                s.reviews().stream().filter(r -> !r.accepted()).count() == 6
                    && s.state() == MigrationState.AWAITING_REVIEW);
    assertEquals(commit, waiting.reviewCommit(), "still waiting for the same commit");
    assertFalse(fakes.calls.contains("review:mapping:APPROVE"), "nothing recorded as accepted");

    ReviewRecord accepted =
        wf.review(real.withSignature(sign(alice, "migration-studio", ID, real)));
    assertTrue(accepted.accepted());
    assertTrue(accepted.path().startsWith("reviews/"), "answered once committed: " + accepted);
    MigrationOutcome out = WorkflowStub.fromTyped(wf).getResult(MigrationOutcome.class);
    assertEquals(MigrationState.COMPLETED, out.state());
    assertEquals(1, fakes.signedReviews.size());
    ReviewCheck signed = fakes.signedReviews.get(0);
    assertEquals("alice", signed.principal());
    assertEquals(SshPublicKey.of(alice.getPublic()).fingerprint(), signed.fingerprint());

    var history = client.fetchHistory(TaskQueues.workflowId(ID));
    assertTrue(history.toJson(false).contains("Evidence_VerifyReview"));
    MigrationWorkflowReplayTest.replay(history, MigrationWorkflowImpl.class);
    String dir = System.getProperty("studio.recordHistory");
    if (dir != null) {
      java.nio.file.Files.writeString(
          java.nio.file.Path.of(dir, "migration-workflow-history-signed.json"),
          history.toJson(true));
    }
  }
}
