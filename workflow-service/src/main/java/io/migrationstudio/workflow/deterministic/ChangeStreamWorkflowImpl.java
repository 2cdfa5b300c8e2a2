package io.migrationstudio.workflow.deterministic;

import static io.migrationstudio.workflow.deterministic.Messages.rootMessage;

import io.migrationstudio.contracts.activity.StreamActivities;
import io.migrationstudio.contracts.activity.StreamSlice;
import io.migrationstudio.contracts.workflow.ChangeStreamWorkflow;
import io.migrationstudio.contracts.workflow.MigrationWorkflow;
import io.migrationstudio.contracts.workflow.StreamProgress;
import io.migrationstudio.contracts.workflow.StreamRequest;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Workflow;
import org.slf4j.Logger;

/**
 * Applies an online migration's change stream in bounded slices (one heartbeating activity each,
 * {@link #SLICE_MILLIS}); the position lives on the target with the applied changes, so any migrate
 * worker can run the next slice. Reports to the migration when the stream catches up or falls
 * behind, when it stops, and at least every {@link #REPORT_EVERY_MILLIS}; continues as new every
 * {@link #SLICES_PER_RUN} slices to keep its history short. A slice that fails for good (DDL on a
 * captured table) stops the stream with the reason; {@link #stop} ends it after the running slice.
 */
public class ChangeStreamWorkflowImpl implements ChangeStreamWorkflow {
  private static final Logger log = Workflow.getLogger(ChangeStreamWorkflowImpl.class);

  static final long SLICE_MILLIS = 20_000;

  static final long REPORT_EVERY_MILLIS = 60_000;

  static final int SLICES_PER_RUN = 150;

  private final StreamActivities apply =
      Workflow.newActivityStub(StreamActivities.class, ActivityOptionsCatalog.streamSlice());

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
            apply.applySlice(
                new StreamSlice(
                    r.migrationId(),
                    r.spec(),
                    r.branch(),
                    r.mappingCommit(),
                    r.capture(),
                    r.startPosition(),
                    SLICE_MILLIS));
      } catch (ActivityFailure e) {
        progress = stopped(r, rootMessage(e));
      }
      long now = Workflow.currentTimeMillis();
      boolean changed = progress.caughtUp() != reportedCaughtUp || progress.stopped() != null;
      if (changed || now - reportedAt >= REPORT_EVERY_MILLIS) {
        report(parent, progress);
        reportedCaughtUp = progress.caughtUp();
        reportedAt = now;
      }
      if (progress.stopped() != null) {
        log.warn("stream {} stopped: {}", r.capture(), progress.stopped());
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
        p == null ? r.startPosition() : p.position(),
        p == null ? null : p.head(),
        p == null ? -1 : p.lagBytes(),
        p == null ? -1 : p.lagMillis(),
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
      parent.streamProgress(p);
    } catch (RuntimeException e) {
      // the migration ended meanwhile: it stops the stream itself
      log.info("migration did not take the stream report: {}", rootMessage(e));
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
