package io.migrationstudio.workflow.deterministic;

import static io.migrationstudio.workflow.deterministic.Messages.rootMessage;

import io.migrationstudio.contracts.activity.StreamSlice;
import io.migrationstudio.contracts.workflow.CopyControl;
import io.migrationstudio.contracts.workflow.MigrationWorkflow;
import io.migrationstudio.contracts.workflow.StreamProgress;
import io.migrationstudio.contracts.workflow.StreamRequest;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;

/**
 * The slice loop of the two stream workflows ({@link ChangeStreamWorkflowImpl} forward, {@link
 * ReverseStreamWorkflowImpl} back): one slice activity after the other; a report to the migration
 * (a signal) when the stream catches up or falls behind, when it stops, after the first slice when
 * asked, and at least every {@code reportEveryMillis}; continue-as-new after {@code slicesPerRun}
 * slices to keep the history short. A slice that fails for good stops the stream with the reason;
 * {@link #stop} ends it before the next slice, or instead of the continue-as-new when it came
 * during the run's last slice; a pause is carried to the new run (version {@link #CARRY} of {@value
 * #CARRY_CHANGE}).
 *
 * <p>Paused ({@link #control}, version {@link #PAUSE} of {@value #PAUSE_CHANGE}): the running slice
 * is cancelled (it notices at its next heartbeat, within about a second, after a whole batch of
 * source transactions was committed with its position); then no slice applies anything until
 * resumed (a reverse slice does not heartbeat: it runs out, seconds). Every {@link
 * #PAUSED_MEASURE_MILLIS} while paused the stream is measured without applying (the stored
 * position, the source's end of log and the log it keeps, the age of the oldest change not applied)
 * and reported, so the status shows the lag and the source's retained log growing. Resumed, the
 * next slice starts from the position stored on the target: nothing is lost or applied twice.
 *
 * <p>Deterministic workflow code. Its commands are, in order, the slice activity, the report signal
 * (when due) and, at the end of a run, continue-as-new: the order both workflows had before they
 * shared this loop, so their recorded histories replay unchanged. The pause adds commands only
 * after a pause signal, which those histories never had.
 */
final class StreamSliceLoop {
  private static final Logger log = Workflow.getLogger(StreamSliceLoop.class);

  /** Change id of the pause of a stream (version 1). */
  static final String PAUSE_CHANGE = "stream-pause";

  static final int PAUSE = 1;

  /**
   * Change id of a continue-as-new that carries the loop's state (version 1): a stop received
   * during the run's last slice ends the stream instead of being lost in the new run (the cutover
   * waited for it in vain), and a pause holds in the new run (it was lost after {@code
   * slicesPerRun} measures, about 25 minutes, and the stream applied again).
   */
  static final String CARRY_CHANGE = "stream-continue-carries-state";

  static final int CARRY = 1;

  /** How often a paused stream is measured and reported (its lag grows while it is paused). */
  static final long PAUSED_MEASURE_MILLIS = 10_000;

  /** What differs between the streams: the slice activity, the report, a stopped progress. */
  interface Stream {
    /** One slice (the activity); its progress. */
    StreamProgress slice(StreamRequest r);

    /**
     * Where the paused stream stands after {@code last}, measured without applying (an activity);
     * null when this stream is not measured while paused (its last progress is reported as it is).
     */
    default StreamProgress measure(StreamRequest r, StreamProgress last) {
      return null;
    }

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
  private boolean paused;
  private CancellationScope running;

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
    paused = paused || r.startsPaused(); // a pause held over a continue-as-new (version CARRY)
    MigrationWorkflow parent =
        Workflow.newExternalWorkflowStub(MigrationWorkflow.class, r.parentWorkflowId());
    boolean reportedCaughtUp = progress != null && progress.caughtUp();
    long reportedAt = Workflow.currentTimeMillis();
    for (int slice = 0; slice < slicesPerRun; slice++) {
      if (stopReason != null) {
        return progress;
      }
      if (paused) {
        holdPaused(r, stream, parent);
        reportedCaughtUp = progress != null && progress.caughtUp();
        reportedAt = Workflow.currentTimeMillis();
        continue;
      }
      try {
        progress = sliceUnlessPaused(r, stream);
      } catch (ActivityFailure e) {
        if (pausedMidSlice(e)) {
          continue; // the slice stopped between two batches; the target keeps its position
        }
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
    if (Workflow.getVersion(CARRY_CHANGE, Workflow.DEFAULT_VERSION, CARRY) < CARRY) {
      Workflow.continueAsNew(r.withLast(progress));
      return progress;
    }
    if (stopReason != null) {
      return progress; // stopped during the run's last slice: ending, not going on in a new run
    }
    Workflow.continueAsNew(r.withLast(progress).withPaused(paused ? Boolean.TRUE : null));
    return progress;
  }

  /** One slice, in a scope a pause cancels; the last progress when it was cancelled at once. */
  private StreamProgress sliceUnlessPaused(StreamRequest r, Stream stream) {
    List<StreamProgress> out = new ArrayList<>(1);
    running = Workflow.newCancellationScope(() -> out.add(stream.slice(r)));
    try {
      running.run();
    } finally {
      running = null;
    }
    return out.isEmpty() ? progress : out.get(0);
  }

  /** Whether {@code e} is the running slice cancelled by a pause (not a failure, not the end). */
  private boolean pausedMidSlice(ActivityFailure e) {
    return paused
        && e.getCause() instanceof CanceledFailure
        && !CancellationScope.current().isCancelRequested();
  }

  /**
   * While paused: measures the stream (nothing applied) and reports it, then waits until resumed,
   * stopped or {@link #PAUSED_MEASURE_MILLIS} passed.
   */
  private void holdPaused(StreamRequest r, Stream stream, MigrationWorkflow parent) {
    try {
      StreamProgress measured = stream.measure(r, progress);
      if (measured != null) {
        progress = measured;
      }
    } catch (ActivityFailure e) {
      log.info("{} {}: not measured while paused: {}", kind, r.capture(), rootMessage(e));
    }
    if (progress != null) {
      report(stream, parent, progress);
    }
    Workflow.await(Duration.ofMillis(PAUSED_MEASURE_MILLIS), () -> !paused || stopReason != null);
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
        why,
        null,
        null);
  }

  /** Ends the loop before its next slice (the workflow's signal). */
  void stop(String reason) {
    stopReason = reason == null ? "stopped" : reason;
  }

  /**
   * Pauses or resumes the loop (the workflow's signal); a pause cancels the running slice. Only
   * migrations from version {@link #PAUSE} on send it.
   */
  void control(CopyControl c) {
    if (Workflow.getVersion(PAUSE_CHANGE, Workflow.DEFAULT_VERSION, PAUSE) < PAUSE) {
      return;
    }
    paused = c.paused();
    if (paused && running != null) {
      running.cancel("paused");
    }
  }

  /** Whether a pause holds the loop. */
  boolean paused() {
    return paused;
  }
}
