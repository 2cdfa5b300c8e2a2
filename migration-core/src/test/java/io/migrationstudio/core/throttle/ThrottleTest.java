package io.migrationstudio.core.throttle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The rate limiter, the load guard and the throttled progress on a fake clock. */
class ThrottleTest {
  /** A clock that only moves when someone sleeps. */
  static final class FakePacer implements Pacer {
    long now = 1_000_000_000_000L;
    final List<Long> sleeps = new ArrayList<>();

    @Override
    public long nanoTime() {
      return now;
    }

    @Override
    public void sleep(long nanos) {
      sleeps.add(nanos);
      now += nanos;
    }

    void advanceSeconds(double s) {
      now += (long) (s * 1e9);
    }

    double elapsedSince(long start) {
      return (now - start) / 1e9;
    }
  }

  @Test
  void theLimiterHoldsTheRateOverAnyBatchSizeAfterOneSecondOfBurst() throws Exception {
    for (long rate : new long[] {1, 7, 100, 1_000, 50_000}) {
      for (long batch : new long[] {1, 3, 100, 1_000}) {
        FakePacer clock = new FakePacer();
        RowRateLimiter limiter = new RowRateLimiter(rate, clock);
        long start = clock.now;
        long rows = 0;
        while (clock.elapsedSince(start) < 20) {
          limiter.acquire(batch);
          rows += batch;
        }
        double elapsed = clock.elapsedSince(start);
        // one second of burst credit, then exactly the rate (within one batch)
        double allowed = rate * (elapsed + RowRateLimiter.BURST_SECONDS) + batch;
        assertTrue(rows <= allowed, rate + "/" + batch + ": " + rows + " rows in " + elapsed);
        assertTrue(
            rows >= rate * elapsed - batch, rate + "/" + batch + ": " + rows + " in " + elapsed);
      }
    }
  }

  @Test
  void anIdleLimiterDoesNotSaveUpMoreThanTheBurst() throws Exception {
    FakePacer clock = new FakePacer();
    RowRateLimiter limiter = new RowRateLimiter(100, clock);
    assertEquals(0, limiter.reserve(100), "the first second's rows go at once");
    assertTrue(limiter.reserve(100) > 0, "the next second's must wait");
    clock.advanceSeconds(3600);
    assertEquals(0, limiter.reserve(100));
    long wait = limiter.reserve(100);
    assertEquals(1_000_000_000L, wait, "an hour idle buys one second of burst, not an hour");
    assertThrows(IllegalArgumentException.class, () -> new RowRateLimiter(0, clock));
  }

  @Test
  void theGuardPausesWhileTheSourceIsBusyAndHeartbeatsEverySecond() throws Exception {
    FakePacer clock = new FakePacer();
    AtomicInteger active = new AtomicInteger(5);
    AtomicInteger looks = new AtomicInteger();
    LoadGuard guard =
        new LoadGuard(
            2,
            Duration.ofSeconds(5),
            () -> {
              // calm after the third look
              return looks.incrementAndGet() >= 3 ? 1 : active.get();
            },
            clock);
    AtomicInteger beats = new AtomicInteger();
    long start = clock.now;
    guard.awaitCalm(beats::incrementAndGet);
    assertEquals(3, looks.get());
    assertEquals(10.0, clock.elapsedSince(start), 1e-9, "two backoffs of 5 s");
    assertEquals(10, beats.get(), "a heartbeat every second while paused");
    assertEquals(1, guard.pauses());

    // while reading it looks at most once a second
    guard.maybeAwaitCalm(beats::incrementAndGet);
    assertEquals(3, looks.get());
    clock.advanceSeconds(1);
    guard.maybeAwaitCalm(beats::incrementAndGet);
    assertEquals(4, looks.get());
    assertEquals(1, guard.pauses());
  }

  @Test
  void busyMeansExecutingInEitherVocabulary() {
    assertTrue(LoadGuard.busy("active"));
    assertTrue(LoadGuard.busy("Query"));
    assertTrue(LoadGuard.busy("Execute"));
    assertFalse(LoadGuard.busy("idle"));
    assertFalse(LoadGuard.busy("idle in transaction"));
    assertFalse(LoadGuard.busy("Sleep"));
    assertFalse(LoadGuard.busy(null));
  }

  @Test
  void throttledProgressPacesTheReadAndKeepsHeartbeating() {
    FakePacer clock = new FakePacer();
    RowRateLimiter limiter = new RowRateLimiter(1_000, clock);
    List<Long> beats = new ArrayList<>();
    ThrottledProgress p = new ThrottledProgress(beats::add, limiter, null, clock);
    long start = clock.now;
    for (long rows = 500; rows <= 10_000; rows += 500) {
      p.rowsCopied(rows);
    }
    // 10 000 rows at 1 000 rows/s with one second of burst: 9 s
    assertEquals(9.0, clock.elapsedSince(start), 0.001);
    assertTrue(clock.sleeps.stream().allMatch(s -> s <= ThrottledProgress.HEARTBEAT_NANOS));
    assertEquals(10_000L, beats.get(beats.size() - 1));
    assertEquals(100, ThrottledProgress.progressEvery(1_000, 1_000));
    assertEquals(1, ThrottledProgress.progressEvery(5, 1_000));
    assertEquals(1_000, ThrottledProgress.progressEvery(1_000_000, 1_000));
  }

  @Test
  void aRunningChunkFollowsTheRateInForceAtEachCall() {
    FakePacer clock = new FakePacer();
    java.util.concurrent.atomic.AtomicReference<RowRateLimiter> inForce =
        new java.util.concurrent.atomic.AtomicReference<>(new RowRateLimiter(1_000, clock));
    ThrottledProgress p = ThrottledProgress.following(rows -> {}, inForce::get, null, clock);
    long start = clock.now;
    for (long rows = 100; rows <= 2_000; rows += 100) {
      p.rowsCopied(rows);
    }
    // 2 000 rows at 1 000 rows/s with one second of burst: 1 s
    assertEquals(1.0, clock.elapsedSince(start), 0.001);
    inForce.set(new RowRateLimiter(100, clock)); // a throttle while the chunk copies
    long throttled = clock.now;
    for (long rows = 2_100; rows <= 3_000; rows += 100) {
      p.rowsCopied(rows);
    }
    // 1 000 rows at 100 rows/s, the first 100 as the new limiter's burst: 9 s
    assertEquals(9.0, clock.elapsedSince(throttled), 0.001);
    inForce.set(null); // the cap removed
    long free = clock.now;
    for (long rows = 3_100; rows <= 10_000; rows += 100) {
      p.rowsCopied(rows);
    }
    assertEquals(0.0, clock.elapsedSince(free), 0.001);
  }
}
