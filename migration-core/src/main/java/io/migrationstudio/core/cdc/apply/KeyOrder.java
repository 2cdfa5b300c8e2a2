package io.migrationstudio.core.cdc.apply;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Comparator;

/**
 * The order of a chunk key's values as text, the order in which the chunk planner cut the table:
 * the ranges {@code [lo, hi)} hold the values that the source compared between them.
 *
 * <ul>
 *   <li>{@link #NUMERIC}: integers and decimals, compared as numbers ({@code 9 < 10});
 *   <li>{@link #CODE_POINT}: text compared by code point, PostgreSQL's {@code C} collation; also
 *       the order of UUIDs, ISO dates and timestamps of one form;
 *   <li>{@link #onSource}: the source server compares the two values (text in its collation).
 * </ul>
 */
@FunctionalInterface
public interface KeyOrder {
  /** Negative, zero or positive as {@code a} sorts before, with or after {@code b}. */
  int compare(String a, String b) throws SQLException;

  KeyOrder NUMERIC = (a, b) -> new BigDecimal(a.trim()).compareTo(new BigDecimal(b.trim()));

  KeyOrder CODE_POINT = (a, b) -> Comparator.<String>naturalOrder().compare(a, b);

  /**
   * The order of {@code source}: {@code sourceBound} is how a bound is written in the source's SQL
   * (for example {@code CAST(? AS character varying(20))}, or {@code ?}), as the planner's range
   * queries wrote it.
   */
  static KeyOrder onSource(Connection source, String sourceBound) {
    String sql =
        "SELECT CASE WHEN "
            + sourceBound
            + " < "
            + sourceBound
            + " THEN -1 WHEN "
            + sourceBound
            + " = "
            + sourceBound
            + " THEN 0 ELSE 1 END";
    return (a, b) -> {
      try (PreparedStatement ps = source.prepareStatement(sql)) {
        ps.setString(1, a);
        ps.setString(2, b);
        ps.setString(3, a);
        ps.setString(4, b);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return rs.getInt(1);
        }
      }
    };
  }
}
