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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One table's chunks, at most {@code parallelism} at a time. Each finished chunk is signalled to
 * the parent migration for its progress (version {@link #BATCHED_PROGRESS}: batched, at most one
 * signal a second); the table's result is the sum. A failed chunk (after its retries) fails the
 * table and so the stage. Then (version {@link #TABLE_INDEXES}) the table's primary key, unique
 * keys and indexes are built at once, while other tables still copy; foreign keys wait for the
 * parent's finishLoad.
 *
 * <p>A pause holds the chunks not started; from version {@link #PAUSE_BETWEEN_CHUNKS} a running
 * batch stops at its next chunk boundary too (see {@link #copyInStoppableBatches}).
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

  /**
   * Version 1: a batch asks its table copy ({@link #currentControl}) before each chunk and stops
   * when the copy is paused (or its table failed or was cancelled), returning the chunks it
   * committed; the rest of the batch goes back to the front of the queue and starts after the
   * resume (issue 16: before, a pause waited for the running batches, up to 16 chunks each).
   */
  static final String PAUSE_BETWEEN_CHUNKS_CHANGE = "pause-between-chunks";

  static final int PAUSE_BETWEEN_CHUNKS = 1;

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
  private boolean stopping;

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
    try {
      if (batches
          && Workflow.getVersion(
                  PAUSE_BETWEEN_CHUNKS_CHANGE, Workflow.DEFAULT_VERSION, PAUSE_BETWEEN_CHUNKS)
              != Workflow.DEFAULT_VERSION) {
        copyInStoppableBatches(r, parent);
      } else if (batches) {
        copyInBatches(r, parent);
      } else {
        copyOneByOne(r, parent);
      }
    } catch (RuntimeException cancelledOrFailed) {
      // a batch still running (cancelled at its next heartbeat only) stops at its next chunk
      stopping = true;
      throw cancelledOrFailed;
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
   * at a time; a pause holds the next batch (running ones finish). Histories before {@link
   * #PAUSE_BETWEEN_CHUNKS}.
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
    for (List<ChunkRange> batch : ChunkBatches.of(r.table().chunks(), parallelism)) {
      copies.start(
          () -> {
            Workflow.await(() -> !paused);
            return copyBatch(r, batch, false);
          });
    }
    copies.awaitAll();
  }

  /**
   * The table's chunks in {@link ChunkBatches} as {@link #copyInBatches} copies them, but each
   * batch may stop at a chunk boundary when the copy is paused: the chunks it returns are done, the
   * others go back to the front of the queue, as one batch, and start once resumed.
   */
  private void copyInStoppableBatches(TableCopyRequest r, MigrationWorkflow parent) {
    int parallelism = Math.max(1, r.parallelism());
    Deque<List<ChunkRange>> queue =
        new ArrayDeque<>(ChunkBatches.of(r.table().chunks(), parallelism));
    BoundedFanOut<BatchCopied> copies =
        new BoundedFanOut<>(
            parallelism,
            b -> {
              for (ChunkResult c : b.result().chunks()) {
                chunkDone(c, parent);
              }
              List<ChunkRange> rest = b.rest();
              if (!rest.isEmpty()) {
                queue.addFirst(rest);
              }
            });
    while (true) {
      if (queue.isEmpty()) {
        copies.awaitAll(); // a batch stopped by a pause puts its rest back
        if (queue.isEmpty()) {
          break;
        }
      }
      copies.start(
          () -> {
            Workflow.await(() -> !paused);
            List<ChunkRange> batch = queue.removeFirst();
            return copyBatch(r, batch, true).thenApply(res -> new BatchCopied(batch, res));
          });
    }
  }

  /** A batch and what its activity copied of it. */
  private record BatchCopied(List<ChunkRange> batch, ChunkBatchResult result) {
    /** The chunks of the batch its activity left (it stopped for a pause). */
    List<ChunkRange> rest() {
      Set<Integer> copied =
          result.chunks().stream().map(ChunkResult::index).collect(Collectors.toSet());
      return batch.stream().filter(c -> !copied.contains(c.index())).toList();
    }
  }

  /**
   * Starts the activity of one batch: {@code copyChunk} for a batch of one, else {@code
   * copyChunks}, which may stop between its chunks for a pause when {@code stoppable}.
   */
  private Promise<ChunkBatchResult> copyBatch(
      TableCopyRequest r, List<ChunkRange> batch, boolean stoppable) {
    MigrationSpec spec = RunControl.withRate(r.spec(), rate);
    String table = r.table().sourceTable();
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
                + batch.get(batch.size() - 1).index(),
            stoppable);
    return Async.function(chunks::copyChunks, request);
  }

  /** Pause, resume or a new rate from the migration ({@link RunControl}). */
  @Override
  public void control(CopyControl c) {
    paused = c.paused();
    rate = c.rowsPerSecond();
  }

  /**
   * What a running chunk reads to follow a throttle while it copies, and a running batch to stop
   * between chunks: paused also once the copy failed or was cancelled (its batches stop too).
   */
  @Override
  public CopyControl currentControl() {
    return new CopyControl(paused || stopping, rate);
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
