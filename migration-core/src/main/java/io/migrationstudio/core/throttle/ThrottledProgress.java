package io.migrationstudio.core.throttle;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.core.copy.ChunkProgress;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A chunk's progress callback that throttles the read it is called from: the copier calls it every
 * few rows from its read loop, so waiting here pauses the source cursor. It takes the rows since
 * the last call from the {@link RowRateLimiter} in force at that call (when a rate cap is set:
 * {@code migrate.max_rows_per_second}, or a {@code studio throttle} given while the chunk copies)
 * and lets the {@link LoadGuard} pause while the source is busy (when {@code
 * migrate.source_load_guard} is set), heartbeating through {@code inner} at least once a second
 * while it waits, then passes the progress on.
 */
public final class ThrottledProgress implements ChunkProgress {
  /** Longest sleep between two heartbeats while throttled. */
  static final long HEARTBEAT_NANOS = 1_000_000_000L;

  private final ChunkProgress inner;
  private final Supplier<RowRateLimiter> limiter;
  private final LoadGuard guard;
  private final Pacer pacer;
  private long last;

  /** {@code limiter} and {@code guard} may be null (that throttle is off). */
  public ThrottledProgress(
      ChunkProgress inner, RowRateLimiter limiter, LoadGuard guard, Pacer pacer) {
    this(inner, () -> limiter, guard, pacer);
  }

  private ThrottledProgress(
      ChunkProgress inner, Supplier<RowRateLimiter> limiter, LoadGuard guard, Pacer pacer) {
    this.inner = Objects.requireNonNull(inner);
    this.limiter = Objects.requireNonNull(limiter);
    this.guard = guard;
    this.pacer = Objects.requireNonNull(pacer);
  }

  /**
   * A throttled progress whose {@code limiter} gives the limiter in force at each call (null: no
   * rate cap then), so a running chunk follows a throttle changed while it copies; {@code guard}
   * may be null.
   */
  public static ThrottledProgress following(
      ChunkProgress inner, Supplier<RowRateLimiter> limiter, LoadGuard guard, Pacer pacer) {
    return new ThrottledProgress(inner, limiter, guard, pacer);
  }

  /** The rows between two progress calls that keep pacing smooth: about ten calls a second. */
  public static int progressEvery(long rowsPerSecond, int defaultEvery) {
    return (int) Math.max(1, Math.min(defaultEvery, rowsPerSecond / 10));
  }

  /** Pauses (heartbeating) while the guard says the source is too busy; a no-op without one. */
  public void awaitCalmNow() {
    if (guard == null) {
      return;
    }
    try {
      guard.awaitCalm(() -> inner.rowsCopied(last));
    } catch (Exception e) {
      throw throttleFailed(e);
    }
  }

  /**
   * What a failed wait throws: an interruption (the thread stays interrupted) or the count of
   * sessions failing; a runtime exception as it is.
   */
  private static RuntimeException throttleFailed(Exception e) {
    if (e instanceof InterruptedException) {
      Thread.currentThread().interrupt();
      return new IllegalStateException("chunk copy interrupted while throttled", e);
    }
    if (e instanceof RuntimeException r) {
      return r;
    }
    return countFailed(e);
  }

  private static MigrationException countFailed(Exception e) {
    return new MigrationException(
        ErrorCode.TRANSIENT_SQL,
        "could not count the source's active sessions for migrate.source_load_guard: "
            + e.getMessage()
            + "; the chunk stopped before its commit and can run again",
        e);
  }

  @Override
  public void rowsCopied(long rows) {
    // a row-isolating second pass starts counting again from zero
    long delta = rows >= last ? rows - last : rows;
    last = rows;
    try {
      RowRateLimiter now = limiter.get();
      if (now != null) {
        long wait = now.reserve(delta);
        while (wait > 0) {
          long slice = Math.min(wait, HEARTBEAT_NANOS);
          pacer.sleep(slice);
          wait -= slice;
          if (wait > 0) {
            inner.rowsCopied(rows);
          }
        }
      }
      if (guard != null) {
        guard.maybeAwaitCalm(() -> inner.rowsCopied(rows));
      }
    } catch (Exception e) {
      throw throttleFailed(e);
    }
    inner.rowsCopied(rows);
  }
}
