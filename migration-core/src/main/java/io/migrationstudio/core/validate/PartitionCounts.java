package io.migrationstudio.core.validate;

import io.migrationstudio.core.copy.TableSql;
import io.migrationstudio.core.mapping.ColumnMapping;
import io.migrationstudio.core.mapping.Disposition;
import io.migrationstudio.core.mapping.TableMapping;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Row counts per partition of a partitioned source table, on both sides.
 *
 * <p>A PostgreSQL source's leaf partitions (every level of {@code pg_partition_tree}) are counted
 * in one scan of the parent grouped by {@code tableoid} (the mapping's row filter applied; no
 * privilege on the partitions themselves needed). On a PostgreSQL target:
 *
 * <ul>
 *   <li>when the target table is partitioned identically (the same partition key, and a leaf of the
 *       same name with the same bounds), that leaf's rows are counted ({@code target_method:
 *       partition});
 *   <li>otherwise, when every partition key column reaches the target unchanged (MAP under the same
 *       name, no time-zone conversion), the target rows within the leaf's partition constraint
 *       ({@code pg_get_partition_constraintdef}, a predicate over the parent's columns) are counted
 *       ({@code target_method: bounds});
 *   <li>otherwise the target counts are left out and the note says why.
 * </ul>
 *
 * A MariaDB source's partitions ({@code information_schema.PARTITIONS}, subpartitions counted with
 * their partition) are counted with {@code PARTITION (p)}. Their bounds are expressible on the
 * target when the table is partitioned by {@code RANGE}/{@code LIST} (or their {@code COLUMNS}
 * forms) over one plain column that the mapping copies (MAP or CAST, no time-zone conversion) and
 * every bound is a number or a quoted string ({@code MAXVALUE} and, in lists, {@code NULL} too): a
 * range partition holds {@code previous bound <= c < its bound} (the first also NULLs, as MariaDB
 * files them there), a list partition {@code c IN (...)}. Otherwise (HASH, KEY, an expression such
 * as {@code YEAR(d)}) only the source counts are given and the note says why. A partition whose
 * counts differ fails the table.
 */
final class PartitionCounts {
  private static final java.util.regex.Pattern BARE_COLUMN =
      java.util.regex.Pattern.compile("^`((?:[^`]|``)+)`$");
  private static final java.util.regex.Pattern LITERAL =
      java.util.regex.Pattern.compile("^(-?\\d+(\\.\\d+)?|'[^'\\\\]*'|MAXVALUE|NULL)$");

  /** What a table's partitions show; {@code note} null when every count is comparable. */
  record Result(List<ValidationReport.PartitionCount> partitions, String note) {
    static final Result NONE = new Result(List.of(), null);

    boolean differs() {
      return partitions.stream().anyMatch(ValidationReport.PartitionCount::differs);
    }
  }

  private record Leaf(long oid, String schema, String name, String bounds, String constraint) {}

  private PartitionCounts() {}

  static Result of(Connection src, Connection tgt, String sourceSchema, TableSql sql)
      throws SQLException {
    if (sql.sourceDialect().partitionsInInformationSchema()) {
      return mariaDb(src, tgt, sourceSchema, sql);
    }
    if (!sql.sourceDialect().speaksPostgres()) {
      return Result.NONE;
    }
    String table = sql.sourceTable();
    String keyDef = partitionKey(src, table);
    if (keyDef == null) {
      return Result.NONE;
    }
    List<Leaf> leaves = leaves(src, table);
    TableMapping t = sql.table();
    String filter = t.filter() == null || t.filter().isBlank() ? "" : " WHERE (" + t.filter() + ")";
    boolean pgTarget = sql.targetDialect().speaksPostgres();
    Map<String, Leaf> targetLeaves = new HashMap<>();
    String boundsBlocker = null;
    if (pgTarget) {
      String targetKey = partitionKey(tgt, sql.targetTable());
      if (keyDef.equals(targetKey)) {
        for (Leaf l : leaves(tgt, sql.targetTable())) {
          targetLeaves.put(l.name(), l);
        }
      }
      boundsBlocker = boundsBlocker(src, table, t);
    } else {
      boundsBlocker = "the target is " + sql.targetDialect().name() + ", not PostgreSQL";
    }
    List<ValidationReport.PartitionCount> out = new ArrayList<>();
    List<String> uncounted = new ArrayList<>();
    // one scan of the parent, grouped by the partition each row lives in: no privilege on the
    // partitions themselves needed, the row filter applies as to the copy
    Map<Long, Long> sourceCounts = byPartition(src, table, filter);
    Map<Long, Long> targetCounts =
        targetLeaves.isEmpty() ? Map.of() : byPartition(tgt, sql.targetTable(), "");
    for (Leaf l : leaves) {
      long sourceRows = sourceCounts.getOrDefault(l.oid(), 0L);
      Long targetRows = null;
      String method = null;
      Leaf same = targetLeaves.get(l.name());
      if (same != null && same.bounds().equals(l.bounds())) {
        targetRows = targetCounts.getOrDefault(same.oid(), 0L);
        method = "partition";
      } else if (boundsBlocker == null) {
        targetRows =
            count(
                tgt,
                "SELECT count(*) FROM "
                    + sql.targetTable()
                    + (l.constraint() == null ? "" : " WHERE " + l.constraint()));
        method = "bounds";
      } else {
        uncounted.add(l.name());
      }
      out.add(
          new ValidationReport.PartitionCount(
              l.name(), l.bounds(), sourceRows, targetRows, method));
    }
    String note =
        uncounted.isEmpty()
            ? null
            : "target rows per partition not comparable for "
                + String.join(", ", uncounted)
                + ": "
                + boundsBlocker
                + " and the target is not partitioned identically ("
                + keyDef
                + ")";
    return new Result(out, note);
  }

