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
 * one by one (the mapping's row filter applied). On a PostgreSQL target:
 *
 * <ul>
 *   <li>when the target table is partitioned identically (the same partition key, and a leaf of the
 *       same name with the same bounds), that leaf is counted ({@code target_method: partition});
 *   <li>otherwise, when every partition key column reaches the target unchanged (MAP under the same
 *       name, no time-zone conversion), the target rows within the leaf's partition constraint
 *       ({@code pg_get_partition_constraintdef}, a predicate over the parent's columns) are counted
 *       ({@code target_method: bounds});
 *   <li>otherwise the target counts are left out and the note says why.
 * </ul>
 *
 * Other sources (MariaDB {@code PARTITION BY}) are not counted per partition yet: the note says so.
 * A partition whose counts differ fails the table.
 */
final class PartitionCounts {
  private static final String POSTGRESQL = ColumnAggregates.POSTGRESQL;

  /** What a table's partitions show; {@code note} null when every count is comparable. */
  record Result(List<ValidationReport.PartitionCount> partitions, String note) {
    static final Result NONE = new Result(List.of(), null);

    boolean differs() {
      return partitions.stream().anyMatch(ValidationReport.PartitionCount::differs);
    }
  }

  private record Leaf(String schema, String name, String bounds, String constraint) {}

  private PartitionCounts() {}

  static Result of(Connection src, Connection tgt, TableSql sql) throws SQLException {
    String sourceEngine = sql.sourceDialect().name();
    if (!POSTGRESQL.equals(sourceEngine)) {
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
    boolean pgTarget = POSTGRESQL.equals(sql.targetDialect().name());
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
    for (Leaf l : leaves) {
      long sourceRows =
          count(
              src,
              "SELECT count(*) FROM " + sql.sourceDialect().qualify(l.schema(), l.name()) + filter);
      Long targetRows = null;
      String method = null;
      Leaf same = targetLeaves.get(l.name());
      if (same != null && same.bounds().equals(l.bounds())) {
        targetRows =
            count(
                tgt,
                "SELECT count(*) FROM " + sql.targetDialect().qualify(same.schema(), same.name()));
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

  private static List<Leaf> leaves(Connection c, String qualified) throws SQLException {
    List<Leaf> out = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT n.nspname, cl.relname, pg_get_expr(cl.relpartbound, cl.oid),"
                + " pg_get_partition_constraintdef(cl.oid)"
                + " FROM pg_partition_tree(to_regclass(?)) pt"
                + " JOIN pg_class cl ON cl.oid = pt.relid"
                + " JOIN pg_namespace n ON n.oid = cl.relnamespace"
                + " WHERE pt.isleaf AND pt.level > 0 ORDER BY cl.relname")) {
      ps.setString(1, qualified);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new Leaf(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)));
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
