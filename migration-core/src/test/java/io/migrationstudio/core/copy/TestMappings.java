package io.migrationstudio.core.copy;

import io.migrationstudio.core.dialect.postgres.PostgresDialect;
import io.migrationstudio.core.mapping.ColumnMapping;
import io.migrationstudio.core.mapping.Disposition;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.schema.ForeignKey;
import io.migrationstudio.core.schema.KeyConstraint;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds an identity MappingDocument (every column MAP, same names) from a live PostgreSQL schema,
 * standing in for the mapping generator written elsewhere: enough for copy and validation tests.
 */
public final class TestMappings {
  private static final PostgresDialect PG = new PostgresDialect();

  private TestMappings() {}

  public static MappingDocument identity(Connection c, String sourceSchema, String targetSchema)
      throws SQLException {
    Map<String, List<ColumnMapping>> columns = new LinkedHashMap<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT cl.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,"
                + " a.attidentity <> '' OR coalesce(pg_get_expr(d.adbin, d.adrelid), '') LIKE"
                + " 'nextval(%'"
                + " FROM pg_attribute a JOIN pg_class cl ON cl.oid = a.attrelid"
                + " JOIN pg_namespace n ON n.oid = cl.relnamespace"
                + " LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
                + " WHERE n.nspname = ? AND cl.relkind = 'r' AND a.attnum > 0"
                + " AND NOT a.attisdropped ORDER BY cl.relname, a.attnum")) {
      ps.setString(1, sourceSchema);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String type = rs.getString(3);
          boolean identity = rs.getBoolean(5);
          columns
              .computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
              .add(
                  new ColumnMapping(
                      rs.getString(2),
                      rs.getString(2),
                      Disposition.MAP,
                      type,
                      type,
                      PG.canonicalType(type),
                      !rs.getBoolean(4),
                      identity,
                      null,
                      null,
                      null));
        }
      }
    }
    Map<String, List<String>> pks = new LinkedHashMap<>();
    Map<String, List<KeyConstraint>> uniques = new LinkedHashMap<>();
    Map<String, List<ForeignKey>> fks = new LinkedHashMap<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT cl.relname, con.conname, con.contype,"
                + " array(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(n, o)"
                + "   JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY"
                + " k.o)::text[],"
                + " rf.relname,"
                + " array(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY k(n, o)"
                + "   JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n ORDER BY"
                + " k.o)::text[]"
                + " FROM pg_constraint con JOIN pg_class cl ON cl.oid = con.conrelid"
                + " JOIN pg_namespace n ON n.oid = cl.relnamespace"
                + " LEFT JOIN pg_class rf ON rf.oid = con.confrelid"
                + " WHERE n.nspname = ? AND con.contype IN ('p', 'u', 'f') ORDER BY 1, 2")) {
      ps.setString(1, sourceSchema);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String table = rs.getString(1);
          List<String> cols = Arrays.asList((String[]) rs.getArray(4).getArray());
          switch (rs.getString(3)) {
            case "p" -> pks.put(table, cols);
            case "u" ->
                uniques
                    .computeIfAbsent(table, k -> new ArrayList<>())
                    .add(new KeyConstraint(rs.getString(2), cols));
            default ->
                fks.computeIfAbsent(table, k -> new ArrayList<>())
                    .add(
                        new ForeignKey(
                            rs.getString(2),
                            cols,
                            rs.getString(5),
                            Arrays.asList((String[]) rs.getArray(6).getArray()),
                            null,
                            null));
          }
        }
      }
    }
    List<TableMapping> tables = new ArrayList<>();
    columns.forEach(
        (table, cols) ->
            tables.add(
                new TableMapping(
                    table,
                    table,
                    null,
                    pks.get(table),
                    cols,
                    uniques.get(table),
                    fks.get(table),
                    null)));
    return new MappingDocument(
        MappingDocument.CURRENT_VERSION,
        "identity",
        "postgresql",
        sourceSchema,
        targetSchema,
        tables,
        null);
  }
}
