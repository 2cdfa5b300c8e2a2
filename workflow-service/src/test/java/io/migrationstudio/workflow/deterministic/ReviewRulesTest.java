package io.migrationstudio.workflow.deterministic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.spec.Approvers;
import io.migrationstudio.contracts.spec.ConnectionSpec;
import io.migrationstudio.contracts.spec.GateMode;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.spec.ReviewPolicy;
import io.migrationstudio.contracts.workflow.Decision;
import io.migrationstudio.contracts.workflow.MigrationState;
import io.migrationstudio.contracts.workflow.Review;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The review validator's rules without Temporal: who may decide, and on which commit. */
class ReviewRulesTest {
  private static final String UNDER_REVIEW = "a".repeat(40);

  private static MigrationSpec spec(Map<String, List<String>> approvers) {
    return new MigrationSpec(
        "rules",
        null,
        new ConnectionSpec("jdbc:postgresql://db/src", "u", null, null),
        new ConnectionSpec("jdbc:postgresql://db/dst", "u", null, null),
        null,
        null,
        null,
        null,
        null,
        ReviewPolicy.defaults(),
        new Approvers(approvers),
        null);
  }

  private static ReviewRules.Gate waiting(MigrationSpec spec, Stage stage, GateMode mode) {
    return new ReviewRules.Gate(
        MigrationState.AWAITING_REVIEW, stage, spec, mode, UNDER_REVIEW, false, false);
  }

  private static Review approve(Stage stage, String reviewer, String commit) {
    return new Review(stage, Decision.APPROVE, reviewer, "", commit);
  }

  @Test
  void anUnsignedReviewIsRefusedWhereSignaturesAreRequired() {
    MigrationSpec spec = spec(Map.of("default", List.of("alice")));
    ReviewRules.Gate signed =
        new ReviewRules.Gate(
            MigrationState.AWAITING_REVIEW,
            Stage.MAPPING,
            spec,
            GateMode.ASK,
            UNDER_REVIEW,
            false,
            true);
    List<String> problems =
        ReviewRules.problems(approve(Stage.MAPPING, "alice", UNDER_REVIEW), signed);
    assertEquals(1, problems.size(), problems.toString());
    assertTrue(problems.get(0).contains("--sign-key"), problems.get(0));
    assertEquals(
        List.of(),
        ReviewRules.problems(
            approve(Stage.MAPPING, "alice", UNDER_REVIEW).withSignature("armored"), signed),
        "the signature itself is verified by the activity");
  }

  @Test
  void aListedApproverOfTheExactCommitIsAccepted() {
    MigrationSpec spec = spec(Map.of("default", List.of("alice")));
    assertEquals(
        List.of(),
        ReviewRules.problems(
            approve(Stage.MAPPING, "alice", UNDER_REVIEW),
            waiting(spec, Stage.MAPPING, GateMode.ASK)));
  }

  @Test
  void anUnlistedReviewerIsToldWhoMayApprove() {
    MigrationSpec spec = spec(Map.of("default", List.of("alice"), "mapping", List.of("bob")));
    List<String> problems =
        ReviewRules.problems(
            approve(Stage.MAPPING, "mallory", UNDER_REVIEW),
            waiting(spec, Stage.MAPPING, GateMode.ASK));
    assertEquals(
        List.of(
            "reviewer 'mallory' is not an approver of mapping; may approve it: bob, alice (listed"
                + " under approvers.mapping and approvers.default)"),
        problems);
  }

  @Test
  void anExternalGateNamesOnlyTheStagesOwnApprovers() {
    MigrationSpec spec = spec(Map.of("default", List.of("alice"), "cutover", List.of("carol")));
    List<String> problems =
        ReviewRules.problems(
            approve(Stage.CUTOVER, "alice", UNDER_REVIEW),
            waiting(spec, Stage.CUTOVER, GateMode.EXTERNAL));
    assertEquals(1, problems.size(), problems.toString());
    assertTrue(
        problems
            .get(0)
            .endsWith(
                "may approve it: carol (listed under approvers.cutover (external" + " gate))"),
        problems.get(0));
  }

  @Test
  void withNobodyListedTheRefusalSaysWhereToListSomeone() {
    List<String> problems =
        ReviewRules.problems(
            approve(Stage.ASSESSMENT, "alice", UNDER_REVIEW),
            waiting(spec(Map.of()), Stage.ASSESSMENT, GateMode.ASK));
    assertEquals(1, problems.size(), problems.toString());
    assertTrue(
        problems
            .get(0)
            .contains(
                "nobody may approve it: no one is listed under approvers.assessment and"
                    + " approvers.default"),
        problems.get(0));
  }

  @Test
  void anotherCommitOrAStageNotWaitingIsRefused() {
    MigrationSpec spec = spec(Map.of("default", List.of("alice")));
    List<String> wrongCommit =
        ReviewRules.problems(
            approve(Stage.MAPPING, "alice", "b".repeat(40)),
            waiting(spec, Stage.MAPPING, GateMode.ASK));
    assertTrue(wrongCommit.get(0).contains("is not the commit under review"), wrongCommit.get(0));
    List<String> notWaiting =
        ReviewRules.problems(
            approve(Stage.VALIDATION, "alice", UNDER_REVIEW),
            waiting(spec, Stage.MAPPING, GateMode.ASK));
    assertTrue(notWaiting.get(0).contains("is not waiting for review"), notWaiting.get(0));
  }
}
