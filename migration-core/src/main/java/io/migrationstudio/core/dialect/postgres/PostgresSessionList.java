package io.migrationstudio.core.dialect.postgres;

import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.SessionRows;
import io.migrationstudio.core.schema.ConsumerInfo;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;

/**
 * Client sessions of the current database from {@code pg_stat_activity}: not this session nor the
 * ones named as the looker's own ({@code pg_backend_pid()}), not background workers. The client
 * host is {@code client_addr} (null over a Unix socket); the state is null where the user may not
 * see other users' sessions.
 */
final class PostgresSessionList implements Dialect.SessionList {
  private static final String SQL =
      """
      SELECT nullif(application_name, '') AS application, usename,
             host(client_addr) AS host, state, count(*) AS sessions
        FROM pg_stat_activity
       WHERE datname = current_database() AND pid <> pg_backend_pid()
         AND pid <> ALL (string_to_array(?, ',')::int[])
         AND backend_type = 'client backend'
       GROUP BY 1, 2, 3, 4
      """;

  @Override
  public List<ConsumerInfo> snapshot(Connection connection, String schema, Set<Long> alsoOwn)
      throws SQLException {
    return SessionRows.query(
        connection, SQL, List.of(Dialect.SessionList.idList(alsoOwn)), PostgresSessionList::group);
  }

  private static ConsumerInfo group(ResultSet rs) throws SQLException {
    return new ConsumerInfo(
        rs.getString("application"),
        rs.getString("usename"),
        rs.getString("host"),
        rs.getInt("sessions"),
        rs.getString("state"));
  }

  @Override
  public long sessionId(Connection connection) throws SQLException {
    return Long.parseLong(Dialect.queryString(connection, "SELECT pg_backend_pid()::text"));
  }
}
