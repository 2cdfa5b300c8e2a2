package io.migrationstudio.workflow.deterministic;

import static io.migrationstudio.workflow.deterministic.Messages.rootMessage;

import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.TaskQueues;
import io.migrationstudio.contracts.activity.ChunkRange;
import io.migrationstudio.contracts.activity.ChunkRequest;
import io.migrationstudio.contracts.activity.ChunkResult;
import io.migrationstudio.contracts.activity.LoadFailure;
import io.migrationstudio.contracts.activity.MigrateActivities;
import io.migrationstudio.contracts.activity.MigratePlan;
import io.migrationstudio.contracts.activity.StageRequest;
import io.migrationstudio.contracts.activity.StageResult;
import io.migrationstudio.contracts.activity.TablePlan;
import io.migrationstudio.contracts.workflow.ArtifactRef;
import io.migrationstudio.contracts.workflow.TableCopyRequest;
import io.migrationstudio.contracts.workflow.TableCopyResult;
import io.migrationstudio.contracts.workflow.TableCopyWorkflow;
import io.migrationstudio.contracts.workflow.Verdict;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.failure.TerminatedFailure;
import io.temporal.failure.TimeoutFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Workflow;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;

/**
 * The Migrate stage's producer and checker: prepare the target, copy every chunk with bounded
 * parallelism (each chunk idempotent through its ledger row, keyed {@code migration/table/chunk}) —
 * one child workflow per table from version {@link #TABLE_CHILDREN}, inline before — then finish
 * the load; or, under {@code migrate.dry_run}, only check every row. A failed table child ends the
 * migration FAILED with the evidence committed (version {@link #CHILD_FAILURE}).
 *
 * <p>Deterministic workflow code: the same activities, children and versions in the same order as
 * when it was inline in {@link MigrationWorkflowImpl}.
 */
final class MigrateStage {
  private static final Logger log = Workflow.getLogger(MigrateStage.class);

  /** Change id of the per-table child workflows (version 1); histories before it copy inline. */
  static final String TABLE_CHILDREN_CHANGE = "table-copy-children";

  static final int TABLE_CHILDREN = 1;

  static final String DRY_RUN_CHANGE = "migrate-dry-run";

  static final int DRY_RUN = 1;

  /**
   * Change id of the handling of a failed per-table child (version 1): the migration ends FAILED
   * with the failing table and the reason, after committing {@code run.{json,md}} with them.
   * Histories before it let the child's failure fail the workflow execution itself (the status
   * query kept saying RUNNING).
   */
  static final String CHILD_FAILURE_CHANGE = "table-copy-failure";

  static final int CHILD_FAILURE = 1;

  private final MigrateActivities migrate =
      Workflow.newActivityStub(
          MigrateActivities.class, ActivityOptionsCatalog.stage(TaskQueues.MIGRATE));
  private final MigrateActivities chunks =
      Workflow.newActivityStub(MigrateActivities.class, ActivityOptionsCatalog.chunk());
  private final MigrateActivities dryRuns =
      Workflow.newActivityStub(MigrateActivities.class, ActivityOptionsCatalog.dryRun());
  private final RunContext run;
  private final StageBoard board;
  private final StatusLine status;
  private final CopyProgress copy;
  private final ChangeStream stream;
  private final RunControl controls;

  /** Source table of each per-table child, by child workflow id. */
  private final Map<String, String> childTables = new LinkedHashMap<>();

  /** The stage's request (mapping commit, stage start), for the failure evidence. */
  private StageRequest request;

  private Integer dryRunVersion;

  MigrateStage(
      RunContext run,
      StageBoard board,
      StatusLine status,
      CopyProgress copy,
      ChangeStream stream,
      RunControl controls) {
    this.run = run;
    this.board = board;
    this.status = status;
    this.copy = copy;
    this.stream = stream;
    this.controls = controls;
  }

  /** The producer: prepare, copy, finish the load (or the dry run). */
  StageResult produce(StageRequest r) {
    request = r;
    if (dryRunning()) {
      status.say("migrate: dry run, nothing is written to the target");
      return dryRuns.dryRun(r);
    }
    MigratePlan plan = migrate.prepareTarget(r);
    board.put(new ArtifactRef("03-migrate/target-schema.sql", plan.commit()));
    stream.prepare(r); // online: the capture exists before the first chunk is read
    copy.plan(plan.tables());
    int parallelism = Math.max(1, run.spec().migrate().parallelism());
    int version =
        Workflow.getVersion(TABLE_CHILDREN_CHANGE, Workflow.DEFAULT_VERSION, TABLE_CHILDREN);
    if (version == Workflow.DEFAULT_VERSION) {
      copyChunksInline(plan, r, parallelism);
    } else {
      copyTablesInChildren(plan, r, parallelism);
    }
    status.say("migrate: building indexes and constraints");
    StageResult finished = migrate.finishLoad(r);
    stream.follow(r); // online: apply what the source changed since each chunk was read
    return finished;
  }

  /**
   * The checker: the integration check of the loaded target; online, then the stream's catch-up
   * below {@code migrate.max_lag} with {@code cdc.json}.
   */
  StageResult check(StageRequest r) {
    return stream.check(r, migrate.checkIntegration(r));
  }

  /**
   * Whether this migration is a dry run ({@code migrate.dry_run}): Migrate only checks every row,
   * and the migration ends after it. Histories recorded before dry runs existed never ask.
   */
  boolean dryRunning() {
    if (dryRunVersion == null) {
      dryRunVersion =
          run.spec().migrate().dryRun()
              ? Workflow.getVersion(DRY_RUN_CHANGE, Workflow.DEFAULT_VERSION, DRY_RUN)
              : Workflow.DEFAULT_VERSION;
    }
    return dryRunVersion == DRY_RUN;
  }

