package io.migrationstudio.core.evidence;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.activity.ApprovedStage;
import io.migrationstudio.contracts.activity.CommitResult;
import io.migrationstudio.contracts.activity.GateEvidence;
import io.migrationstudio.contracts.activity.OpenResult;
import io.migrationstudio.contracts.spec.GateMode;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.workflow.ArtifactRef;
import io.migrationstudio.contracts.workflow.Decision;
import io.migrationstudio.contracts.workflow.MigrationState;
import io.migrationstudio.contracts.workflow.MigrationStatus;
import io.migrationstudio.contracts.workflow.ReviewRecord;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.git.ArtifactStore.CommitInfo;
import io.migrationstudio.core.git.GitArtifactStore;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.spec.SpecException;
import io.migrationstudio.core.spec.SpecLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvidenceServiceIT {
  static final String SPEC_TEXT =
      """
      # the operator's own file, comments and all
      id: shop
      source: { url: "jdbc:postgresql://db1/shop", user: app, password: "${env:SRC_PW}" }
      target: { url: "jdbc:postgresql://db2/shop", user: app, password: "${env:DST_PW}" }
      reviews: { identity: none }
      approvers: { default: [alice], cutover: [board] }
      """;
  static final String BRANCH = "migrations/shop";

  @TempDir Path home;
  GitArtifactStore store;
  EvidenceService evidence;
  MigrationSpec spec;

  @BeforeEach
  void open() {
    store = GitArtifactStore.open(home, null);
    evidence = new EvidenceService(store);
    spec = SpecLoader.parse(SPEC_TEXT);
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void openCommitsTheOperatorsTextOnceAsOperator() {
    OpenResult first = evidence.openMigration("shop", spec, SPEC_TEXT);
    assertEquals(BRANCH, first.branch());
    assertEquals(SPEC_TEXT, text(ArtifactPaths.SPEC));
    assertEquals(List.of(), first.approved());
    assertEquals(0, first.reviewCount());
    CommitInfo top = store.log(BRANCH).get(0);
    assertEquals(first.specCommit(), top.id());
    assertEquals("operator", top.author());

    OpenResult again = evidence.openMigration("shop", spec, SPEC_TEXT);
    assertEquals(first.specCommit(), again.specCommit());
    assertEquals(2, store.log(BRANCH).size(), "README + spec: re-opening commits nothing");
  }

  @Test
  void openWithoutTextCommitsTheCanonicalRendering() {
    evidence.openMigration("shop", spec, null);
    assertEquals(SpecLoader.render(spec), text(ArtifactPaths.SPEC));
  }

  @Test
  void openRefusesLiteralSecretsAndMismatchedIdsBeforeWriting() {
    String literal = SPEC_TEXT.replace("\"${env:SRC_PW}\"", "hunter2");
    SpecException e =
        assertThrows(SpecException.class, () -> evidence.openMigration("shop", spec, literal));
    assertEquals(ErrorCode.INVALID_SPEC, e.code());
    assertFalse(e.getMessage().contains("hunter2"));
    MigrationException other =
        assertThrows(MigrationException.class, () -> evidence.openMigration("other", spec, null));
    assertEquals(ErrorCode.INVALID_SPEC, other.code());
    assertTrue(store.head(BRANCH).isEmpty(), "nothing written");
  }

  @Test
  void resumeFindsTheApprovedPrefixAtTheApprovedCommits() {
    evidence.openMigration("shop", spec, SPEC_TEXT);
    String a = write("01-assessment/inventory.json", "{}\n", "inventory");
    write("01-assessment/risks.json", "[]\n", "risk-assessor");
    String assessed = store.head(BRANCH).orElseThrow();
    review(1, Stage.ASSESSMENT, Decision.APPROVE, assessed);
    String m1 = write("02-mapping/mapping.yaml", "v: 1\n", "schema-mapper");
    review(2, Stage.MAPPING, Decision.REQUEST_CHANGES, m1);
    String m2 = write("02-mapping/mapping.yaml", "v: 2\n", "reviewer:alice");
    review(3, Stage.MAPPING, Decision.APPROVE, m2);
    write("03-migrate/run.json", "{}\n", "migration-engineer");
    review(4, Stage.MIGRATE, Decision.REJECT, store.head(BRANCH).orElseThrow());

    OpenResult resumed = evidence.openMigration("shop", spec, SPEC_TEXT);
    assertEquals(4, resumed.reviewCount());
    assertEquals(
        List.of(Stage.ASSESSMENT, Stage.MAPPING),
        resumed.approved().stream().map(ApprovedStage::stage).toList());
    ApprovedStage assessment = resumed.approved().get(0);
    assertEquals(assessed, assessment.commit());
    assertEquals(
        List.of(
            new ArtifactRef("01-assessment/inventory.json", assessed),
            new ArtifactRef("01-assessment/risks.json", assessed)),
        assessment.artifacts());
    ApprovedStage mapping = resumed.approved().get(1);
    assertEquals(m2, mapping.commit());
    assertEquals(List.of(new ArtifactRef("02-mapping/mapping.yaml", m2)), mapping.artifacts());
    assertTrue(store.isAncestor(a, m2));

    // a changed spec voids approvals given under the old one
    OpenResult changed =
        evidence.openMigration("shop", spec, SPEC_TEXT + "title: Shop, second attempt\n");
    assertEquals(List.of(), changed.approved());
    assertEquals(4, changed.reviewCount());
  }

  /**
   * After the executed cutover, {@code 06-hypercare/hypercare.json} tells a re-created migration
   * when its hypercare began; before the cutover is approved the file proves nothing.
   */
  @Test
  void resumeReportsTheHypercareOfAnExecutedCutover() {
    evidence.openMigration("shop", spec, SPEC_TEXT);
    int sequence = 0;
    for (Stage s : Stage.values()) {
      if (s == Stage.DECOMMISSION) {
        break;
      }
      String at = write(s.directory() + "/out.json", "{}\n", s.producerRole());
      if (s == Stage.CUTOVER) {
        at =
            write(
                ArtifactPaths.HYPERCARE_JSON,
                "{\"migration\": \"shop\", \"started_at_ms\": 1765000000000}\n",
                s.producerRole());
        assertNull(
            evidence.openMigration("shop", spec, SPEC_TEXT).hypercareStartedAtMillis(),
            "the cutover is not approved yet: the record proves nothing");
      }
      review(++sequence, s, Decision.APPROVE, at);
    }
    OpenResult resumed = evidence.openMigration("shop", spec, SPEC_TEXT);
    assertEquals(5, resumed.approved().size());
    assertEquals(1765000000000L, resumed.hypercareStartedAtMillis());

    // the hypercare over, the decommission gate waits for its plan: a re-created migration is
    // told which commit, also after a note committed since (a restart samples once more)
    String plan = write("07-decommission/plan.md", "# plan\n", "cutover-coordinator");
    GateEvidence gate =
        new GateEvidence(
            Stage.DECOMMISSION,
            plan,
            Verdict.PASS,
            "plan",
            GateMode.ASK,
            List.of(new ArtifactRef("07-decommission/plan.md", plan)));
    evidence.recordGate(BRANCH, gate);
    write("06-hypercare/hypercare-2026-12-08.md", "note\n", "cutover-coordinator");
    OpenResult atGate = evidence.openMigration("shop", spec, SPEC_TEXT);
    assertEquals(gate, atGate.awaiting(), "the decommission gate waits for the same plan");
    assertEquals(1765000000000L, atGate.hypercareStartedAtMillis());
    review(++sequence, Stage.DECOMMISSION, Decision.APPROVE, plan);
    OpenResult approved = evidence.openMigration("shop", spec, SPEC_TEXT);
    assertEquals(6, approved.approved().size(), "the decommission approved: it runs");
    assertNull(approved.awaiting());
  }

  /**
   * A server killed between the executed cutover's log and the hypercare's first note leaves only
   * {@code cutover-log.json}: a PASS committed after the approved cutover starts the hypercare at
   * its commit's time (so the re-created migration does not execute, wait or re-validate again); a
   * FAIL proves nothing.
   */
  @Test
  void resumeTakesAPassingCutoverLogWithoutHypercareJsonAsExecuted() {
    evidence.openMigration("shop", spec, SPEC_TEXT);
    int sequence = 0;
    for (Stage s : Stage.values()) {
      if (s == Stage.DECOMMISSION) {
        break;
      }
      review(++sequence, s, Decision.APPROVE, write(s.directory() + "/out.json", "{}\n", "x"));
    }
    assertNull(
        evidence.openMigration("shop", spec, SPEC_TEXT).hypercareStartedAtMillis(),
        "approved, not executed");
    write(ArtifactPaths.CUTOVER_LOG_JSON, "{\"verdict\": \"FAIL\"}\n", "cutover-coordinator");
    assertNull(
        evidence.openMigration("shop", spec, SPEC_TEXT).hypercareStartedAtMillis(),
        "a failed cutover did not execute");
    write(ArtifactPaths.CUTOVER_LOG_JSON, "{\"verdict\": \"PASS\"}\n", "cutover-coordinator");
    long executed = store.log(BRANCH).get(0).timeMillis();
    assertEquals(
        executed, evidence.openMigration("shop", spec, SPEC_TEXT).hypercareStartedAtMillis());
  }

  /**
   * Killed while the review of the rollback drill waited (the cutover approved, the drill's commit
   * in {@code gates/cutover.json}): the re-created migration is told to wait for that commit, the
   * cutover stays approved at its own review, and the reviews before count. A REQUEST_CHANGES on
   * the drill (drill again) is no waiting drill; nor is the gate file of the cutover's own review.
   * An approval of the drill reports the drill's gate marked approved (the re-created migration
   * executes without drilling again; before, nothing was reported and it drilled again). Before the
   * drill gate, the drill's REQUEST_CHANGES undid the cutover's approval.
   */
  @Test
  void aWaitingDrillReviewIsReportedAfterTheCutoverApproval() {
    evidence.openMigration("shop", spec, SPEC_TEXT);
    int sequence = 0;
    String cutover = null;
    for (Stage s : Stage.values()) {
      if (s == Stage.DECOMMISSION) {
        break;
      }
      cutover = write(s.directory() + "/out.json", "{}\n", "x");
      if (s == Stage.CUTOVER) { // the cutover's own gate waited for its plan
        evidence.recordGate(
            BRANCH, new GateEvidence(s, cutover, Verdict.PASS, "plan", GateMode.ASK, null));
      }
      review(++sequence, s, Decision.APPROVE, cutover);
    }
    assertNull(evidence.openMigration("shop", spec, SPEC_TEXT).awaiting(), "no drill yet");
    String drilled = write("05-cutover/drill.json", "{\"verdict\": \"FAIL\"}\n", "x");
    GateEvidence drill =
        new GateEvidence(
            Stage.CUTOVER,
            drilled,
            Verdict.FAIL,
            "RTO missed",
            GateMode.EXTERNAL,
            List.of(new ArtifactRef("05-cutover/drill.json", drilled)));
    evidence.recordGate(BRANCH, drill);

    OpenResult atDrill = evidence.openMigration("shop", spec, SPEC_TEXT);
    assertEquals(drill, atDrill.awaiting(), "waiting for the same drill commit");
    assertEquals(5, atDrill.approved().size());
    assertEquals(cutover, atDrill.approved().get(Stage.CUTOVER.ordinal()).commit());
    assertEquals(5, atDrill.reviewCount(), "the reviews before are on the branch");

    drillReview(++sequence, Decision.REQUEST_CHANGES, drilled, ReviewRecord.DRILL_OVERRIDE_NOTE);
    OpenResult again = evidence.openMigration("shop", spec, SPEC_TEXT);
    assertNull(again.awaiting(), "changes requested on the drill: it drills again");
    assertEquals(5, again.approved().size(), "the cutover stays approved at its own review");
    assertEquals(cutover, again.approved().get(Stage.CUTOVER.ordinal()).commit());

    String redrilled = write("05-cutover/drill.json", "{\"verdict\": \"PASS\"}\n", "x");
    GateEvidence second =
        new GateEvidence(Stage.CUTOVER, redrilled, Verdict.PASS, "", GateMode.EXTERNAL, null);
    evidence.recordGate(BRANCH, second);
    assertEquals(second, evidence.openMigration("shop", spec, SPEC_TEXT).awaiting());
    drillReview(++sequence, Decision.APPROVE, redrilled, ReviewRecord.DRILL_EXECUTION_NOTE);
    OpenResult approved = evidence.openMigration("shop", spec, SPEC_TEXT);
    assertEquals(
        second.markedApproved(),
        approved.awaiting(),
        "the drill approved before the execution: the same drill, marked approved");
    assertTrue(approved.awaiting().wasApproved());
    assertEquals(cutover, approved.approved().get(Stage.CUTOVER.ordinal()).commit());
  }

  private void drillReview(int seq, Decision decision, String commit, String note) {
    evidence.recordReview(
        BRANCH,
        new ReviewRecord(
            seq, Stage.CUTOVER, decision, "board", "why", commit, 1000L * seq, true, note, null));
  }

  @Test
  void anApprovedRepairPlanIsNotTheStagesApproval() {
    evidence.openMigration("shop", spec, SPEC_TEXT);
    String assessed = write("01-assessment/inventory.json", "{}\n", "inventory");
    review(1, Stage.ASSESSMENT, Decision.APPROVE, assessed);
    String plan = write("04-validation/repair-plan.json", "{}\n", "validator");
    // a workflow that dies while re-copying the approved repair must validate again on resume
    evidence.recordReview(
        BRANCH,
        new ReviewRecord(
            2,
            Stage.ASSESSMENT,
            Decision.APPROVE,
            "alice",
            "",
            plan,
            2000L,
            true,
            ReviewRecord.REPAIR_PLAN_NOTE,
            null));
    OpenResult resumed = evidence.openMigration("shop", spec, SPEC_TEXT);
    assertEquals(
        List.of(assessed),
        resumed.approved().stream().map(ApprovedStage::commit).toList(),
        "the stage stays approved at its own review, not at the repair plan");
  }

  @Test
  void anApprovalOfACommitOffTheBranchDoesNotCount() {
    evidence.openMigration("shop", spec, SPEC_TEXT);
    String elsewhere =
        store.commit("migrations/other", "studio", "x", Map.of("x", "x".getBytes(UTF_8))).head();
    review(1, Stage.ASSESSMENT, Decision.APPROVE, elsewhere);
    assertEquals(List.of(), evidence.openMigration("shop", spec, SPEC_TEXT).approved());
  }

  @Test
  void reviewsAreCommittedByTheReviewer() {
    evidence.openMigration("shop", spec, SPEC_TEXT);
    String head = store.head(BRANCH).orElseThrow();
    CommitResult r =
        evidence.recordReview(
            BRANCH,
            new ReviewRecord(
                1,
                Stage.MAPPING,
                Decision.APPROVE,
                "Alice <a@x>",
                "ok",
                head,
                7L,
                true,
                null,
                null));
    assertEquals("reviews/01-mapping-approve.json", r.artifact().path());
    assertEquals(r.head(), store.head(BRANCH).orElseThrow());
    assertEquals("reviewer:Alice-a@x-", store.log(BRANCH).get(0).author());
    ReviewRecord back =
        ReviewFiles.read(store.read(BRANCH, r.artifact().path()).orElseThrow(), "review");
    assertEquals(r.artifact().path(), back.path());
    assertEquals(head, back.commit());
  }

  @Test
  void verifyCommitChecksBranchAndAncestry() {
    OpenResult opened = evidence.openMigration("shop", spec, SPEC_TEXT);
    String later = write("01-assessment/inventory.json", "{}\n", "inventory");
    assertEquals(later, evidence.verifyCommit(BRANCH, opened.specCommit(), later));
    assertEquals(opened.specCommit(), evidence.verifyCommit(BRANCH, null, opened.specCommit()));
    String main = store.head("main").orElseThrow();
    String off =
        store.commit("migrations/other", "studio", "x", Map.of("x", "x".getBytes(UTF_8))).head();
    for (String[] bad :
        List.of(
            new String[] {opened.specCommit(), "abc"},
            new String[] {opened.specCommit(), null},
            new String[] {opened.specCommit(), off},
            new String[] {later, main},
            new String[] {later, opened.specCommit()})) {
      MigrationException e =
          assertThrows(
              MigrationException.class, () -> evidence.verifyCommit(BRANCH, bad[0], bad[1]));
      assertEquals(ErrorCode.INVALID_COMMIT, e.code());
    }
  }

  @Test
  void pullRequestIsRewrittenOnlyWhenTheStatusChanges() {
    evidence.openMigration("shop", spec, SPEC_TEXT);
    MigrationStatus status =
        MigrationStatus.of("shop", BRANCH, Stage.ASSESSMENT, MigrationState.RUNNING, "");
    CommitResult first = evidence.writePullRequest(BRANCH, spec, status);
    CommitResult second = evidence.writePullRequest(BRANCH, spec, status);
    assertEquals(first.head(), second.head());
    assertEquals("studio", store.log(BRANCH).get(0).author());
    assertTrue(text(ArtifactPaths.PULL_REQUEST).startsWith("# Migration shop: shop\n"));
  }

  @Test
  void aWaitingGateOnTheBranchIsReportedUntilAReviewDecidesIt() {
    evidence.openMigration("shop", spec, SPEC_TEXT);
    write("01-assessment/risks.json", "[]\n", "risk-assessor");
    String assessed = store.head(BRANCH).orElseThrow();
    review(1, Stage.ASSESSMENT, Decision.APPROVE, assessed);
    write("02-mapping/mapping.yaml", "v: 1\n", "schema-mapper");
    String checked = write("02-mapping/compatibility.json", "{}\n", "compatibility-reviewer");
    GateEvidence gate =
        new GateEvidence(
            Stage.MAPPING,
            checked,
            Verdict.PASS,
            "2 tables",
            GateMode.ASK,
            List.of(new ArtifactRef("02-mapping/mapping.yaml", checked)));
    CommitResult recorded = evidence.recordGate(BRANCH, gate);
    assertEquals("gates/mapping.json", recorded.artifact().path());
    assertEquals(
        recorded.head(),
        evidence.recordGate(BRANCH, gate).head(),
        "the same gate recorded again adds no commit");

    OpenResult reopened = evidence.openMigration("shop", spec, SPEC_TEXT);
    assertEquals(
        List.of(Stage.ASSESSMENT), reopened.approved().stream().map(ApprovedStage::stage).toList());
    assertEquals(gate, reopened.awaiting(), "waiting for the same commit, with its evidence");

    review(2, Stage.MAPPING, Decision.REQUEST_CHANGES, checked);
    GateEvidence revision = evidence.openMigration("shop", spec, SPEC_TEXT).awaiting();
    assertEquals(
        gate.markedChangesRequested(),
        revision,
        "changes requested: it waits for a revised commit");
    assertTrue(revision.waitsForRevision());
    review(3, Stage.MAPPING, Decision.REJECT, checked);
    assertNull(
        evidence.openMigration("shop", spec, SPEC_TEXT).awaiting(),
        "a decided gate does not wait any more");
  }

  @Test
  void aGateOfAnotherSpecOrOffTheBranchIsNotReported() {
    evidence.openMigration("shop", spec, SPEC_TEXT);
    String early = write("01-assessment/risks.json", "[]\n", "risk-assessor");
    evidence.recordGate(
        BRANCH, new GateEvidence(Stage.ASSESSMENT, early, Verdict.FAIL, "", GateMode.ASK, null));
    assertEquals(early, evidence.openMigration("shop", spec, SPEC_TEXT).awaiting().commit());
    // a new spec: the gate under the old one proves nothing
    String changed = SPEC_TEXT.replace("[alice]", "[alice, bob]");
    assertNull(evidence.openMigration("shop", SpecLoader.parse(changed), changed).awaiting());
    evidence.recordGate(
        BRANCH,
        new GateEvidence(Stage.ASSESSMENT, "0".repeat(40), Verdict.FAIL, "", GateMode.ASK, null));
    assertNull(evidence.openMigration("shop", spec, SPEC_TEXT).awaiting());
  }

  @Test
  void theStateFileSaysRunningUntilTheRunEndsWithTheEffectiveGates() {
    MigrationSpec auto = spec.withReviews(spec.reviews().with(Stage.MAPPING, GateMode.AUTO));
    evidence.openMigration("shop", auto, SPEC_TEXT);
    RunState open = RunState.read(store, BRANCH).orElseThrow();
    assertEquals(MigrationState.RUNNING, open.state());
    assertEquals(GateMode.AUTO, open.gates().mapping(), "the gates the run was started with");
    assertFalse(open.ended());
    String head = store.head(BRANCH).orElseThrow();
    evidence.writePullRequest(BRANCH, auto, status(MigrationState.AWAITING_REVIEW));
    evidence.openMigration("shop", auto, SPEC_TEXT);
    assertEquals(
        List.of(ArtifactPaths.PULL_REQUEST),
        store.log(BRANCH).get(0).paths(),
        "a running run's state file does not change: " + head);
    evidence.writePullRequest(BRANCH, auto, status(MigrationState.COMPLETED));
    RunState end = RunState.read(store, BRANCH).orElseThrow();
    assertTrue(end.ended());
    assertEquals(MigrationState.COMPLETED, end.state());
    evidence.openMigration("shop", auto, SPEC_TEXT);
    assertFalse(RunState.read(store, BRANCH).orElseThrow().ended(), "a re-run runs again");
    assertEquals(List.of(BRANCH), store.branches("migrations/"));
    assertEquals(List.of(), store.branches("validations/"));
  }

  private static MigrationStatus status(MigrationState state) {
    return MigrationStatus.of("shop", BRANCH, Stage.MAPPING, state, "the end");
  }

  private String write(String path, String content, String role) {
    return store
        .commit(BRANCH, role, "write " + path, Map.of(path, content.getBytes(UTF_8)))
        .head();
  }

  private void review(int seq, Stage stage, Decision decision, String commit) {
    evidence.recordReview(
        BRANCH,
        new ReviewRecord(seq, stage, decision, "alice", "", commit, 1000L * seq, true, null, null));
  }

  private String text(String path) {
    return new String(store.read(BRANCH, path).orElseThrow(), UTF_8);
  }
}
