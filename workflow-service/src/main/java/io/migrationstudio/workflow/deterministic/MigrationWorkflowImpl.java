package io.migrationstudio.workflow.deterministic;

import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.TaskQueues;
import io.migrationstudio.contracts.activity.ApprovedStage;
import io.migrationstudio.contracts.activity.AssessmentActivities;
import io.migrationstudio.contracts.activity.ChunkRange;
import io.migrationstudio.contracts.activity.ChunkRequest;
import io.migrationstudio.contracts.activity.ChunkResult;
import io.migrationstudio.contracts.activity.CommitResult;
import io.migrationstudio.contracts.activity.CutoverActivities;
import io.migrationstudio.contracts.activity.EvidenceActivities;
import io.migrationstudio.contracts.activity.LoadFailure;
import io.migrationstudio.contracts.activity.MappingActivities;
import io.migrationstudio.contracts.activity.MigrateActivities;
import io.migrationstudio.contracts.activity.MigratePlan;
import io.migrationstudio.contracts.activity.OpenRequest;
import io.migrationstudio.contracts.activity.OpenResult;
import io.migrationstudio.contracts.activity.RecordReviewRequest;
import io.migrationstudio.contracts.activity.RepairPlan;
import io.migrationstudio.contracts.activity.StageRequest;
import io.migrationstudio.contracts.activity.StageResult;
import io.migrationstudio.contracts.activity.SummaryRequest;
import io.migrationstudio.contracts.activity.TablePlan;
import io.migrationstudio.contracts.activity.ValidationActivities;
import io.migrationstudio.contracts.spec.GateMode;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.workflow.ArtifactRef;
import io.migrationstudio.contracts.workflow.ChunkProgress;
import io.migrationstudio.contracts.workflow.Decision;
import io.migrationstudio.contracts.workflow.MigrationInput;
import io.migrationstudio.contracts.workflow.MigrationOutcome;
import io.migrationstudio.contracts.workflow.MigrationState;
import io.migrationstudio.contracts.workflow.MigrationStatus;
import io.migrationstudio.contracts.workflow.MigrationWorkflow;
import io.migrationstudio.contracts.workflow.Progress;
import io.migrationstudio.contracts.workflow.Review;
import io.migrationstudio.contracts.workflow.ReviewRecord;
import io.migrationstudio.contracts.workflow.TableCopyRequest;
import io.migrationstudio.contracts.workflow.TableCopyResult;
import io.migrationstudio.contracts.workflow.TableCopyWorkflow;
import io.migrationstudio.contracts.workflow.Verdict;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.failure.TerminatedFailure;
import io.temporal.failure.TimeoutFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Workflow;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;

/**
 * The lifecycle of one migration. Deterministic by construction: all I/O is in activities, time
 * comes from {@link Workflow#currentTimeMillis()}, and only references (paths and commits, chunk
 * counts and hashes) pass through history.
 *
 * <p>Per stage: the producer runs, then the checker on the producer's commit, then the gate. An
 * {@code auto} gate opens on PASS and escalates to {@code ask} on FAIL; {@code ask}/{@code
 * external} gates wait for a review naming the exact commit under review. REQUEST_CHANGES waits for
 * a review naming a newer commit on the branch (the approver's revised artifact), re-runs the
 * checker on it and gates again. A stage approved in an earlier run (review files on the branch) is
 * skipped, so re-running a migration resumes from the evidence.
 */
public class MigrationWorkflowImpl implements MigrationWorkflow {
  private static final Logger log = Workflow.getLogger(MigrationWorkflowImpl.class);
  private static final String AUTO_REVIEWER = "studio:auto";

