package io.migrationstudio.workflow.deterministic;

import static io.migrationstudio.workflow.deterministic.Messages.rootMessage;
import static io.migrationstudio.workflow.deterministic.Messages.shortId;

import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.activity.CommitResult;
import io.migrationstudio.contracts.activity.EvidenceActivities;
import io.migrationstudio.contracts.activity.GateEvidence;
import io.migrationstudio.contracts.activity.OpenResult;
import io.migrationstudio.contracts.activity.RecordGateRequest;
import io.migrationstudio.contracts.activity.RecordReviewRequest;
import io.migrationstudio.contracts.activity.ReviewCheck;
import io.migrationstudio.contracts.activity.SignatureProblem;
import io.migrationstudio.contracts.activity.StageResult;
import io.migrationstudio.contracts.activity.VerifyReviewRequest;
import io.migrationstudio.contracts.spec.GateMode;
import io.migrationstudio.contracts.workflow.Decision;
import io.migrationstudio.contracts.workflow.MigrationState;
import io.migrationstudio.contracts.workflow.Review;
import io.migrationstudio.contracts.workflow.ReviewRecord;
import io.migrationstudio.contracts.workflow.Verdict;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Workflow;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;

/**
 * The review gate of the migration workflow: what it waits for (the commit under review, the mode
 * it waits in, whether changes were requested), the reviews arriving through the update and the
 * signal, and the decisions it records on the branch. An {@code auto} gate opens on PASS and
 * escalates to {@code ask} on FAIL; {@code ask}/{@code external} gates wait for a review naming the
 * exact commit under review; REQUEST_CHANGES waits for a review naming a newer commit on the
 * branch.
 *
 * <p>Deterministic workflow code: the same activities in the same order as when it was inline in
 * {@link MigrationWorkflowImpl}; the handlers only queue reviews and change plain state.
 */
final class ReviewGate {
  private static final Logger log = Workflow.getLogger(ReviewGate.class);
  private static final String AUTO_REVIEWER = "studio:auto";

  /**
   * Change id of the durable gate (version 1): a gate that waits commits {@code gates/<stage>.json}
   * naming the commit under review, and a migration re-created from its branch waits there again
   * (see {@link MigrationWorkflowImpl}); histories before it wait without it.
   */
  static final String DURABLE_GATE_CHANGE = "durable-gate";

  static final int DURABLE_GATE = 1;

  /**
   * Change id of verified reviews (version 1): before the gate takes a human review, the activity
   * {@code Evidence_VerifyReview} checks its SSH signature against the spec's approver keys (spec
   * {@code reviews.identity: ssh}); a refused review is recorded as refused and the gate waits on.
   * The update answers with the outcome (the committed review, or the refusal as its failure)
   * instead of at once. Histories before it take reviews unverified.
   */
  static final String SIGNED_REVIEW_CHANGE = "signed-review";

  static final int SIGNED_REVIEW = 1;

  /** A review waiting for the gate; {@code answer}: an update waits for its outcome. */
  private record Queued(int ticket, Review review, boolean answer) {}

  /** How a gate ended: APPROVE or REJECT, or REQUEST_CHANGES with the revised commit to check. */
  record Outcome(Decision decision, String commit) {}

  private final EvidenceActivities evidence =
      Workflow.newActivityStub(EvidenceActivities.class, ActivityOptionsCatalog.evidence());
  private final StatusLine status;
  private final List<ReviewRecord> reviews = new ArrayList<>();
  private final Deque<Queued> pending = new ArrayDeque<>();
  private final Map<Integer, ReviewRecord> outcomes = new HashMap<>();
  private int tickets;
  private boolean verifying;
  private RunContext run;
  private StageBoard board = new StageBoard();
  private int reviewSequence;
  private String reviewCommit;
  private boolean changesRequested;
  private GateMode effectiveGate;

  /** An approval needs a reason (a non-blank comment): the override of a failed drill. */
  private boolean reasonRequired;

  ReviewGate(StatusLine status) {
    this.status = status;
  }

  /**
   * Change id of a gate re-created after REQUEST_CHANGES (version 1): a migration re-created from
   * its branch whose gate had changes requested on the commit under review waits for a revised
   * commit again, instead of waiting for a review of that commit. Histories before it never
   * reopened such a gate (the stage was produced again).
   */
  static final String RESUMED_REVISION_CHANGE = "resumed-revision";

  static final int RESUMED_REVISION = 1;

  /** The reopened gate whose commit had changes requested, until the stage loop reaches it. */
  private GateEvidence resumedRevision;

