package io.migrationstudio.core.dialect;

import io.migrationstudio.contracts.spec.ConnectionSpec;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The connections of one worker process kept open from one chunk to the next (issue 17: opening a
 * source and a target connection per chunk cost more than a small chunk's copy).
 *
 * <p>A connection is handed back only by work that succeeded, in auto-commit mode (so no
 * transaction of the previous chunk is open on it); any failure closes it instead, so a connection
 * that broke or was left mid-transaction is never used again. One that waited longer than {@link
 * #idleTimeout} is closed (by a daemon thread, so a finished migration does not keep sessions open
 * on its databases), and a borrowed one is checked with {@link Connection#isValid} first (the
 * server may have restarted meanwhile) unless it was idle for less than {@link #CHECK_AFTER_IDLE}.
 * Connections are kept apart by connection spec (URL, user, password reference), role and read-only
 * mode, at most {@link #MAX_IDLE_PER_KEY} of each.
 *
 * <p>Only for sessions whose settings every borrower may share: a session changed for one use (a
 * repair's {@code session_replication_role}) is not handed back.
 */
public final class ConnectionPool implements AutoCloseable {
  /** Idle connections kept per key: more than a worker's chunk slots in practice. */
  static final int MAX_IDLE_PER_KEY = 8;

  /** How long an idle connection is kept: chunks follow each other within milliseconds. */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(10);

  /** Idle time after which a borrowed connection is checked first (HikariCP's bypass window). */
  static final Duration CHECK_AFTER_IDLE = Duration.ofMillis(500);

  /** Seconds {@link Connection#isValid} may take on a borrowed connection. */
  private static final int VALID_CHECK_SECONDS = 2;

  private record Key(ConnectionSpec spec, String role, boolean readOnly) {}

  private record Idle(Connection connection, long since) {}

  /** A borrowed connection; give it back with {@link #release} or {@link #discard}. */
  public record Lease(Connection connection, boolean reused, Object key) {}

  private final Duration idleTimeout;
  private final LongSupplier nanoClock;
  private final Map<Key, Deque<Idle>> idle = new HashMap<>();
  private final boolean reap;
  private ScheduledExecutorService reaper;
  private boolean closed;

  /** A pool with {@link #DEFAULT_IDLE_TIMEOUT} and a reaper thread. */
  public ConnectionPool() {
    this(DEFAULT_IDLE_TIMEOUT, System::nanoTime, true);
  }

  ConnectionPool(Duration idleTimeout, LongSupplier nanoClock, boolean reap) {
    if (idleTimeout.isNegative() || idleTimeout.isZero()) {
      throw new IllegalArgumentException("idle timeout must be positive, was " + idleTimeout);
    }
    this.idleTimeout = idleTimeout;
    this.nanoClock = nanoClock;
    this.reap = reap;
  }

  /** The reaper thread, started with the first connection kept (callers hold the lock). */
  private void startReaper() {
    if (!reap || reaper != null) {
      return;
    }
    reaper =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "connection-pool-reaper");
              t.setDaemon(true);
              return t;
            });
    long every = Math.max(100, idleTimeout.toMillis() / 2);
    reaper.scheduleWithFixedDelay(this::closeExpired, every, every, TimeUnit.MILLISECONDS);
  }

  /**
   * A connection to {@code spec} for {@code role} ("source" or "target"): an idle one that is still
   * valid, else a new one ({@link Dialects#open} or {@link Dialects#openReadOnly}, failures
   * classified as theirs).
   */
  public Lease borrow(ConnectionSpec spec, Secrets secrets, String role, boolean readOnly) {
    Key key = new Key(spec, role, readOnly);
    while (true) {
      Idle candidate;
      synchronized (this) {
        Deque<Idle> q = idle.get(key);
        candidate = q == null ? null : q.pollFirst();
      }
      if (candidate == null) {
        break;
      }
      // one used within the last moment is handed on as it is (a check is a round trip per
      // connection per chunk); if it broke meanwhile the chunk fails, closes it and is retried
      boolean fresh = nanoClock.getAsLong() - candidate.since() < CHECK_AFTER_IDLE.toNanos();
      if (fresh || valid(candidate.connection())) {
        return new Lease(candidate.connection(), true, key);
      }
      closeQuietly(candidate.connection());
    }
    Connection c =
        readOnly ? Dialects.openReadOnly(spec, secrets, role) : Dialects.open(spec, secrets, role);
    return new Lease(c, false, key);
  }

  /**
   * Hands back the connection of work that succeeded: kept for the next borrower when it is open
   * and in auto-commit mode, else closed.
   */
  public void release(Lease lease) throws SQLException {
    Connection c = lease.connection();
    if (c.isClosed()) {
      return;
    }
    boolean keep;
    try {
      keep = c.getAutoCommit();
    } catch (SQLException e) {
      keep = false;
    }
    if (keep) {
      synchronized (this) {
        if (!closed) {
          Deque<Idle> q = idle.computeIfAbsent((Key) lease.key(), k -> new ArrayDeque<>());
          if (q.size() < MAX_IDLE_PER_KEY) {
            // most recently used first: the others age out when fewer are needed
            q.addFirst(new Idle(c, nanoClock.getAsLong()));
            startReaper();
            return;
          }
        }
      }
    }
    c.close();
  }

  /** Closes the connection of work that failed: never used again. */
  public void discard(Lease lease) throws SQLException {
    lease.connection().close();
  }

  /** Closes every idle connection (the stage ended: its databases keep no session of ours). */
  public void closeIdle() {
    List<Connection> out = new ArrayList<>();
    synchronized (this) {
      idle.values().forEach(q -> q.forEach(i -> out.add(i.connection())));
      idle.clear();
    }
    out.forEach(ConnectionPool::closeQuietly);
  }

  /** Idle connections, over all keys (tests). */
  synchronized int idleCount() {
    return idle.values().stream().mapToInt(Deque::size).sum();
  }

  /** Closes the connections idle for longer than the idle timeout. */
  void closeExpired() {
    long now = nanoClock.getAsLong();
    List<Connection> out = new ArrayList<>();
    synchronized (this) {
      for (Deque<Idle> q : idle.values()) {
        q.removeIf(
            i -> {
              boolean expired = now - i.since() >= idleTimeout.toNanos();
              if (expired) {
                out.add(i.connection());
              }
              return expired;
            });
      }
      idle.values().removeIf(Deque::isEmpty);
    }
    out.forEach(ConnectionPool::closeQuietly);
  }

  @Override
  public void close() {
    ScheduledExecutorService r;
    synchronized (this) {
      closed = true;
      r = reaper;
    }
    closeIdle();
    if (r != null) {
      r.shutdownNow();
    }
  }

  private static boolean valid(Connection c) {
    try {
      return c.isValid(VALID_CHECK_SECONDS);
    } catch (SQLException e) {
      return false;
    }
  }

  private static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException | RuntimeException e) {
      // a broken connection: nothing left to release on our side
    }
  }
}
