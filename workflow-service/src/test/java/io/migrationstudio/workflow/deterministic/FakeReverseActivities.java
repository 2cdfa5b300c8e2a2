package io.migrationstudio.workflow.deterministic;

import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.activity.CaptureDrop;
import io.migrationstudio.contracts.activity.ReverseActivities;
import io.migrationstudio.contracts.activity.RollbackRequest;
import io.migrationstudio.contracts.activity.StageResult;
import io.migrationstudio.contracts.activity.StreamSlice;
import io.migrationstudio.contracts.workflow.ArtifactRef;
import io.migrationstudio.contracts.workflow.StreamProgress;
import io.migrationstudio.contracts.workflow.Verdict;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * In-memory reverse stream: each slice brings three more row changes back, lag 0 from the second;
 * the rollback passes (or fails while {@code failRollbacks} counts down). Calls are added to the
 * main fakes' list, so tests see the order across both.
 */
class FakeReverseActivities implements ReverseActivities {
  final AtomicInteger slices = new AtomicInteger();
  final AtomicInteger failRollbacks = new AtomicInteger();
  volatile RollbackRequest lastRollback;

  /** When set, a rollback waits for it before it does anything. */
  volatile java.util.concurrent.CountDownLatch holdRollback;

  private final FakeActivities fakes;

  FakeReverseActivities(FakeActivities fakes) {
    this.fakes = fakes;
  }

  @Override
  public StreamProgress applyReverseSlice(StreamSlice slice) {
    int n = slices.incrementAndGet();
    fakes.calls.add("reverse-slice");
    try {
      Thread.sleep(20); // a slice takes time: the loop must not spin
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return new StreamProgress(
        "studio_wf_test_rev",
        "pg:0/" + Integer.toHexString(0x200 + n),
        null,
        n > 1 ? 0 : 4096,
        -1,
        n,
        3L * n,
        0,
        Map.of("album", 3L * n),
        n > 1,
        System.currentTimeMillis(),
        null,
        null,
        null);
  }

  @Override
  public StageResult rollback(RollbackRequest r) {
    lastRollback = r;
    java.util.concurrent.CountDownLatch hold = holdRollback;
    if (hold != null) {
      fakes.calls.add("rollback-held");
      try {
        hold.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    boolean fail = failRollbacks.getAndUpdate(x -> Math.max(0, x - 1)) > 0;
    fakes.calls.add(fail ? "rollback-failed" : "rollback");
    String c = fakes.newCommit();
    return new StageResult(
        Stage.CUTOVER,
        Stage.CUTOVER.checkerRole(),
        c,
        List.of(new ArtifactRef("05-cutover/rollback-log.json", c)),
        fail ? Verdict.FAIL : Verdict.PASS,
        fail ? "the rollback failed at [drain]" : "rolled back in 900 ms");
  }

  @Override
  public void dropReverse(CaptureDrop drop) {
    fakes.calls.add("drop-reverse");
  }
}
