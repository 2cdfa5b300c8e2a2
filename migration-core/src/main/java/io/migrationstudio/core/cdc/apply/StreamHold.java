package io.migrationstudio.core.cdc.apply;

import io.migrationstudio.core.cdc.SourceTransaction;
import io.migrationstudio.core.cdc.StreamPosition;
import io.migrationstudio.core.dialect.Dialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A request to hold a running change stream at a source position, {@code <studio>.stream_hold}: one
 * row per capture, written by a validation that wants the target at exactly the state of a source
 * snapshot, read by the stream's slices before every batch ({@link StreamService#applySlice}).
 *
 * <p>The protocol (validator on the left, the stream's applier on the right):
 *
 * <ol>
 *   <li>{@link #request}: a hold without a position. The applier applies nothing more and answers
 *       with the position the target holds ({@link #reach}); everything it applied so far committed
 *       on the source before the validator's snapshot is taken.
 *   <li>The validator opens its source snapshot, which holds exactly the transactions committed at
 *       or below a position {@code P}, and sets it ({@link #until}).
 *   <li>The applier applies every transaction at or below {@code P}, keeps the first one past it
 *       (and what follows) in memory unapplied, and answers with its position: the target now holds
 *       exactly the source snapshot's transactions.
 *   <li>The validator begins its target transaction (the target's snapshot is fixed from its first
 *       read), then {@link #release}s the hold: the stream goes on while both sides are hashed.
 * </ol>
 *
 * A hold older than {@link #EXPIRES_SECONDS} is ignored, so a validator that died never stops the
 * stream for longer. The transactions a slice kept unapplied were not confirmed to the source: if
 * the slice ends, the next one reads them again from the stored position.
 */
public final class StreamHold {
  /** After this long without being released, a hold no longer stops the stream. */
  public static final int EXPIRES_SECONDS = 120;

  private final String table;

  public StreamHold(Dialect target, String studioSchema) {
    this.table = target.qualify(studioSchema, "stream_hold");
  }

  /**
   * A live hold: {@code until} null while the validator opens its snapshot (apply nothing), else
   * the last source position to apply; {@code reached} the position the applier answered with, or
   * null.
   */
  public record Hold(StreamPosition until, StreamPosition reached) {}

  /** Creates the table when missing (a target prepared before holds existed). */
  public void create(Connection target) throws SQLException {
    try (Statement st = target.createStatement()) {
      st.execute(
          "CREATE TABLE IF NOT EXISTS "
              + table
              + " (capture text PRIMARY KEY, until_position text, reached text,"
              + " requested_at timestamptz NOT NULL DEFAULT now())");
    } catch (SQLException e) {
      // two sessions creating it at once: one of them wins, the table is there; the loser fails
      // on the unique index of pg_type or pg_class (23505), or names the relation (42P07) or its
      // row type (42710, "type ... already exists": seen in CI)
      if (!"23505".equals(e.getSQLState())
          && !"42P07".equals(e.getSQLState())
          && !"42710".equals(e.getSQLState())) {
        throw e;
      }
    }
  }

  /** Asks the stream of {@code capture} to apply nothing more (step 1). */
  public void request(Connection target, String capture) throws SQLException {
    update(
        target,
        "INSERT INTO "
            + table
            + " (capture) VALUES (?) ON CONFLICT (capture) DO UPDATE SET until_position = NULL,"
            + " reached = NULL, requested_at = now()",
        capture);
  }

  /** Lets the stream apply up to {@code position} and no further (step 2). */
  public void until(Connection target, String capture, StreamPosition position)
      throws SQLException {
    try (PreparedStatement ps =
        target.prepareStatement(
            "UPDATE " + table + " SET until_position = ?, reached = NULL WHERE capture = ?")) {
      ps.setString(1, position.text());
      ps.setString(2, capture);
      if (ps.executeUpdate() != 1) {
        throw new IllegalStateException("the hold of capture " + capture + " is gone");
      }
    }
  }

  /** Ends the hold: the stream applies on. */
  public void release(Connection target, String capture) throws SQLException {
    update(target, "DELETE FROM " + table + " WHERE capture = ?", capture);
  }

  /** The capture's live hold, if any (expired ones are ignored). */
  public Optional<Hold> read(Connection target, String capture) throws SQLException {
    try (PreparedStatement ps =
        target.prepareStatement(
            "SELECT until_position, reached FROM "
                + table
                + " WHERE capture = ? AND requested_at > now() - make_interval(secs => "
                + EXPIRES_SECONDS
                + ")")) {
      ps.setString(1, capture);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        String until = rs.getString(1);
        String reached = rs.getString(2);
        return Optional.of(
            new Hold(
                until == null ? null : StreamPosition.parse(until),
                reached == null ? null : StreamPosition.parse(reached)));
      }
    }
  }

  /** The applier's answer: the target holds {@code position} under the hold {@code hold}. */
  public void reach(Connection target, String capture, Hold hold, StreamPosition position)
      throws SQLException {
    try (PreparedStatement ps =
        target.prepareStatement(
            "UPDATE "
                + table
                + " SET reached = ? WHERE capture = ? AND reached IS NULL AND until_position"
                + (hold.until() == null ? " IS NULL" : " = ?"))) {
      ps.setString(1, position.text());
      ps.setString(2, capture);
      if (hold.until() != null) {
        ps.setString(3, hold.until().text());
      }
      ps.executeUpdate();
    }
  }

  /**
   * The transactions of {@code batch} the stream may apply under {@code hold} (its prefix at or
   * below the hold's position; none while the position is not set yet); the others are added to
   * {@code kept}, in order.
   */
  static List<SourceTransaction> split(
      List<SourceTransaction> batch, Hold hold, List<SourceTransaction> kept) {
    List<SourceTransaction> apply = new ArrayList<>();
    for (SourceTransaction t : batch) {
      if (kept.isEmpty() && hold.until() != null && t.commit().compareTo(hold.until()) <= 0) {
        apply.add(t);
      } else {
        kept.add(t);
      }
    }
    return apply;
  }

  private static void update(Connection target, String sql, String capture) throws SQLException {
    try (PreparedStatement ps = target.prepareStatement(sql)) {
      ps.setString(1, capture);
      ps.executeUpdate();
    }
  }
}
