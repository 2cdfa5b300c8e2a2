package io.migrationstudio.core.throttle;

import io.migrationstudio.contracts.spec.MigrateOptions;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.spec.SourceLoadGuard;
import io.migrationstudio.core.copy.ChunkProgress;
import io.migrationstudio.core.dialect.Connections;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.dialect.Secrets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The throttles of one chunk copy, from the spec's {@code migrate.max_rows_per_second} and {@code
 * migrate.source_load_guard}. The guard looks at the source through its own connection (opened only
 * when the guard is on, closed with this object), since the chunk's source connection is busy
 * streaming. The rate limiter comes from the worker's {@link Limiters}, so all chunks of one worker
 * process share the cap.
 */
public final class Throttles implements AutoCloseable {
  /** The rate limiters of one worker process, one per configured rate. */
  public static final class Limiters {
    private final ConcurrentHashMap<Long, RowRateLimiter> byRate = new ConcurrentHashMap<>();

    RowRateLimiter forRate(long rowsPerSecond) {
      return byRate.computeIfAbsent(rowsPerSecond, r -> new RowRateLimiter(r, Pacer.SYSTEM));
    }
  }

  private final Supplier<RowRateLimiter> limiter;
  private final LoadGuard guard;
  private final Connection guardConnection;

  private Throttles(Supplier<RowRateLimiter> limiter, LoadGuard guard, Connection guardConnection) {
    this.limiter = limiter;
    this.guard = guard;
    this.guardConnection = guardConnection;
  }

  /** The throttles {@code spec} asks for (none: a pass-through). */
  public static Throttles open(MigrationSpec spec, Secrets secrets, Limiters limiters) {
    return open(spec, secrets, limiters, null);
  }

  /**
   * The throttles {@code spec} asks for, the rate cap following {@code liveRate} while the chunk
   * copies ({@code studio throttle}): it gives the cap in force at each progress call, null for the
   * spec's, 0 for none. A null {@code liveRate}: the spec's cap throughout.
   */
  public static Throttles open(
      MigrationSpec spec, Secrets secrets, Limiters limiters, Supplier<Long> liveRate) {
    MigrateOptions m = spec.migrate();
    Long specRate = m.maxRowsPerSecond();
    Supplier<RowRateLimiter> limiter;
    if (liveRate != null) {
      limiter =
          () -> {
            Long live = liveRate.get();
            long rate = live != null ? live : specRate == null ? 0 : specRate;
            return rate > 0 ? limiters.forRate(rate) : null;
          };
    } else {
      RowRateLimiter fixed = specRate == null ? null : limiters.forRate(specRate);
      limiter = fixed == null ? null : () -> fixed;
    }
    SourceLoadGuard g = m.sourceLoadGuard();
    Dialect dialect = Dialects.forUrl(spec.source().url());
    if (g == null || g.maxActiveSessions() == null || dialect.sessionList().isEmpty()) {
      return new Throttles(limiter, null, null);
    }
    Connection c = Dialects.openReadOnly(spec.source(), secrets, "source");
    LoadGuard guard =
        new LoadGuard(
            g.maxActiveSessions(),
            g.backoffDuration(),
            // the spec's schema, else the dialect's default (MySQL: the database of the URL)
            LoadGuard.of(dialect.sessionList().get(), c, Dialects.schemaOf(spec.source())),
            Pacer.SYSTEM);
    return new Throttles(limiter, guard, c);
  }

  /**
   * {@code progress} throttled; waits first (heartbeating) while the source-load guard says the
   * source is too busy, so a chunk does not even start reading then.
   */
  public ChunkProgress wrap(ChunkProgress progress) {
    if (limiter == null && guard == null) {
      return progress;
    }
    if (guard != null) {
      new ThrottledProgress(progress, null, guard, Pacer.SYSTEM).awaitCalmNow();
    }
    return ThrottledProgress.following(
        progress, limiter == null ? () -> null : limiter, guard, Pacer.SYSTEM);
  }

  /** The guard, when on (for logs and tests). */
  public LoadGuard guard() {
    return guard;
  }

  /** Closes the guard's source connection; a failure there is a close failure, said as such. */
  @Override
  public void close() {
    if (guardConnection != null) {
      try {
        guardConnection.close();
      } catch (SQLException e) {
        throw Connections.closeFailure(e, "the source connection of migrate.source_load_guard");
      }
    }
  }
}
