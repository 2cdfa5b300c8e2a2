package io.migrationstudio.contracts.activity;

import io.migrationstudio.contracts.workflow.StreamProgress;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * Change capture of an online migration ({@code migrate.strategy: online}), run by the migrate
 * workers: any {@code studio worker migrate} can take a stream over, as the stream's position lives
 * on the target.
 */
@ActivityInterface(namePrefix = "Stream_")
public interface StreamActivities {
  /** Creates the capture (slot and publication, or the binlog start) before the first chunk. */
  @ActivityMethod
  CaptureStarted prepareCapture(StageRequest request);

  /**
   * Applies the stream for one bounded slice, heartbeating position, lag and counters; safe to kill
   * at any point (the position is committed with the changes it covers).
   */
  @ActivityMethod
  StreamProgress applySlice(StreamSlice slice);

  /**
   * Where a paused stream stands, applying nothing: the position the target holds, the source's end
   * of log and the log it keeps for the stream, and the lag (the age of the oldest source
   * transaction not applied yet; 0 when there is none). Reads the stream from the stored position
   * without confirming anything.
   */
  @ActivityMethod
  StreamProgress measureStream(StreamSlice slice);

  /** Commits {@code 03-migrate/cdc.json} and {@code cdc.md}; PASS when caught up below max lag. */
  @ActivityMethod
  StageResult recordStream(StreamEvidence evidence);

  /** Drops the capture; nothing when it is gone already. */
  @ActivityMethod
  void dropCapture(CaptureDrop drop);
}