  private final EvidenceActivities evidence =
      Workflow.newActivityStub(EvidenceActivities.class, ActivityOptionsCatalog.evidence());
  private final AssessmentActivities assessment =
      Workflow.newActivityStub(
          AssessmentActivities.class, ActivityOptionsCatalog.stage(TaskQueues.ASSESSMENT));
  private final MappingActivities mapping =
      Workflow.newActivityStub(
          MappingActivities.class, ActivityOptionsCatalog.stage(TaskQueues.ASSESSMENT));
  private final MigrateActivities migrate =
      Workflow.newActivityStub(
          MigrateActivities.class, ActivityOptionsCatalog.stage(TaskQueues.MIGRATE));
  private final MigrateActivities chunks =
      Workflow.newActivityStub(MigrateActivities.class, ActivityOptionsCatalog.chunk());
  private final MigrateActivities dryRuns =
      Workflow.newActivityStub(MigrateActivities.class, ActivityOptionsCatalog.dryRun());
  private final ValidationActivities validation =
      Workflow.newActivityStub(
          ValidationActivities.class, ActivityOptionsCatalog.stage(TaskQueues.VALIDATION));
  private final CutoverActivities cutover =
      Workflow.newActivityStub(CutoverActivities.class, ActivityOptionsCatalog.cutover());

  // --- state read by the status query and the review validator ---
  private MigrationSpec spec;
  private String migrationId;
  private String branch;
  private Stage stage;
  private MigrationState state = MigrationState.RUNNING;
  private String message = "starting";
  private String reviewCommit;
  private boolean changesRequested;
  private GateMode effectiveGate;
  private StageBoard board = new StageBoard();
  private final List<ReviewRecord> reviews = new ArrayList<>();
  private final Deque<Review> pending = new ArrayDeque<>();
  private int reviewSequence;
  private final CopyProgress copy = new CopyProgress();
  private Integer dryRunVersion;

  /** Change id of the per-table child workflows (version 1); histories before it copy inline. */
  static final String TABLE_CHILDREN_CHANGE = "table-copy-children";

  static final int TABLE_CHILDREN = 1;

  static final String DRY_RUN_CHANGE = "migrate-dry-run";

  static final int DRY_RUN = 1;

  /**
   * Change id of the opt-in repair after a failed validation (version 1); histories before it go to
   * the gate with the FAIL as it is.
   */
  static final String VALIDATION_REPAIR_CHANGE = "validation-repair";

  static final int VALIDATION_REPAIR = 1;

  private boolean repairTried;

  /**
   * Change id of the handling of a failed per-table child (version 1): the migration ends FAILED
   * with the failing table and the reason, after committing {@code run.{json,md}} with them.
   * Histories before it let the child's failure fail the workflow execution itself (the status
   * query kept saying RUNNING).
   */
  static final String CHILD_FAILURE_CHANGE = "table-copy-failure";

  static final int CHILD_FAILURE = 1;

  /** Source table of each per-table child, by child workflow id. */
  private final Map<String, String> childTables = new LinkedHashMap<>();

  /** The Migrate stage's request (mapping commit, stage start), for the failure evidence. */
  private StageRequest migrateRequest;

