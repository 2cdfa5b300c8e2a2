package io.migrationstudio.core.dialect.sqlite;

import io.migrationstudio.core.dialect.CatalogTable;
import io.migrationstudio.core.schema.CheckConstraint;
import io.migrationstudio.core.schema.Column;
import io.migrationstudio.core.schema.ForeignKey;
import io.migrationstudio.core.schema.IndexInfo;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.core.schema.KeyConstraint;
import io.migrationstudio.core.schema.TriggerInfo;
import io.migrationstudio.core.schema.ViewInfo;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the inventory of one SQLite schema (an attached database, {@code main} by default) from
 * {@code sqlite_schema} and the pragma table-valued functions ({@code pragma_table_list}, {@code
 * pragma_table_xinfo}, {@code pragma_index_list}, {@code pragma_index_info}, {@code
 * pragma_foreign_key_list}; SQLite 3.37+), all inside one read transaction so the picture is
 * consistent. Names travel as bind parameters; the only SQL text carrying a name is the schema
 * qualifier of {@code sqlite_schema} and the {@code count(*)} per table, both through {@link
 * SqliteDialect#quote}.
 *
 * <ul>
 *   <li>Tables: ordinary tables ({@code type = 'table'}), without SQLite's own {@code sqlite_*}
 *       tables; virtual tables (FTS, R*Tree) and their shadow tables are left out.
 *   <li>Columns: the declared type is the native type ({@code ""} when none), canonicalized by
 *       {@link SqliteTypes}. A column is {@code identity} when it is the rowid alias — the single
 *       primary-key column of a rowid table declared exactly {@code INTEGER} (with or without
 *       AUTOINCREMENT, which only forbids reuse of deleted keys: then it is {@code autoincrement}
 *       too, read from the CREATE TABLE text); SQLite assigns it on insert. The rowid alias is
 *       never null whatever its declaration says. A generated column has its expression and kind
 *       ({@code VIRTUAL} or {@code STORED}), and a column its {@code COLLATE}, both read from the
 *       CREATE TABLE text by {@link SqliteSql#columnClauses}; the table keeps that text as its
 *       {@code definition}, and whether it is {@code WITHOUT ROWID}.
 *   <li>Keys: SQLite does not name primary, unique or foreign keys in its catalog, so they get
 *       PostgreSQL's default names ({@code T_pkey}, {@code T_a_b_key}, {@code T_a_fkey}); a unique
 *       index created by CREATE UNIQUE INDEX (origin 'c') is a secondary unique index, as written.
 *       An FK naming no parent columns references the parent's primary key; its parent name is
 *       matched case-insensitively to the real table name, as SQLite resolves it.
 *   <li>Checks: cut from the CREATE TABLE text by {@link SqliteSql#checks}; unnamed ones are named
 *       {@code T_check1}, {@code T_check2}... in order of appearance.
 *   <li>Sizes: bytes of the table's b-tree and its indexes' from the {@code dbstat} virtual table
 *       when SQLite is compiled with it (xerial's driver is); otherwise an estimate: the file's
 *       {@code page_count * page_size} shared among tables in proportion to their row counts.
 *   <li>Views: the SELECT after the top-level AS of the CREATE VIEW text, and the column list
 *       before it when the statement declares one ({@code CREATE VIEW v (a, b) AS}). Triggers: from
 *       {@code sqlite_schema}, timing and event read from the CREATE TRIGGER header, the whole
 *       statement as definition; SQLite has no routines, user-defined types, partitions or session
 *       list. Sequences: none (AUTOINCREMENT counters in {@code sqlite_sequence} belong to the
 *       identity column).
 * </ul>
 *
 * Lists are sorted by code point in Java, so the result is byte-stable.
 */
final class SqliteCatalog {
  private static final Comparator<String> BY_NAME = Comparator.naturalOrder();

  private final SqliteDialect dialect;

  SqliteCatalog(SqliteDialect dialect) {
    this.dialect = dialect;
  }

  Inventory read(Connection c, String schema, Predicate<String> tableFilter) throws SQLException {
    if (!c.getAutoCommit()) {
      return readInTransaction(c, schema, tableFilter);
    }
    c.setAutoCommit(false);
    try {
      return readInTransaction(c, schema, tableFilter);
    } finally {
      c.rollback();
      c.setAutoCommit(true);
    }
  }

  /** One row of {@code sqlite_schema}. */
  private record SchemaObject(String type, String name, String table, String sql) {}

  private Inventory readInTransaction(Connection c, String schema, Predicate<String> tableFilter)
      throws SQLException {
    List<SchemaObject> objects = schemaObjects(c, schema);
    Map<String, String> sqlOf = new HashMap<>();
    objects.forEach(o -> sqlOf.put(o.type() + ":" + o.name(), o.sql()));
    Map<String, String> allTables = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    List<String> names = new ArrayList<>();
    Set<String> withoutRowid = new HashSet<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT name, wr FROM pragma_table_list WHERE schema = ? AND type = 'table'")) {
      ps.setString(1, schema);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String name = rs.getString("name");
          if (name.toLowerCase(Locale.ROOT).startsWith("sqlite_")) {
            continue;
          }
          allTables.put(name, name);
          if (rs.getInt("wr") != 0) {
            withoutRowid.add(name);
          }
          if (tableFilter.test(name)) {
            names.add(name);
          }
        }
      }
    }
    Map<String, Long> rows = new HashMap<>();
    for (String name : names) {
      rows.put(name, countRows(c, schema, name));
    }
    Map<String, Long> sizes = sizes(c, schema);
    if (sizes == null) {
      sizes = estimateSizes(c, schema, rows);
    }
    List<CatalogTable> tables = new ArrayList<>();
    for (String name : names) {
      CatalogTable table = new CatalogTable(schema, name, sizes.getOrDefault(name, 0L), null);
      table.rowCount = rows.get(name);
      fill(table, c, sqlOf, allTables, !withoutRowid.contains(name));
      tables.add(table);
    }
    List<ViewInfo> views = new ArrayList<>();
    for (SchemaObject o : objects) {
      if (o.type().equals("view") && tableFilter.test(o.name())) {
        String body = SqliteSql.afterTopLevelKeyword(o.sql(), "AS");
        views.add(
            new ViewInfo(
                schema,
                o.name(),
                false,
                body == null ? o.sql() : body,
                List.of(),
                SqliteSql.viewColumns(o.sql())));
      }
    }
    views.sort(Comparator.comparing(ViewInfo::name, BY_NAME));
    return new Inventory(
        dialect.name(),
        dialect.serverVersion(c),
        databaseName(c, schema),
        schema,
        CatalogTable.buildAll(tables),
        views,
        List.of(),
        List.of(),
        List.of(),
        triggers(objects, tableFilter),
        List.of(),
        List.of(),
        List.of());
  }

  /**
   * CREATE TRIGGER header: timing (SQLite's default is BEFORE), event (UPDATE may name columns),
   * table. Only the header before {@code ON} is matched; the body is the definition as stored.
   */
  private static final Pattern TRIGGER_HEADER =
      Pattern.compile(
          "(?is)^\\s*CREATE\\s+(?:TEMP(?:ORARY)?\\s+)?TRIGGER\\s+.*?"
              + "(?:\\s(BEFORE|AFTER|INSTEAD\\s+OF))?\\s+(DELETE|INSERT|UPDATE)(?:\\s+OF\\s+.*?)?"
              + "\\s+ON\\s");

  /** Triggers of in-scope tables and views from {@code sqlite_schema}; SQLite's are row-level. */
  private static List<TriggerInfo> triggers(List<SchemaObject> objects, Predicate<String> filter) {
    List<TriggerInfo> out = new ArrayList<>();
    for (SchemaObject o : objects) {
      if (!o.type().equals("trigger") || !filter.test(o.table())) {
        continue;
      }
      Matcher m = TRIGGER_HEADER.matcher(o.sql());
      String timing = null;
      String event = null;
      if (m.find()) {
        timing =
            m.group(1) == null
                ? "BEFORE"
                : m.group(1).toUpperCase(Locale.ROOT).replaceAll("\\s+", " ");
        event = m.group(2).toUpperCase(Locale.ROOT);
      }
      out.add(new TriggerInfo(o.table(), o.name(), timing, event, "ROW", o.sql()));
    }
    out.sort(
        Comparator.comparing(TriggerInfo::table, BY_NAME)
            .thenComparing(TriggerInfo::name, BY_NAME));
    return out;
  }

  private List<SchemaObject> schemaObjects(Connection c, String schema) throws SQLException {
    List<SchemaObject> out = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT type, name, tbl_name, sql FROM "
                    + dialect.quote(schema)
                    + ".sqlite_schema")) {
      while (rs.next()) {
        out.add(
            new SchemaObject(
                rs.getString("type"),
                rs.getString("name"),
                rs.getString("tbl_name"),
                rs.getString("sql")));
      }
    }
    return out;
  }

  /** Fills the table's columns, keys, indexes and checks; {@link CatalogTable} sorts them. */
  private void fill(
      CatalogTable table,
      Connection c,
      Map<String, String> sqlOf,
      Map<String, String> allTables,
      boolean rowidTable)
      throws SQLException {
    String schema = table.schema;
    String name = table.name;
    String createSql = sqlOf.getOrDefault("table:" + name, "");
    // columns, and the primary key in key order
    record Raw(int cid, String name, String type, boolean notNull, String dflt, int pk) {}
    List<Raw> raw = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT cid, name, type, \"notnull\", dflt_value, pk, hidden"
                + " FROM pragma_table_xinfo(?, ?) ORDER BY cid")) {
      ps.setString(1, name);
      ps.setString(2, schema);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          if (rs.getInt("hidden") == 1) {
            continue; // hidden columns of virtual tables
          }
          raw.add(
              new Raw(
                  rs.getInt("cid"),
                  rs.getString("name"),
                  rs.getString("type") == null ? "" : rs.getString("type"),
                  rs.getInt("notnull") != 0,
                  rs.getString("dflt_value"),
                  rs.getInt("pk")));
        }
      }
    }
    List<String> pkColumns =
        raw.stream()
            .filter(r -> r.pk() > 0)
            .sorted(Comparator.comparingInt(Raw::pk))
            .map(Raw::name)
            .toList();
    String rowidAlias =
        rowidTable
                && pkColumns.size() == 1
                && raw.stream().anyMatch(r -> r.pk() == 1 && r.type().equalsIgnoreCase("INTEGER"))
            ? pkColumns.get(0)
            : null;
    boolean autoincrement = rowidAlias != null && SqliteSql.autoincrement(createSql);
    Map<String, SqliteSql.ColumnClauses> clauses = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    SqliteSql.columnClauses(createSql).forEach(cl -> clauses.put(cl.name(), cl));
    for (Raw r : raw) {
      boolean identity = r.name().equals(rowidAlias);
      SqliteSql.ColumnClauses declared =
          clauses.getOrDefault(r.name(), new SqliteSql.ColumnClauses(r.name(), null, null, null));
      table.columns.add(
          Column.builder(r.name(), r.type(), SqliteTypes.canonical(r.type()))
              .position(r.cid() + 1)
              .nullable(!r.notNull() && !identity)
              .defaultExpression(r.dflt())
              .length(SqliteTypes.length(r.type()))
              .precision(SqliteTypes.precision(r.type()))
              .scale(SqliteTypes.scale(r.type()))
              .identity(identity)
              .generated(declared.generated(), declared.generatedKind())
              .collation(declared.collation())
              .autoincrement(identity && autoincrement)
              .build());
    }
    table.withoutRowid = !rowidTable;
    table.definition = createSql.isEmpty() ? null : createSql;
    table.primaryKey = pkColumns.isEmpty() ? null : new KeyConstraint(name + "_pkey", pkColumns);

    record IndexRow(String name, boolean unique, String origin, boolean partial) {}
    List<IndexRow> indexRows = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT name, \"unique\", origin, partial FROM pragma_index_list(?, ?)")) {
      ps.setString(1, name);
      ps.setString(2, schema);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          indexRows.add(
              new IndexRow(
                  rs.getString("name"),
                  rs.getInt("unique") != 0,
                  rs.getString("origin"),
                  rs.getInt("partial") != 0));
        }
      }
    }
    for (IndexRow ix : indexRows) {
      List<String> cols = indexColumns(c, schema, ix.name());
      if (ix.origin().equals("u")) {
        String keyName =
            ix.name().startsWith("sqlite_autoindex_")
                ? name + "_" + String.join("_", cols) + "_key"
                : ix.name();
        table.uniqueKeys.add(new KeyConstraint(keyName, cols));
      } else if (ix.origin().equals("c")) {
        String sql = sqlOf.get("index:" + ix.name());
        boolean expression = cols.contains(null);
        table.indexes.add(
            new IndexInfo(
                ix.name(),
                expression ? List.of() : cols,
                ix.unique(),
                "btree",
                ix.partial() && sql != null ? SqliteSql.afterTopLevelKeyword(sql, "WHERE") : null,
                sql));
      }
    }

    table.foreignKeys.addAll(foreignKeys(c, schema, name, allTables));
    int unnamed = 0;
    for (SqliteSql.Check check : SqliteSql.checks(createSql)) {
      String checkName = check.name() != null ? check.name() : name + "_check" + (++unnamed);
      table.checks.add(new CheckConstraint(checkName, check.expression()));
    }
  }

  /** Key columns of an index in key order; null for an expression (cid -2). */
  private static List<String> indexColumns(Connection c, String schema, String index)
      throws SQLException {
    List<String> cols = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement("SELECT seqno, name FROM pragma_index_info(?, ?) ORDER BY seqno")) {
      ps.setString(1, index);
      ps.setString(2, schema);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          cols.add(rs.getString("name"));
        }
      }
    }
    return cols;
  }

  private List<ForeignKey> foreignKeys(
      Connection c, String schema, String table, Map<String, String> allTables)
      throws SQLException {
    record Part(String parent, String from, String to, String onUpdate, String onDelete) {}
    Map<Integer, List<Part>> byId = new TreeMap<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT id, seq, \"table\", \"from\", \"to\", on_update, on_delete"
                + " FROM pragma_foreign_key_list(?, ?) ORDER BY id, seq")) {
      ps.setString(1, table);
      ps.setString(2, schema);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          byId.computeIfAbsent(rs.getInt("id"), k -> new ArrayList<>())
              .add(
                  new Part(
                      rs.getString("table"),
                      rs.getString("from"),
                      rs.getString("to"),
                      rs.getString("on_update"),
                      rs.getString("on_delete")));
        }
      }
    }
    List<ForeignKey> out = new ArrayList<>();
    Set<String> used = new HashSet<>();
    for (Map.Entry<Integer, List<Part>> e : byId.entrySet()) {
      List<Part> parts = e.getValue();
      Part first = parts.get(0);
      String parent = allTables.getOrDefault(first.parent(), first.parent());
      List<String> from = parts.stream().map(Part::from).toList();
      List<String> to =
          parts.stream().anyMatch(p -> p.to() == null)
              ? primaryKeyOf(c, schema, parent)
              : parts.stream().map(Part::to).toList();
      String fkName = table + "_" + String.join("_", from) + "_fkey";
      if (!used.add(fkName)) {
        fkName = fkName + e.getKey();
        used.add(fkName);
      }
      out.add(new ForeignKey(fkName, from, parent, to, first.onDelete(), first.onUpdate()));
    }
    return out;
  }

  private static List<String> primaryKeyOf(Connection c, String schema, String table)
      throws SQLException {
    List<String> out = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement("SELECT name FROM pragma_table_info(?, ?) WHERE pk > 0 ORDER BY pk")) {
      ps.setString(1, table);
      ps.setString(2, schema);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    }
    return out;
  }

  private long countRows(Connection c, String schema, String table) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM " + dialect.qualify(schema, table))) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * Bytes per table (its b-tree plus its indexes') from {@code dbstat}, or null when this SQLite is
   * compiled without it.
   */
  private Map<String, Long> sizes(Connection c, String schema) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT count(*) FROM pragma_compile_options"
                    + " WHERE compile_options = 'ENABLE_DBSTAT_VTAB'")) {
      rs.next();
      if (rs.getLong(1) == 0) {
        return null;
      }
    }
    Map<String, Long> out = new HashMap<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT o.tbl_name, sum(d.pgsize) FROM dbstat(?, 1) d JOIN "
                + dialect.quote(schema)
                + ".sqlite_schema o ON o.name = d.name GROUP BY o.tbl_name")) {
      ps.setString(1, schema);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), rs.getLong(2));
        }
      }
    }
    return out;
  }

  /** Without dbstat: the file's bytes shared among the tables by row count (documented above). */
  private static Map<String, Long> estimateSizes(
      Connection c, String schema, Map<String, Long> rows) throws SQLException {
    long fileBytes;
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT (SELECT page_count FROM pragma_page_count(?))"
                + " * (SELECT page_size FROM pragma_page_size(?))")) {
      ps.setString(1, schema);
      ps.setString(2, schema);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        fileBytes = rs.getLong(1);
      }
    }
    long totalRows = rows.values().stream().mapToLong(Long::longValue).sum();
    Map<String, Long> out = new HashMap<>();
    rows.forEach(
        (table, n) ->
            out.put(table, totalRows == 0 ? 0 : (long) ((double) fileBytes * n / totalRows)));
    return out;
  }

  /**
   * The database's file name (not its directory, which differs between machines and would make the
   * inventory unstable); {@code ""} for an in-memory or temporary database.
   */
  private static String databaseName(Connection c, String schema) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT file FROM pragma_database_list WHERE name = ?")) {
      ps.setString(1, schema);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next() || rs.getString(1) == null || rs.getString(1).isEmpty()) {
          return "";
        }
        Path file = Path.of(rs.getString(1)).getFileName();
        return file == null ? "" : file.toString();
      }
    }
  }
}
