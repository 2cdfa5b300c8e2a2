package io.migrationstudio.core.cdc.apply;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * A table's row count and the md5 of its rows in primary-key order ({@code count:md5}), computed by
 * the server that holds it (PostgreSQL or MariaDB), so a source and a target are compared without
 * one reading the other's rows. A row is its columns' text joined by commas, {@code null} for NULL;
 * the columns and the key are the table's own, read from that server's catalogue. Integers and text
 * print the same on both engines; other types may not.
 */
final class TableHash {
  private TableHash() {}

  /** {@link #of(Connection, String)} of each table, by name. */
  static Map<String, String> of(Connection c, List<String> tables) throws SQLException {
    Map<String, String> out = new TreeMap<>();
    for (String t : tables) {
      out.put(t, of(c, t));
    }
    return out;
  }

  static String of(Connection c, String table) throws SQLException {
    boolean pg = "PostgreSQL".equals(c.getMetaData().getDatabaseProductName());
    String text = pg ? "text" : "char";
    String row =
        columns(c, table).stream()
            .map(col -> "coalesce(CAST(" + col + " AS " + text + "), 'null')")
            .collect(Collectors.joining(", ", "concat_ws(',', ", ")"));
    String order = String.join(", ", key(c, table, pg));
    String agg =
        pg
            ? "string_agg(" + row + ", ';' ORDER BY " + order + ")"
            : "group_concat(" + row + " ORDER BY " + order + " SEPARATOR ';')";
    try (Statement st = c.createStatement()) {
      if (!pg) {
        st.execute("SET SESSION group_concat_max_len = 16777216");
      }
      try (ResultSet rs =
          st.executeQuery(
              "SELECT concat(count(*), ':', coalesce(md5(" + agg + "), '-')) FROM " + table)) {
        rs.next();
        return rs.getString(1);
      }
    }
  }

  private static List<String> columns(Connection c, String table) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT * FROM " + table + " WHERE 1 = 0")) {
      for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
        out.add(rs.getMetaData().getColumnName(i));
      }
    }
    return out;
  }

  private static List<String> key(Connection c, String table, boolean pg) throws SQLException {
    DatabaseMetaData md = c.getMetaData();
    Map<Short, String> byPosition = new TreeMap<>();
    try (ResultSet rs =
        pg
            ? md.getPrimaryKeys(null, c.getSchema(), table)
            : md.getPrimaryKeys(c.getCatalog(), null, table)) {
      while (rs.next()) {
        byPosition.put(rs.getShort("KEY_SEQ"), rs.getString("COLUMN_NAME"));
      }
    }
    if (byPosition.isEmpty()) {
      throw new IllegalArgumentException(table + " has no primary key to order its rows by");
    }
    return List.copyOf(byPosition.values());
  }
}
