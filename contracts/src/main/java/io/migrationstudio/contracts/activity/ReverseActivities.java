package io.migrationstudio.contracts.activity;

import io.migrationstudio.contracts.workflow.StreamProgress;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * Reverse replication of a switched migration ({@code cutover.rollback: reverse}), run by the
 * cutover workers: the cutover prepares the reverse capture on the target right before its switch;
 * from then on these apply the target's changes to the source and roll back.
 */
@ActivityInterface(namePrefix = "Reverse_")
public interface ReverseActivities {
  /**
   * Applies the reverse stream to the source for one bounded slice; the position is kept on the
   * source with the rows, so a killed slice loses nothing. {@code lagBytes} is the target WAL not
   * yet on the source.
   */
  @ActivityMethod
  StreamProgress applyReverseSlice(StreamSlice slice);

  /**
   * Rolls the migration back (freeze the target, drain the reverse stream to an end marker, source
   * sequences, counts, switch back, unfreeze the source) and commits {@code
   * 05-cutover/rollback-log.{json,md}}; verdict FAIL when it did not (the target takes writes
   * again, the source stays frozen, the reverse capture is kept).
   */
  @ActivityMethod
  StageResult rollback(RollbackRequest request);

  /** Drops the reverse capture (slot, publication, origin); nothing when it is gone. */
  @ActivityMethod
  void dropReverse(CaptureDrop drop);
}
