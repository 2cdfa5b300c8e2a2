package io.migrationstudio.core.evidence;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.TaskQueues;
import io.migrationstudio.contracts.activity.CommitResult;
import io.migrationstudio.contracts.activity.GateEvidence;
import io.migrationstudio.contracts.activity.OpenResult;
import io.migrationstudio.contracts.activity.ReviewCheck;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.workflow.ArtifactRef;
import io.migrationstudio.contracts.workflow.ControlRecord;
import io.migrationstudio.contracts.workflow.MigrationStatus;
import io.migrationstudio.contracts.workflow.ReviewRecord;
import io.migrationstudio.core.git.ArtifactStore;
import io.migrationstudio.core.git.ArtifactStore.CommitOutcome;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.spec.SpecLoader;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The git evidence that belongs to no stage: the branch and its {@code migration.yaml}, the review
 * files, {@code PULL_REQUEST.md}, and the check that a commit named by a review is real evidence of
 * this branch. Each write is a commit by the role that made it: {@code operator} for the spec,
 * {@code reviewer:<name>} for a review, {@code studio} for the summary.
 */
public final class EvidenceService {
  public static final String OPERATOR = "operator";
  public static final String STUDIO = "studio";

  private static final Pattern COMMIT_ID = Pattern.compile("[0-9a-f]{40}");
  private static final Pattern UNSAFE = Pattern.compile("[^A-Za-z0-9._@+-]+");

  private final ArtifactStore store;

  public EvidenceService(ArtifactStore store) {
    this.store = store;
  }

  /**
   * Opens (or re-opens) {@code migrations/<id>}, commits the spec as {@code migration.yaml} (the
   * operator's text as given, or the canonical rendering when there is none) and reports what the
   * branch already proves. The text is validated again here: it is about to enter git, so a literal
   * password or a broken document is refused (INVALID_SPEC) whichever client started the migration.
   */
  public OpenResult openMigration(String migrationId, MigrationSpec spec, String specText) {
    return open(TaskQueues.branch(migrationId), "Open migration ", migrationId, spec, specText);
  }

  /**
   * Opens (or re-opens) {@code validations/<id>}, the branch of the validation-only runs of a
   * migration's source/target pair, and commits the spec there exactly as {@link #openMigration}
   * does. Such a branch holds no reviews, so the answer names no approved stage.
   */
  public OpenResult openValidation(String migrationId, MigrationSpec spec, String specText) {
    return open(
        TaskQueues.validationBranch(migrationId), "Open validation ", migrationId, spec, specText);
  }

  private OpenResult open(
      String branch, String title, String migrationId, MigrationSpec spec, String specText) {
    if (!spec.id().equals(migrationId)) {
      throw new MigrationException(
          ErrorCode.INVALID_SPEC,
          "the migration id '"
              + migrationId
              + "' differs from the spec's id '"
              + spec.id()
              + "'; start the migration with the spec's id");
    }
    String text = specText != null ? specText : SpecLoader.render(spec);
    SpecLoader.parse(text);
    store.openBranch(branch);
    store.commit(
        branch,
        OPERATOR,
        title + migrationId + ": " + spec.title(),
        Map.of(
            ArtifactPaths.SPEC, Json.bytes(text), RunState.PATH, RunState.running(spec).render()));
    return ResumeScanner.scan(store, branch);
  }

  /** Commits a review as {@code reviews/NN-<stage>-<decision>.json}, authored by the reviewer. */
  public CommitResult recordReview(String branch, ReviewRecord review) {
    return recordReview(branch, review, null);
  }

  /**
   * As {@link #recordReview(String, ReviewRecord)}; a verified signature ({@code signed}) is
   * committed with it: {@code .sig} (the armored SSH signature), {@code .payload} (the exact bytes
   * signed) and {@code .allowed_signers} (the lines that list the key), so that {@code ssh-keygen
   * -Y verify -f NN-...allowed_signers -I <reviewer> -n migration-studio -s NN-....sig <
   * NN-....payload} checks the review without the studio.
   */
  public CommitResult recordReview(String branch, ReviewRecord review, ReviewCheck signed) {
    String path = ReviewFiles.path(review);
    Map<String, byte[]> files = new java.util.LinkedHashMap<>();
    files.put(path, ReviewFiles.render(review, signed));
    if (signed != null && signed.signed()) {
      files.putAll(ReviewFiles.signatureFiles(review, signed));
    }
    String message =
        "Review "
            + review.stage().key()
            + ": "
            + review.decision().name()
            + " by "
            + review.reviewer()
            + (review.commit() == null ? "" : " of " + review.commit())
            + (review.comment() == null || review.comment().isBlank()
                ? ""
                : "\n\n" + review.comment());
    CommitOutcome out =
        store.commit(
            branch,
            reviewerRole(review.reviewer()),
            message
                + (signed != null && signed.signed()
                    ? "\n\nSigned-off-by key: "
                        + signed.fingerprint()
                        + " ("
                        + signed.principal()
                        + ")"
                    : ""),
            files);
    return new CommitResult(new ArtifactRef(path, out.head()), out.head());
  }

