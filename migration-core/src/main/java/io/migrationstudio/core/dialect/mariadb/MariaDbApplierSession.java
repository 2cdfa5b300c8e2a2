package io.migrationstudio.core.dialect.mariadb;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The reverse applier's session on a MariaDB/MySQL source: how its writes pass the cutover's write
 * guards ({@link MariaDbWriteFreeze}) and stay out of the forward change stream.
 *
 * <p><b>One marker for both: the session's {@code server_id}.</b> The applier's session runs {@code
 * SET SESSION server_id = }{@value #SERVER_ID}. The guard triggers refuse a write unless
 * {@code @@session.server_id} is that value, and the server writes the session's server id into the
 * header of every binlog event of the session, so the forward binlog reader ({@code
 * BinlogChangeSource}) skips the row events with that server id instead of sending the applier's
 * writes back to the target. Setting the session's {@code server_id} needs {@code BINLOG REPLAY}
 * (MariaDB 10.5.2+; the privilege {@code mariadb-binlog} output needs) or {@code SUPER}:
 * application accounts have neither and get vendor code 1227 (measured on MariaDB 11.4 in {@code
 * MariaDbRollbackIT}), so the marker is no bypass for them; an account that holds it could as well
 * drop the triggers.
 *
 * <p>MySQL has no session {@code server_id} (vendor code 1228, not measured here): the applier
 * refuses a MySQL source with a clear error; it would need another marker there.
 *
 * <p>Not chosen: a user variable ({@code @studio_applier = 1}: any session may set one); the
 * account ({@code CURRENT_USER()}: the studio's account is often the application's); {@code
 * sql_log_bin = 0} (needs the same kind of privilege, and keeps the applier's writes from every
 * replica of the source too, which then silently diverge). The binlog events of the session carry
 * its GTID with server id {@value #SERVER_ID}; replicas apply them as usual (a replica skips only
 * events carrying its own server id, so no replica may use this one).
 *
 * <p>The session also pins what the applier relies on: {@code time_zone} UTC (the dialect's
 * connections already run in UTC; {@code timestamp} values are written as UTC instants whatever the
 * server's zone), a strict {@code sql_mode} (a value the column cannot hold fails naming the row
 * instead of being truncated; {@code 0} in an AUTO_INCREMENT key stays 0), and {@code
 * foreign_key_checks = 0}: whole target transactions arrive in commit order and the target checked
 * its own keys, as PostgreSQL's replica mode on a PostgreSQL source.
 */
public final class MariaDbApplierSession {
  /** The reverse applier's session {@code server_id} (0xC0DE5AFE): no real server should use it. */
  public static final long SERVER_ID = 0xC0DE5AFEL;

  /** The privilege the source user needs for the reverse applier, for messages. */
  public static final String GRANTS =
      "GRANT BINLOG REPLAY ON *.* TO <studio user> (MariaDB 10.5.2+; SUPER on older MariaDB),"
          + " plus SELECT, INSERT, UPDATE, DELETE on the tables in scope and CREATE,"
          + " SELECT, INSERT, UPDATE on the studio database";

  private MariaDbApplierSession() {}

  /** Whether a binlog event with header server id {@code serverId} was written by the applier. */
  public static boolean isApplier(long serverId) {
    return serverId == SERVER_ID;
  }

  /** Marks {@code source}'s session as the reverse applier's (see the class comment). */
  public static void enter(Connection source) throws SQLException {
    try (Statement s = source.createStatement()) {
      s.execute("SET SESSION server_id = " + SERVER_ID);
      s.execute("SET SESSION time_zone = '+00:00'");
      s.execute(
          "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_AUTO_VALUE_ON_ZERO,NO_ZERO_IN_DATE,"
              + "NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'");
      s.execute("SET SESSION foreign_key_checks = 0");
    } catch (SQLException e) {
      if (e.getErrorCode() == 1227) { // ER_SPECIFIC_ACCESS_DENIED_ERROR
        throw new MigrationException(
            ErrorCode.MISSING_OBJECT,
            "preparing the reverse applier's session on the source was refused (SQLState "
                + e.getSQLState()
                + ", vendor code 1227): it sets its session's server_id, which lets its writes"
                + " through the cutover's write guards and keeps them out of the forward stream;"
                + " grant the source user "
                + GRANTS,
            e);
      }
      if (e.getErrorCode() == 1228) { // ER_GLOBAL_VARIABLE: MySQL has no session server_id
        throw new MigrationException(
            ErrorCode.INVALID_SPEC,
            "the source does not let a session set its own server_id (vendor code 1228): it is"
                + " MySQL, where the reverse applier cannot mark its writes yet; reverse"
                + " replication works to PostgreSQL and MariaDB sources. Roll back by restoring the"
                + " source instead",
            e);
      }
      throw e;
    }
  }

  /** Ends the marking of {@link #enter} (the session's time zone stays UTC, as the dialect's). */
  public static void leave(Connection source) throws SQLException {
    try (Statement s = source.createStatement()) {
      s.execute(
          "SET SESSION server_id = DEFAULT, sql_mode = DEFAULT, foreign_key_checks = DEFAULT");
    }
  }
}
