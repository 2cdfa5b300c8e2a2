package io.migrationstudio.core.cdc.apply;

import io.migrationstudio.core.cdc.StreamPosition;
import io.migrationstudio.core.copy.TargetSchema;
import io.migrationstudio.core.dialect.Dialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;

/**
 * The stream positions the target holds, {@code <studio>.stream_position}: one row per capture (the
 * migration's slot or binlog reader), written in the same target transaction as the changes it
 * covers, so the position and the applied rows commit or vanish together.
 */
public final class StreamPositions {
  private final String table;

  public StreamPositions(Dialect target, String studioSchema) {
    this.table = target.qualify(studioSchema, "stream_position");
  }

  /** What one capture's row holds. */
  public record Stored(
      String capture,
      StreamPosition position,
      long transactions,
      long changes,
      Instant lastCommitTime,
      Instant updatedAt) {}

  public String table() {
    return table;
  }

  /** The capture's row, or empty before its first batch. */
  public Optional<Stored> read(Connection target, String capture) throws SQLException {
    return read(target, capture, "");
  }

  /**
   * Locks the capture's row for this transaction (created empty when missing) and returns its
   * position, or null when nothing was applied yet. A second applier of the same capture waits here
   * until the first commits or rolls back, then sees its position.
   */
  StreamPosition lock(Connection target, String capture) throws SQLException {
    return lockStored(target, capture).map(Stored::position).orElse(null);
  }

  /** {@link #lock}, returning the whole row (its position null before the first batch). */
  Optional<Stored> lockStored(Connection target, String capture) throws SQLException {
    try (PreparedStatement ps =
        target.prepareStatement(
            "INSERT INTO " + table + " (capture) VALUES (?) ON CONFLICT (capture) DO NOTHING")) {
      ps.setString(1, capture);
      ps.executeUpdate();
    }
    return read(target, capture, " FOR UPDATE");
  }

  /** Advances the capture's row (locked by {@link #lock}) in the current transaction. */
  void advance(
      Connection target,
      String capture,
      StreamPosition position,
      long transactions,
      long changes,
      Instant lastCommit)
      throws SQLException {
    try (PreparedStatement ps =
        target.prepareStatement(
            "UPDATE "
                + table
                + " SET position = ?, transactions = transactions + ?, changes = changes + ?,"
                + " last_commit_time = ?, updated_at = now() WHERE capture = ?")) {
      ps.setString(1, position.text());
      ps.setLong(2, transactions);
      ps.setLong(3, changes);
      ps.setObject(4, lastCommit.atOffset(ZoneOffset.UTC));
      ps.setString(5, capture);
      ps.executeUpdate();
    }
  }

  /** Creates the table when missing (prepareTarget creates it with the ledger). */
  void create(Connection target, Dialect dialect, String studioSchema) throws SQLException {
    try (Statement st = target.createStatement()) {
      st.execute(TargetSchema.streamPositionStatement(dialect, studioSchema));
    }
  }

  private Optional<Stored> read(Connection target, String capture, String lock)
      throws SQLException {
    try (PreparedStatement ps =
        target.prepareStatement(
            "SELECT position, transactions, changes, last_commit_time, updated_at FROM "
                + table
                + " WHERE capture = ?"
                + lock)) {
      ps.setString(1, capture);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        String p = rs.getString(1);
        return Optional.of(
            new Stored(
                capture,
                p == null ? null : StreamPosition.parse(p),
                rs.getLong(2),
                rs.getLong(3),
                instant(rs.getObject(4, OffsetDateTime.class)),
                instant(rs.getObject(5, OffsetDateTime.class))));
      }
    }
  }

  private static Instant instant(OffsetDateTime t) {
    return t == null ? null : t.toInstant();
  }
}
