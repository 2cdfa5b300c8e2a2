package io.migrationstudio.core.cdc;

import io.migrationstudio.contracts.spec.ConnectionSpec;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * A source engine's change capture, offered by its dialect ({@code Dialect.changeCapture()}). One
 * capture is named by the migration ({@code name}: the slot and publication on PostgreSQL) and
 * covers the tables in scope ({@code tables}: qualified source names as the mapping's {@code
 * TableMapping.source()} spells them).
 *
 * <p>The hand-off from copy to stream: {@link #prepare} runs before the first chunk is read; each
 * chunk reads in a transaction begun by {@link #beginChunkRead}, whose {@link ChunkSnapshot} the
 * chunk ledger records; the applier applies a streamed change to a row only when the snapshot of
 * the chunk holding that row does not {@linkplain ChunkSnapshot#includes include} its transaction.
 */
public interface ChangeCapture {
  /**
   * Creates what the stream needs for {@code tables} (PostgreSQL: publication and logical slot;
   * MariaDB: nothing beyond checks) and returns the position the stream starts from. Idempotent: a
   * capture of this name that exists already is kept and its position returned.
   */
  StreamPosition prepare(Connection source, String name, List<String> tables) throws SQLException;

  /**
   * Begins the read transaction of one chunk on {@code source} (auto-commit off) so that all its
   * reads see one consistent state, and returns what that state holds.
   */
  ChunkSnapshot beginChunkRead(Connection source) throws SQLException;

  /**
   * Begins a read transaction on {@code reader} (auto-commit off) whose snapshot holds exactly the
   * source transactions committed at or below the returned position, and none after it: what a
   * validation compares with a target the stream brought to that same position. PostgreSQL exports
   * the snapshot of a temporary logical slot (its consistent point is the position); MariaDB takes
   * a consistent snapshot with its binlog position. Empty when the engine cannot tie a snapshot to
   * a position.
   */
  default java.util.Optional<StreamPosition> beginPositionedRead(
      ConnectionSpec source, io.migrationstudio.core.dialect.Secrets secrets, Connection reader)
      throws SQLException {
    return java.util.Optional.empty();
  }

  /** The source's current end of log. */
  StreamPosition head(Connection source) throws SQLException;

  /**
   * An end position for a drain (the cutover's marker, read after the freeze): every transaction
   * committed before this call is at or below it, and the stream delivers a transaction at or past
   * it even when the source is idle afterwards. By default the {@link #head}, for sources whose
   * stream reports idle-time positions itself (MariaDB's heartbeat events); PostgreSQL writes a
   * logical message labelled {@code label}.
   */
  default StreamPosition endMarker(Connection source, String label) throws SQLException {
    return head(source);
  }

  /**
   * Opens a reader of capture {@code name} delivering transactions committed after {@code from} (a
   * reader may deliver some at or before it again; the applier skips them).
   */
  ChangeSource open(
      ConnectionSpec source,
      io.migrationstudio.core.dialect.Secrets secrets,
      String name,
      List<String> tables,
      StreamPosition from)
      throws SQLException;

  /**
   * The bytes of log the source keeps for capture {@code name} whose target holds {@code applied}:
   * PostgreSQL the WAL the slot retains, MariaDB the binlog from {@code applied} to the end (the
   * server keeps it by its own retention, not for the capture, but it is what the stream still has
   * to read); empty where the engine cannot tell.
   */
  default java.util.Optional<Long> retainedBytes(
      Connection source, String name, StreamPosition applied) throws SQLException {
    return java.util.Optional.empty();
  }

  /**
   * The log the source keeps for capture {@code name} whose target holds {@code applied} ({@link
   * #retainedBytes}), with a warning when it puts the source's disk or the stream at risk by the
   * engine's own rule: PostgreSQL a slot retaining more than {@code limits}' bound or about to lose
   * WAL ({@code wal_status}); MariaDB a binlog file the stream needs purged or close to the
   * server's expiry. By default the bytes alone, never a warning.
   */
  default java.util.Optional<LogRetention> retention(
      Connection source, String name, StreamPosition applied, LogRetention.Limits limits)
      throws SQLException {
    return retainedBytes(source, name, applied).map(b -> new LogRetention(b, null));
  }

  /** Drops what {@link #prepare} created; nothing when it is gone already. */
  void drop(Connection source, String name) throws SQLException;

  /**
   * What of capture {@code name} is still on the database, one entry per object ({@code slot X},
   * {@code publication X}); empty when nothing is left or the engine keeps nothing per capture
   * (MariaDB reads the server's binlog). The decommission lists and checks these.
   */
  default java.util.List<String> leftovers(Connection c, String name) throws SQLException {
    return java.util.List.of();
  }
}
