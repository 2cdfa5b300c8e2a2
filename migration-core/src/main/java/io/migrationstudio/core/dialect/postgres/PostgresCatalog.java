package io.migrationstudio.core.dialect.postgres;

import io.migrationstudio.core.dialect.CatalogTable;
import io.migrationstudio.core.dialect.Dialect;
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
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Reads the inventory of one schema from pg_catalog (PostgreSQL 12+, for pg_partition_tree; tested
 * on 17).
 *
 * <p>Tables are ordinary and partitioned tables ({@code relkind} r, p); partitions themselves are
 * not tables of the inventory because their rows are read through the partitioned parent (whose
 * size sums the partitions): they are listed in the parent's {@code partitions} (every level of its
 * partition tree) beside its {@code partition_key}. Triggers, routines and types are read by {@link
 * PostgresObjectCatalog}. Every name travels as a bind parameter; the only SQL text built from a
 * name is the {@code count(*)} per table, through {@link PostgresDialect#quote}. The catalog is
 * read in one query per object kind, not per table, so a schema of thousands of tables costs a
 * handful of round trips plus one count per table. Lists are sorted by code point in Java (not by
 * the database collation), so the result is byte-stable across servers.
 *
 * <p>Everything is read from pg_catalog, which shows every table and constraint whatever the user's
 * privileges (information_schema hides the constraints of tables the user holds only SELECT on). A
 * table the user cannot read (no USAGE on the schema, no SELECT on the whole table) is left out:
 * the risk check {@code source-not-fully-readable} names it and fails the assessment.
 */
final class PostgresCatalog {
  private static final Comparator<String> BY_NAME = Comparator.naturalOrder();

  private final PostgresDialect dialect;

  PostgresCatalog(PostgresDialect dialect) {
    this.dialect = dialect;
  }

  Inventory read(Connection c, String schema, Predicate<String> tableFilter) throws SQLException {
    boolean autoCommit = c.getAutoCommit();
    if (!autoCommit) {
      return readInTransaction(c, schema, tableFilter);
    }
    int isolation = c.getTransactionIsolation();
    boolean readOnly = c.isReadOnly();
    c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
    c.setReadOnly(true);
    c.setAutoCommit(false);
    try {
      return readInTransaction(c, schema, tableFilter);
    } finally {
      c.rollback();
      c.setAutoCommit(true);
      c.setReadOnly(readOnly);
      c.setTransactionIsolation(isolation);
    }
  }

  private Inventory readInTransaction(Connection c, String schema, Predicate<String> tableFilter)
      throws SQLException {
    Map<Long, TableBuilder> tables = tables(c, schema, tableFilter);
    columns(c, schema, tables);
    constraints(c, schema, tables);
    indexes(c, schema, tables);
    for (TableBuilder t : tables.values()) {
      t.rowCount = countRows(c, schema, t.name, !t.inheritanceChildren.isEmpty());
    }
    List<TableInfo> tableInfos = CatalogTable.buildAll(tables.values());
    return new Inventory(
        dialect.name(),
        dialect.serverVersion(c),
        currentDatabase(c),
        schema,
        tableInfos,
        views(c, schema, tableFilter),
        sequences(c, schema, tableFilter),
        List.of(),
        List.of(),
        PostgresObjectCatalog.triggers(c, schema, tableFilter),
        PostgresObjectCatalog.routines(c, schema),
        PostgresObjectCatalog.types(c, schema),
        List.of());
  }

  /** Mutable accumulator of one table while the catalog queries fill it. */
  private static final class TableBuilder extends CatalogTable {
    TableBuilder(
        String schema,
        String name,
        long sizeBytes,
        String partitionKey,
        List<String> partitions,
        List<String> inheritanceChildren,
        String comment) {
      super(schema, name, sizeBytes, comment);
      this.partitionKey = partitionKey;
      this.partitions.addAll(partitions);
      this.inheritanceChildren.addAll(inheritanceChildren);
    }
  }

  private Map<Long, TableBuilder> tables(Connection c, String schema, Predicate<String> filter)
      throws SQLException {
    String sql =
        """
        SELECT cl.oid, cl.relname,
               CASE WHEN cl.relkind = 'p'
                    THEN (SELECT coalesce(sum(pg_total_relation_size(pt.relid)), 0)
                            FROM pg_partition_tree(cl.oid) pt)
                    ELSE pg_total_relation_size(cl.oid) END AS size_bytes,
               CASE WHEN cl.relkind = 'p' THEN pg_get_partkeydef(cl.oid) END AS partition_key,
               ARRAY(SELECT CASE WHEN pn.nspname = n.nspname THEN pc.relname::text
                                 ELSE pn.nspname || '.' || pc.relname END
                       FROM pg_partition_tree(cl.oid) pt
                       JOIN pg_class pc ON pc.oid = pt.relid
                       JOIN pg_namespace pn ON pn.oid = pc.relnamespace
                      WHERE pt.level > 0) AS partitions,
               obj_description(cl.oid, 'pg_class') AS comment,
               ARRAY(SELECT CASE WHEN hn.nspname = n.nspname THEN h.relname::text
                                 ELSE hn.nspname || '.' || h.relname END
                       FROM pg_inherits i
                       JOIN pg_class h ON h.oid = i.inhrelid
                       JOIN pg_namespace hn ON hn.oid = h.relnamespace
                      WHERE i.inhparent = cl.oid AND cl.relkind = 'r') AS inheritance_children
          FROM pg_class cl
          JOIN pg_namespace n ON n.oid = cl.relnamespace
         WHERE n.nspname = ? AND cl.relkind IN ('r', 'p') AND NOT cl.relispartition
           AND has_schema_privilege(n.oid, 'USAGE') AND has_table_privilege(cl.oid, 'SELECT')
        """;
    Map<Long, TableBuilder> out = new HashMap<>();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, schema);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String name = rs.getString("relname");
          if (filter.test(name)) {
            out.put(
                rs.getLong("oid"),
                new TableBuilder(
                    schema,
                    name,
                    rs.getLong("size_bytes"),
                    rs.getString("partition_key"),
                    strings(rs.getArray("partitions")),
                    strings(rs.getArray("inheritance_children")),
                    rs.getString("comment")));
          }
        }
      }
    }
    return out;
  }

  /**
   * Columns with their type. {@code typtype} decides the canonical type: enums are ENUM, domains
   * take their base type's canonical type (length/precision too, through information_schema's
   * true-type helpers), arrays are ARRAY, base types go through {@link
   * PostgresDialect#canonicalType}; composite, range and pseudo types are UNSUPPORTED. A column is
   * {@code identity} when it is GENERATED AS IDENTITY or fed by a sequence it owns (serial).
   */
  private void columns(Connection c, String schema, Map<Long, TableBuilder> tables)
      throws SQLException {
    String sql =
        """
        SELECT a.attrelid, a.attname, a.attnum,
               format_type(a.atttypid, a.atttypmod) AS native_type,
               t.typtype, t.typcategory,
               CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END AS base_type,
               bt.typtype AS base_typtype,
               NOT a.attnotnull AS nullable,
               pg_get_expr(d.adbin, d.adrelid) AS default_expr, a.attgenerated,
               CASE WHEN a.attcollation <> t.typcollation
                    THEN (SELECT CASE WHEN cn.nspname = 'pg_catalog' THEN quote_ident(co.collname)
                                      ELSE quote_ident(cn.nspname) || '.' || quote_ident(co.collname)
                                 END
                            FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace
                           WHERE co.oid = a.attcollation) END AS collation,
               col_description(a.attrelid, a.attnum) AS comment,
               a.attidentity <> '' OR EXISTS (
                 SELECT 1 FROM pg_depend dep
                   JOIN pg_class s ON s.oid = dep.objid AND s.relkind = 'S'
                  WHERE dep.classid = 'pg_class'::regclass AND dep.refclassid = 'pg_class'::regclass
                    AND dep.refobjid = a.attrelid AND dep.refobjsubid = a.attnum
                    AND dep.deptype IN ('a', 'i')) AS is_identity,
               information_schema._pg_char_max_length(
                 information_schema._pg_truetypid(a.*, t.*),
                 information_schema._pg_truetypmod(a.*, t.*)) AS char_length,
               information_schema._pg_numeric_precision(
                 information_schema._pg_truetypid(a.*, t.*),
                 information_schema._pg_truetypmod(a.*, t.*)) AS num_precision,
               information_schema._pg_numeric_scale(
                 information_schema._pg_truetypid(a.*, t.*),
                 information_schema._pg_truetypmod(a.*, t.*)) AS num_scale
          FROM pg_attribute a
          JOIN pg_class cl ON cl.oid = a.attrelid
          JOIN pg_namespace n ON n.oid = cl.relnamespace
          JOIN pg_type t ON t.oid = a.atttypid
          LEFT JOIN pg_type bt ON bt.oid = t.typbasetype
          LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
         WHERE n.nspname = ? AND cl.relkind IN ('r', 'p') AND NOT cl.relispartition
           AND a.attnum > 0 AND NOT a.attisdropped
        """;
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, schema);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          TableBuilder t = tables.get(rs.getLong("attrelid"));
          if (t == null) {
            continue;
          }
          String nativeType = rs.getString("native_type");
          CanonicalType type =
              canonical(
                  nativeType,
                  rs.getString("typtype"),
                  rs.getString("typcategory"),
                  rs.getString("base_type"),
                  rs.getString("base_typtype"));
          Integer length = type.isText() ? intOrNull(rs, "char_length") : null;
          Integer precision = type == CanonicalType.DECIMAL ? intOrNull(rs, "num_precision") : null;
          Integer scale = type == CanonicalType.DECIMAL ? intOrNull(rs, "num_scale") : null;
          // attgenerated: 's' stored, 'v' virtual (PostgreSQL 18); its expression lives in
          // pg_attrdef like a default but is not one
          boolean generated = !rs.getString("attgenerated").isEmpty();
          String expression = rs.getString("default_expr");
          t.columns.add(
              Column.builder(rs.getString("attname"), nativeType, type)
                  .position(rs.getInt("attnum"))
                  .nullable(rs.getBoolean("nullable"))
                  .defaultExpression(generated ? null : expression)
                  .length(length)
                  .precision(precision)
                  .scale(scale)
                  .identity(rs.getBoolean("is_identity"))
                  .generated(generated ? expression : null, null)
                  .collation(rs.getString("collation"))
                  .comment(rs.getString("comment"))
                  .build());
        }
      }
    }
  }

  private CanonicalType canonical(
      String nativeType, String typtype, String category, String baseType, String baseTyptype) {
    if ("A".equals(category)) {
      return CanonicalType.ARRAY;
    }
    if (typtype == null) {
      // a domain over a domain: judge the inner domain by its spelling (usually UNSUPPORTED)
      return dialect.canonicalType(nativeType);
    }
    return switch (typtype) {
      case "e" -> CanonicalType.ENUM;
      case "d" ->
          canonical(baseType, "d".equals(baseTyptype) ? null : baseTyptype, null, null, null);
      case "b" -> dialect.canonicalType(nativeType);
      default -> CanonicalType.UNSUPPORTED; // composite, range, multirange, pseudo
    };
  }

  /**
   * Primary, unique, foreign key and check constraints in one pass. Key columns come in key order
   * (unnest WITH ORDINALITY); FK clones that PostgreSQL adds for partitions ({@code conparentid <>
   * 0}) are skipped.
   */
  private void constraints(Connection c, String schema, Map<Long, TableBuilder> tables)
      throws SQLException {
    String sql =
        """
        SELECT co.conrelid, co.conname, co.contype,
               ARRAY(SELECT a.attname::text
                       FROM unnest(co.conkey) WITH ORDINALITY k(attnum, ord)
                       JOIN pg_attribute a ON a.attrelid = co.conrelid AND a.attnum = k.attnum
                      ORDER BY k.ord) AS cols,
               rn.nspname AS ref_schema, rc.relname AS ref_table,
               ARRAY(SELECT a.attname::text
                       FROM unnest(co.confkey) WITH ORDINALITY k(attnum, ord)
                       JOIN pg_attribute a ON a.attrelid = co.confrelid AND a.attnum = k.attnum
                      ORDER BY k.ord) AS ref_cols,
               co.confdeltype, co.confupdtype,
               pg_get_constraintdef(co.oid, true) AS definition
          FROM pg_constraint co
          JOIN pg_class cl ON cl.oid = co.conrelid
          JOIN pg_namespace n ON n.oid = cl.relnamespace
          LEFT JOIN pg_class rc ON rc.oid = co.confrelid
          LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace
         WHERE n.nspname = ? AND co.contype IN ('p', 'u', 'f', 'c') AND co.conparentid = 0
        """;
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, schema);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          TableBuilder t = tables.get(rs.getLong("conrelid"));
          if (t == null) {
            continue;
          }
          String name = rs.getString("conname");
          List<String> cols = strings(rs.getArray("cols"));
          switch (rs.getString("contype")) {
            case "p" -> t.primaryKey = new KeyConstraint(name, cols);
            case "u" -> t.uniqueKeys.add(new KeyConstraint(name, cols));
            case "c" -> t.checks.add(new CheckConstraint(name, rs.getString("definition")));
            case "f" -> {
              String refSchema = rs.getString("ref_schema");
              String refTable = rs.getString("ref_table");
              t.foreignKeys.add(
                  new ForeignKey(
                      name,
                      cols,
                      schema.equals(refSchema) ? refTable : refSchema + "." + refTable,
                      strings(rs.getArray("ref_cols")),
                      action(rs.getString("confdeltype")),
                      action(rs.getString("confupdtype"))));
            }
            default -> throw new IllegalStateException("unexpected contype");
          }
        }
      }
    }
  }

  private static String action(String code) {
    return switch (code) {
      case "r" -> "RESTRICT";
      case "c" -> "CASCADE";
      case "n" -> "SET NULL";
      case "d" -> "SET DEFAULT";
      default -> "NO ACTION";
    };
  }

  /**
   * Secondary indexes: every index of an in-scope table that does not back that table's primary
   * key, unique or exclusion constraint. {@code columns} lists the key columns (not INCLUDE ones)
   * and is empty when any key is an expression.
   */
  private void indexes(Connection c, String schema, Map<Long, TableBuilder> tables)
      throws SQLException {
    String sql =
        """
        SELECT i.indrelid, ic.relname AS index_name, i.indisunique, am.amname,
               0 = ANY (i.indkey::int2[]) AS has_expression,
               ARRAY(SELECT a.attname::text
                       FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, ord)
                       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                      WHERE k.ord <= i.indnkeyatts
                      ORDER BY k.ord) AS cols,
               pg_get_expr(i.indpred, i.indrelid) AS predicate,
               pg_get_indexdef(i.indexrelid) AS definition
          FROM pg_index i
          JOIN pg_class ic ON ic.oid = i.indexrelid
          JOIN pg_class cl ON cl.oid = i.indrelid
          JOIN pg_namespace n ON n.oid = cl.relnamespace
          JOIN pg_am am ON am.oid = ic.relam
         WHERE n.nspname = ? AND cl.relkind IN ('r', 'p') AND NOT cl.relispartition
           AND NOT EXISTS (SELECT 1 FROM pg_constraint co
                            WHERE co.conindid = i.indexrelid AND co.conrelid = i.indrelid
                              AND co.contype IN ('p', 'u', 'x'))
        """;
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, schema);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          TableBuilder t = tables.get(rs.getLong("indrelid"));
          if (t == null) {
            continue;
          }
          List<String> cols =
              rs.getBoolean("has_expression") ? List.of() : strings(rs.getArray("cols"));
          t.indexes.add(
              new IndexInfo(
                  rs.getString("index_name"),
                  cols,
                  rs.getBoolean("indisunique"),
                  rs.getString("amname"),
                  rs.getString("predicate"),
                  rs.getString("definition")));
        }
      }
    }
  }

  /**
   * Exact row count: {@code count(*)}, the only statement whose text carries a (quoted) name; an
   * inheritance parent counts its own rows ({@code ONLY}), not its children's.
   */
  private long countRows(Connection c, String schema, String table, boolean only)
      throws SQLException {
    String from = (only ? "ONLY " : "") + dialect.qualify(schema, table);
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM " + from)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * Views and materialized views accepted by the filter, with their definitions and the relations
   * their rewrite rule depends on ({@code pg_depend} of the {@code pg_rewrite} row, minus the view
   * itself). {@code pg_get_viewdef} qualifies a relation whose schema is not on the search_path: it
   * runs with the search_path set to the schema read, so the definitions name the schema's own
   * tables as the inventory does (unqualified: DDL written from them runs in any schema, as {@code
   * studio diff} applies it) and every other schema's with its name.
   */
  private List<ViewInfo> views(Connection c, String schema, Predicate<String> filter)
      throws SQLException {
    String searchPath = Dialect.queryString(c, "SELECT current_setting('search_path')");
    try (PreparedStatement set =
        c.prepareStatement("SELECT set_config('search_path', quote_ident(?), false)")) {
      set.setString(1, schema);
      set.execute();
    }
    List<ViewInfo> out = viewsInPath(c, schema, filter);
    try (PreparedStatement set = c.prepareStatement("SELECT set_config('search_path', ?, false)")) {
      set.setString(1, searchPath);
      set.execute();
    }
    return out;
  }

  private List<ViewInfo> viewsInPath(Connection c, String schema, Predicate<String> filter)
      throws SQLException {
    String sql =
        """
        SELECT cl.relname, cl.relkind = 'm' AS materialized,
               pg_get_viewdef(cl.oid, true) AS definition,
               ARRAY(SELECT DISTINCT CASE WHEN dn.nspname = n.nspname THEN dc.relname::text
                                          ELSE dn.nspname || '.' || dc.relname END
                       FROM pg_rewrite r
                       JOIN pg_depend dep ON dep.classid = 'pg_rewrite'::regclass
                            AND dep.objid = r.oid AND dep.refclassid = 'pg_class'::regclass
                       JOIN pg_class dc ON dc.oid = dep.refobjid
                       JOIN pg_namespace dn ON dn.oid = dc.relnamespace
                      WHERE r.ev_class = cl.oid AND dc.oid <> cl.oid) AS depends_on
          FROM pg_class cl
          JOIN pg_namespace n ON n.oid = cl.relnamespace
         WHERE n.nspname = ? AND cl.relkind IN ('v', 'm')
        """;
    List<ViewInfo> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, schema);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String name = rs.getString("relname");
          if (filter.test(name)) {
            out.add(
                new ViewInfo(
                    schema,
                    name,
                    rs.getBoolean("materialized"),
                    rs.getString("definition"),
                    strings(rs.getArray("depends_on")).stream().sorted(BY_NAME).toList()));
          }
        }
      }
    }
    out.sort(Comparator.comparing(ViewInfo::name, BY_NAME));
    return out;
  }

  /**
   * Sequences with the column that owns them (serial: dependency 'a', identity: 'i'), their
   * parameters ({@code pg_sequence}, readable by every user) and their last value (null when never
   * used or not readable by this user). A sequence owned by a table outside the scope is left out;
   * free-standing sequences are kept.
   */
  private List<SequenceInfo> sequences(Connection c, String schema, Predicate<String> filter)
      throws SQLException {
    String sql =
        """
        SELECT s.relname AS sequence_name, t.relname AS owner_table, a.attname AS owner_column,
               CASE WHEN has_sequence_privilege(s.oid, 'SELECT,USAGE')
                    THEN pg_sequence_last_value(s.oid) END AS last_value,
               format_type(q.seqtypid, NULL) AS seq_type, q.seqstart, q.seqincrement, q.seqmin,
               q.seqmax, q.seqcache, q.seqcycle
          FROM pg_class s
          JOIN pg_namespace n ON n.oid = s.relnamespace
          JOIN pg_sequence q ON q.seqrelid = s.oid
          LEFT JOIN pg_depend dep ON dep.classid = 'pg_class'::regclass AND dep.objid = s.oid
               AND dep.refclassid = 'pg_class'::regclass AND dep.deptype IN ('a', 'i')
          LEFT JOIN pg_class t ON t.oid = dep.refobjid
          LEFT JOIN pg_attribute a ON a.attrelid = dep.refobjid AND a.attnum = dep.refobjsubid
         WHERE n.nspname = ? AND s.relkind = 'S'
        """;
    List<SequenceInfo> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, schema);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String owner = rs.getString("owner_table");
          if (owner != null && !filter.test(owner)) {
            continue;
          }
          long last = rs.getLong("last_value");
          Long lastValue = rs.wasNull() ? null : last;
          out.add(
              new SequenceInfo(
                  schema,
                  rs.getString("sequence_name"),
                  owner,
                  rs.getString("owner_column"),
                  lastValue,
                  new SequenceOptions(
                      rs.getString("seq_type"),
                      rs.getLong("seqstart"),
                      rs.getLong("seqincrement"),
                      rs.getLong("seqmin"),
                      rs.getLong("seqmax"),
                      rs.getLong("seqcache"),
                      rs.getBoolean("seqcycle"))));
        }
      }
    }
    out.sort(Comparator.comparing(SequenceInfo::name, BY_NAME));
    return out;
  }

  private static String currentDatabase(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT current_database()")) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static Integer intOrNull(ResultSet rs, String column) throws SQLException {
    int v = rs.getInt(column);
    return rs.wasNull() ? null : v;
  }

  private static List<String> strings(Array array) throws SQLException {
    if (array == null) {
      return List.of();
    }
    try {
      return Arrays.asList((String[]) array.getArray());
    } finally {
      array.free();
    }
  }
}
