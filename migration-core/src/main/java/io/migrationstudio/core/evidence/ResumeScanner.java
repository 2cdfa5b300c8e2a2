package io.migrationstudio.core.evidence;

import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.activity.ApprovedStage;
import io.migrationstudio.contracts.activity.GateEvidence;
import io.migrationstudio.contracts.activity.OpenResult;
import io.migrationstudio.contracts.workflow.ArtifactRef;
import io.migrationstudio.contracts.workflow.Decision;
import io.migrationstudio.contracts.workflow.ReviewRecord;
import io.migrationstudio.core.git.ArtifactStore;
import io.migrationstudio.core.git.ArtifactStore.CommitInfo;
import io.migrationstudio.core.report.ArtifactPaths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * What a branch already proves, so a re-run resumes from the evidence instead of redoing approved
 * stages.
 *
 * <p>A stage counts as approved when its latest accepted review on the branch is an APPROVE, and
 * the commit that approval names (a) is on the branch, (b) descends from the commit holding the
 * current {@code migration.yaml} (an approval given under another spec proves nothing about this
 * one) and (c) descends from the previous stage's approved commit. Stages are taken in lifecycle
 * order and the scan stops at the first stage that does not qualify, so the result is always a
 * prefix: a later stage's approval cannot stand on an earlier stage that must be redone.
 *
 * <p>The next stage's gate, when it was waiting for a review (see {@link #awaiting}), is reported
 * too, so that the re-created workflow waits for the same commit instead of producing and checking
 * the stage again.
 */
public final class ResumeScanner {
  private ResumeScanner() {}

  public static OpenResult scan(ArtifactStore store, String branch) {
    List<CommitInfo> log = store.log(branch);
    if (log.isEmpty()) {
      return new OpenResult(branch, null, List.of(), 0);
    }
    String head = log.get(0).id();
    String specCommit = specCommit(log).orElse(null);
    List<ReviewRecord> reviews = new ArrayList<>();
    int reviewFiles = 0;
    for (String path : store.list(head, ArtifactPaths.REVIEWS_DIR)) {
      if (ReviewFiles.isReviewFile(path)) {
        reviewFiles++;
        reviews.add(ReviewFiles.read(store.read(head, path).orElseThrow(), path));
      }
    }
    reviews.sort(Comparator.comparingInt(ReviewRecord::sequence));

    List<ApprovedStage> approved = new ArrayList<>();
    String previous = specCommit;
    for (Stage stage : Stage.values()) {
      Optional<ReviewRecord> latest =
          reviews.stream()
              // a decision on a proposed repair or on the rollback drill is not one on the stage
              .filter(r -> r.stage() == stage && r.accepted() && !r.onProposal())
              .reduce((first, second) -> second);
      if (latest.isEmpty() || latest.get().decision() != Decision.APPROVE) {
        break;
      }
      String commit = latest.get().commit();
      boolean holds =
          commit != null
              && store.isOnBranch(branch, commit)
              && (previous == null || store.isAncestor(previous, commit));
      if (!holds) {
        break;
      }
      List<ArtifactRef> artifacts =
          store.list(commit, stage.directory()).stream()
              .map(path -> new ArtifactRef(path, commit))
              .toList();
      approved.add(new ApprovedStage(stage, commit, artifacts));
      previous = commit;
    }
    GateEvidence awaiting =
        approved.size() == Stage.values().length
            ? null
            : awaiting(store, branch, head, Stage.values()[approved.size()], previous, reviews)
                .orElse(null);
    // an executed cutover's hypercare: a re-created migration goes on with it
    Long hypercare =
        approved.size() > Stage.CUTOVER.ordinal()
            ? store
                .read(head, ArtifactPaths.HYPERCARE_JSON)
                .map(io.migrationstudio.core.cutover.Hypercare::startedAt)
                .orElseGet(
                    () -> executedAt(store, log, approved.get(Stage.CUTOVER.ordinal()).commit()))
            : null;
    if (awaiting == null && hypercare == null && approved.size() == Stage.CUTOVER.ordinal() + 1) {
      String cutoverApproved = approved.get(Stage.CUTOVER.ordinal()).commit();
      awaiting = awaitingDrill(store, branch, head, cutoverApproved, reviews).orElse(null);
    }
    return new OpenResult(branch, specCommit, approved, reviewFiles, awaiting, hypercare);
  }

