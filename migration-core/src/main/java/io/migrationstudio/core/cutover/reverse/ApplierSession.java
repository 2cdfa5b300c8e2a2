package io.migrationstudio.core.cutover.reverse;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The reverse applier's session on a PostgreSQL source: how its writes pass the cutover's write
 * guards, which refuse every application write, and how they are tagged so that no forward stream
 * carries them back.
 *
 * <p><b>Through the guards: {@code session_replication_role = replica}.</b> The guards are ordinary
 * ({@code ENABLE ORIGIN}) triggers, which do not fire in a session in replica mode; that is how
 * PostgreSQL's own logical replication applies changes. Setting it needs superuser or, from
 * PostgreSQL 15, {@code GRANT SET ON PARAMETER session_replication_role} — application roles have
 * neither and get SQLState 42501 when they try (measured in {@code RollbackServiceIT}). Replica
 * mode also keeps the source's own triggers (audit rows, {@code last_update} columns) and foreign
 * key checks from firing a second time for rows the target already computed and checked: the
 * applier applies whole target transactions in commit order, as logical replication does. A guard
 * that let sessions with a replication origin through ({@code
 * pg_replication_origin_session_is_setup()} in the trigger function) would need the same kind of
 * grant but fire every other trigger again, so it was not chosen; a session setting ({@code SET
 * studio.bypass = on}) was not either: any session may set a custom setting.
 *
 * <p><b>Tagged: a replication origin named as the forward capture.</b> {@code
 * pg_replication_origin_session_setup(name)} marks every transaction of the session with origin
 * {@code name} in the WAL; the forward stream of slot {@code name} skips that origin's transactions
 * ({@code PgOutputDecoder}), so a forward stream started again after a rollback does not send the
 * reverse applier's writes back to the target. Only that origin is skipped, not every origin
 * ({@code origin = none} would also drop the changes of a subscription replicating into the
 * source). Needs superuser or {@code GRANT EXECUTE} on {@code pg_replication_origin_create(text)}
 * and {@code pg_replication_origin_session_setup(text)}. One session at a time can use an origin
 * (SQLState 55006 for a second): a second applier of the same migration fails instead of
 * interleaving.
 */
final class ApplierSession {
  private ApplierSession() {}

  /** The privileges the source user needs for the reverse applier, for messages. */
  static final String GRANTS =
      "superuser, or GRANT SET ON PARAMETER session_replication_role TO <studio user> and GRANT"
          + " EXECUTE ON FUNCTION pg_replication_origin_create(text),"
          + " pg_replication_origin_session_setup(text), pg_replication_origin_drop(text) TO"
          + " <studio user>";

  /** Creates origin {@code origin} on the source unless it exists. */
  static void createOrigin(Connection source, String origin) throws SQLException {
    boolean auto = source.getAutoCommit();
    source.setAutoCommit(true);
    try (PreparedStatement ps =
        source.prepareStatement(
            "SELECT pg_replication_origin_create(?) WHERE NOT EXISTS"
                + " (SELECT 1 FROM pg_replication_origin WHERE roname = ?)")) {
      ps.setString(1, origin);
      ps.setString(2, origin);
      ps.execute();
    } catch (SQLException e) {
      throw privileges(e, "creating replication origin " + origin);
    } finally {
      source.setAutoCommit(auto);
    }
  }

  /**
   * Puts {@code source} in replica mode (the write guards and the source's triggers do not fire)
   * and tags its transactions with origin {@code origin}.
   */
  static void enter(Connection source, String origin) throws SQLException {
    boolean auto = source.getAutoCommit();
    source.setAutoCommit(true);
    try (Statement s = source.createStatement()) {
      s.execute("SET session_replication_role = replica");
      try (PreparedStatement ps =
          source.prepareStatement("SELECT pg_replication_origin_session_setup(?)")) {
        ps.setString(1, origin);
        ps.execute();
      }
    } catch (SQLException e) {
      throw privileges(
          e, "preparing the reverse applier's session (replica mode, origin " + origin + ")");
    } finally {
      source.setAutoCommit(auto);
    }
  }

  /** Drops origin {@code origin} if it exists (no session may be using it). */
  /**
   * Whether origin {@code origin} is on the source; false for an account that may not read {@code
   * pg_replication_origin} (SQLState 42501): {@link #createOrigin} reads it too, so such an account
   * made none (a migration without a reverse stream needs no grant for its decommission).
   */
  static boolean originExists(Connection source, String origin) throws SQLException {
    try (PreparedStatement ps =
        source.prepareStatement("SELECT 1 FROM pg_replication_origin WHERE roname = ?")) {
      ps.setString(1, origin);
      try (java.sql.ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    } catch (SQLException e) {
      if ("42501".equals(e.getSQLState())) {
        return false;
      }
      throw e;
    }
  }

  static void dropOrigin(Connection source, String origin) throws SQLException {
    try (PreparedStatement ps =
        source.prepareStatement(
            "SELECT pg_replication_origin_drop(roname) FROM pg_replication_origin"
                + " WHERE roname = ?")) {
      ps.setString(1, origin);
      ps.execute();
    } catch (SQLException e) {
      throw privileges(e, "dropping replication origin " + origin);
    }
  }

  private static SQLException privileges(SQLException e, String what) {
    if (!"42501".equals(e.getSQLState())) {
      return e;
    }
    throw new MigrationException(
        ErrorCode.MISSING_OBJECT,
        what
            + " on the source was refused (SQLState 42501): the reverse applier writes through the"
            + " cutover's write guards in replica mode and tags its writes with a replication"
            + " origin; grant the source user "
            + GRANTS,
        e);
  }
}
