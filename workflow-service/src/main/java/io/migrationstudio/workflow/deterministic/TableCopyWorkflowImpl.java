package io.migrationstudio.workflow.deterministic;

import io.migrationstudio.contracts.activity.ChunkRange;
import io.migrationstudio.contracts.activity.ChunkRequest;
import io.migrationstudio.contracts.activity.ChunkResult;
import io.migrationstudio.contracts.activity.MigrateActivities;
import io.migrationstudio.contracts.activity.TableLoadRequest;
import io.migrationstudio.contracts.workflow.ChunkCopied;
import io.migrationstudio.contracts.workflow.ChunksCopied;
import io.migrationstudio.contracts.workflow.CopyControl;
import io.migrationstudio.contracts.workflow.MigrationWorkflow;
import io.migrationstudio.contracts.workflow.TableCopyRequest;
import io.migrationstudio.contracts.workflow.TableCopyResult;
import io.migrationstudio.contracts.workflow.TableCopyWorkflow;
import io.temporal.workflow.Async;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.List;

/**
 * One table's chunks, at most {@code parallelism} at a time. Each finished chunk is signalled to
 * the parent migration for its progress (version {@link #BATCHED_PROGRESS}: batched, at most one
 * signal a second); the table's result is the sum. A failed chunk (after its retries) fails the
 * table and so the stage. Then (version {@link #TABLE_INDEXES}) the table's primary key, unique
 * keys and indexes are built at once, while other tables still copy; foreign keys wait for the
 * parent's finishLoad.
 */
public class TableCopyWorkflowImpl implements TableCopyWorkflow {
  /** Version 1: the table's keys and indexes are built by the child after its chunks. */
  static final String TABLE_INDEXES_CHANGE = "table-indexes-after-copy";

  static final int TABLE_INDEXES = 1;

  /**
   * Version 1: the chunks' progress goes to the migration in batches, one signal (and so one parent
   * workflow task) per {@link #PROGRESS_EVERY_MS} of workflow time at most, the rest when the
   * table's chunks are in (issue 17: with small chunks a signal per chunk was part of each chunk's
   * fixed cost).
   */
  static final String BATCHED_PROGRESS_CHANGE = "batched-chunk-progress";

  static final int BATCHED_PROGRESS = 1;

  /** The shortest time between two progress signals of a table (the status stays current). */
  static final long PROGRESS_EVERY_MS = 1000;

  private final MigrateActivities chunks =
      Workflow.newActivityStub(MigrateActivities.class, ActivityOptionsCatalog.chunk());
  private final MigrateActivities indexes =
      Workflow.newActivityStub(MigrateActivities.class, ActivityOptionsCatalog.indexBuild());

  private long rows;
  private int done;
  private int alreadyCommitted;
  private final List<Promise<Void>> signals = new ArrayList<>();
  private boolean batched;
  private final List<ChunkCopied> pending = new ArrayList<>();
  private long signalledAt = Long.MIN_VALUE;
  private boolean paused;
  private Long rate;

  @Override
  public TableCopyResult copy(TableCopyRequest r) {
    MigrationWorkflow parent =
        r.parentWorkflowId() == null
            ? null
            : Workflow.newExternalWorkflowStub(MigrationWorkflow.class, r.parentWorkflowId());
    batched =
        Workflow.getVersion(BATCHED_PROGRESS_CHANGE, Workflow.DEFAULT_VERSION, BATCHED_PROGRESS)
            != Workflow.DEFAULT_VERSION;
    BoundedFanOut<ChunkResult> copies =
        new BoundedFanOut<>(Math.max(1, r.parallelism()), c -> chunkDone(c, parent));
    for (ChunkRange range : r.table().chunks()) {
      copies.start(
          () -> {
            // paused by the migration: no new chunk starts (running ones finish)
            Workflow.await(() -> !paused);
            ChunkRequest chunk =
                new ChunkRequest(
                    r.migrationId(),
                    RunControl.withRate(r.spec(), rate),
                    r.branch(),
                    r.mappingCommit(),
                    r.table().sourceTable(),
                    range,
                    r.migrationId() + "/" + r.table().sourceTable() + "/" + range.index());
            return Async.function(chunks::copyChunk, chunk);
          });
    }
    copies.awaitAll();
    signalPending(parent);
    // every progress signal delivered before the table reports done
    Promise.allOf(signals).get();
    int version =
        Workflow.getVersion(TABLE_INDEXES_CHANGE, Workflow.DEFAULT_VERSION, TABLE_INDEXES);
    if (version != Workflow.DEFAULT_VERSION) {
      // this table's keys and indexes now, overlapping the other tables' copies
      indexes.buildTableIndexes(
          new TableLoadRequest(
              r.migrationId(), r.spec(), r.branch(), r.mappingCommit(), r.table().sourceTable()));
    }
    return new TableCopyResult(r.table().sourceTable(), rows, done, alreadyCommitted);
  }

  /** Pause, resume or a new rate from the migration ({@link RunControl}). */
  @Override
  public void control(CopyControl c) {
    paused = c.paused();
    rate = c.rowsPerSecond();
  }

  /** What a running chunk reads to follow a throttle (and a pause) while it copies. */
  @Override
  public CopyControl currentControl() {
    return new CopyControl(paused, rate);
  }

  /** A copied chunk: counted, and signalled to the parent for its progress. */
  private void chunkDone(ChunkResult c, MigrationWorkflow parent) {
    rows += c.rows();
    done++;
    if (c.alreadyCommitted()) {
      alreadyCommitted++;
    }
    if (parent == null) {
      return;
    }
    ChunkCopied progress = new ChunkCopied(c.sourceTable(), c.index(), c.rows());
    if (!batched) {
      signals.add(Async.procedure(parent::chunkCopied, progress));
      return;
    }
    pending.add(progress);
    if (signalledAt == Long.MIN_VALUE
        || Workflow.currentTimeMillis() - signalledAt >= PROGRESS_EVERY_MS) {
      signalPending(parent);
    }
  }

  /** The chunks not signalled yet, in one signal to the migration (batched histories). */
  private void signalPending(MigrationWorkflow parent) {
    if (parent == null || pending.isEmpty()) {
      return;
    }
    ChunksCopied batch = new ChunksCopied(pending);
    pending.clear();
    signalledAt = Workflow.currentTimeMillis();
    signals.add(Async.procedure(parent::chunksCopied, batch));
  }
}