  /** The migration is open: the reviews on its branch and the gate it reopens, if any. */
  void open(RunContext opened, StageBoard stages, OpenResult open) {
    this.run = opened;
    this.board = stages;
    this.reviewSequence = open.reviewCount();
    GateEvidence awaiting = open.awaiting();
    this.resumedRevision = awaiting != null && awaiting.waitsForRevision() ? awaiting : null;
    this.verifying =
        Workflow.getVersion(SIGNED_REVIEW_CHANGE, Workflow.DEFAULT_VERSION, SIGNED_REVIEW)
            >= SIGNED_REVIEW;
  }

  /**
   * Gates stage {@code s} on the checker's result: returns APPROVE or REJECT with the commit under
   * review, or REQUEST_CHANGES with the verified revised commit the checker must check next.
   */
  Outcome decide(Stage s, StageResult checked) {
    reviewCommit = checked.commit();
    GateMode gate = run.spec().reviews().gate(s);
    if (resumedRevision != null && resumedRevision.stage() == s) {
      boolean sameCommit = resumedRevision.commit().equals(reviewCommit);
      resumedRevision = null;
      if (sameCommit
          && Workflow.getVersion(
                  RESUMED_REVISION_CHANGE, Workflow.DEFAULT_VERSION, RESUMED_REVISION)
              >= RESUMED_REVISION) {
        // re-created after REQUEST_CHANGES on this commit: wait for the revision again
        effectiveGate = gate == GateMode.AUTO ? GateMode.ASK : gate;
        return revised(s, checked.verdict());
      }
    }
    if (gate == GateMode.AUTO && checked.verdict() == Verdict.PASS) {
      ReviewRecord auto =
          record(
              new Review(
                  s,
                  Decision.APPROVE,
                  AUTO_REVIEWER,
                  "auto gate: checker verdict PASS",
                  reviewCommit),
              true,
              "");
      board.set(s, StagePhase.APPROVED, checked.verdict(), reviewCommit, checked.summary());
      log.info("{} auto-approved at {} by {}", s, reviewCommit, auto.reviewer());
      return new Outcome(Decision.APPROVE, reviewCommit);
    }
    effectiveGate = gate == GateMode.AUTO ? GateMode.ASK : gate;
    String why =
        gate == GateMode.AUTO
            ? "checker verdict "
                + checked.verdict()
                + " ("
                + checked.summary()
                + "): escalated to ask"
            : checked.summary();
    board.set(s, StagePhase.AWAITING_REVIEW, checked.verdict(), reviewCommit, why);
    recordWaiting(s, checked);
    Review decision =
        await(s, "awaiting review of " + shortId(reviewCommit) + " (" + why + ")", "");
    return switch (decision.decision()) {
      case APPROVE -> {
        board.set(s, StagePhase.APPROVED, checked.verdict(), reviewCommit, checked.summary());
        yield new Outcome(Decision.APPROVE, reviewCommit);
      }
      case REJECT -> {
        board.set(s, StagePhase.REJECTED, checked.verdict(), reviewCommit, decision.comment());
        yield new Outcome(Decision.REJECT, reviewCommit);
      }
      case REQUEST_CHANGES -> revised(s, checked.verdict());
    };
  }

  /**
   * The checked result of {@code s} when its gate was {@code waiting} for a review when the earlier
   * run of this migration stopped (from version {@link #DURABLE_GATE} on): the gate then waits for
   * the same commit again, and the stage's producer and checker are not run. Empty when {@code
   * waiting} is null or another stage's.
   */
  Optional<StageResult> resumed(Stage s, GateEvidence waiting) {
    if (waiting == null
        || waiting.stage() != s
        || Workflow.getVersion(DURABLE_GATE_CHANGE, Workflow.DEFAULT_VERSION, DURABLE_GATE)
            < DURABLE_GATE) {
      return Optional.empty();
    }
    waiting.artifacts().forEach(board::put);
    return Optional.of(
        new StageResult(
            s,
            s.checkerRole(),
            waiting.commit(),
            waiting.artifacts(),
            waiting.verdict(),
            waiting.summary()));
  }

  /**
   * Commits the waiting gate (from version {@link #DURABLE_GATE} on): the stage, the commit under
   * review, the checker's verdict and summary, and the stage's artifacts on the board. A failure to
   * write it leaves the gate waiting all the same; only a recovery from the branch is lost.
   */
  private void recordWaiting(Stage s, StageResult checked) {
    if (Workflow.getVersion(DURABLE_GATE_CHANGE, Workflow.DEFAULT_VERSION, DURABLE_GATE)
        < DURABLE_GATE) {
      return;
    }
    String dir = s.directory() + "/";
    GateEvidence waiting =
        new GateEvidence(
            s,
            reviewCommit,
            checked.verdict(),
            checked.summary(),
            effectiveGate,
            board.artifacts().stream().filter(a -> a.path().startsWith(dir)).toList());
    try {
      board.put(
          evidence
              .recordGate(new RecordGateRequest(run.migrationId(), run.branch(), waiting))
              .artifact());
    } catch (ActivityFailure e) {
      log.warn("could not record the {} gate on {}: {}", s, run.branch(), rootMessage(e));
    }
  }

