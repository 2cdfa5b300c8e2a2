package io.migrationstudio.workflow.deterministic;

import io.migrationstudio.contracts.activity.ReverseActivities;
import io.migrationstudio.contracts.workflow.CopyControl;
import io.migrationstudio.contracts.workflow.MigrationWorkflow;
import io.migrationstudio.contracts.workflow.ReverseStreamWorkflow;
import io.migrationstudio.contracts.workflow.StreamProgress;
import io.migrationstudio.contracts.workflow.StreamRequest;
import io.temporal.workflow.Workflow;

/**
 * Applies a switched migration's reverse stream (target → source) in bounded slices on the cutover
 * workers, with the forward stream's loop ({@link StreamSliceLoop}): reports to the migration after
 * its first slice, when the lag (target WAL not yet on the source) changes between zero and not,
 * when it stops, and at least every {@link #REPORT_EVERY_MILLIS}; continues as new every {@link
 * #SLICES_PER_RUN} slices. A slice that fails for good (a value the source type cannot hold) stops
 * it with the reason, which the migration's status shows; {@link #stop} ends it after the running
 * slice. Paused ({@link #control}), no slice starts after the running one (slices are short and do
 * not heartbeat, so the running one ends on its own) until resumed; it is not measured meanwhile.
 */
public class ReverseStreamWorkflowImpl implements ReverseStreamWorkflow {
  /** Short: a rollback waits for the running slice before it drains the stream itself. */
  static final long SLICE_MILLIS = 5_000;

  static final long REPORT_EVERY_MILLIS = 30_000;

  static final int SLICES_PER_RUN = 200;

  private final ReverseActivities apply =
      Workflow.newActivityStub(ReverseActivities.class, ActivityOptionsCatalog.reverseSlice());

  private final StreamSliceLoop loop =
      new StreamSliceLoop("reverse stream", SLICES_PER_RUN, REPORT_EVERY_MILLIS, true);

  @Override
  public StreamProgress run(StreamRequest r) {
    return loop.run(r, new Slices());
  }

  @Override
  public StreamProgress progress() {
    return loop.progress();
  }

  @Override
  public void stop(String reason) {
    loop.stop(reason);
  }

  @Override
  public void control(CopyControl control) {
    loop.control(control);
  }

  /** The slice activity, the report and a stopped progress of this stream. */
  private final class Slices implements StreamSliceLoop.Stream {
    @Override
    public StreamProgress slice(StreamRequest r) {
      return apply.applyReverseSlice(StreamSliceLoop.slice(r, null, SLICE_MILLIS));
    }

    @Override
    public void report(MigrationWorkflow parent, StreamProgress p) {
      parent.reverseProgress(p);
    }

    @Override
    public StreamProgress stopped(StreamRequest r, StreamProgress p, String why) {
      return StreamSliceLoop.stopped(r, p, p == null ? null : p.position(), null, -1, why);
    }
  }
}
