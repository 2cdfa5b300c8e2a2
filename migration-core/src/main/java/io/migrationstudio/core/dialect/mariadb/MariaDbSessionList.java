package io.migrationstudio.core.dialect.mariadb;

import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.SessionRows;
import io.migrationstudio.core.schema.ConsumerInfo;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Client sessions on the database from {@code information_schema.PROCESSLIST}: not this connection
 * nor the ones named as the looker's own ({@code CONNECTION_ID()}), only those whose current
 * database is {@code schema} (this connection's current database when {@code schema} is null or
 * empty). MySQL reports no application name; the host drops the client port so one client machine
 * is one consumer; the state is the thread's command ({@code Sleep}, {@code Query}...).
 */
final class MariaDbSessionList implements Dialect.SessionList {
  private static final String SQL =
      """
      SELECT USER, CASE WHEN HOST LIKE '%:%' THEN SUBSTRING_INDEX(HOST, ':', 1)
                        ELSE HOST END AS CLIENT, COMMAND, COUNT(*) AS SESSIONS
        FROM information_schema.PROCESSLIST
       WHERE ID <> CONNECTION_ID() AND FIND_IN_SET(ID, ?) = 0
         AND CAST(DB AS BINARY) = CAST(COALESCE(NULLIF(?, ''), DATABASE()) AS BINARY)
       GROUP BY 1, 2, 3
      """;

  @Override
  public List<ConsumerInfo> snapshot(Connection connection, String schema, Set<Long> alsoOwn)
      throws SQLException {
    return SessionRows.query(
        connection,
        SQL,
        Arrays.asList(Dialect.SessionList.idList(alsoOwn), schema),
        MariaDbSessionList::group);
  }

  private static ConsumerInfo group(ResultSet rs) throws SQLException {
    String host = rs.getString("CLIENT");
    return new ConsumerInfo(
        null,
        rs.getString("USER"),
        host == null || host.isEmpty() ? null : host,
        rs.getInt("SESSIONS"),
        rs.getString("COMMAND"));
  }

  @Override
  public long sessionId(Connection connection) throws SQLException {
    return Long.parseLong(Dialect.queryString(connection, "SELECT CONNECTION_ID()"));
  }
}
