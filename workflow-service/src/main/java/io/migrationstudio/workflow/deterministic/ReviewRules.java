package io.migrationstudio.workflow.deterministic;

import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.spec.GateMode;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.workflow.Decision;
import io.migrationstudio.contracts.workflow.MigrationState;
import io.migrationstudio.contracts.workflow.Review;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Whether a review may be accepted at the gate as it stands, as every reason to refuse it: the
 * update validator and the signal path of the migration workflow both ask it. Pure functions of the
 * review and the gate: no state, no commands.
 */
final class ReviewRules {
  private static final Pattern COMMIT_ID = Pattern.compile("[0-9a-f]{40}");

  private ReviewRules() {}

  /**
   * The gate as the workflow stands: its state and current stage, the spec (approvers), the mode
   * the gate waits in (an escalated {@code auto} gate waits as {@code ask}), the commit under
   * review, whether changes were requested on it, and whether the review must carry a signature
   * (the signature itself is verified by an activity before the gate takes the review).
   */
  record Gate(
      MigrationState state,
      Stage stage,
      MigrationSpec spec,
      GateMode effectiveGate,
      String reviewCommit,
      boolean changesRequested,
      boolean signatureRequired) {}

  /** Every reason to refuse {@code r} at gate {@code g}; empty when it is acceptable. */
  static List<String> problems(Review r, Gate g) {
    List<String> problems = new ArrayList<>();
    if (r == null) {
      problems.add("review is empty");
      return problems;
    }
    if (r.stage() == null) {
      problems.add("stage is required");
    }
    if (r.decision() == null) {
      problems.add("decision is required (APPROVE, REQUEST_CHANGES or REJECT)");
    }
    if (r.reviewer() == null || r.reviewer().isBlank()) {
      problems.add("reviewer is required");
    }
    if (r.commit() == null || !COMMIT_ID.matcher(r.commit()).matches()) {
      problems.add(
          "commit must be the full 40-hex id of the commit reviewed, was '" + r.commit() + "'");
    }
    if (g.signatureRequired() && r.signature() == null) {
      problems.add(
          "review is not signed, and this migration requires signed reviews (reviews.identity:"
              + " ssh): add --sign-key ~/.ssh/id_ed25519 to studio review (or --signature FILE"
              + " made with ssh-keygen -Y sign -n migration-studio of the text --print-payload"
              + " shows)");
    }
    if (!problems.isEmpty()) {
      return problems;
    }
    if (g.state() != MigrationState.AWAITING_REVIEW || r.stage() != g.stage()) {
      problems.add(
          "stage "
              + r.stage().key()
              + " is not waiting for review (current stage "
              + (g.stage() == null ? "none" : g.stage().key())
              + ", state "
              + g.state().name().toLowerCase(Locale.ROOT)
              + ")");
      return problems;
    }
    if (!g.spec().approvers().mayReview(r.stage(), g.effectiveGate(), r.reviewer())) {
      problems.add(
          "reviewer '"
              + r.reviewer()
              + "' is not an approver of "
              + r.stage().key()
              + "; "
              + whoMayApprove(g.spec(), r.stage(), g.effectiveGate()));
    }
    if (g.changesRequested()) {
      if (r.decision() != Decision.REJECT && r.commit().equals(g.reviewCommit())) {
        problems.add(
            "changes were requested on "
                + g.reviewCommit()
                + ": name the newer commit holding the revision");
      }
    } else if (!r.commit().equals(g.reviewCommit())) {
      problems.add(
          "commit "
              + r.commit()
              + " is not the commit under review; review "
              + g.reviewCommit()
              + " (the exact commit you read)");
    }
    return problems;
  }

  /** Who may decide {@code s} at a gate in {@code effectiveGate} mode, by name and by spec key. */
  static String whoMayApprove(MigrationSpec spec, Stage s, GateMode effectiveGate) {
    String own = "approvers." + s.key();
    java.util.Set<String> who = new java.util.LinkedHashSet<>(spec.approvers().forStage(s));
    boolean external = effectiveGate == GateMode.EXTERNAL;
    if (!external) {
      who.addAll(spec.approvers().defaults());
    }
    String keys = external ? own + " (external gate)" : own + " and approvers.default";
    if (who.isEmpty()) {
      return "nobody may approve it: no one is listed under "
          + keys
          + "; add a reviewer there in the spec and run the migration again";
    }
    return "may approve it: " + String.join(", ", who) + " (listed under " + keys + ")";
  }
}
