package io.migrationstudio.core.mapping;

import io.migrationstudio.core.dialect.postgres.PostgresDialect;
import io.migrationstudio.core.schema.Column;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.core.schema.KeyConstraint;
import io.migrationstudio.core.schema.SequenceInfo;
import io.migrationstudio.core.schema.TableInfo;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Test-only: the inventory of a schema on a real PostgreSQL, enough for the mapping tests (columns
 * with format_type spellings, primary keys, exact row counts, owned sequences). The product's
 * introspection lives in the PostgreSQL dialect.
 */
final class TestInventories {
  private static final PostgresDialect PG = new PostgresDialect();

  private TestInventories() {}

  static Inventory of(Connection c, String schema) throws SQLException {
    List<TableInfo> tables = new ArrayList<>();
    for (String table :
        strings(
            c,
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE n.nspname = ? AND c.relkind = 'r' ORDER BY c.relname",
            schema)) {
      tables.add(table(c, schema, table));
    }
    List<SequenceInfo> sequences = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT s.relname, t.relname, a.attname FROM pg_class s JOIN pg_namespace n ON n.oid = s.relnamespace"
                + " LEFT JOIN pg_depend d ON d.objid = s.oid AND d.deptype IN ('a', 'i')"
                + " LEFT JOIN pg_class t ON t.oid = d.refobjid"
                + " LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid"
                + " WHERE s.relkind = 'S' AND n.nspname = ? ORDER BY s.relname")) {
      ps.setString(1, schema);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          sequences.add(
              new SequenceInfo(schema, rs.getString(1), rs.getString(2), rs.getString(3), null));
        }
      }
    }
    return new Inventory(
        "postgresql", "17", c.getCatalog(), schema, tables, null, sequences, null, null);
  }

  private static TableInfo table(Connection c, String schema, String table) throws SQLException {
    List<Column> columns = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT a.attname, a.attnum, format_type(a.atttypid, a.atttypmod), a.attnotnull,"
                + " pg_get_expr(d.adbin, d.adrelid), a.attidentity <> '',"
                + " information_schema._pg_char_max_length(a.atttypid, a.atttypmod),"
                + " information_schema._pg_numeric_precision(a.atttypid, a.atttypmod),"
                + " information_schema._pg_numeric_scale(a.atttypid, a.atttypmod)"
                + " FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
                + " WHERE a.attrelid = (quote_ident(?) || '.' || quote_ident(?))::regclass"
                + " AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum")) {
      ps.setString(1, schema);
      ps.setString(2, table);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String type = rs.getString(3);
          columns.add(
              new Column(
                  rs.getString(1),
                  rs.getInt(2),
                  type,
                  PG.canonicalType(type),
                  !rs.getBoolean(4),
                  rs.getString(5),
                  (Integer) rs.getObject(7),
                  (Integer) rs.getObject(8),
                  (Integer) rs.getObject(9),
                  rs.getBoolean(6)));
        }
      }
    }
    List<String> pk =
        strings(
            c,
            "SELECT a.attname FROM pg_constraint k"
                + " JOIN LATERAL unnest(k.conkey) WITH ORDINALITY u(attnum, ord) ON true"
                + " JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.attnum"
                + " WHERE k.contype = 'p' AND k.conrelid = (quote_ident(?) || '.' || quote_ident(?))::regclass"
                + " ORDER BY u.ord",
            schema,
            table);
    long rows;
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM " + PG.qualify(schema, table))) {
      rs.next();
      rows = rs.getLong(1);
    }
    return new TableInfo(
        schema,
        table,
        columns,
        pk.isEmpty() ? null : new KeyConstraint(table + "_pkey", pk),
        null,
        null,
        null,
        null,
        rows,
        0);
  }

  private static List<String> strings(Connection c, String sql, String... args)
      throws SQLException {
    List<String> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setString(i + 1, args[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    }
    return out;
  }
}