  /**
   * Commits {@code gates/<stage>.json}: the gate waits for a review of the commit it names. The
   * file is what a restarted server re-creates the gate from (see {@link ResumeScanner}).
   */
  public CommitResult recordGate(String branch, GateEvidence gate) {
    String path = GateFiles.path(gate.stage());
    CommitOutcome out =
        store.commit(
            branch,
            STUDIO,
            "Gate "
                + gate.stage().key()
                + ": waiting ("
                + (gate.mode() == null ? "ask" : gate.mode().key())
                + ") for a review of "
                + gate.commit(),
            Map.of(path, GateFiles.render(gate)));
    return new CommitResult(new ArtifactRef(path, out.head()), out.head());
  }

  /** Where {@link #recordCancel} writes. */
  public static final String CANCEL_RECORD = "cancel.json";

  /**
   * Commits {@code cancel.json}: who cancelled the migration ({@code operator:<name>} is the
   * commit's author too), when (workflow time, UTC), why, and the stage it was in.
   */
  public CommitResult recordCancel(String branch, Stage stage, ControlRecord cancel) {
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("action", "cancel");
    record.put("by", cancel.by());
    record.put("at", Instant.ofEpochMilli(cancel.atMillis()).toString());
    record.put("reason", cancel.reason());
    record.put("stage", stage == null ? null : stage.key());
    CommitOutcome out =
        store.commit(
            branch,
            "operator:" + UNSAFE.matcher(cancel.by().strip()).replaceAll("-"),
            "Cancel the migration"
                + (stage == null ? "" : " in " + stage.key())
                + ": "
                + cancel.reason()
                + " (by "
                + cancel.by()
                + ")",
            Map.of(CANCEL_RECORD, Json.bytes(Json.write(record))));
    return new CommitResult(new ArtifactRef(CANCEL_RECORD, out.head()), out.head());
  }

  /**
   * Rewrites {@code PULL_REQUEST.md} from the status, and {@code state.json} with how the run ended
   * once it did (no commit when both read the same).
   */
  public CommitResult writePullRequest(String branch, MigrationSpec spec, MigrationStatus status) {
    String md = PullRequestWriter.render(status, spec);
    RunState state = RunState.of(spec, status);
    CommitOutcome out =
        store.commit(
            branch,
            STUDIO,
            state.ended()
                ? "Record the end of the run: " + state.state()
                : "Update the pull request summary",
            Map.of(ArtifactPaths.PULL_REQUEST, Json.bytes(md), RunState.PATH, state.render()));
    return new CommitResult(new ArtifactRef(ArtifactPaths.PULL_REQUEST, out.head()), out.head());
  }

  /**
   * Checks that {@code commit} is a full commit id on {@code branch} that descends from {@code
   * base} (when given); returns it, or fails with INVALID_COMMIT saying which check failed.
   */
  public String verifyCommit(String branch, String base, String commit) {
    if (commit == null || !COMMIT_ID.matcher(commit).matches()) {
      throw new MigrationException(
          ErrorCode.INVALID_COMMIT,
          "'"
              + commit
              + "' is not a full 40-hex commit id; name the commit shown by `studio status` for"
              + " branch "
              + branch);
    }
    if (!store.isOnBranch(branch, commit)) {
      throw new MigrationException(
          ErrorCode.INVALID_COMMIT,
          "commit "
              + commit
              + " is not on branch "
              + branch
              + "; push it to that branch or name a commit of it");
    }
    if (base != null && !store.isAncestor(base, commit)) {
      throw new MigrationException(
          ErrorCode.INVALID_COMMIT,
          "commit "
              + commit
              + " on "
              + branch
              + " does not descend from "
              + base
              + ", the commit it must build on; name a later commit");
    }
    return commit;
  }

  /** The newest commit of the branch that wrote {@code migration.yaml}. */
  public Optional<String> specCommit(String branch) {
    return ResumeScanner.specCommit(store.log(branch));
  }

  /** {@code reviewer:<name>} with the name reduced to characters safe in a git identity. */
  public static String reviewerRole(String reviewer) {
    String name = reviewer == null ? "" : UNSAFE.matcher(reviewer.strip()).replaceAll("-");
    return "reviewer:" + (name.isEmpty() ? "unknown" : name);
  }
}
