package io.migrationstudio.core.dialect.postgres;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.core.dialect.Dialect.KeyColumn;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The next values of the sequences that identity and {@code serial} columns own, for many columns
 * in two statements: the catalog's owned sequences of the schema's tables (what {@code
 * pg_get_serial_sequence} finds: a {@code pg_depend} row of kind auto or internal from the sequence
 * to the column) with their increment, bound and the user's privilege, then {@code last_value,
 * is_called} of every readable one in one {@code UNION ALL} (the relation itself: {@code
 * pg_sequences} shows no value for a sequence never called, which loses a {@code setval(s, n,
 * false)}).
 *
 * <p>A column's next value is {@code last_value} when never called, else {@code last_value +
 * increment}; absent when the column owns no sequence, the sequence counts down or is exhausted, or
 * the user may not read it (a least-privileged user: the largest key + 1 stands, and a cutover does
 * not fail under its freeze for a missing grant; {@code GRANT SELECT ON SEQUENCE} carries it).
 */
final class PostgresKeyCounters {
  private PostgresKeyCounters() {}

  private record Owned(KeyColumn column, String sequence, long increment, long max) {}

  static Map<KeyColumn, Long> read(
      Connection connection, String schema, Collection<KeyColumn> columns) throws SQLException {
    if (columns.isEmpty()) {
      return Map.of();
    }
    List<Owned> owned = owned(connection, schema, columns);
    if (owned.isEmpty()) {
      return Map.of();
    }
    StringBuilder sql = new StringBuilder();
    for (int i = 0; i < owned.size(); i++) {
      sql.append(i == 0 ? "" : " UNION ALL ")
          .append("SELECT ")
          .append(i)
          .append(", last_value, is_called FROM ")
          .append(owned.get(i).sequence());
    }
    Map<KeyColumn, Long> out = new HashMap<>();
    try (Statement st = connection.createStatement();
        ResultSet rs = st.executeQuery(sql.toString())) {
      while (rs.next()) {
        Owned o = owned.get(rs.getInt(1));
        long last = rs.getLong(2);
        if (!rs.getBoolean(3)) {
          out.put(o.column(), last);
        } else if (last <= o.max() - o.increment()) {
          out.put(o.column(), last + o.increment());
        }
      }
    } catch (SQLException e) {
      if ("42501".equals(e.getSQLState())) {
        throw new MigrationException(
            ErrorCode.MISSING_OBJECT,
            "reading the current values of source sequences "
                + owned.stream().map(Owned::sequence).toList()
                + " failed: the source user may not read one of them (SQLState 42501); grant it"
                + " with GRANT SELECT ON SEQUENCE <sequence> TO <source user> and run again",
            e);
      }
      throw e;
    }
    return out;
  }

  /** The readable, ascending sequences {@code columns} own. */
  private static List<Owned> owned(
      Connection connection, String schema, Collection<KeyColumn> columns) throws SQLException {
    Set<KeyColumn> wanted = new HashSet<>(columns);
    List<Owned> out = new ArrayList<>();
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT t.relname, a.attname, format('%I.%I', sn.nspname, sc.relname),"
                + " s.seqincrement, s.seqmax, has_sequence_privilege(s.seqrelid, 'SELECT')"
                + " FROM pg_depend d"
                + " JOIN pg_sequence s ON s.seqrelid = d.objid"
                + " JOIN pg_class sc ON sc.oid = s.seqrelid"
                + " JOIN pg_namespace sn ON sn.oid = sc.relnamespace"
                + " JOIN pg_class t ON t.oid = d.refobjid"
                + " JOIN pg_namespace n ON n.oid = t.relnamespace"
                + " JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid"
                + " WHERE d.classid = 'pg_class'::regclass AND d.objsubid = 0"
                + " AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')"
                + " AND n.nspname = ? AND t.relname::text = ANY (?)")) {
      ps.setString(1, schema);
      ps.setArray(
          2,
          connection.createArrayOf(
              "text", columns.stream().map(KeyColumn::table).distinct().toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          KeyColumn c = new KeyColumn(rs.getString(1), rs.getString(2));
          long increment = rs.getLong(4);
          if (wanted.contains(c) && increment > 0 && rs.getBoolean(6)) {
            out.add(new Owned(c, rs.getString(3), increment, rs.getLong(5)));
          }
        }
      }
    }
    return out;
  }
}