  /**
   * Commits {@code waiting} as {@code gates/<stage>.json} for a proposal reviewed after the stage's
   * own gate (the rollback drill's commit), so that a migration re-created from its branch waits
   * for a review of it again. A failure to write it leaves the review waiting all the same.
   */
  void recordProposal(GateEvidence waiting) {
    try {
      board.put(
          evidence
              .recordGate(new RecordGateRequest(run.migrationId(), run.branch(), waiting))
              .artifact());
    } catch (ActivityFailure e) {
      log.warn(
          "could not record the {} gate on {}: {}", waiting.stage(), run.branch(), rootMessage(e));
    }
  }

  private Outcome revised(Stage s, Verdict verdict) {
    Optional<String> revised = awaitRevision(s, verdict);
    if (revised.isEmpty()) {
      board.set(s, StagePhase.REJECTED, verdict, reviewCommit, "rejected after changes");
      return new Outcome(Decision.REJECT, reviewCommit);
    }
    return new Outcome(Decision.REQUEST_CHANGES, revised.get());
  }

  /**
   * Waits for an accepted review of {@code commit} in {@code mode} (a proposal such as the repair
   * plan, shown on the board by the caller) and records it with {@code note}.
   */
  Review awaitProposal(Stage s, String commit, GateMode mode, String waitingMessage, String note) {
    reviewCommit = commit;
    effectiveGate = mode;
    return await(s, waitingMessage, note);
  }

  /**
   * {@link #awaitProposal} where APPROVE is an override that needs a reason: an approval without a
   * comment is refused by the validator (update) or listed as refused (signal).
   */
  Review awaitOverride(Stage s, String commit, GateMode mode, String waitingMessage, String note) {
    reasonRequired = true;
    try {
      return awaitProposal(s, commit, mode, waitingMessage, note);
    } finally {
      reasonRequired = false;
    }
  }

  /**
   * After REQUEST_CHANGES: waits for a review naming a newer commit that is on the branch and
   * descends from the reviewed one. A REJECT at this point ends the stage.
   */
  private Optional<String> awaitRevision(Stage s, Verdict verdict) {
    while (true) {
      changesRequested = true;
      board.set(
          s, StagePhase.CHANGES_REQUESTED, verdict, reviewCommit, "waiting for a revised commit");
      Review revision =
          await(
              s,
              "changes requested on "
                  + shortId(reviewCommit)
                  + ": push the revised artifact to "
                  + run.branch()
                  + " and review the new commit",
              "");
      changesRequested = false;
      if (revision.decision() == Decision.REJECT) {
        return Optional.empty();
      }
      try {
        return Optional.of(evidence.verifyCommit(run.request(revision.commit(), 0L)));
      } catch (ActivityFailure e) {
        reviews.add(refused(reviewSequence, revision, rootMessage(e)));
      }
    }
  }

  /**
   * Waits for an accepted review and records it with {@code note}. From version {@link
   * #SIGNED_REVIEW} on, each review is verified first; a refused one is recorded as refused (and
   * answered, for an update) and the gate waits on.
   */
  private Review await(Stage s, String waitingMessage, String note) {
    status.state(MigrationState.AWAITING_REVIEW);
    status.say(s.key() + ": " + waitingMessage);
    while (true) {
      Workflow.await(() -> !pending.isEmpty());
      Queued q = pending.poll();
      ReviewCheck check = verify(q.review());
      if (check != null && !check.accepted()) {
        ReviewRecord refusal = refused(0, q.review(), check.problem() + ": " + check.message());
        reviews.add(refusal);
        answer(q, refusal);
        log.info("{} review by {} refused: {}", s, q.review().reviewer(), refusal.note());
        status.state(MigrationState.AWAITING_REVIEW);
        continue;
      }
      status.state(MigrationState.RUNNING);
      answer(q, record(q.review(), true, note, check));
      return q.review();
    }
  }

  /**
   * The verdict on a review's signature (spec {@code reviews.identity: ssh}); null when nothing is
   * verified (identity none, or a history before {@link #SIGNED_REVIEW}).
   */
  private ReviewCheck verify(Review review) {
    if (!verifying || !run.spec().reviews().signed()) {
      return null;
    }
    try {
      return evidence.verifyReview(new VerifyReviewRequest(run.migrationId(), run.spec(), review));
    } catch (ActivityFailure e) {
      return ReviewCheck.refused(
          SignatureProblem.KEYS_UNAVAILABLE,
          "the signature could not be verified ("
              + rootMessage(e)
              + "); check the assessment workers and send the review again");
    }
  }