  /** Histories recorded before the per-table children (kept for replay). */
  private void copyChunksInline(MigratePlan plan, StageRequest r, int parallelism) {
    long copyStarted = Workflow.currentTimeMillis();
    plan.tables().forEach(t -> copy.started(t.sourceTable(), copyStarted));
    BoundedFanOut<ChunkResult> copies = new BoundedFanOut<>(parallelism, this::chunkDone);
    String id = run.migrationId();
    for (TablePlan t : plan.tables()) {
      for (ChunkRange range : t.chunks()) {
        ChunkRequest chunk =
            new ChunkRequest(
                id,
                run.spec(),
                run.branch(),
                r.commit(),
                t.sourceTable(),
                range,
                id + "/" + t.sourceTable() + "/" + range.index());
        copies.start(() -> Async.function(chunks::copyChunk, chunk));
      }
    }
    copies.awaitAll();
  }

  /** A chunk copied inline: counts it (a failed chunk fails the stage through the fan-out). */
  private void chunkDone(ChunkResult r) {
    copy.chunkCopied(r);
    status.say(copy.message());
  }

  /**
   * One child workflow per table keeps every history small. At most {@code parallelism} chunks run
   * at once in total: {@code tables} children at a time, each with {@code parallelism / tables}
   * chunks at a time (at least one).
   */
  private void copyTablesInChildren(MigratePlan plan, StageRequest r, int parallelism) {
    String parentId = Workflow.getInfo().getWorkflowId();
    int tablesAtOnce = Math.max(1, Math.min(parallelism, plan.tables().size()));
    int chunksPerTable = Math.max(1, parallelism / tablesAtOnce);
    BoundedFanOut<TableCopyResult> tables = new BoundedFanOut<>(tablesAtOnce, copy::tableCopied);
    for (int i = 0; i < plan.tables().size(); i++) {
      TablePlan t = plan.tables().get(i);
      String childId = parentId + "/copy/" + i;
      tables.start(
          () -> {
            // a paused copy starts no table; a throttled one starts it at the new rate
            controls.awaitResumed();
            return startChild(
                childId,
                new TableCopyRequest(
                    run.migrationId(),
                    controls.spec(run.spec()),
                    run.branch(),
                    r.commit(),
                    t,
                    chunksPerTable,
                    parentId));
          });
    }
    tables.awaitAll();
  }

  private io.temporal.workflow.Promise<TableCopyResult> startChild(
      String childId, TableCopyRequest r) {
    copy.started(r.table().sourceTable(), Workflow.currentTimeMillis());
    TableCopyWorkflow child =
        Workflow.newChildWorkflowStub(
            TableCopyWorkflow.class,
            MigrationSearchAttributes.forChild(
                    ChildWorkflowOptions.newBuilder()
                        .setWorkflowId(childId)
                        .setTaskQueue(TaskQueues.WORKFLOW),
                    run.migrationId(),
                    Stage.MIGRATE)
                .build());
    childTables.put(childId, r.table().sourceTable());
    io.temporal.workflow.Promise<TableCopyResult> result = Async.function(child::copy, r);
    controls.copyStarted(childId, Workflow.getWorkflowExecution(child), result);
    return result;
  }

  /**
   * A per-table child failed: a chunk failed after its retries (over {@code migrate.reject_limit},
   * a non-retryable error), or the child was cancelled, terminated or timed out. From version
   * {@link #CHILD_FAILURE} on, commits {@code run.{json,md}} with the failing table, the reason and
   * the ledger as it stands, and returns why the migration ends FAILED; before it, rethrows {@code
   * e}. The other tables' children are terminated when the migration ends.
   */
  String childFailed(ChildWorkflowFailure e) {
    int handled =
        Workflow.getVersion(CHILD_FAILURE_CHANGE, Workflow.DEFAULT_VERSION, CHILD_FAILURE);
    if (handled == Workflow.DEFAULT_VERSION) {
      throw e;
    }
    String table = childTables.get(e.getExecution().getWorkflowId());
    String reason = childFailureReason(e);
    String where = table == null ? "the copy" : "the copy of table " + table;
    log.warn("migration {}: {} failed: {}", run.migrationId(), where, reason);
    board.set(Stage.MIGRATE, StagePhase.FAILED, Verdict.FAIL, null, where + " failed: " + reason);
    recordFailedLoad(table, reason);
    return "migrate: "
        + where
        + " failed: "
        + reason
        + "; see 03-migrate/run.md on "
        + run.branch()
        + ". Fix the cause and run again: committed chunks are kept";
  }

  private void recordFailedLoad(String table, String reason) {
    try {
      StageRequest r = request;
      StageResult failed =
          migrate.recordFailedLoad(
              new LoadFailure(
                  run.migrationId(),
                  run.spec(),
                  run.branch(),
                  r == null ? null : r.commit(),
                  table,
                  reason,
                  r == null ? Workflow.currentTimeMillis() : r.stageStartedAtMillis()));
      board.record(failed);
      board.set(Stage.MIGRATE, StagePhase.FAILED, Verdict.FAIL, failed.commit(), failed.summary());
    } catch (ActivityFailure notRecorded) {
      log.warn("could not commit run.json of {}: {}", run.migrationId(), rootMessage(notRecorded));
    }
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
}
