package io.migrationstudio.workflow.deterministic;

import io.migrationstudio.contracts.activity.ChunkRange;
import io.migrationstudio.contracts.activity.ChunkRequest;
import io.migrationstudio.contracts.activity.ChunkResult;
import io.migrationstudio.contracts.activity.MigrateActivities;
import io.migrationstudio.contracts.activity.TableLoadRequest;
import io.migrationstudio.contracts.workflow.ChunkCopied;
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
 * the parent migration for its progress; the table's result is the sum. A failed chunk (after its
 * retries) fails the table and so the stage. Then (version {@link #TABLE_INDEXES}) the table's
 * primary key, unique keys and indexes are built at once, while other tables still copy; foreign
 * keys wait for the parent's finishLoad.
 */
public class TableCopyWorkflowImpl implements TableCopyWorkflow {
  /** Version 1: the table's keys and indexes are built by the child after its chunks. */
  static final String TABLE_INDEXES_CHANGE = "table-indexes-after-copy";

  static final int TABLE_INDEXES = 1;

  private final MigrateActivities chunks =
      Workflow.newActivityStub(MigrateActivities.class, ActivityOptionsCatalog.chunk());
  private final MigrateActivities indexes =
      Workflow.newActivityStub(MigrateActivities.class, ActivityOptionsCatalog.indexBuild());

  private long rows;
  private int done;
  private int alreadyCommitted;
  private final List<Promise<Void>> signals = new ArrayList<>();
  private boolean paused;
  private Long rate;

  @Override
  public TableCopyResult copy(TableCopyRequest r) {
    MigrationWorkflow parent =
        r.parentWorkflowId() == null
            ? null
            : Workflow.newExternalWorkflowStub(MigrationWorkflow.class, r.parentWorkflowId());
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

  /** A copied chunk: counted, and signalled to the parent for its progress. */
  private void chunkDone(ChunkResult c, MigrationWorkflow parent) {
    rows += c.rows();
    done++;
    if (c.alreadyCommitted()) {
      alreadyCommitted++;
    }
    if (parent != null) {
      ChunkCopied progress = new ChunkCopied(c.sourceTable(), c.index(), c.rows());
      signals.add(Async.procedure(parent::chunkCopied, progress));
    }
  }
}
