package io.migrationstudio.workflow.deterministic;

import io.migrationstudio.contracts.activity.ChunkResult;
import io.migrationstudio.contracts.activity.TablePlan;
import io.migrationstudio.contracts.workflow.ChunkCopied;
import io.migrationstudio.contracts.workflow.Progress;
import io.migrationstudio.contracts.workflow.TableCopyResult;
import io.migrationstudio.contracts.workflow.TableProgress;
import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The copy's progress as the status query shows it: per table the rows and chunks copied (from the
 * plan, then from chunks copied inline, the children's per-chunk signals and their results), when
 * its copy started and when it last moved (workflow time), and the totals. Plain state, no
 * commands: it never affects replay.
 */
final class CopyProgress {
  private final Map<String, TableProgress> tables = new LinkedHashMap<>();
  private final Map<String, Long> started = new LinkedHashMap<>();
  private final Map<String, Long> updated = new LinkedHashMap<>();

  /** Chunk indexes signalled per table: a repeated signal counts once. */
  private final Map<String, Set<Integer>> signalled = new LinkedHashMap<>();

  private int chunksTotal;
  private int chunksDone;

  /** The plan: every table with its estimate and chunk count, nothing copied yet. */
  void plan(List<TablePlan> plan) {
    chunksTotal = 0;
    for (TablePlan t : plan) {
      tables.put(
          t.sourceTable(),
          new TableProgress(t.targetTable(), 0, t.estimatedRows(), 0, t.chunks().size()));
      chunksTotal += t.chunks().size();
    }
  }

  /** The copy of {@code table} started at {@code at} (workflow time). */
  void started(String table, long at) {
    started.put(table, at);
  }

  /** A chunk copied inline (histories before the per-table children). */
  void chunkCopied(ChunkResult r) {
    chunksDone++;
    updated.put(r.sourceTable(), Workflow.currentTimeMillis());
    TableProgress old = tables.get(r.sourceTable());
    if (old != null) {
      tables.put(
          r.sourceTable(),
          new TableProgress(
              old.table(),
              old.rowsCopied() + r.rows(),
              old.rowsEstimated(),
              old.chunksDone() + 1,
              old.chunksTotal()));
    }
  }

  /**
   * A child's signal for one copied chunk; false when it was counted already or names no planned
   * table (nothing changed).
   */
  boolean chunkSignalled(ChunkCopied p) {
    if (!signalled.computeIfAbsent(p.sourceTable(), k -> new HashSet<>()).add(p.index())) {
      return false;
    }
    TableProgress old = tables.get(p.sourceTable());
    if (old == null) {
      return false;
    }
    updated.put(p.sourceTable(), Workflow.currentTimeMillis());
    tables.put(
        p.sourceTable(),
        new TableProgress(
            old.table(),
            old.rowsCopied() + p.rows(),
            old.rowsEstimated(),
            Math.min(old.chunksTotal(), old.chunksDone() + 1),
            old.chunksTotal()));
    chunksDone = sumChunksDone();
    return true;
  }

  /** A child's result: it settles the table's rows and chunks (signals may have been lost). */
  void tableCopied(TableCopyResult r) {
    TableProgress old = tables.get(r.sourceTable());
    if (old != null && (old.rowsCopied() != r.rows() || old.chunksDone() != r.chunks())) {
      updated.put(r.sourceTable(), Workflow.currentTimeMillis());
    }
    if (old != null) {
      tables.put(
          r.sourceTable(),
          new TableProgress(
              old.table(), r.rows(), old.rowsEstimated(), r.chunks(), old.chunksTotal()));
    }
    chunksDone = sumChunksDone();
  }

  private int sumChunksDone() {
    return tables.values().stream().mapToInt(TableProgress::chunksDone).sum();
  }

  /** "migrate: 3/10 chunks copied". */
  String message() {
    return "migrate: " + chunksDone + "/" + chunksTotal + " chunks copied";
  }

  /** The progress of the status query: per table with its times and rate, and the totals. */
  Progress progress() {
    List<TableProgress> timed = new ArrayList<>();
    tables.forEach((source, t) -> timed.add(t.timed(started.get(source), updated.get(source))));
    long rowsCopied = timed.stream().mapToLong(TableProgress::rowsCopied).sum();
    long rowsEstimated = timed.stream().mapToLong(TableProgress::rowsEstimated).sum();
    int tablesDone =
        (int)
            timed.stream()
                .filter(t -> t.chunksTotal() > 0 && t.chunksDone() == t.chunksTotal())
                .count();
    return new Progress(
        timed.size(), tablesDone, chunksTotal, chunksDone, rowsCopied, rowsEstimated, timed);
  }
}
