package io.migrationstudio.core.dialect.postgres;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.spec.ConnectionSpec;
import io.migrationstudio.core.cdc.ChangeSource;
import io.migrationstudio.core.cdc.SourceTransaction;
import io.migrationstudio.core.cdc.StreamPosition;
import io.migrationstudio.core.dialect.ConnectPhase;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.dialect.Secrets;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;

/**
 * One walsender stream of a capture's slot, read with pgjdbc's replication API and decoded by
 * {@link PgOutputDecoder}.
 *
 * <p>The slot's confirmed position moves only in {@link #confirm}, which the applier calls after
 * its target transaction committed; pgjdbc's automatic flush is off so that nothing else moves it
 * (pgjdbc 42.7 would, on a keepalive, report the server's position as flushed once the client had
 * flushed everything it received: harmless today, but a rule of the driver's, not ours). A source
 * whose writes all miss the captured tables sends no transactions, so nothing is confirmed and the
 * slot holds its WAL: the heartbeat ({@link PostgresChangeCapture#emitHeartbeat}) arrives as a
 * transaction the applier confirms like any other. Transactions at or below the start position are
 * dropped here (the server may resend them after a reconnect); the applier skips any others it
 * already holds. Transactions written under the replication origin named as the capture (the
 * studio's own reverse applier, {@code core.cutover.reverse}) arrive empty: the stream never
 * carries the studio's own writes back (not {@code origin = none}, which would also drop the writes
 * of any other replication into this database).
 */
final class PgChangeStream implements ChangeSource {
  /**
   * How often pgjdbc reports the confirmed position without being asked (a 34-byte message; it also
   * tells the server the client is alive, well within {@code wal_sender_timeout}).
   */
  static final int STATUS_INTERVAL_SECONDS = 2;

  /** How long {@link #poll} sleeps while nothing is pending. */
  private static final long IDLE_SLEEP_MILLIS = 10;

  private static final PostgresDialect DIALECT = new PostgresDialect();

  private final ConnectionSpec spec;
  private final String name;
  private final Secrets secrets;
  private final Connection replication;
  private final PGReplicationStream stream;
  private final PgOutputDecoder decoder;
  private final long from;
  private Connection query;

  private PgChangeStream(
      ConnectionSpec spec,
      String name,
      Secrets secrets,
      Connection replication,
      PGReplicationStream stream,
      PgOutputDecoder decoder,
      long from) {
    this.spec = spec;
    this.name = name;
    this.secrets = secrets;
    this.replication = replication;
    this.stream = stream;
    this.decoder = decoder;
    this.from = from;
  }

  /**
   * Starts streaming slot {@code name} (publication {@code name}) after {@code from} (null: from
   * the slot's confirmed position).
   */
  static PgChangeStream open(
      ConnectionSpec spec, Secrets secrets, String name, String schema, StreamPosition.PgLsn from)
      throws SQLException {
    Connection replication = replicationConnection(spec, secrets);
    try {
      // loop prevention: an applier writing into this database for the way back tags its
      // session with the replication origin named as this capture; its writes are not carried
      PgOutputDecoder decoder = new PgOutputDecoder(schema, name);
      PostgresChangeCapture.expectRecordedShapes(replication, name, decoder);
      PGReplicationStream stream =
          replication
              .unwrap(PGConnection.class)
              .getReplicationAPI()
              .replicationStream()
              .logical()
              .withSlotName(name)
              .withStartPosition(
                  from == null
                      ? LogSequenceNumber.INVALID_LSN
                      : LogSequenceNumber.valueOf(from.value()))
              .withSlotOption("proto_version", "1")
              .withSlotOption("publication_names", name)
              .withSlotOption("messages", "true")
              .withStatusInterval(STATUS_INTERVAL_SECONDS, TimeUnit.SECONDS)
              .withAutomaticFlush(false)
              .start();
      return new PgChangeStream(
          spec, name, secrets, replication, stream, decoder, from == null ? 0 : from.value());
    } catch (SQLException e) {
      closeAfter(e, replication);
      if ("55006".equals(e.getSQLState())) {
        // another walsender still holds the slot: a worker that died may hold it until the server
        // notices (wal_sender_timeout); a later attempt gets it
        throw Dialect.sqlFailure(
            ErrorCode.TRANSIENT_SQL,
            e,
            "starting the change stream of slot " + name,
            "another connection streams this slot; it is free once that one ends");
      }
      throw DIALECT.classify(e, "starting the change stream of slot " + name);
    } catch (RuntimeException e) {
      closeAfter(e, replication);
      throw e;
    }
  }