  /**
   * The review of the rollback drill when the earlier run stopped: the cutover is approved at
   * {@code cutoverApproved} and not executed, and {@code gates/cutover.json} names a later commit
   * of the branch (the drill's, which descends from the approval). No accepted review names that
   * commit yet: the review was waiting. The last accepted review of it approved it (the execution
   * after the drill, or the override of a failed one): the gate {@link GateEvidence#markedApproved
   * marked approved}, so that the re-created migration executes without drilling again. A drill
   * whose last review requested changes (or rejected it) is drilled again, so it is not reported.
   */
  static Optional<GateEvidence> awaitingDrill(
      ArtifactStore store,
      String branch,
      String head,
      String cutoverApproved,
      List<ReviewRecord> reviews) {
    String path = GateFiles.path(Stage.CUTOVER);
    Optional<GateEvidence> gate =
        store
            .read(head, path)
            .map(b -> GateFiles.read(b, path))
            .filter(
                g ->
                    g.stage() == Stage.CUTOVER
                        && !g.commit().equals(cutoverApproved)
                        && store.isOnBranch(branch, g.commit())
                        && store.isAncestor(cutoverApproved, g.commit()));
    if (gate.isEmpty()) {
      return Optional.empty();
    }
    Optional<ReviewRecord> last =
        reviews.stream()
            .filter(
                r ->
                    r.stage() == Stage.CUTOVER
                        && r.accepted()
                        && gate.get().commit().equals(r.commit()))
            .reduce((first, second) -> second);
    if (last.isEmpty()) {
      return gate;
    }
    return last.get().decision() == Decision.APPROVE
        ? Optional.of(gate.get().markedApproved())
        : Optional.empty();
  }

  /**
   * The gate of {@code stage} (the first stage not approved) that was waiting when the earlier run
   * stopped: its {@code gates/<stage>.json} names a commit on the branch that descends from {@code
   * previous} (the previous stage's approved commit, or the spec's), and no accepted review of the
   * stage names that commit yet, or the stage's last accepted review asked for changes on it (the
   * gate then waits for a revised commit, {@link GateEvidence#waitsForRevision}). Any other
   * decision on it means the gate moved on: the stage is then produced again.
   */
  static Optional<GateEvidence> awaiting(
      ArtifactStore store,
      String branch,
      String head,
      Stage stage,
      String previous,
      List<ReviewRecord> reviews) {
    String path = GateFiles.path(stage);
    Optional<byte[]> file = store.read(head, path);
    if (file.isEmpty()) {
      return Optional.empty();
    }
    GateEvidence gate = GateFiles.read(file.get(), path);
    Optional<ReviewRecord> last =
        reviews.stream()
            .filter(r -> r.stage() == stage && r.accepted() && !r.onProposal())
            .reduce((first, second) -> second);
    boolean decided =
        reviews.stream()
            .anyMatch(r -> r.stage() == stage && r.accepted() && gate.commit().equals(r.commit()));
    // the stage's last decision asked for changes on this very commit: it waits for a revision
    boolean changesRequested =
        last.isPresent()
            && last.get().decision() == Decision.REQUEST_CHANGES
            && gate.commit().equals(last.get().commit());
    boolean holds =
        gate.stage() == stage
            && (!decided || changesRequested)
            && store.isOnBranch(branch, gate.commit())
            && (previous == null || store.isAncestor(previous, gate.commit()));
    if (!holds) {
      return Optional.empty();
    }
    return Optional.of(changesRequested ? gate.markedChangesRequested() : gate);
  }

  /**
   * When the approved cutover ({@code approvedCommit}) executed, for a branch without {@code
   * hypercare.json}: the time of the newest commit of {@code cutover-log.json} when it descends
   * from the approval and records a PASS; null otherwise. A server killed between that commit and
   * the hypercare's first note leaves only this proof, and the re-created migration must not wait
   * for the window, re-validate or stream again as if the cutover were still to come.
   */
  static Long executedAt(ArtifactStore store, List<CommitInfo> log, String approvedCommit) {
    return log.stream()
        .filter(c -> c.paths().contains(ArtifactPaths.CUTOVER_LOG_JSON))
        .findFirst()
        .filter(c -> store.isAncestor(approvedCommit, c.id()))
        .filter(
            c ->
                store
                    .read(c.id(), ArtifactPaths.CUTOVER_LOG_JSON)
                    .map(
                        b ->
                            io.migrationstudio.core.report.Json.read(
                                        b,
                                        io.migrationstudio.core.cutover.CutoverLog.class,
                                        ArtifactPaths.CUTOVER_LOG_JSON)
                                    .verdict()
                                == io.migrationstudio.contracts.workflow.Verdict.PASS)
                    .orElse(false))
        .map(CommitInfo::timeMillis)
        .orElse(null);
  }

  /** The newest commit of the log that wrote {@code migration.yaml}. */
  static Optional<String> specCommit(List<CommitInfo> log) {
    return log.stream()
        .filter(c -> c.paths().contains(ArtifactPaths.SPEC))
        .map(CommitInfo::id)
        .findFirst();
  }
}
