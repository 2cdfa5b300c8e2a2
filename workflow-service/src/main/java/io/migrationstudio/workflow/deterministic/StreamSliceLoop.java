package io.migrationstudio.workflow.deterministic;

import static io.migrationstudio.workflow.deterministic.Messages.rootMessage;

import io.migrationstudio.contracts.activity.StreamSlice;
import io.migrationstudio.contracts.workflow.MigrationWorkflow;
import io.migrationstudio.contracts.workflow.StreamProgress;
import io.migrationstudio.contracts.workflow.StreamRequest;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Workflow;
import org.slf4j.Logger;

/**
 * The slice loop of the two stream workflows ({@link ChangeStreamWorkflowImpl} forward, {@link
 * ReverseStreamWorkflowImpl} back): one slice activity after the other; a report to the migration
 * (a signal) when the stream catches up or falls behind, when it stops, after the first slice when
 * asked, and at least every {@code reportEveryMillis}; continue-as-new after {@code slicesPerRun}
 * slices to keep the history short. A slice that fails for good stops the stream with the reason;
 * {@link #stop} ends it before the next slice.
 *
 * <p>Deterministic workflow code. Its commands are, in order, the slice activity, the report signal
 * (when due) and, at the end of a run, continue-as-new: the order both workflows had before they
 * shared this loop, so their recorded histories replay unchanged.
 */
final class StreamSliceLoop {
  private static final Logger log = Workflow.getLogger(StreamSliceLoop.class);

  /** What differs between the streams: the slice activity, the report, a stopped progress. */
  interface Stream {
    /** One slice (the activity); its progress. */
    StreamProgress slice(StreamRequest r);

    /** The report signal to the migration. */
    void report(MigrationWorkflow parent, StreamProgress p);

    /** The progress of a stream stopped for {@code why} after {@code last} (null: none yet). */
    StreamProgress stopped(StreamRequest r, StreamProgress last, String why);
  }

  private final String kind;
  private final int slicesPerRun;
  private final long reportEveryMillis;
  private final boolean reportFirstSlice;
  private StreamProgress progress;
  private String stopReason;

  /**
   * A loop for the {@code kind} of stream (in log lines), continuing as new after {@code
   * slicesPerRun} slices, reporting at least every {@code reportEveryMillis} and, with {@code
   * reportFirstSlice}, after the first slice of each run.
   */
  StreamSliceLoop(String kind, int slicesPerRun, long reportEveryMillis, boolean reportFirstSlice) {
    if (slicesPerRun < 1 || reportEveryMillis < 1) {
      throw new IllegalArgumentException(
          "slicesPerRun and reportEveryMillis must be positive: "
              + slicesPerRun
              + ", "
              + reportEveryMillis);
    }
    this.kind = kind;
    this.slicesPerRun = slicesPerRun;
    this.reportEveryMillis = reportEveryMillis;
    this.reportFirstSlice = reportFirstSlice;
  }

  /** Runs slices of {@code stream} until stopped or continued as new; the last progress. */
  StreamProgress run(StreamRequest r, Stream stream) {
    progress = r.last();
    MigrationWorkflow parent =
        Workflow.newExternalWorkflowStub(MigrationWorkflow.class, r.parentWorkflowId());
    boolean reportedCaughtUp = progress != null && progress.caughtUp();
    long reportedAt = Workflow.currentTimeMillis();
    for (int slice = 0; slice < slicesPerRun; slice++) {
      if (stopReason != null) {
        return progress;
      }
      try {
        progress = stream.slice(r);
      } catch (ActivityFailure e) {
        progress = stream.stopped(r, progress, rootMessage(e));
      }
      long now = Workflow.currentTimeMillis();
      boolean changed =
          (reportFirstSlice && slice == 0)
              || progress.caughtUp() != reportedCaughtUp
              || progress.stopped() != null;
      if (changed || now - reportedAt >= reportEveryMillis) {
        report(stream, parent, progress);
        reportedCaughtUp = progress.caughtUp();
        reportedAt = now;
      }
      if (progress.stopped() != null) {
        log.warn("{} {} stopped: {}", kind, r.capture(), progress.stopped());
        return progress;
      }
    }
    Workflow.continueAsNew(r.withLast(progress));
    return progress;
  }

  private void report(Stream stream, MigrationWorkflow parent, StreamProgress p) {
    try {
      stream.report(parent, p);
    } catch (RuntimeException e) {
      // the migration ended meanwhile: it stops the stream itself
      log.info("migration did not take the {} report: {}", kind, rootMessage(e));
    }
  }

  /** The last progress (the workflow's query). */
  StreamProgress progress() {
    return progress;
  }

  /** The slice activity's input for {@code r}: from {@code start} (null: the stored position). */
  static StreamSlice slice(StreamRequest r, String start, long sliceMillis) {
    return new StreamSlice(
        r.migrationId(), r.spec(), r.branch(), r.mappingCommit(), r.capture(), start, sliceMillis);
  }

  /**
   * The progress of a stream stopped for {@code why} at {@code position} (with {@code head} and
   * {@code lagMillis}), keeping the lag bytes and counters of {@code last} (null: none yet).
   */
  static StreamProgress stopped(
      StreamRequest r,
      StreamProgress last,
      String position,
      String head,
      long lagMillis,
      String why) {
    return new StreamProgress(
        r.capture(),
        position,
        head,
        last == null ? -1 : last.lagBytes(),
        lagMillis,
        last == null ? 0 : last.transactions(),
        last == null ? 0 : last.changes(),
        0,
        last == null ? null : last.tableChanges(),
        false,
        Workflow.currentTimeMillis(),
        why);
  }

  /** Ends the loop before its next slice (the workflow's signal). */
  void stop(String reason) {
    stopReason = reason == null ? "stopped" : reason;
  }
}
