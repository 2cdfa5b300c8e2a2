package io.migrationstudio.core.dialect;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.spec.MigrationSpec;
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
      MigrationSpec spec, Secrets secrets, String what, TargetWork<T> work) {
    Opened tgt = new Opened(Dialects.open(spec.target(), secrets, "target"), "target");
    return runThenClose(spec, what, () -> work.run(tgt.connection()), tgt);
  }

  /** {@link #onTarget}, with a read-only target session ({@link Dialects#openReadOnly}). */
  public static <T> T onTargetReadOnly(
      MigrationSpec spec, Secrets secrets, String what, TargetWork<T> work) {
    Opened tgt = new Opened(Dialects.openReadOnly(spec.target(), secrets, "target"), "target");
    return runThenClose(spec, what, () -> work.run(tgt.connection()), tgt);
  }

  /**
   * Opens the spec's source (read-only: no stage writes the source), then its target, runs {@code
   * work}, closes both.
   */
  public static <T> T onBoth(MigrationSpec spec, Secrets secrets, String what, PairWork<T> work) {
    return onBoth(spec, secrets, what, false, work);
  }

  /** {@link #onBoth}, with the target session read-only too (validation, replay, repair plans). */
  public static <T> T onBothReadOnly(
      MigrationSpec spec, Secrets secrets, String what, PairWork<T> work) {
    return onBoth(spec, secrets, what, true, work);
  }

  private static <T> T onBoth(
      MigrationSpec spec, Secrets secrets, String what, boolean targetReadOnly, PairWork<T> work) {
    Opened src = new Opened(Dialects.openReadOnly(spec.source(), secrets, "source"), "source");
    Opened tgt;
    try {
      tgt =
          new Opened(
              targetReadOnly
                  ? Dialects.openReadOnly(spec.target(), secrets, "target")
                  : Dialects.open(spec.target(), secrets, "target"),
              "target");
    } catch (RuntimeException e) {
      throw closeAfterFailure(e, src);
    }
    return runThenClose(spec, what, () -> work.run(src.connection(), tgt.connection()), tgt, src);
  }

  /**
   * {@link #onBoth} through {@code pool}: the source (read-only) and target connections are
   * borrowed, and handed back when {@code work} succeeded; any failure closes both (a connection is
   * never reused after an error). Failures are classified as {@link #onBoth} does.
   */
  public static <T> T onBothPooled(
      ConnectionPool pool, MigrationSpec spec, Secrets secrets, String what, PairWork<T> work) {
    ConnectionPool.Lease src = pool.borrow(spec.source(), secrets, "source", true);
    ConnectionPool.Lease tgt;
    try {
      tgt = pool.borrow(spec.target(), secrets, "target", false);
    } catch (RuntimeException e) {
      throw closeAfterFailure(e, new Opened(src.connection(), "source"));
    }
    Opened[] opened = {
      new Opened(tgt.connection(), "target"), new Opened(src.connection(), "source")
    };
    T result;
    try {
      result = work.run(src.connection(), tgt.connection());
    } catch (SQLException e) {
      throw closeAfterFailure(Dialects.forUrl(spec.target().url()).classify(e, what), opened);
    } catch (RuntimeException e) {
      throw closeAfterFailure(e, opened);
    } catch (Error e) {
      throw closeAfterFailure(e, opened);
    }
    ConnectionPool.Lease[] leases = {tgt, src};
    for (int i = 0; i < leases.length; i++) {
      try {
        pool.release(leases[i]);
      } catch (SQLException e) {
        MigrationException closing =
            closeFailure(e, "the " + opened[i].role() + " connection after " + what);
        throw closeAfterFailure(
            closing, java.util.Arrays.copyOfRange(opened, i + 1, opened.length));
      }
    }
    return result;
  }

  /**
   * {@link #onTarget} through {@code pool}: the target connection (the one {@link #onBothPooled}
   * borrows) is borrowed, and handed back when {@code work} succeeded, else closed.
   */
  public static <T> T onTargetPooled(
      ConnectionPool pool, MigrationSpec spec, Secrets secrets, String what, TargetWork<T> work) {
    ConnectionPool.Lease tgt = pool.borrow(spec.target(), secrets, "target", false);
    Opened opened = new Opened(tgt.connection(), "target");
    T result;
    try {
      result = work.run(tgt.connection());
    } catch (SQLException e) {
      throw closeAfterFailure(Dialects.forUrl(spec.target().url()).classify(e, what), opened);
    } catch (RuntimeException e) {
      throw closeAfterFailure(e, opened);
    } catch (Error e) {
      throw closeAfterFailure(e, opened);
    }
    try {
      pool.release(tgt);
    } catch (SQLException e) {
      throw closeFailure(e, "the target connection after " + what);
    }
    return result;
  }

  /**
   * A failure to close {@code which} (a connection named by its role and use): TRANSIENT_SQL, said
   * to be the close, so whoever runs the work again knows the work itself was not at fault.
   */
  public static MigrationException closeFailure(SQLException e, String which) {
    return new MigrationException(
        ErrorCode.TRANSIENT_SQL,
        "closing "
            + which
            + " failed: "
            + e.getMessage()
            + " (SQLState "
            + e.getSQLState()
            + "); the work itself completed",
        e);
  }

  /** A connection this frame opened, with its role for messages. */
  private record Opened(Connection connection, String role) {}

  @FunctionalInterface
  private interface Body<T> {
    T run() throws SQLException;
  }

  /** Runs {@code body}, then closes {@code opened} in order; failures as the class comment says. */
  private static <T> T runThenClose(
      MigrationSpec spec, String what, Body<T> body, Opened... opened) {
    T result;
    try {
      result = body.run();
    } catch (SQLException e) {
      throw closeAfterFailure(Dialects.forUrl(spec.target().url()).classify(e, what), opened);
    } catch (RuntimeException e) {
      throw closeAfterFailure(e, opened);
    } catch (Error e) {
      throw closeAfterFailure(e, opened);
    }
    for (int i = 0; i < opened.length; i++) {
      try {
        opened[i].connection().close();
      } catch (SQLException e) {
        MigrationException closing =
            closeFailure(e, "the " + opened[i].role() + " connection after " + what);
        throw closeAfterFailure(
            closing, java.util.Arrays.copyOfRange(opened, i + 1, opened.length));
      }
    }
    return result;
  }

  /** Closes {@code opened} after {@code failure}; their close failures become suppressed. */
  private static <E extends Throwable> E closeAfterFailure(E failure, Opened... opened) {
    for (Opened o : opened) {
      try {
        o.connection().close();
      } catch (SQLException | RuntimeException e) {
        failure.addSuppressed(e);
      }
    }
    return failure;
  }
}
