package io.migrationstudio.workflow.deterministic;

import io.migrationstudio.contracts.activity.ChunkBatchRequest;
import io.migrationstudio.contracts.activity.ChunkBatchResult;
import io.migrationstudio.contracts.activity.ChunkRange;
import io.migrationstudio.contracts.activity.ChunkRequest;
import io.migrationstudio.contracts.activity.ChunkResult;
import io.migrationstudio.contracts.activity.MigrateActivities;
import io.migrationstudio.contracts.activity.TableLoadRequest;
import io.migrationstudio.contracts.spec.MigrationSpec;
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

  /**
   * Version 1: consecutive chunks go to one activity ({@code copyChunks}) in batches of {@link
   * ChunkBatches#size} (issue 17: an activity per chunk paid a dispatch and a workflow task per
   * chunk); a batch of one chunk is still a {@code copyChunk}.
   */
  static final String CHUNK_BATCHES_CHANGE = "chunk-batches-per-activity";

  static final int CHUNK_BATCHES = 1;

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
    boolean batches =
        Workflow.getVersion(CHUNK_BATCHES_CHANGE, Workflow.DEFAULT_VERSION, CHUNK_BATCHES)
            != Workflow.DEFAULT_VERSION;
    if (batches) {
      copyInBatches(r, parent);
    } else {
      copyOneByOne(r, parent);
    }
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

  /** The table's chunks, one activity each (histories before {@link #CHUNK_BATCHES}). */
  private void copyOneByOne(TableCopyRequest r, MigrationWorkflow parent) {
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
  }

  /**
   * The table's chunks in {@link ChunkBatches}, one activity per batch, at most {@code parallelism}
   * at a time; a pause holds the next batch (running ones finish).
   */
  private void copyInBatches(TableCopyRequest r, MigrationWorkflow parent) {
    int parallelism = Math.max(1, r.parallelism());
    BoundedFanOut<ChunkBatchResult> copies =
        new BoundedFanOut<>(
            parallelism,
            b -> {
              for (ChunkResult c : b.chunks()) {
                chunkDone(c, parent);
              }
            });
    String table = r.table().sourceTable();
    for (List<ChunkRange> batch : ChunkBatches.of(r.table().chunks(), parallelism)) {
      copies.start(
          () -> {
            Workflow.await(() -> !paused);
            MigrationSpec spec = RunControl.withRate(r.spec(), rate);
            ChunkRange first = batch.get(0);
            if (batch.size() == 1) {
              ChunkRequest chunk =
                  new ChunkRequest(
                      r.migrationId(),
                      spec,
                      r.branch(),
                      r.mappingCommit(),
                      table,
                      first,
                      r.migrationId() + "/" + table + "/" + first.index());
              return Async.function(chunks::copyChunk, chunk)
                  .thenApply(c -> new ChunkBatchResult(List.of(c)));
            }
            ChunkBatchRequest request =
                new ChunkBatchRequest(
                    r.migrationId(),
                    spec,
                    r.branch(),
                    r.mappingCommit(),
                    table,
                    batch,
                    r.migrationId()
                        + "/"
                        + table
                        + "/"
                        + first.index()
                        + "-"
                        + batch.get(batch.size() - 1).index());
            return Async.function(chunks::copyChunks, request);
          });
    }
    copies.awaitAll();
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
