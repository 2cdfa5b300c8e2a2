package io.migrationstudio.core.dialect.mariadb;

import io.migrationstudio.core.dialect.CatalogTable;
import io.migrationstudio.core.schema.CanonicalType;
import io.migrationstudio.core.schema.CheckConstraint;
import io.migrationstudio.core.schema.Column;
import io.migrationstudio.core.schema.ForeignKey;
import io.migrationstudio.core.schema.IndexInfo;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.core.schema.KeyConstraint;
import io.migrationstudio.core.schema.SequenceInfo;
import io.migrationstudio.core.schema.SequenceOptions;
import io.migrationstudio.core.schema.TableInfo;
import io.migrationstudio.core.schema.ViewInfo;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Reads the inventory of one MySQL/MariaDB database from {@code information_schema} (MariaDB 10.2+
 * and MySQL 8; tested on MariaDB 11.4 only). {@code SELECT VERSION()} containing {@code MariaDB}
 * chooses the MariaDB spellings where the two differ: CHECK_CONSTRAINTS ({@code TABLE_NAME} and
 * {@code LEVEL} are MariaDB's; MySQL 8.0.16+ is read through TABLE_CONSTRAINTS, older MySQL has no
 * checks) and COLUMN_DEFAULT (MariaDB: SQL expressions; MySQL: bare literals, expressions marked
 * {@code DEFAULT_GENERATED}). Everything else read here exists with the same meaning in both; MySQL
 * 8's paths are unverified against a live server (none can be run here).
 *
 * <p>Every name travels as a bind parameter; the only SQL text built from a name is the {@code
 * count(*)} per table, through {@link MariaDbDialect#quote}. One query per object kind, lists
 * sorted by code point in Java (not by the server's collation), so the result is byte-stable.
 *
 * <p>What the shared {@link Column} record cannot hold is carried in {@code nativeType}, spelled as
 * MySQL's own column definition: {@code COLUMN_TYPE} (with length, precision, {@code unsigned},
 * enum/set members), then {@code CHARACTER SET cs COLLATE coll} for character columns and {@code
 * GENERATED ALWAYS AS (expr) VIRTUAL|STORED} for generated columns (whose default is null). {@code
 * AUTO_INCREMENT} is {@code identity}. A MariaDB {@code json} column (a {@code longtext} with the
 * column check {@code json_valid(col)}) is native type {@code json}, canonical JSON, and that
 * implicit check is not listed. Defaults are SQL expressions ({@code 'text'}, {@code 0}, {@code
 * current_timestamp()}); no default is null. Secondary indexes are those that back neither the
 * primary key nor a unique constraint; {@code method} is {@code btree}, {@code hash}, {@code
 * fulltext} or {@code spatial}. Sizes are {@code DATA_LENGTH + INDEX_LENGTH} (InnoDB's estimate);
 * row counts are exact. MariaDB {@code SEQUENCE} objects are the sequences (parameters read, value
 * read by Migrate when the load ends). A column's {@code collation} is set only when it differs
 * from its table's default collation (the native type always spells it out); a generated column's
 * expression is its {@code generated}. Triggers and routines are read by {@link
 * MariaDbObjectCatalog}.
 *
 * <p>A table information_schema lists but the user cannot {@code SELECT *} from (another privilege,
 * or column grants only) is left out; the risk check {@code source-not-fully-readable} names it,
 * and the tables MariaDB does not even list, and fails the assessment.
 *
 * <p>Names are compared exactly ({@code CAST(name AS BINARY)}) in every filter and join: the
 * catalogue views collate case-insensitively, and with {@code lower_case_table_names=0} (the Linux
 * default) tables and databases whose names differ only in case are distinct objects.
 */
final class MariaDbCatalog {
  private static final Comparator<String> BY_NAME = Comparator.naturalOrder();

  private final MariaDbDialect dialect;

  MariaDbCatalog(MariaDbDialect dialect) {
    this.dialect = dialect;
  }

  Inventory read(Connection c, String database, Predicate<String> tableFilter) throws SQLException {
    if (!c.getAutoCommit()) {
      return readInTransaction(c, database, tableFilter);
    }
    int isolation = c.getTransactionIsolation();
    c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
    c.setAutoCommit(false);
    try {
      return readInTransaction(c, database, tableFilter);
    } finally {
      c.rollback();
      c.setAutoCommit(true);
      c.setTransactionIsolation(isolation);
    }
  }

  private Inventory readInTransaction(Connection c, String db, Predicate<String> tableFilter)
      throws SQLException {
    String version = dialect.serverVersion(c);
    boolean mariaDb = version.toLowerCase(Locale.ROOT).contains("mariadb");
    Map<String, TableBuilder> tables = tables(c, db, tableFilter);
    // a table the user cannot read as a whole is left out; source-not-fully-readable names it
    for (String name : List.copyOf(tables.keySet())) {
      if (!MariaDbDataProbe.readable(dialect, c, db, name)) {
        tables.remove(name);
      }
    }
    Map<String, Set<String>> jsonColumns = new HashMap<>();
    checks(c, db, tables, mariaDb, jsonColumns);
    columns(c, db, tables, mariaDb, jsonColumns);
    keys(c, db, tables);
    foreignKeys(c, db, tables);
    indexes(c, db, tables);
    partitions(c, db, tables);
    for (TableBuilder t : tables.values()) {
      t.rowCount = countRows(c, db, t.name);
    }
    List<TableInfo> tableInfos = CatalogTable.buildAll(tables.values());
    return new Inventory(
        dialect.name(),
        version,
        db,
        db,
        tableInfos,
        views(c, db, tableFilter),
        sequences(c, db, tableFilter),
        List.of(),
        List.of(),
        MariaDbObjectCatalog.triggers(dialect, c, db, tableFilter),
        MariaDbObjectCatalog.routines(dialect, c, db),
        List.of(),
        List.of());
  }

  /** A table being gathered, with its default collation (columns name theirs only when other). */
  private static final class TableBuilder extends CatalogTable {
    TableBuilder(String schema, String name, long sizeBytes, String collation, String comment) {
      super(schema, name, sizeBytes, comment == null || comment.isEmpty() ? null : comment);
      this.collation = collation;
    }
  }

  /** Base tables (and MariaDB system-versioned tables) accepted by the filter. */
  private Map<String, TableBuilder> tables(Connection c, String db, Predicate<String> filter)
      throws SQLException {
    String sql =
        """
        SELECT TABLE_NAME, COALESCE(DATA_LENGTH, 0) + COALESCE(INDEX_LENGTH, 0) AS size_bytes,
               TABLE_COLLATION, TABLE_COMMENT
          FROM information_schema.TABLES
         WHERE TABLE_SCHEMA = ? AND CAST(TABLE_SCHEMA AS BINARY) = CAST(? AS BINARY)
           AND TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED')
        """;
    Map<String, TableBuilder> out = new HashMap<>();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bindSchema(ps, db);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String name = rs.getString("TABLE_NAME");
          if (filter.test(name)) {
            out.put(
                name,
                new TableBuilder(
                    db,
                    name,
                    rs.getLong("size_bytes"),
                    rs.getString("TABLE_COLLATION"),
                    rs.getString("TABLE_COMMENT")));
          }
        }
      }
    }
    return out;
  }

  private void columns(
      Connection c,
      String db,
      Map<String, TableBuilder> tables,
      boolean mariaDb,
      Map<String, Set<String>> jsonColumns)
      throws SQLException {
    String sql =
        """
        SELECT TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, COLUMN_TYPE, IS_NULLABLE,
               COLUMN_DEFAULT, CHARACTER_MAXIMUM_LENGTH, NUMERIC_PRECISION, NUMERIC_SCALE,
               EXTRA, GENERATION_EXPRESSION, CHARACTER_SET_NAME, COLLATION_NAME, COLUMN_COMMENT
          FROM information_schema.COLUMNS
         WHERE TABLE_SCHEMA = ? AND CAST(TABLE_SCHEMA AS BINARY) = CAST(? AS BINARY)
        """;
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bindSchema(ps, db);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          TableBuilder t = tables.get(rs.getString("TABLE_NAME"));
          if (t == null) {
            continue;
          }
          String name = rs.getString("COLUMN_NAME");
          String columnType = rs.getString("COLUMN_TYPE");
          boolean json =
              jsonColumns.getOrDefault(t.name, Set.of()).contains(name)
                  && columnType.equalsIgnoreCase("longtext");
          CanonicalType type = json ? CanonicalType.JSON : dialect.canonicalType(columnType);
          String extra = rs.getString("EXTRA") == null ? "" : rs.getString("EXTRA");
          String generation = rs.getString("GENERATION_EXPRESSION");
          boolean generated = generation != null && !generation.isEmpty();
          StringBuilder nativeType = new StringBuilder(json ? "json" : columnType);
          String charset = rs.getString("CHARACTER_SET_NAME");
          if (charset != null && !json) {
            nativeType.append(" CHARACTER SET ").append(charset);
            nativeType.append(" COLLATE ").append(rs.getString("COLLATION_NAME"));
          }
          if (generated) {
            String kind = extra.toUpperCase(Locale.ROOT).contains("VIRTUAL") ? "VIRTUAL" : "STORED";
            nativeType.append(" GENERATED ALWAYS AS (").append(generation).append(") ");
            nativeType.append(kind);
          }
          String collation = rs.getString("COLLATION_NAME");
          String comment = rs.getString("COLUMN_COMMENT");
          Integer length = type.isText() ? intOrNull(rs, "CHARACTER_MAXIMUM_LENGTH") : null;
          Integer precision = null;
          Integer scale = null;
          if (type == CanonicalType.DECIMAL) {
            precision = intOrNull(rs, "NUMERIC_PRECISION");
            scale = intOrNull(rs, "NUMERIC_SCALE");
            if (columnType.toLowerCase(Locale.ROOT).startsWith("bigint")) {
              precision = 20; // bigint unsigned: up to 18446744073709551615
              scale = 0;
            }
          }
          t.columns.add(
              Column.builder(name, nativeType.toString(), type)
                  .position(rs.getInt("ORDINAL_POSITION"))
                  .nullable("YES".equals(rs.getString("IS_NULLABLE")))
                  .defaultExpression(
                      generated
                          ? null
                          : defaultExpression(rs.getString("COLUMN_DEFAULT"), extra, mariaDb))
                  .length(length)
                  .precision(precision)
                  .scale(scale)
                  .identity(extra.toLowerCase(Locale.ROOT).contains("auto_increment"))
                  .generated(generated ? generation : null, null)
                  .collation(
                      collation == null || json || collation.equals(t.collation) ? null : collation)
                  .comment(comment == null || comment.isEmpty() ? null : comment)
                  .onUpdate(onUpdate(extra))
                  .build());
        }
      }
    }
  }

  /**
   * The expression of {@code ON UPDATE ...} in {@code EXTRA} (MariaDB {@code on update
   * current_timestamp()}, MySQL 8 {@code DEFAULT_GENERATED on update CURRENT_TIMESTAMP(3)}),
   * lower-cased with MariaDB's parentheses; null when there is none.
   */
  static String onUpdate(String extra) {
    java.util.regex.Matcher m = ON_UPDATE.matcher(extra == null ? "" : extra);
    if (!m.find()) {
      return null;
    }
    String fsp = m.group(2) == null ? "" : m.group(2).trim();
    return m.group(1).toLowerCase(Locale.ROOT) + "(" + fsp + ")";
  }

  private static final java.util.regex.Pattern ON_UPDATE =
      java.util.regex.Pattern.compile(
          "on update (current_timestamp|now|localtimestamp|localtime)(?:\\(\\s*(\\d*)\\s*\\))?",
          java.util.regex.Pattern.CASE_INSENSITIVE);

  /**
   * MariaDB (10.2.7+) reports defaults as expressions and "no default" of a nullable column as
   * {@code NULL}; MySQL reports the bare literal, which is quoted here unless it is a number, a bit
   * or hex literal ({@code b'1'}, {@code 0x0A}) or an expression default: MySQL 8.0.13+ marks those
   * (and CURRENT_TIMESTAMP) {@code DEFAULT_GENERATED} in {@code EXTRA} and reports the expression
   * as written ({@code uuid()}), which is kept as it is.
   */
  static String defaultExpression(String raw, String extra, boolean mariaDb) {
    if (raw == null) {
      return null;
    }
    if (mariaDb) {
      return raw.equals("NULL") ? null : raw;
    }
    if (raw.matches("-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?")
        || raw.matches("(?i)b'[01]*'|0x[0-9a-f]+")
        || raw.toUpperCase(Locale.ROOT).startsWith("CURRENT_TIMESTAMP")
        || (extra != null && extra.toUpperCase(Locale.ROOT).contains("DEFAULT_GENERATED"))) {
      return raw;
    }
    return "'" + raw.replace("'", "''") + "'";
  }

  /** Primary and unique keys, columns in key order. */
  private void keys(Connection c, String db, Map<String, TableBuilder> tables) throws SQLException {
    String sql =
        """
        SELECT tc.TABLE_NAME, tc.CONSTRAINT_NAME, tc.CONSTRAINT_TYPE, k.COLUMN_NAME
          FROM information_schema.TABLE_CONSTRAINTS tc
          JOIN information_schema.KEY_COLUMN_USAGE k
            ON CAST(k.CONSTRAINT_SCHEMA AS BINARY) = CAST(tc.CONSTRAINT_SCHEMA AS BINARY)
           AND CAST(k.TABLE_NAME AS BINARY) = CAST(tc.TABLE_NAME AS BINARY)
           AND CAST(k.CONSTRAINT_NAME AS BINARY) = CAST(tc.CONSTRAINT_NAME AS BINARY)
         WHERE tc.CONSTRAINT_SCHEMA = ?
           AND CAST(tc.CONSTRAINT_SCHEMA AS BINARY) = CAST(? AS BINARY)
           AND tc.CONSTRAINT_TYPE IN ('PRIMARY KEY', 'UNIQUE')
         ORDER BY tc.TABLE_NAME, tc.CONSTRAINT_NAME, k.ORDINAL_POSITION
        """;
    Map<List<String>, List<String>> columns = new LinkedHashMap<>();
    Map<List<String>, String> types = new HashMap<>();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bindSchema(ps, db);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          List<String> key = List.of(rs.getString("TABLE_NAME"), rs.getString("CONSTRAINT_NAME"));
          columns.computeIfAbsent(key, k -> new ArrayList<>()).add(rs.getString("COLUMN_NAME"));
          types.put(key, rs.getString("CONSTRAINT_TYPE"));
        }
      }
    }
    columns.forEach(
        (key, cols) -> {
          TableBuilder t = tables.get(key.get(0));
          if (t != null) {
            KeyConstraint k = new KeyConstraint(key.get(1), cols);
            if ("PRIMARY KEY".equals(types.get(key))) {
              t.primaryKey = k;
            } else {
              t.uniqueKeys.add(k);
            }
          }
        });
  }

  /** Foreign keys with their rules; a referenced table in another database is {@code db.table}. */
  private void foreignKeys(Connection c, String db, Map<String, TableBuilder> tables)
      throws SQLException {
    String sql =
        """
        SELECT k.TABLE_NAME, k.CONSTRAINT_NAME, k.COLUMN_NAME, k.REFERENCED_TABLE_SCHEMA,
               k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME, rc.DELETE_RULE, rc.UPDATE_RULE
          FROM information_schema.REFERENTIAL_CONSTRAINTS rc
          JOIN information_schema.KEY_COLUMN_USAGE k
            ON CAST(k.CONSTRAINT_SCHEMA AS BINARY) = CAST(rc.CONSTRAINT_SCHEMA AS BINARY)
           AND CAST(k.TABLE_NAME AS BINARY) = CAST(rc.TABLE_NAME AS BINARY)
           AND CAST(k.CONSTRAINT_NAME AS BINARY) = CAST(rc.CONSTRAINT_NAME AS BINARY)
         WHERE rc.CONSTRAINT_SCHEMA = ?
           AND CAST(rc.CONSTRAINT_SCHEMA AS BINARY) = CAST(? AS BINARY)
         ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION
        """;
    Map<List<String>, FkBuilder> fks = new LinkedHashMap<>();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bindSchema(ps, db);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          List<String> key = List.of(rs.getString("TABLE_NAME"), rs.getString("CONSTRAINT_NAME"));
          String refSchema = rs.getString("REFERENCED_TABLE_SCHEMA");
          String refTable = rs.getString("REFERENCED_TABLE_NAME");
          String target = db.equals(refSchema) ? refTable : refSchema + "." + refTable;
          String onDelete = rs.getString("DELETE_RULE");
          String onUpdate = rs.getString("UPDATE_RULE");
          FkBuilder fk = fks.computeIfAbsent(key, k -> new FkBuilder(target, onDelete, onUpdate));
          fk.columns.add(rs.getString("COLUMN_NAME"));
          fk.refColumns.add(rs.getString("REFERENCED_COLUMN_NAME"));
        }
      }
    }
    fks.forEach(
        (key, fk) -> {
          TableBuilder t = tables.get(key.get(0));
          if (t != null) {
            t.foreignKeys.add(
                new ForeignKey(
                    key.get(1), fk.columns, fk.refTable, fk.refColumns, fk.onDelete, fk.onUpdate));
          }
        });
  }

  private static final class FkBuilder {
    final String refTable;
    final String onDelete;
    final String onUpdate;
    final List<String> columns = new ArrayList<>();
    final List<String> refColumns = new ArrayList<>();

    FkBuilder(String refTable, String onDelete, String onUpdate) {
      this.refTable = refTable;
      this.onDelete = onDelete;
      this.onUpdate = onUpdate;
    }
  }

  /**
   * Check constraints as {@code CHECK (clause)}. MariaDB names column-level checks after their
   * column and has {@code TABLE_NAME} in CHECK_CONSTRAINTS; MySQL 8 has table-level checks only,
   * found through TABLE_CONSTRAINTS. A MariaDB column check {@code json_valid(`col`)} marks a json
   * column ({@code jsonColumns}) and is not listed.
   */
  private void checks(
      Connection c,
      String db,
      Map<String, TableBuilder> tables,
      boolean mariaDb,
      Map<String, Set<String>> jsonColumns)
      throws SQLException {
    String sql =
        mariaDb
            ? """
              SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE, LEVEL
                FROM information_schema.CHECK_CONSTRAINTS
               WHERE CONSTRAINT_SCHEMA = ?
                 AND CAST(CONSTRAINT_SCHEMA AS BINARY) = CAST(? AS BINARY)
              """
            : """
              SELECT tc.TABLE_NAME, cc.CONSTRAINT_NAME, cc.CHECK_CLAUSE, 'Table' AS LEVEL
                FROM information_schema.TABLE_CONSTRAINTS tc
                JOIN information_schema.CHECK_CONSTRAINTS cc
                  ON CAST(cc.CONSTRAINT_SCHEMA AS BINARY) = CAST(tc.CONSTRAINT_SCHEMA AS BINARY)
                 AND CAST(cc.CONSTRAINT_NAME AS BINARY) = CAST(tc.CONSTRAINT_NAME AS BINARY)
               WHERE tc.CONSTRAINT_SCHEMA = ?
           AND CAST(tc.CONSTRAINT_SCHEMA AS BINARY) = CAST(? AS BINARY)
                 AND tc.CONSTRAINT_TYPE = 'CHECK'
              """;
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bindSchema(ps, db);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          TableBuilder t = tables.get(rs.getString("TABLE_NAME"));
          if (t == null) {
            continue;
          }
          String name = rs.getString("CONSTRAINT_NAME");
          String clause = rs.getString("CHECK_CLAUSE");
          if ("Column".equalsIgnoreCase(rs.getString("LEVEL"))
              && clause.equals("json_valid(" + dialect.quote(name) + ")")) {
            jsonColumns.computeIfAbsent(t.name, k -> new HashSet<>()).add(name);
          } else {
            t.checks.add(new CheckConstraint(name, "CHECK (" + clause + ")"));
          }
        }
      }
    } catch (SQLException e) {
      // MySQL before 8.0.16 has no CHECK_CONSTRAINTS (1109 unknown table) and enforced no checks
      if (mariaDb || e.getErrorCode() != 1109) {
        throw e;
      }
    }
  }

  /**
   * Secondary indexes from STATISTICS: every index of an in-scope table except {@code PRIMARY} and
   * those backing a unique constraint (in MySQL a unique index is the constraint). The definition
   * is a CREATE INDEX statement with prefix lengths and DESC where present.
   */
  private void indexes(Connection c, String db, Map<String, TableBuilder> tables)
      throws SQLException {
    String sql =
        """
        SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME, SUB_PART, INDEX_TYPE, COLLATION
          FROM information_schema.STATISTICS
         WHERE TABLE_SCHEMA = ? AND CAST(TABLE_SCHEMA AS BINARY) = CAST(? AS BINARY)
           AND INDEX_NAME <> 'PRIMARY'
         ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX
        """;
    Map<List<String>, IndexBuilder> found = new TreeMap<>(MariaDbCatalog::compareKeys);
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bindSchema(ps, db);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String table = rs.getString("TABLE_NAME");
          String name = rs.getString("INDEX_NAME");
          IndexBuilder ix = found.get(List.of(table, name));
          if (ix == null) {
            ix =
                new IndexBuilder(
                    rs.getInt("NON_UNIQUE") == 0,
                    rs.getString("INDEX_TYPE").toLowerCase(Locale.ROOT));
            found.put(List.of(table, name), ix);
          }
          String column = rs.getString("COLUMN_NAME");
          if (column == null) {
            ix.expression = true; // MySQL 8 functional key part
            ix.parts.add("(expression)");
            continue;
          }
          ix.columns.add(column);
          int subPart = rs.getInt("SUB_PART");
          String part = dialect.quote(column) + (rs.wasNull() ? "" : "(" + subPart + ")");
          ix.parts.add("D".equals(rs.getString("COLLATION")) ? part + " DESC" : part);
        }
      }
    }
    found.forEach(
        (key, ix) -> {
          TableBuilder t = tables.get(key.get(0));
          if (t == null || t.uniqueKeys.stream().anyMatch(u -> u.name().equals(key.get(1)))) {
            return;
          }
          String kind =
              switch (ix.method) {
                case "fulltext" -> "FULLTEXT ";
                case "spatial" -> "SPATIAL ";
                default -> ix.unique ? "UNIQUE " : "";
              };
          String using =
              ix.method.equals("btree") || ix.method.equals("hash")
                  ? " USING " + ix.method.toUpperCase(Locale.ROOT)
                  : "";
          String definition =
              "CREATE "
                  + kind
                  + "INDEX "
                  + dialect.quote(key.get(1))
                  + " ON "
                  + dialect.qualify(t.schema, t.name)
                  + " ("
                  + String.join(", ", ix.parts)
                  + ")"
                  + using;
          t.indexes.add(
              new IndexInfo(
                  key.get(1),
                  ix.expression ? List.of() : ix.columns,
                  ix.unique,
                  ix.method,
                  null,
                  definition));
        });
  }

  private static int compareKeys(List<String> a, List<String> b) {
    int t = a.get(0).compareTo(b.get(0));
    return t != 0 ? t : a.get(1).compareTo(b.get(1));
  }

  private static final class IndexBuilder {
    final boolean unique;
    final String method;
    final List<String> columns = new ArrayList<>();
    final List<String> parts = new ArrayList<>();
    boolean expression;

    IndexBuilder(boolean unique, String method) {
      this.unique = unique;
      this.method = method;
    }
  }

  /** Exact row count: {@code count(*)}, the only statement whose text carries a (quoted) name. */
  private long countRows(Connection c, String db, String table) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(countSql(dialect, db, table))) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * The exact count, scanning the table itself ({@code USE INDEX ()}: InnoDB's clustered index),
   * never a secondary index. Left alone, the optimizer counts through the smallest secondary index,
   * but an InnoDB secondary-index page changed after the reader's snapshot cannot answer on its
   * own: every record on it is looked up in the clustered index, at random. On a source taking
   * writes (sysbench at 200 tps over 1M rows: every page of its {@code k} index changed within
   * seconds) that turned a 0.2 s count into 6-10 s, and on 10M rows larger than the buffer pool
   * into minutes of random reads. A clustered scan reads each page once and rebuilds an older
   * version only for the rows actually changed. MyISAM/Aria still answer from their row count.
   */
  static String countSql(MariaDbDialect dialect, String db, String table) {
    return dialect.countRows(dialect.qualify(db, table));
  }

  /**
   * Partitions from {@code information_schema.PARTITIONS}: the key is {@code METHOD (expression)}
   * (with {@code SUBPARTITION BY} when subpartitioned), the partitions are the partition names, or
   * {@code partition.subpartition} for subpartitions.
   */
  private void partitions(Connection c, String db, Map<String, TableBuilder> tables)
      throws SQLException {
    String sql =
        """
        SELECT TABLE_NAME, PARTITION_NAME, SUBPARTITION_NAME, PARTITION_METHOD,
               PARTITION_EXPRESSION, SUBPARTITION_METHOD, SUBPARTITION_EXPRESSION
          FROM information_schema.PARTITIONS
         WHERE TABLE_SCHEMA = ? AND CAST(TABLE_SCHEMA AS BINARY) = CAST(? AS BINARY)
           AND PARTITION_NAME IS NOT NULL
        """;
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bindSchema(ps, db);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          TableBuilder t = tables.get(rs.getString("TABLE_NAME"));
          if (t == null) {
            continue;
          }
          String key =
              rs.getString("PARTITION_METHOD") + " (" + rs.getString("PARTITION_EXPRESSION") + ")";
          String sub = rs.getString("SUBPARTITION_METHOD");
          if (sub != null) {
            key += " SUBPARTITION BY " + sub + " (" + rs.getString("SUBPARTITION_EXPRESSION") + ")";
          }
          t.partitionKey = key;
          String subName = rs.getString("SUBPARTITION_NAME");
          String partition = rs.getString("PARTITION_NAME");
          t.partitions.add(subName == null ? partition : partition + "." + subName);
        }
      }
    }
  }

  /**
   * Views accepted by the filter, with their definitions as the server stores them and the tables
   * and views they read. MariaDB has no {@code VIEW_TABLE_USAGE} (MySQL 8.0.13+ has), so the
   * dependencies are found without parsing SQL: the server stores a view's definition with every
   * relation fully qualified and quoted ({@code `db`.`name`}), so a relation of the database is a
   * dependency when that exact spelling occurs in the definition.
   */
  private List<ViewInfo> views(Connection c, String db, Predicate<String> filter)
      throws SQLException {
    List<String> relations = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement("SELECT TABLE_NAME FROM information_schema.TABLES WHERE " + IN_SCHEMA)) {
      bindSchema(ps, db);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          relations.add(rs.getString(1));
        }
      }
    }
    String sql =
        "SELECT TABLE_NAME, VIEW_DEFINITION FROM information_schema.VIEWS WHERE " + IN_SCHEMA;
    List<ViewInfo> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bindSchema(ps, db);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String name = rs.getString("TABLE_NAME");
          if (filter.test(name)) {
            String definition = rs.getString("VIEW_DEFINITION");
            List<String> dependsOn =
                relations.stream()
                    .filter(r -> !r.equals(name))
                    .filter(r -> definition != null && definition.contains(dialect.qualify(db, r)))
                    .sorted(BY_NAME)
                    .toList();
            out.add(new ViewInfo(db, name, false, definition, dependsOn));
          }
        }
      }
    }
    out.sort(Comparator.comparing(ViewInfo::name, BY_NAME));
    return out;
  }

  /** MariaDB SEQUENCE objects (free-standing; MySQL has none). */
  private List<SequenceInfo> sequences(Connection c, String db, Predicate<String> filter)
      throws SQLException {
    String sql =
        "SELECT TABLE_NAME FROM information_schema.TABLES"
            + " WHERE "
            + IN_SCHEMA
            + " AND TABLE_TYPE = 'SEQUENCE'";
    List<SequenceInfo> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bindSchema(ps, db);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String name = rs.getString("TABLE_NAME");
          if (filter.test(name)) {
            out.add(new SequenceInfo(db, name, null, null, null, sequenceOptions(c, db, name)));
          }
        }
      }
    }
    out.sort(Comparator.comparing(SequenceInfo::name, BY_NAME));
    return out;
  }

  /**
   * {@code TABLE_SCHEMA = ?} lets the server open only that database's tables, but
   * information_schema compares names case-insensitively (utf8mb3_general_ci) even where {@code
   * lower_case_table_names=0} makes {@code CaseT} and {@code caset} two tables; the comparison as
   * binary makes the filter exact. Every join between catalogue views compares names the same way.
   */
  private static final String IN_SCHEMA =
      "TABLE_SCHEMA = ? AND CAST(TABLE_SCHEMA AS BINARY) = CAST(? AS BINARY)";

  /** Binds the database name to the two placeholders of an exact schema filter. */
  static void bindSchema(PreparedStatement ps, String db) throws SQLException {
    ps.setString(1, db);
    ps.setString(2, db);
  }

  /**
   * A MariaDB sequence's parameters, read from the sequence itself (it is a one-row table, so this
   * needs SELECT on it; null when the user lacks it: the sequence is then created with PostgreSQL's
   * defaults, and Migrate names the missing privilege when it reads the value). MariaDB spells no
   * cache as 0 and "the server's auto_increment_increment" as increment 0; PostgreSQL wants cache 1
   * and a real step, so those become 1.
   */
  private SequenceOptions sequenceOptions(Connection c, String db, String name) {
    String sql =
        "SELECT start_value, increment, minimum_value, maximum_value, cache_size, cycle_option"
            + " FROM "
            + dialect.qualify(db, name);
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      if (!rs.next()) {
        return null;
      }
      long increment = rs.getLong("increment");
      return new SequenceOptions(
          null,
          rs.getLong("start_value"),
          increment == 0 ? 1 : increment,
          rs.getLong("minimum_value"),
          rs.getLong("maximum_value"),
          Math.max(1, rs.getLong("cache_size")),
          rs.getLong("cycle_option") != 0);
    } catch (SQLException | IllegalArgumentException e) {
      return null;
    }
  }

  private static Integer intOrNull(ResultSet rs, String column) throws SQLException {
    long v = rs.getLong(column);
    if (rs.wasNull()) {
      return null;
    }
    return v > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) v;
  }
}
