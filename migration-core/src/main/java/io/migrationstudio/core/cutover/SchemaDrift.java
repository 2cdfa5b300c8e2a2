package io.migrationstudio.core.cutover;

import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.core.copy.TableSql;
import io.migrationstudio.core.cutover.StepRecorder.CheckFailed;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.dialect.Secrets;
import io.migrationstudio.core.mapping.ColumnMapping;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.TableMapping;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The source's columns of every mapped table against the approved mapping, read under the freeze
 * just before the switch. A column added to a source table after Mapping is in no chunk and no
 * change the stream applies, and the target's table has no place for it: after the switch its
 * values would be gone, while the final check (which compares the mapped columns) passes. A
 * PostgreSQL change stream notices such DDL only at the table's next row change and a bulk
 * migration never does, so the cutover asks the catalogue itself. A mapped column or table the
 * source no longer has is refused too (renamed or dropped after Mapping: the mapping no longer
 * describes the source). Names only: a type change keeps every value somewhere and the checksums
 * compare the values.
 */
final class SchemaDrift {
  private SchemaDrift() {}

  /** The detail of a passing check; throws {@link CheckFailed} naming every difference. */
  static String check(MigrationSpec spec, Secrets secrets, MappingDocument mapping)
      throws SQLException {
    Dialect sd = Dialects.forUrl(spec.source().url());
    Dialect td = Dialects.forUrl(spec.target().url());
    String schema = new TableSql(sd, td, mapping, mapping.tables().get(0)).sourceSchema();
    Map<String, Set<String>> live;
    try (Connection c = Dialects.open(spec.source(), secrets, "source")) {
      live = columns(c, sd, schema);
    }
    List<String> drift = drift(mapping, live);
    if (!drift.isEmpty()) {
      throw new CheckFailed(
          "the source's schema changed after Mapping: "
              + String.join("; ", drift)
              + ". The target was built from the approved mapping and cannot hold this: the switch"
              + " is refused and the source unfrozen; take the change into the mapping (run the"
              + " Mapping stage again, or migrate again) or undo it on the source");
    }
    return mapping.tables().size() + " tables, every source column in the approved mapping";
  }

  /** What differs between the mapping's source columns and the source's, in mapping order. */
  static List<String> drift(MappingDocument mapping, Map<String, Set<String>> live) {
    List<String> out = new ArrayList<>();
    for (TableMapping t : mapping.tables()) {
      Set<String> now = live.get(t.source());
      if (now == null) {
        out.add(t.source() + ": the table is gone (dropped or renamed)");
        continue;
      }
      Set<String> mapped = new LinkedHashSet<>();
      for (ColumnMapping c : t.columns()) {
        if (c.source() != null) {
          mapped.add(c.source());
        }
      }
      List<String> added = now.stream().filter(c -> !mapped.contains(c)).toList();
      List<String> gone = mapped.stream().filter(c -> !now.contains(c)).toList();
      if (!added.isEmpty()) {
        out.add(
            t.source()
                + ": "
                + (added.size() == 1 ? "column " : "columns ")
                + String.join(", ", added)
                + " added (not in the mapping, not on the target)");
      }
      if (!gone.isEmpty()) {
        out.add(
            t.source()
                + ": mapped "
                + (gone.size() == 1 ? "column " : "columns ")
                + String.join(", ", gone)
                + " no longer on the source (dropped or renamed)");
      }
    }
    return out;
  }

  /**
   * The columns of every table and view of {@code schema}, by table name, from the driver's
   * metadata (one catalogue query; MariaDB names a database as the catalog, the others as the
   * schema).
   */
  static Map<String, Set<String>> columns(Connection c, Dialect dialect, String schema)
      throws SQLException {
    boolean catalogIsDatabase = dialect.name().equals("mariadb");
    if (catalogIsDatabase && (schema == null || schema.isEmpty())) {
      schema = c.getCatalog(); // the URL's database, the one an unqualified name means
    }
    DatabaseMetaData md = c.getMetaData();
    Map<String, Set<String>> out = new HashMap<>();
    try (ResultSet rs =
        catalogIsDatabase
            ? md.getColumns(schema, null, "%", "%")
            : md.getColumns(
                null, dialect.name().equals("sqlite") ? null : escaped(md, schema), "%", "%")) {
      while (rs.next()) {
        String owner = catalogIsDatabase ? rs.getString("TABLE_CAT") : rs.getString("TABLE_SCHEM");
        if (owner != null && schema != null && !owner.equals(schema)) {
          continue; // a pattern matched another name
        }
        out.computeIfAbsent(rs.getString("TABLE_NAME"), k -> new LinkedHashSet<>())
            .add(rs.getString("COLUMN_NAME"));
      }
    }
    return out;
  }

  /** {@code schema} as a metadata pattern that matches only itself. */
  private static String escaped(DatabaseMetaData md, String schema) throws SQLException {
    if (schema == null) {
      return null;
    }
    String escape = md.getSearchStringEscape();
    if (escape == null || escape.isEmpty()) {
      return schema;
    }
    return schema
        .replace(escape, escape + escape)
        .replace("_", escape + "_")
        .replace("%", escape + "%");
  }
}
