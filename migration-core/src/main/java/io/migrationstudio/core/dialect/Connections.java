package io.migrationstudio.core.dialect;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.core.spec.SecretResolver;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * The connection frame of every stage activity, written once: open the target (and the source), run
 * the work, close. Failures come out classified, each for what it is:
 *
 * <ul>
 *   <li>opening: by the dialect, for {@link ConnectPhase#DURING_STAGE} (see {@link Dialects#open});
 *   <li>a {@link SQLException} the work lets escape (a query on the target, e.g. the ledger): by
 *       the target's dialect, by SQLState, naming {@code what}; work on the source classifies its
 *       own failures with the source's dialect;
 *   <li>closing, after the work succeeded: {@code TRANSIENT_SQL} saying it was the close, so the
 *       activity runs again (its work is idempotent). When the work failed, its failure wins and
 *       the close failure is attached to it as suppressed.
 * </ul>
 */
public final class Connections {
  private Connections() {}

  /** Work on the target connection. */
  @FunctionalInterface
  public interface TargetWork<T> {
    T run(Connection target) throws SQLException;
  }

  /** Work on the source and the target connections. */
  @FunctionalInterface
  public interface PairWork<T> {
    T run(Connection source, Connection target) throws SQLException;
  }

  /** Opens the spec's target, runs {@code work} ({@code what}: what it does, for messages). */
  public static <T> T onTarget(
      MigrationSpec spec, SecretResolver secrets, String what, TargetWork<T> work) {
    Dialect target = Dialects.forUrl(spec.target().url());
    Connection tgt = Dialects.open(spec.target(), secrets, "target");
    T result;
    try {
      result = work.run(tgt);
    } catch (SQLException e) {
      throw closeAfterFailure(target.classify(e, what), tgt);
    } catch (RuntimeException e) {
      throw closeAfterFailure(e, tgt);
    } catch (Error e) {
      throw closeAfterFailure(e, tgt);
    }
    close(tgt, "target", what);
    return result;
  }

  /** Opens the spec's source, then its target, runs {@code work}, closes both. */
  public static <T> T onBoth(
      MigrationSpec spec, SecretResolver secrets, String what, PairWork<T> work) {
    Dialect target = Dialects.forUrl(spec.target().url());
    Connection src = Dialects.open(spec.source(), secrets, "source");
    Connection tgt;
    try {
      tgt = Dialects.open(spec.target(), secrets, "target");
    } catch (RuntimeException e) {
      throw closeAfterFailure(e, src);
    }
    T result;
    try {
      result = work.run(src, tgt);
    } catch (SQLException e) {
      throw closeAfterFailure(target.classify(e, what), tgt, src);
    } catch (RuntimeException e) {
      throw closeAfterFailure(e, tgt, src);
    } catch (Error e) {
      throw closeAfterFailure(e, tgt, src);
    }
    try {
      close(tgt, "target", what);
    } catch (MigrationException e) {
      throw closeAfterFailure(e, src);
    }
    close(src, "source", what);
    return result;
  }

  private static void close(Connection c, String role, String what) {
    try {
      c.close();
    } catch (SQLException e) {
      throw new MigrationException(
          ErrorCode.TRANSIENT_SQL,
          "closing the "
              + role
              + " connection after "
              + what
              + " failed: "
              + e.getMessage()
              + " (SQLState "
              + e.getSQLState()
              + "); the work itself completed and is run again",
          e);
    }
  }

  /** Closes {@code connections} after {@code failure}; their close failures become suppressed. */
  private static <E extends Throwable> E closeAfterFailure(E failure, Connection... connections) {
    for (Connection c : connections) {
      try {
        c.close();
      } catch (SQLException | RuntimeException e) {
        failure.addSuppressed(e);
      }
    }
    return failure;
  }
}
