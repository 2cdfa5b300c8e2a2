package io.migrationstudio.core.dialect;

import io.migrationstudio.core.schema.ConsumerInfo;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The query loop every {@link Dialect.SessionList} shares: runs the engine's grouped session query
 * with its text parameters, in order, and turns each row into a {@link ConsumerInfo} by the
 * engine's own column reading.
 */
public final class SessionRows {
  private SessionRows() {}

  /** How one row of the engine's query reads as a consumer group. */
  @FunctionalInterface
  public interface Row {
    ConsumerInfo read(ResultSet rs) throws SQLException;
  }

  /** Runs {@code sql} with {@code parameters} (null allowed) and reads every row by {@code row}. */
  public static List<ConsumerInfo> query(
      Connection connection, String sql, List<String> parameters, Row row) throws SQLException {
    List<ConsumerInfo> out = new ArrayList<>();
    try (PreparedStatement ps = connection.prepareStatement(sql)) {
      for (int i = 0; i < parameters.size(); i++) {
        ps.setString(i + 1, parameters.get(i));
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(row.read(rs));
        }
      }
    }
    return out;
  }
}