  @Override
  public MigrationOutcome run(MigrationInput input) {
    spec = input.spec();
    migrationId = spec.id();
    branch = TaskQueues.branch(migrationId);
    board = new StageBoard(s -> StagePhase.PENDING, spec.reviews()::gate, s -> null);
    try {
      OpenResult open =
          evidence.openMigration(new OpenRequest(migrationId, spec, input.specText()));
      branch = open.branch();
      reviewSequence = open.reviewCount();
      board.put(new ArtifactRef("migration.yaml", open.specCommit()));
      Map<Stage, ApprovedStage> approved = new EnumMap<>(Stage.class);
      open.approved().forEach(a -> approved.put(a.stage(), a));

      String base = open.specCommit();
      for (Stage s : Stage.values()) {
        stage = s;
        ApprovedStage earlier = approved.get(s);
        if (earlier != null && s != Stage.CUTOVER) {
          skip(earlier);
          base = earlier.commit();
          continue;
        }
        Optional<String> approvedCommit =
            earlier != null ? Optional.of(earlier.commit()) : runStage(s, base);
        if (approvedCommit.isEmpty()) {
          return finish(MigrationState.REJECTED, s.key() + " was rejected");
        }
        base = approvedCommit.get();
        if (s == Stage.CUTOVER) {
          Optional<String> refused =
              new CutoverGuard(spec, migrationId, branch, board, m -> message = m).execute(base);
          if (refused.isPresent()) {
            return finish(MigrationState.FAILED, refused.get());
          }
        }
        writeSummary();
        if (s == Stage.MIGRATE && dryRunning()) {
          return finish(
              MigrationState.COMPLETED,
              "dry run: the Migrate stage read and checked every row and wrote nothing; see"
                  + " 03-migrate/dry-run-report.md");
        }
      }
      return finish(MigrationState.COMPLETED, "all five stages approved and the cutover executed");
    } catch (ActivityFailure e) {
      String reason = rootMessage(e);
      board.set(stage, StagePhase.FAILED, null, null, reason);
      log.warn("migration {} failed in {}: {}", migrationId, stage, reason);
      return finish(MigrationState.FAILED, (stage == null ? "start" : stage.key()) + ": " + reason);
    } catch (ChildWorkflowFailure e) {
      int handled =
          Workflow.getVersion(CHILD_FAILURE_CHANGE, Workflow.DEFAULT_VERSION, CHILD_FAILURE);
      if (handled == Workflow.DEFAULT_VERSION) {
        throw e;
      }
      return tableCopyFailed(e);
    }
  }

  /**
   * A per-table child failed: a chunk failed after its retries (over {@code migrate.reject_limit},
   * a non-retryable error), or the child was cancelled, terminated or timed out. Commits {@code
   * run.{json,md}} with the failing table, the reason and the ledger as it stands, and ends the
   * migration FAILED. The other tables' children are terminated when the migration ends.
   */
  private MigrationOutcome tableCopyFailed(ChildWorkflowFailure e) {
    String table = childTables.get(e.getExecution().getWorkflowId());
    String reason = childFailureReason(e);
    String where = table == null ? "the copy" : "the copy of table " + table;
    log.warn("migration {}: {} failed: {}", migrationId, where, reason);
    board.set(Stage.MIGRATE, StagePhase.FAILED, Verdict.FAIL, null, where + " failed: " + reason);
    try {
      StageRequest r = migrateRequest;
      StageResult failed =
          migrate.recordFailedLoad(
              new LoadFailure(
                  migrationId,
                  spec,
                  branch,
                  r == null ? null : r.commit(),
                  table,
                  reason,
                  r == null ? Workflow.currentTimeMillis() : r.stageStartedAtMillis()));
      board.record(failed);
      board.set(Stage.MIGRATE, StagePhase.FAILED, Verdict.FAIL, failed.commit(), failed.summary());
    } catch (ActivityFailure notRecorded) {
      log.warn("could not commit run.json of {}: {}", migrationId, rootMessage(notRecorded));
    }
    return finish(
        MigrationState.FAILED,
        "migrate: "
            + where
            + " failed: "
            + reason
            + "; see 03-migrate/run.md on "
            + branch
            + ". Fix the cause and run again: committed chunks are kept");
  }

  /** What ended a child: its root failure, or that it was cancelled, terminated or timed out. */
  static String childFailureReason(ChildWorkflowFailure e) {
    Throwable cause = e.getCause();
    if (cause instanceof CanceledFailure) {
      return "CANCELLED: the table copy was cancelled";
    }
    if (cause instanceof TerminatedFailure) {
      return "TERMINATED: the table copy was terminated";
    }
    if (cause instanceof TimeoutFailure t) {
      return "TIMED_OUT: the table copy timed out (" + t.getTimeoutType() + ")";
    }
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    if (root instanceof TimeoutFailure t) {
      return "TIMED_OUT: a chunk of the table timed out (" + t.getTimeoutType() + ")";
    }
    return rootMessage(e);
  }