  private static void closeAfter(Exception failure, Connection c) {
    try {
      c.close();
    } catch (SQLException closing) {
      failure.addSuppressed(closing);
    }
  }

  /**
   * A walsender connection ({@code replication=database}; it speaks the simple query protocol
   * only). Needs the REPLICATION attribute (or superuser) and a {@code pg_hba.conf} line that
   * allows it.
   */
  static Connection replicationConnection(ConnectionSpec spec, Secrets secrets) {
    Properties props = new Properties();
    if (spec.user() != null) {
      PGProperty.USER.set(props, spec.user());
    }
    String password = secrets.resolve(spec.password(), "source.password");
    if (password != null) {
      PGProperty.PASSWORD.set(props, password);
    }
    PGProperty.REPLICATION.set(props, "database");
    PGProperty.ASSUME_MIN_SERVER_VERSION.set(props, "10");
    PGProperty.PREFER_QUERY_MODE.set(props, "simple");
    PGProperty.CONNECT_TIMEOUT.set(props, 10);
    try {
      return DriverManager.getConnection(spec.url(), props);
    } catch (SQLException e) {
      throw Dialects.forUrl(spec.url())
          .classifyConnectFailure(
              e,
              "the replication connection to the source " + MigrationException.redact(spec.url()),
              ConnectPhase.DURING_STAGE);
    }
  }

  /**
   * Whole transactions as {@link ChangeSource#poll} says; a transaction begun but not yet committed
   * in the stream stays in the decoder for the next poll. A failure of the stream comes out
   * classified (a terminated walsender or lost connection: TRANSIENT_SQL).
   */
  @Override
  public List<SourceTransaction> poll(Duration wait, int maxChanges) throws InterruptedException {
    try {
      return read(wait, maxChanges);
    } catch (SQLException e) {
      throw DIALECT.classify(e, "reading the change stream of slot " + name);
    }
  }

  private List<SourceTransaction> read(Duration wait, int maxChanges)
      throws SQLException, InterruptedException {
    List<SourceTransaction> out = new ArrayList<>();
    int changes = 0;
    long deadline = System.nanoTime() + wait.toNanos();
    while (changes < maxChanges) {
      ByteBuffer message = stream.readPending();
      if (message == null) {
        long left = deadline - System.nanoTime();
        if (!out.isEmpty() || left <= 0) {
          break;
        }
        Thread.sleep(Math.min(IDLE_SLEEP_MILLIS, TimeUnit.NANOSECONDS.toMillis(left) + 1));
        continue;
      }
      Optional<SourceTransaction> tx = decoder.decode(message);
      if (tx.isPresent() && Long.compareUnsigned(lsn(tx.get()), from) > 0) {
        out.add(tx.get());
        changes += tx.get().changes().size();
      }
    }
    return out;
  }

  private static long lsn(SourceTransaction tx) {
    return ((StreamPosition.PgLsn) tx.commit()).value();
  }

  /** Reports {@code position} as flushed and applied at once: the slot may move to it. */
  @Override
  public void confirm(StreamPosition position) {
    LogSequenceNumber lsn = LogSequenceNumber.valueOf(((StreamPosition.PgLsn) position).value());
    stream.setFlushedLSN(lsn);
    stream.setAppliedLSN(lsn);
    try {
      stream.forceUpdateStatus();
    } catch (SQLException e) {
      throw DIALECT.classify(e, "confirming " + position.text() + " to slot " + name);
    }
  }

  /** {@code pg_current_wal_insert_lsn()} on an ordinary session (the stream's own is busy). */
  @Override
  public StreamPosition head() throws SQLException {
    if (query == null || query.isClosed()) {
      query = Dialects.openReadOnly(spec, secrets, "source");
    }
    return StreamPosition.PgLsn.parse(
        Dialect.queryString(query, "SELECT pg_current_wal_insert_lsn()::text"));
  }

  @Override
  public void close() throws SQLException {
    SQLException failure = null;
    for (AutoCloseable c : new AutoCloseable[] {stream, replication, query}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        if (failure == null) {
          failure = e instanceof SQLException s ? s : new SQLException(e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