  /** One MariaDB partition: name, method, expression and description, in ordinal order. */
  private record MariaPartition(String name, String method, String expression, String values) {}

  private static Result mariaDb(Connection src, Connection tgt, String schema, TableSql sql)
      throws SQLException {
    List<MariaPartition> parts = new ArrayList<>();
    try (PreparedStatement ps =
        src.prepareStatement(
            "SELECT PARTITION_NAME, MIN(PARTITION_METHOD), MIN(PARTITION_EXPRESSION),"
                + " MIN(PARTITION_DESCRIPTION) FROM information_schema.PARTITIONS"
                + " WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ?"
                + " AND CAST(TABLE_SCHEMA AS BINARY) = CAST(COALESCE(?, DATABASE()) AS BINARY)"
                + " AND CAST(TABLE_NAME AS BINARY) = CAST(? AS BINARY)"
                + " AND PARTITION_NAME IS NOT NULL"
                + " GROUP BY PARTITION_NAME ORDER BY MIN(PARTITION_ORDINAL_POSITION)")) {
      // exact names: information_schema compares them case-insensitively (CaseT is not caset)
      String db = schema == null || schema.isBlank() ? null : schema;
      ps.setString(1, db);
      ps.setString(2, sql.table().source());
      ps.setString(3, db);
      ps.setString(4, sql.table().source());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          parts.add(
              new MariaPartition(
                  rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)));
        }
      }
    }
    if (parts.isEmpty()) {
      return Result.NONE;
    }
    TableMapping t = sql.table();
    String filter = t.filter() == null || t.filter().isBlank() ? "" : " WHERE (" + t.filter() + ")";
    String method = parts.get(0).method() == null ? "" : parts.get(0).method();
    String expression = parts.get(0).expression();
    String blocker = mariaBlocker(parts, method, expression, t);
    String column = null;
    if (blocker == null) {
      java.util.regex.Matcher m = BARE_COLUMN.matcher(expression.trim());
      m.matches();
      String sourceColumn = m.group(1).replace("``", "`");
      column = sql.targetDialect().quote(t.bySource(sourceColumn).orElseThrow().target());
    }
    boolean range = method.startsWith("RANGE");
    List<ValidationReport.PartitionCount> out = new ArrayList<>();
    String previous = null;
    for (int i = 0; i < parts.size(); i++) {
      MariaPartition p = parts.get(i);
      String bounds =
          range
              ? "VALUES LESS THAN (" + p.values() + ")"
              : method.startsWith("LIST")
                  ? "VALUES IN (" + p.values() + ")"
                  : method + " (" + expression + ")";
      long sourceRows =
          count(
              src,
              "SELECT count(*) FROM "
                  + sql.sourceTable()
                  + " PARTITION ("
                  + sql.sourceDialect().quote(p.name())
                  + ")"
                  + filter);
      Long targetRows = null;
      String how = null;
      if (column != null) {
        String where =
            range
                ? rangePredicate(column, previous, p.values(), i == 0)
                : listPredicate(column, p.values());
        targetRows = count(tgt, "SELECT count(*) FROM " + sql.targetTable() + " WHERE " + where);
        how = "bounds";
      }
      previous = p.values();
      out.add(new ValidationReport.PartitionCount(p.name(), bounds, sourceRows, targetRows, how));
    }
    return new Result(
        out, blocker == null ? null : "target rows per partition not comparable: " + blocker);
  }

  /** Why a MariaDB partitioning cannot be expressed on the target, or null when it can. */
  private static String mariaBlocker(
      List<MariaPartition> parts, String method, String expression, TableMapping t) {
    if (!(method.equals("RANGE")
        || method.equals("RANGE COLUMNS")
        || method.equals("LIST")
        || method.equals("LIST COLUMNS"))) {
      return "partitioned by " + method + ", whose bounds are not values";
    }
    java.util.regex.Matcher m = BARE_COLUMN.matcher(expression == null ? "" : expression.trim());
    if (!m.matches()) {
      return "the partition expression " + expression + " is not one plain column";
    }
    String col = m.group(1).replace("``", "`");
    Optional<ColumnMapping> c = t.bySource(col);
    if (c.isEmpty()
        || !(c.get().disposition() == Disposition.MAP || c.get().disposition() == Disposition.CAST)
        || c.get().sourceTimeZone() != null) {
      return "partition key column " + col + " does not reach the target unchanged";
    }
    for (MariaPartition p : parts) {
      for (String v : items(p.values())) {
        if (!LITERAL.matcher(v).matches()) {
          return "the bound " + v + " of partition " + p.name() + " is not a plain literal";
        }
      }
    }
    return null;
  }

  private static List<String> items(String values) {
    List<String> out = new ArrayList<>();
    if (values == null) {
      return out;
    }
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (char ch : values.toCharArray()) {
      if (ch == '\'') {
        quoted = !quoted;
      }
      if (ch == ',' && !quoted) {
        out.add(cur.toString().trim());
        cur.setLength(0);
      } else {
        cur.append(ch);
      }
    }
    out.add(cur.toString().trim());
    return out;
  }

  /** {@code lower <= c < upper}; the first partition also holds NULLs; MAXVALUE has no upper. */
  static String rangePredicate(String c, String lower, String upper, boolean first) {
    List<String> terms = new ArrayList<>();
    if (lower != null && !lower.equals("MAXVALUE")) {
      terms.add(c + " >= " + lower);
    }
    if (upper != null && !upper.equals("MAXVALUE")) {
      terms.add(c + " < " + upper);
    }
    String within = terms.isEmpty() ? c + " IS NOT NULL" : String.join(" AND ", terms);
    return first ? "(" + c + " IS NULL OR (" + within + "))" : "(" + within + ")";
  }

  /** {@code c IN (...)}, NULL matched by IS NULL. */
  static String listPredicate(String c, String values) {
    List<String> vals = new ArrayList<>();
    boolean nulls = false;
    for (String v : items(values)) {
      if (v.equals("NULL")) {
        nulls = true;
      } else {
        vals.add(v);
      }
    }
    String in = vals.isEmpty() ? "FALSE" : c + " IN (" + String.join(", ", vals) + ")";
    return nulls ? "(" + in + " OR " + c + " IS NULL)" : "(" + in + ")";
  }

  /** {@code pg_get_partkeydef} of a table, null when it is not a partitioned table. */
  private static String partitionKey(Connection c, String qualified) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT pg_get_partkeydef(cl.oid) FROM pg_class cl"
                + " WHERE cl.oid = to_regclass(?) AND cl.relkind = 'p'")) {
      ps.setString(1, qualified);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  /** Rows per partition (by {@code tableoid}) of a partitioned table. */
  private static Map<Long, Long> byPartition(Connection c, String qualified, String where)
      throws SQLException {
    Map<Long, Long> out = new HashMap<>();
    try (PreparedStatement ps =
            c.prepareStatement(
                "SELECT tableoid::bigint, count(*) FROM " + qualified + where + " GROUP BY 1");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.put(rs.getLong(1), rs.getLong(2));
      }
    }
    return out;
  }

  private static List<Leaf> leaves(Connection c, String qualified) throws SQLException {
    List<Leaf> out = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT cl.oid::bigint, n.nspname, cl.relname, pg_get_expr(cl.relpartbound, cl.oid),"
                + " pg_get_partition_constraintdef(cl.oid)"
                + " FROM pg_partition_tree(to_regclass(?)) pt"
                + " JOIN pg_class cl ON cl.oid = pt.relid"
                + " JOIN pg_namespace n ON n.oid = cl.relnamespace"
                + " WHERE pt.isleaf AND pt.level > 0 ORDER BY cl.relname")) {
      ps.setString(1, qualified);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(
              new Leaf(
                  rs.getLong(1),
                  rs.getString(2),
                  rs.getString(3),
                  rs.getString(4),
                  rs.getString(5)));
        }
      }
    }
    return out;
  }

  /**
   * Why the source's partition constraints cannot be evaluated on the target table, or null when
   * they can: every partition key (of every level) is a plain column that the mapping copies
   * unchanged under the same name.
   */
  private static String boundsBlocker(Connection src, String qualified, TableMapping t)
      throws SQLException {
    List<String> columns = new ArrayList<>();
    try (PreparedStatement ps =
        src.prepareStatement(
            "SELECT a.attname FROM pg_partition_tree(to_regclass(?)) pt"
                + " JOIN pg_partitioned_table p ON p.partrelid = pt.relid"
                + " CROSS JOIN LATERAL unnest(p.partattrs::int2[]) AS k(attnum)"
                + " LEFT JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = k.attnum")) {
      ps.setString(1, qualified);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String name = rs.getString(1);
          if (name == null) {
            return "the partition key is an expression";
          }
          columns.add(name);
        }
      }
    }
    for (String col : columns) {
      Optional<ColumnMapping> m = t.bySource(col);
      if (m.isEmpty()
          || m.get().disposition() != Disposition.MAP
          || !col.equals(m.get().target())
          || m.get().sourceTimeZone() != null) {
        return "partition key column " + col + " does not reach the target unchanged";
      }
    }
    return null;
  }

  private static long count(Connection c, String sql) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql);
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