  /** Producer, checker, gate; returns the approved commit, or empty when rejected. */
  private Optional<String> runStage(Stage s, String base) {
    long started = Workflow.currentTimeMillis();
    board.set(s, StagePhase.RUNNING, null, null, "producer " + s.producerRole());
    message = s.key() + ": " + s.producerRole() + " at work";
    state = MigrationState.RUNNING;
    StageRequest request = new StageRequest(migrationId, spec, branch, base, started);
    StageResult produced = produce(s, request);
    board.record(produced);
    String underCheck = produced.commit();
    while (true) {
      board.set(s, StagePhase.CHECKING, null, underCheck, "checker " + s.checkerRole());
      message = s.key() + ": " + s.checkerRole() + " checking " + shortId(underCheck);
      StageResult checked =
          check(s, new StageRequest(migrationId, spec, branch, underCheck, started));
      board.record(checked);
      if (s == Stage.VALIDATION
          && checked.verdict() == Verdict.FAIL
          && spec.validation().repair()
          && !repairTried) {
        repairTried = true;
        int repair =
            Workflow.getVersion(
                VALIDATION_REPAIR_CHANGE, Workflow.DEFAULT_VERSION, VALIDATION_REPAIR);
        if (repair >= VALIDATION_REPAIR) {
          Optional<StageResult> repaired = repair(request, checked);
          if (repaired.isEmpty()) {
            board.set(
                s,
                StagePhase.REJECTED,
                checked.verdict(),
                reviewCommit,
                "rejected at the repair plan");
            return Optional.empty();
          }
          checked = repaired.get();
        }
      }
      reviewCommit = checked.commit();
      GateMode gate = spec.reviews().gate(s);
      if (gate == GateMode.AUTO && checked.verdict() == Verdict.PASS) {
        ReviewRecord auto =
            commitReview(
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
        return Optional.of(reviewCommit);
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
      Review decision =
          awaitReview(s, "awaiting review of " + shortId(reviewCommit) + " (" + why + ")");
      switch (decision.decision()) {
        case APPROVE -> {
          board.set(s, StagePhase.APPROVED, checked.verdict(), reviewCommit, checked.summary());
          return Optional.of(reviewCommit);
        }
        case REJECT -> {
          board.set(s, StagePhase.REJECTED, checked.verdict(), reviewCommit, decision.comment());
          return Optional.empty();
        }
        case REQUEST_CHANGES -> {
          Optional<String> revised = awaitRevision(s, checked.verdict());
          if (revised.isEmpty()) {
            board.set(
                s, StagePhase.REJECTED, checked.verdict(), reviewCommit, "rejected after changes");
            return Optional.empty();
          }
          underCheck = revised.get();
        }
      }
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
          awaitReview(
              s,
              "changes requested on "
                  + shortId(reviewCommit)
                  + ": push the revised artifact to "
                  + branch
                  + " and review the new commit");
      changesRequested = false;
      if (revision.decision() == Decision.REJECT) {
        return Optional.empty();
      }
      try {
        String verified =
            evidence.verifyCommit(
                new StageRequest(migrationId, spec, branch, revision.commit(), 0L));
        return Optional.of(verified);
      } catch (ActivityFailure e) {
        String reason = rootMessage(e);
        reviews.add(
            new ReviewRecord(
                reviewSequence,
                s,
                revision.decision(),
                revision.reviewer(),
                revision.comment(),
                revision.commit(),
                Workflow.currentTimeMillis(),
                false,
                "refused: " + reason,
                null));
      }
    }
  }

  private Review awaitReview(Stage s, String waitingMessage) {
    return awaitReview(s, waitingMessage, "");
  }

  /** Waits for an accepted review and records it with {@code note}. */
  private Review awaitReview(Stage s, String waitingMessage, String note) {
    state = MigrationState.AWAITING_REVIEW;
    message = s.key() + ": " + waitingMessage;
    Workflow.await(() -> !pending.isEmpty());
    Review review = pending.poll();
    state = MigrationState.RUNNING;
    commitReview(review, true, note);
    return review;
  }

  /**
   * {@code validation.repair}: after a FAIL, plan the repair (the differing ledger chunks,
   * committed as {@code repair-plan.{json,md}}); when the differences are confined to chunks,
   * propose it at the validation gate (an {@code auto} gate applies it at once; {@code ask}/{@code
   * external} wait for a review of the plan's commit: APPROVE re-copies, REQUEST_CHANGES keeps the
   * FAIL, REJECT rejects the stage), re-copy exactly those chunks (forced, each idempotent through
   * its ledger row) and validate again. Returns the checker's result the gate then decides on, or
   * empty when the stage was rejected.
   */
  private Optional<StageResult> repair(StageRequest produced, StageResult failed) {
    Stage s = Stage.VALIDATION;
    board.set(
        s, StagePhase.PLANNING_REPAIR, failed.verdict(), failed.commit(), "planning a repair");
    message = "validation: FAIL, planning a repair of the differing chunks";
    RepairPlan plan =
        validation.planRepair(
            new StageRequest(
                migrationId, spec, branch, failed.commit(), Workflow.currentTimeMillis()));
    plan.artifacts().forEach(board::put);
    if (!plan.repairable()) {
      log.info("no repair of {}: {}", migrationId, plan.summary());
      return Optional.of(resummarize(failed, failed.summary() + "; " + plan.summary()));
    }
    GateMode gate = spec.reviews().gate(s);
    if (gate != GateMode.AUTO) {
      reviewCommit = plan.commit();
      effectiveGate = gate;
      String why =
          "repair proposed: "
              + plan.summary()
              + " (04-validation/repair-plan.md); APPROVE re-copies, REQUEST_CHANGES keeps the"
              + " FAIL";
      board.set(s, StagePhase.AWAITING_REVIEW, failed.verdict(), plan.commit(), why);
      Review decision =
          awaitReview(
              s,
              "awaiting review of the repair plan " + shortId(plan.commit()) + " (" + why + ")",
              ReviewRecord.REPAIR_PLAN_NOTE);
      if (decision.decision() == Decision.REJECT) {
        return Optional.empty();
      }
      if (decision.decision() == Decision.REQUEST_CHANGES) {
        return Optional.of(resummarize(failed, failed.summary() + "; repair declined"));
      }
    }
    int n = plan.chunks().size();
    board.set(
        s, StagePhase.REPAIRING, failed.verdict(), plan.commit(), "re-copying " + n + " chunks");
    message = "validation: repairing: re-copying " + n + " chunks";
    int parallelism = Math.max(1, spec.migrate().parallelism());
    // a chunk that failed after its retries fails the stage
    BoundedFanOut<ChunkResult> repairs = new BoundedFanOut<>(parallelism, r -> {});
    for (RepairPlan.RepairChunk c : plan.chunks()) {
      ChunkRequest request =
          new ChunkRequest(
              migrationId,
              spec,
              branch,
              produced.commit(),
              c.sourceTable(),
              c.chunk(),
              migrationId + "/" + c.sourceTable() + "/" + c.chunk().index() + "/repair",
              true);
      repairs.start(() -> Async.function(chunks::copyChunk, request));
    }
    repairs.awaitAllInStartOrder();
    long now = Workflow.currentTimeMillis();
    board.set(
        s, StagePhase.RUNNING, null, null, "producer " + s.producerRole() + " after the repair");
    message = "validation: re-validating after re-copying " + n + " chunks";
    StageResult again =
        produce(s, new StageRequest(migrationId, spec, branch, produced.commit(), now));
    board.record(again);
    board.set(s, StagePhase.CHECKING, null, again.commit(), "checker " + s.checkerRole());
    StageResult rechecked =
        check(s, new StageRequest(migrationId, spec, branch, again.commit(), now));
    board.record(rechecked);
    return Optional.of(
        resummarize(rechecked, "after re-copying " + n + " chunks: " + rechecked.summary()));
  }

  private static StageResult resummarize(StageResult r, String summary) {
    return new StageResult(r.stage(), r.role(), r.commit(), r.artifacts(), r.verdict(), summary);
  }

  private ReviewRecord commitReview(Review review, boolean accepted, String note) {
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
        evidence.recordReview(new RecordReviewRequest(migrationId, branch, rec));
    ReviewRecord withPath = rec.withPath(committed.artifact().path());
    reviews.add(withPath);
    board.put(committed.artifact());
    return withPath;
  }

  private StageResult produce(Stage s, StageRequest request) {
    return switch (s) {
      case ASSESSMENT -> assessment.inventory(request);
      case MAPPING -> mapping.generateMapping(request);
      case MIGRATE -> runMigrate(request);
      case VALIDATION -> validation.validate(request);
      case CUTOVER -> cutover.planCutover(request);
    };
  }

  private StageResult check(Stage s, StageRequest request) {
    return switch (s) {
      case ASSESSMENT -> assessment.assessRisks(request);
      case MAPPING -> mapping.reviewCompatibility(request);
      case MIGRATE -> migrate.checkIntegration(request);
      case VALIDATION -> validation.replayRegression(request);
      case CUTOVER -> cutover.drillRollback(request);
    };
  }

  /**
   * Prepare the target, copy every chunk with bounded parallelism (each chunk idempotent through
   * its ledger row, keyed {@code migration/table/chunk}), then finish the load.
   */
  private StageResult runMigrate(StageRequest request) {
    migrateRequest = request;
    if (dryRunning()) {
      message = "migrate: dry run, nothing is written to the target";
      return dryRuns.dryRun(request);
    }
    MigratePlan plan = migrate.prepareTarget(request);
    board.put(new ArtifactRef("03-migrate/target-schema.sql", plan.commit()));
    copy.plan(plan.tables());
    int parallelism = Math.max(1, spec.migrate().parallelism());
    int version =
        Workflow.getVersion(TABLE_CHILDREN_CHANGE, Workflow.DEFAULT_VERSION, TABLE_CHILDREN);
    if (version == Workflow.DEFAULT_VERSION) {
      copyChunksInline(plan, request, parallelism);
    } else {
      copyTablesInChildren(plan, request, parallelism);
    }
    message = "migrate: building indexes and constraints";
    return migrate.finishLoad(request);
  }

  /** Histories recorded before the per-table children (kept for replay). */
  private void copyChunksInline(MigratePlan plan, StageRequest request, int parallelism) {
    long copyStarted = Workflow.currentTimeMillis();
    plan.tables().forEach(t -> copy.started(t.sourceTable(), copyStarted));
    BoundedFanOut<ChunkResult> copies = new BoundedFanOut<>(parallelism, this::chunkDone);
    for (TablePlan t : plan.tables()) {
      for (ChunkRange range : t.chunks()) {
        ChunkRequest chunk =
            new ChunkRequest(
                migrationId,
                spec,
                branch,
                request.commit(),
                t.sourceTable(),
                range,
                migrationId + "/" + t.sourceTable() + "/" + range.index());
        copies.start(() -> Async.function(chunks::copyChunk, chunk));
      }
    }
    copies.awaitAll();
  }

  /**
   * One child workflow per table keeps every history small. At most {@code parallelism} chunks run
   * at once in total: {@code tables} children at a time, each with {@code parallelism / tables}
   * chunks at a time (at least one).
   */
  private void copyTablesInChildren(MigratePlan plan, StageRequest request, int parallelism) {
    String parentId = Workflow.getInfo().getWorkflowId();
    int tablesAtOnce = Math.max(1, Math.min(parallelism, plan.tables().size()));
    int chunksPerTable = Math.max(1, parallelism / tablesAtOnce);
    BoundedFanOut<TableCopyResult> tables = new BoundedFanOut<>(tablesAtOnce, this::tableDone);
    for (int i = 0; i < plan.tables().size(); i++) {
      TablePlan t = plan.tables().get(i);
      String childId = parentId + "/copy/" + i;
      tables.start(
          () -> {
            copy.started(t.sourceTable(), Workflow.currentTimeMillis());
            TableCopyWorkflow child =
                Workflow.newChildWorkflowStub(
                    TableCopyWorkflow.class,
                    ChildWorkflowOptions.newBuilder()
                        .setWorkflowId(childId)
                        .setTaskQueue(TaskQueues.WORKFLOW)
                        .build());
            childTables.put(childId, t.sourceTable());
            return Async.function(
                child::copy,
                new TableCopyRequest(
                    migrationId, spec, branch, request.commit(), t, chunksPerTable, parentId));
          });
    }
    tables.awaitAll();
  }

  /** A finished table: its result settles the table's progress. */
  private void tableDone(TableCopyResult r) {
    copy.tableCopied(r);
  }

  @Override
  public void chunkCopied(ChunkProgress p) {
    if (copy.chunkSignalled(p)) {
      message = copy.message();
    }
  }

  /** A chunk copied inline: counts it (a failed chunk fails the stage through the fan-out). */
  private void chunkDone(ChunkResult r) {
    copy.chunkCopied(r);
    message = copy.message();
  }

  private void skip(ApprovedStage earlier) {
    earlier.artifacts().forEach(board::put);
    board.set(
        earlier.stage(), StagePhase.SKIPPED, null, earlier.commit(), "approved in an earlier run");
  }

  /**
   * Whether this migration is a dry run ({@code migrate.dry_run}): Migrate only checks every row,
   * and the migration ends after it. Histories recorded before dry runs existed never ask.
   */
  private boolean dryRunning() {
    if (dryRunVersion == null) {
      dryRunVersion =
          spec.migrate().dryRun()
              ? Workflow.getVersion(DRY_RUN_CHANGE, Workflow.DEFAULT_VERSION, DRY_RUN)
              : Workflow.DEFAULT_VERSION;
    }
    return dryRunVersion == DRY_RUN;
  }

  private void writeSummary() {
    evidence.writePullRequest(new SummaryRequest(migrationId, spec, branch, status()));
  }

  private MigrationOutcome finish(MigrationState end, String why) {
    state = end;
    message = why;
    reviewCommit = null;
    String head = null;
    try {
      head =
          evidence.writePullRequest(new SummaryRequest(migrationId, spec, branch, status())).head();
    } catch (ActivityFailure e) {
      log.warn("could not write PULL_REQUEST.md: {}", rootMessage(e));
    }
    return new MigrationOutcome(migrationId, end, branch, head, why);
  }

  // --- reviews ---

  @Override
  public ReviewRecord review(Review review) {
    pending.add(review);
    // until the main loop takes it, no second review for this stage is accepted
    state = MigrationState.RUNNING;
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

  @Override
  public void validateReview(Review review) {
    List<String> problems = reviewProblems(review);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
  }

  @Override
  public void reviewSignal(Review review) {
    List<String> problems = reviewProblems(review);
    if (problems.isEmpty()) {
      review(review);
      return;
    }
    reviews.add(
        new ReviewRecord(
            0,
            review == null ? null : review.stage(),
            review == null ? null : review.decision(),
            review == null ? null : review.reviewer(),
            review == null ? "" : review.comment(),
            review == null ? null : review.commit(),
            Workflow.currentTimeMillis(),
            false,
            "refused: " + String.join("; ", problems),
            null));
  }

  /** Every reason to refuse a review at the gate as it stands; empty when it is acceptable. */
  private List<String> reviewProblems(Review r) {
    return ReviewRules.problems(
        r, new ReviewRules.Gate(state, stage, spec, effectiveGate, reviewCommit, changesRequested));
  }

  @Override
  public MigrationStatus status() {
    Progress progress = copy.progress();
    return new MigrationStatus(
        migrationId,
        branch,
        stage,
        state,
        state == MigrationState.AWAITING_REVIEW ? reviewCommit : null,
        board.stages(),
        board.artifacts(),
        reviews,
        progress,
        message,
        MigrationStatus.KIND_MIGRATION,
        Workflow.getInfo().getWorkflowId());
  }

  private static String shortId(String commit) {
    return commit == null ? "?" : commit.substring(0, Math.min(12, commit.length()));
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof ApplicationFailure af) {
      return af.getType() + ": " + af.getOriginalMessage();
    }
    return t.getMessage();
  }
}