  private void answer(Queued q, ReviewRecord outcome) {
    if (q.answer()) {
      outcomes.put(q.ticket(), outcome);
    }
  }

  private ReviewRecord record(Review review, boolean accepted, String note) {
    return record(review, accepted, note, null);
  }

  private ReviewRecord record(Review review, boolean accepted, String note, ReviewCheck signed) {
    reviewSequence++;
    ReviewRecord rec =
        new ReviewRecord(
            reviewSequence,
            review.stage(),
            review.decision(),
            review.reviewer(),
            review.comment(),
            review.commit(),
            Workflow.currentTimeMillis(),
            accepted,
            note,
            null);
    CommitResult committed =
        evidence.recordReview(
            new RecordReviewRequest(
                run.migrationId(),
                run.branch(),
                rec,
                signed != null && signed.signed() ? signed : null));
    ReviewRecord withPath = rec.withPath(committed.artifact().path());
    reviews.add(withPath);
    board.put(committed.artifact());
    return withPath;
  }

  // --- the handlers ---

  /**
   * The review update, validated: queued for the waiting gate. From version {@link #SIGNED_REVIEW}
   * on it answers once the gate has verified and recorded it (a refusal fails the update with its
   * reason); before, at once.
   */
  ReviewRecord accept(Review review) {
    int ticket = enqueue(review, verifying);
    if (verifying) {
      Workflow.await(() -> outcomes.containsKey(ticket));
      ReviewRecord outcome = outcomes.remove(ticket);
      if (!outcome.accepted()) {
        throw ApplicationFailure.newNonRetryableFailure(outcome.note(), REVIEW_REFUSED);
      }
      return outcome;
    }
    return new ReviewRecord(
        reviewSequence + 1,
        review.stage(),
        review.decision(),
        review.reviewer(),
        review.comment(),
        review.commit(),
        Workflow.currentTimeMillis(),
        true,
        "accepted",
        null);
  }

  /** The failure type of an update whose review the gate refused after verification. */
  static final String REVIEW_REFUSED = "REVIEW_REFUSED";

  private int enqueue(Review review, boolean answer) {
    int ticket = ++tickets;
    pending.add(new Queued(ticket, review, answer));
    // until the main loop takes it, no second review for this stage is accepted
    status.state(MigrationState.RUNNING);
    return ticket;
  }

  /** The update validator: refuses a review the gate cannot take, with every reason. */
  void validate(Review review) {
    List<String> problems = problems(review);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
  }

  /** The review signal: queued when acceptable, else listed as refused. */
  void signal(Review review) {
    List<String> problems = problems(review);
    if (problems.isEmpty()) {
      enqueue(review, false);
      return;
    }
    reviews.add(refused(0, review, String.join("; ", problems)));
  }

  private static ReviewRecord refused(int sequence, Review review, String why) {
    return new ReviewRecord(
        sequence,
        review == null ? null : review.stage(),
        review == null ? null : review.decision(),
        review == null ? null : review.reviewer(),
        review == null ? "" : review.comment(),
        review == null ? null : review.commit(),
        Workflow.currentTimeMillis(),
        false,
        "refused: " + why,
        null);
  }

  /** Every reason to refuse a review at the gate as it stands; empty when it is acceptable. */
  private List<String> problems(Review r) {
    if (reasonRequired
        && r != null
        && r.decision() == Decision.APPROVE
        && (r.comment() == null || r.comment().isBlank())) {
      List<String> all = new ArrayList<>(ruleProblems(r));
      all.add(
          "the rollback drill failed: an approval is an override and needs a reason; send it again"
              + " with a comment that says why the cutover may run anyway");
      return all;
    }
    return ruleProblems(r);
  }

  private List<String> ruleProblems(Review r) {
    return ReviewRules.problems(
        r,
        new ReviewRules.Gate(
            status.state(),
            status.stage(),
            run == null ? null : run.spec(),
            effectiveGate,
            reviewCommit,
            changesRequested,
            verifying && run != null && run.spec().reviews().signed()));
  }

  // --- read by the status query and the stage loop ---

  /** The commit under review (or last reviewed). */
  String reviewCommit() {
    return reviewCommit;
  }

  /** The migration ended: nothing is under review any more. */
  void close() {
    reviewCommit = null;
  }

  List<ReviewRecord> reviews() {
    return reviews;
  }
}
