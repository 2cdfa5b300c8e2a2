package io.migrationstudio.workflow.deterministic;

import static io.migrationstudio.workflow.deterministic.Messages.rootMessage;

import io.migrationstudio.contracts.activity.ReverseActivities;
import io.migrationstudio.contracts.activity.StreamSlice;
import io.migrationstudio.contracts.workflow.MigrationWorkflow;
import io.migrationstudio.contracts.workflow.ReverseStreamWorkflow;
import io.migrationstudio.contracts.workflow.StreamProgress;
import io.migrationstudio.contracts.workflow.StreamRequest;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Workflow;
import org.slf4j.Logger;

/**
 * Applies a switched migration's reverse stream (target → source) in bounded slices on the cutover
 * workers, as {@link ChangeStreamWorkflowImpl} applies the forward one: reports to the migration
 * when the lag (target WAL not yet on the source) changes between zero and not, when it stops, and
 * at least every {@link #REPORT_EVERY_MILLIS}; continues as new every {@link #SLICES_PER_RUN}
 * slices. A slice that fails for good (a value the source type cannot hold) stops it with the
 * reason, which the migration's status shows; {@link #stop} ends it after the running slice.
 */
public class ReverseStreamWorkflowImpl implements ReverseStreamWorkflow {
  private static final Logger log = Workflow.getLogger(ReverseStreamWorkflowImpl.class);

  /** Short: a rollback waits for the running slice before it drains the stream itself. */
  static final long SLICE_MILLIS = 5_000;

  static final long REPORT_EVERY_MILLIS = 30_000;

  static final int SLICES_PER_RUN = 200;

  private final ReverseActivities apply =
      Workflow.newActivityStub(ReverseActivities.class, ActivityOptionsCatalog.reverseSlice());

  private StreamProgress progress;
  private String stopReason;

  @Override
  public StreamProgress run(StreamRequest r) {
    progress = r.last();
    MigrationWorkflow parent =
        Workflow.newExternalWorkflowStub(MigrationWorkflow.class, r.parentWorkflowId());
    boolean reportedCaughtUp = progress != null && progress.caughtUp();
    long reportedAt = Workflow.currentTimeMillis();
    for (int slice = 0; slice < SLICES_PER_RUN; slice++) {
      if (stopReason != null) {
        return progress;
      }
      try {
        progress =
            apply.applyReverseSlice(
                new StreamSlice(
                    r.migrationId(),
                    r.spec(),
                    r.branch(),
                    r.mappingCommit(),
                    r.capture(),
                    null,
                    SLICE_MILLIS));
      } catch (ActivityFailure e) {
        progress = stopped(r, rootMessage(e));
      }
      long now = Workflow.currentTimeMillis();
      boolean changed =
          slice == 0 || progress.caughtUp() != reportedCaughtUp || progress.stopped() != null;
      if (changed || now - reportedAt >= REPORT_EVERY_MILLIS) {
        report(parent, progress);
        reportedCaughtUp = progress.caughtUp();
        reportedAt = now;
      }
      if (progress.stopped() != null) {
        log.warn("reverse stream {} stopped: {}", r.capture(), progress.stopped());
        return progress;
      }
    }
    Workflow.continueAsNew(r.withLast(progress));
    return progress;
  }

  private StreamProgress stopped(StreamRequest r, String why) {
    StreamProgress p = progress;
    return new StreamProgress(
        r.capture(),
        p == null ? null : p.position(),
        null,
        p == null ? -1 : p.lagBytes(),
        -1,
        p == null ? 0 : p.transactions(),
        p == null ? 0 : p.changes(),
        0,
        p == null ? null : p.tableChanges(),
        false,
        Workflow.currentTimeMillis(),
        why);
  }

  private static void report(MigrationWorkflow parent, StreamProgress p) {
    try {
      parent.reverseProgress(p);
    } catch (RuntimeException e) {
      // the migration ended meanwhile: it stops the stream itself
      log.info("migration did not take the reverse stream report: {}", rootMessage(e));
    }
  }

  @Override
  public StreamProgress progress() {
    return progress;
  }

  @Override
  public void stop(String reason) {
    stopReason = reason == null ? "stopped" : reason;
  }
}
