package io.migrationstudio.workflow.deterministic;

import io.migrationstudio.contracts.activity.StreamActivities;
import io.migrationstudio.contracts.workflow.ChangeStreamWorkflow;
import io.migrationstudio.contracts.workflow.CopyControl;
import io.migrationstudio.contracts.workflow.MigrationWorkflow;
import io.migrationstudio.contracts.workflow.StreamProgress;
import io.migrationstudio.contracts.workflow.StreamRequest;
import io.temporal.workflow.Workflow;

/**
 * Applies an online migration's change stream in bounded slices (one heartbeating activity each,
 * {@link #SLICE_MILLIS}); the position lives on the target with the applied changes, so any migrate
 * worker can run the next slice. Reports to the migration when the stream catches up or falls
 * behind, when it stops, and at least every {@link #REPORT_EVERY_MILLIS}; continues as new every
 * {@link #SLICES_PER_RUN} slices to keep its history short ({@link StreamSliceLoop}). A slice that
 * fails for good (DDL on a captured table) stops the stream with the reason; {@link #stop} ends it
 * after the running slice. Paused ({@link #control}), it applies nothing and is measured every
 * {@link StreamSliceLoop#PAUSED_MEASURE_MILLIS} ({@code Stream_MeasureStream}).
 */
public class ChangeStreamWorkflowImpl implements ChangeStreamWorkflow {
  static final long SLICE_MILLIS = 20_000;

  static final long REPORT_EVERY_MILLIS = 60_000;

  static final int SLICES_PER_RUN = 150;

  private final StreamActivities apply =
      Workflow.newActivityStub(StreamActivities.class, ActivityOptionsCatalog.streamSlice());

  private final StreamActivities measures =
      Workflow.newActivityStub(StreamActivities.class, ActivityOptionsCatalog.streamMeasure());

  private final StreamSliceLoop loop =
      new StreamSliceLoop("stream", SLICES_PER_RUN, REPORT_EVERY_MILLIS, false);

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
      return apply.applySlice(StreamSliceLoop.slice(r, r.startPosition(), SLICE_MILLIS));
    }

    @Override
    public StreamProgress measure(StreamRequest r, StreamProgress last) {
      StreamProgress m =
          measures.measureStream(StreamSliceLoop.slice(r, r.startPosition(), SLICE_MILLIS));
      return last == null ? m : m.withTableChanges(last.tableChanges());
    }

    @Override
    public void report(MigrationWorkflow parent, StreamProgress p) {
      parent.streamProgress(p);
    }

    @Override
    public StreamProgress stopped(StreamRequest r, StreamProgress p, String why) {
      return StreamSliceLoop.stopped(
          r,
          p,
          p == null ? r.startPosition() : p.position(),
          p == null ? null : p.head(),
          p == null ? -1 : p.lagMillis(),
          why);
    }
  }
}
