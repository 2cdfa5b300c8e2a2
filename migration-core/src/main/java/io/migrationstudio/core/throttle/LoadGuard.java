package io.migrationstudio.core.throttle;

import java.time.Duration;
import java.util.Objects;

/**
 * The source-load guard ({@code migrate.source_load_guard}): before a chunk reads and then at most
 * once per {@link #LOOK_EVERY_NANOS} while it reads, it counts the source's active sessions; while
 * they exceed {@code maxActiveSessions} it waits {@code backoff} and looks again, telling {@code
 * whilePaused} every {@link #HEARTBEAT_NANOS} so the activity keeps heartbeating. The chunk's read
 * simply blocks: its cursor stays open and resumes where it stopped.
 */
public final class LoadGuard {
  /** Looks at the source at most once a second while a chunk reads (a query per look). */
  static final long LOOK_EVERY_NANOS = 1_000_000_000L;

  /** Heartbeats while paused at least this often, well inside any heartbeat timeout. */
  static final long HEARTBEAT_NANOS = 1_000_000_000L;

  /** Counts the source's sessions that are executing a statement now. */
  @FunctionalInterface
  public interface ActiveSessions {
    int count() throws Exception;
  }

  /**
   * The active sessions of the source as the dialect's session list shows them: sessions whose
   * state says they are executing (PostgreSQL's {@code active}, MySQL's {@code Query}...), not idle
   * ones ({@code idle...}, {@code Sleep}) nor those whose state the user may not see (null).
   */
  public static ActiveSessions of(
      io.migrationstudio.core.dialect.Dialect.SessionList list,
      java.sql.Connection connection,
      String schema) {
    return () ->
        list.snapshot(connection, schema).stream()
            .filter(s -> busy(s.state()))
            .mapToInt(s -> s.sessions())
            .sum();
  }

  /** Whether a session list state means the session is executing a statement. */
  static boolean busy(String state) {
    if (state == null) {
      return false;
    }
    String s = state.toLowerCase(java.util.Locale.ROOT);
    return !s.startsWith("idle") && !s.equals("sleep") && !s.equals("daemon");
  }

  private final int maxActiveSessions;
  private final long backoffNanos;
  private final ActiveSessions sessions;
  private final Pacer pacer;
  private long lastLook;
  private boolean looked;
  private long pauses;

  public LoadGuard(int maxActiveSessions, Duration backoff, ActiveSessions sessions, Pacer pacer) {
    if (maxActiveSessions < 0 || backoff.isNegative() || backoff.isZero()) {
      throw new IllegalArgumentException(
          "source load guard needs max_active_sessions >= 0 and a backoff > 0; got "
              + maxActiveSessions
              + ", "
              + backoff);
    }
    this.maxActiveSessions = maxActiveSessions;
    this.backoffNanos = backoff.toNanos();
    this.sessions = Objects.requireNonNull(sessions);
    this.pacer = Objects.requireNonNull(pacer);
  }

  /** How many times this guard has paused a read (for logs and tests). */
  public synchronized long pauses() {
    return pauses;
  }

  /** Looks now (before a chunk starts), pausing while the source is too busy. */
  public void awaitCalm(Runnable whilePaused) throws Exception {
    look(whilePaused, true);
  }

  /** Looks when the last look is older than {@link #LOOK_EVERY_NANOS}, pausing while too busy. */
  public void maybeAwaitCalm(Runnable whilePaused) throws Exception {
    look(whilePaused, false);
  }

  private void look(Runnable whilePaused, boolean now) throws Exception {
    if (!now && looked && pacer.nanoTime() - lastLook < LOOK_EVERY_NANOS) {
      return;
    }
    boolean paused = false;
    while (true) {
      int active = sessions.count();
      lastLook = pacer.nanoTime();
      looked = true;
      if (active <= maxActiveSessions) {
        return;
      }
      if (!paused) {
        paused = true;
        synchronized (this) {
          pauses++;
        }
      }
      long left = backoffNanos;
      while (left > 0) {
        whilePaused.run();
        long slice = Math.min(left, HEARTBEAT_NANOS);
        pacer.sleep(slice);
        left -= slice;
      }
    }
  }
}
