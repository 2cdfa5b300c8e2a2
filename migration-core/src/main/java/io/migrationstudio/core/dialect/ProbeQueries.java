package io.migrationstudio.core.dialect;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * The query every {@link DataProbe} runs: how many rows of a table match a condition, then up to
 * {@link DataProbe#MAX_EXAMPLES} of their keys in key order. Engines differ only in how a key
 * column is cast to text, which the dialect's probe passes in ({@code %s} stands for the quoted
 * column, e.g. {@code CAST(%s AS CHAR)} or {@code %s::text}).
 */
public final class ProbeQueries {
  private ProbeQueries() {}

  /**
   * Counts rows of {@code qualifiedTable} matching {@code condition} (with {@code params} bound in
   * order; byte arrays as bytes) and samples their keys; failures are classified by the dialect.
   */
  public static DataProbe.Sample sample(
      Connection connection,
      Dialect dialect,
      String qualifiedTable,
      String condition,
      List<Object> params,
      List<String> keyColumns,
      String keyAsText,
      String what) {
    String from = " FROM " + qualifiedTable + " WHERE " + condition;
    try {
      long count;
      try (PreparedStatement ps = connection.prepareStatement("SELECT count(*)" + from)) {
        bind(ps, params);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          count = rs.getLong(1);
        }
      }
      List<String> examples = new ArrayList<>();
      if (count > 0 && !keyColumns.isEmpty()) {
        StringJoiner select = new StringJoiner(", ");
        StringJoiner order = new StringJoiner(", ");
        for (String k : keyColumns) {
          select.add(String.format(java.util.Locale.ROOT, keyAsText, dialect.quote(k)));
          order.add(dialect.quote(k));
        }
        try (PreparedStatement ps =
            connection.prepareStatement(
                "SELECT "
                    + select
                    + from
                    + " ORDER BY "
                    + order
                    + " LIMIT "
                    + DataProbe.MAX_EXAMPLES)) {
          bind(ps, params);
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              examples.add(key(rs, keyColumns.size()));
            }
          }
        }
      }
      return new DataProbe.Sample(count, examples);
    } catch (SQLException e) {
      throw dialect.classify(e, what);
    }
  }

  /**
   * Runs {@code countSql} (one number: how many rows) and, when it is above zero, {@code
   * examplesSql}, whose first {@code keyColumns} columns are an example's key.
   */
  public static DataProbe.Sample countThenKeys(
      Connection connection, String countSql, String examplesSql, int keyColumns)
      throws SQLException {
    long count;
    try (PreparedStatement ps = connection.prepareStatement(countSql);
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      count = rs.getLong(1);
    }
    List<String> examples = new ArrayList<>();
    if (count > 0) {
      try (PreparedStatement ps = connection.prepareStatement(examplesSql);
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          examples.add(key(rs, keyColumns));
        }
      }
    }
    return new DataProbe.Sample(count, examples);
  }

  /** The first column of every row {@code ps} returns, as text, in the order returned. */
  public static List<String> firstColumn(PreparedStatement ps) throws SQLException {
    List<String> values = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        values.add(rs.getString(1));
      }
    }
    return values;
  }

  /** Those of {@code tables} (in {@code schema}) that hold at least one row, in the given order. */
  public static List<String> nonEmpty(
      Connection connection, Dialect dialect, String schema, List<String> tables)
      throws SQLException {
    return nonEmpty(connection, tables, t -> dialect.qualify(schema, t));
  }

  /**
   * Those of {@code tables} holding at least one row, each read from {@code from.apply(table)}
   * (e.g. {@code ONLY t} for an inheritance parent, whose children's rows are not its own).
   */
  public static List<String> nonEmpty(
      Connection connection, List<String> tables, java.util.function.Function<String, String> from)
      throws SQLException {
    List<String> nonEmpty = new ArrayList<>();
    for (String t : tables) {
      try (PreparedStatement ps =
              connection.prepareStatement("SELECT EXISTS (SELECT 1 FROM " + from.apply(t) + ")");
          ResultSet rs = ps.executeQuery()) {
        rs.next();
        if (rs.getBoolean(1)) {
          nonEmpty.add(t);
        }
      }
    }
    return List.copyOf(nonEmpty);
  }

  private static void bind(PreparedStatement ps, List<Object> params) throws SQLException {
    for (int i = 0; i < params.size(); i++) {
      Object p = params.get(i);
      if (p instanceof byte[] b) {
        ps.setBytes(i + 1, b);
      } else {
        ps.setObject(i + 1, p);
      }
    }
  }

  /** The first {@code n} columns as one key: values joined by {@code ", "}, NULL spelled out. */
  public static String key(ResultSet rs, int n) throws SQLException {
    StringJoiner key = new StringJoiner(", ");
    for (int i = 1; i <= n; i++) {
      String v = rs.getString(i);
      key.add(v == null ? "NULL" : v);
    }
    return key.toString();
  }
}
