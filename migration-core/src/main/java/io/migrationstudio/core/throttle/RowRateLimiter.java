package io.migrationstudio.core.throttle;

import java.util.Objects;

/**
 * Caps the rows read per second ({@code migrate.max_rows_per_second}) by pacing: every batch of
 * rows reserves {@code rows / rate} seconds of a shared timeline, and a caller waits until the
 * timeline's previous reservations have passed. One instance is shared by every chunk a {@code
 * worker-migrate} process copies, so the cap holds per worker process; with {@code W} workers the
 * source sees at most {@code W × rate} rows per second.
 *
 * <p>An idle limiter does not save up: a caller arriving after a pause starts a new timeline at
 * "now" with at most {@link #BURST_SECONDS} of credit, so a burst after idleness stays bounded.
 */
public final class RowRateLimiter {
  /** Credit an idle limiter keeps: one second's worth of rows may go without waiting. */
  static final double BURST_SECONDS = 1.0;

  private final double nanosPerRow;
  private final Pacer pacer;
  private long nextFree;
  private boolean started;

  public RowRateLimiter(long rowsPerSecond, Pacer pacer) {
    if (rowsPerSecond < 1) {
      throw new IllegalArgumentException(
          "migrate.max_rows_per_second must be >= 1, got " + rowsPerSecond);
    }
    this.nanosPerRow = 1e9 / rowsPerSecond;
    this.pacer = Objects.requireNonNull(pacer);
  }

  /**
   * Reserves {@code rows} rows and returns how many nanoseconds the caller must wait before going
   * on (0 when within the rate). The caller sleeps; see {@link #acquire}.
   */
  public synchronized long reserve(long rows) {
    if (rows <= 0) {
      return 0;
    }
    long now = pacer.nanoTime();
    long burst = (long) (BURST_SECONDS * 1e9);
    if (!started) {
      nextFree = now - burst;
      started = true;
    } else if (nextFree < now - burst) {
      nextFree = now - burst;
    }
    nextFree += (long) Math.ceil(rows * nanosPerRow);
    return Math.max(0, nextFree - now);
  }

  /** Reserves {@code rows} and sleeps until they may go. */
  public void acquire(long rows) throws InterruptedException {
    long wait = reserve(rows);
    if (wait > 0) {
      pacer.sleep(wait);
    }
  }
}
