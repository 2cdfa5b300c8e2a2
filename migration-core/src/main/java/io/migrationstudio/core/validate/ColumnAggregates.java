package io.migrationstudio.core.validate;

import io.migrationstudio.core.canonical.ComparisonRule;
import io.migrationstudio.core.copy.TableSql;
import io.migrationstudio.core.mapping.ColumnMapping;
import io.migrationstudio.core.schema.CanonicalType;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Per-column aggregates of a same-engine PostgreSQL table, computed in SQL on both sides in one
 * query per side: row count, null count, min and max (ordered types), sum (numerics; floats summed
 * as numeric so the order of addition cannot change the result) and the sum of text lengths. Only
 * MAP and CAST columns are aggregated: the source side reads them as Migrate does ({@link
 * TableSql#projection}), so a CAST column is compared after the cast. Across engines the list is
 * empty (the engines' aggregates are not comparable as text).
 */
final class ColumnAggregates {
  private static final Set<CanonicalType> ORDERED =
      EnumSet.of(
          CanonicalType.SMALLINT,
          CanonicalType.INTEGER,
          CanonicalType.BIGINT,
          CanonicalType.DECIMAL,
          CanonicalType.REAL,
          CanonicalType.DOUBLE,
          CanonicalType.CHAR,
          CanonicalType.VARCHAR,
          CanonicalType.TEXT,
          CanonicalType.DATE,
          CanonicalType.TIME,
          CanonicalType.TIMESTAMP,
          CanonicalType.TIMESTAMPTZ,
          CanonicalType.INTERVAL);
  private static final Set<CanonicalType> EXACT_NUMERIC =
      EnumSet.of(
          CanonicalType.SMALLINT,
          CanonicalType.INTEGER,
          CanonicalType.BIGINT,
          CanonicalType.DECIMAL);
  private static final Set<CanonicalType> FLOAT =
      EnumSet.of(CanonicalType.REAL, CanonicalType.DOUBLE);
  private static final Set<CanonicalType> TEXT =
      EnumSet.of(CanonicalType.CHAR, CanonicalType.VARCHAR, CanonicalType.TEXT);

  private ColumnAggregates() {}

  /** Whether aggregates are computed for the table: both sides PostgreSQL. */
  static boolean applies(TableSql sql) {
    return !sql.crossEngine() && sql.targetDialect().speaksPostgres();
  }

  /** The aggregates of every MAP/CAST column, in target column order; empty when not applicable. */
  static List<ValidationReport.ColumnAggregate> compare(
      Connection src, Connection tgt, TableSql sql) throws SQLException {
    if (!applies(sql)) {
      return List.of();
    }
    List<ColumnMapping> columns = sql.projectedColumns();
    if (columns.isEmpty()) {
      return List.of();
    }
    List<String> sourceExprs = columns.stream().map(sql::projection).toList();
    List<String> targetExprs =
        columns.stream().map(c -> sql.targetDialect().quote(c.target())).toList();
    String filter =
        sql.table().filter() == null || sql.table().filter().isBlank()
            ? ""
            : " WHERE (" + sql.table().filter() + ")";
    List<ValidationReport.Aggregate> s =
        read(src, query(columns, sourceExprs, sql.sourceFrom() + filter), columns);
    List<ValidationReport.Aggregate> t =
        read(tgt, query(columns, targetExprs, sql.targetFrom()), columns);
    List<ValidationReport.ColumnAggregate> out = new ArrayList<>();
    for (int i = 0; i < columns.size(); i++) {
      out.add(
          new ValidationReport.ColumnAggregate(
              columns.get(i).target(),
              s.get(i),
              t.get(i),
              differing(s.get(i), t.get(i), columns.get(i).compare())));
    }
    return out;
  }

  /** Proof by checksums of the aggregates {@link ChunkComparer#provesAggregates} covers. */
  static final String PROVED_BY_CHECKSUMS =
      "chunk checksums: every chunk's row texts hash alike on both servers";

  /**
   * The aggregates of every MAP/CAST column recorded as proved by the checksum pass ({@link
   * #PROVED_BY_CHECKSUMS}), not computed: nothing is read.
   */
  static List<ValidationReport.ColumnAggregate> provedByChecksums(TableSql sql) {
    return sql.projectedColumns().stream()
        .map(
            c ->
                new ValidationReport.ColumnAggregate(
                    c.target(), null, null, List.of(), PROVED_BY_CHECKSUMS))
        .toList();
  }

  /**
   * The names of the aggregates whose values differ under a column's comparison rule: count and
   * nulls always exactly; with a tolerance, min and max within it and the sum within {@code count ×
   * tolerance} (not compared with only a relative tolerance, whose bound on a sum is unknown); with
   * a precision, time zone, trim or case rule, min, max and length sum are not compared (the rule
   * changes them in ways the SQL aggregates cannot follow). No rule: {@link #differing(Aggregate,
   * Aggregate)}.
   */
  static List<String> differing(
      ValidationReport.Aggregate a, ValidationReport.Aggregate b, ComparisonRule rule) {
    if (rule == null) {
      return differing(a, b);
    }
    List<String> out = new ArrayList<>();
    if (a.count() != b.count()) {
      out.add("count");
    }
    if (a.nulls() != b.nulls()) {
      out.add("nulls");
    }
    if (rule.hasTolerance()) {
      if (!withinTolerance(a.min(), b.min(), rule, BigDecimal.ONE)) {
        out.add("min");
      }
      if (!withinTolerance(a.max(), b.max(), rule, BigDecimal.ONE)) {
        out.add("max");
      }
      if (rule.tolerance() != null
          && !withinTolerance(
              a.sum(), b.sum(), rule, BigDecimal.valueOf(Math.max(a.count(), b.count())))) {
        out.add("sum");
      }
    }
    return out;
  }

  private static boolean withinTolerance(
      String a, String b, ComparisonRule rule, BigDecimal times) {
    if (a == null || b == null) {
      return a == null && b == null;
    }
    BigDecimal x;
    BigDecimal y;
    try {
      x = new BigDecimal(a.trim());
      y = new BigDecimal(b.trim());
    } catch (NumberFormatException e) {
      return a.equals(b); // NaN, Infinity
    }
    BigDecimal diff = x.subtract(y).abs();
    if (rule.tolerance() != null && diff.compareTo(rule.tolerance().multiply(times)) <= 0) {
      return true;
    }
    return times.equals(BigDecimal.ONE)
        && rule.relativeTolerance() != null
        && diff.compareTo(rule.relativeTolerance().multiply(x.abs().max(y.abs()))) <= 0;
  }

  /** The names of the aggregates whose values differ. */
  static List<String> differing(ValidationReport.Aggregate a, ValidationReport.Aggregate b) {
    List<String> out = new ArrayList<>();
    if (a.count() != b.count()) {
      out.add("count");
    }
    if (a.nulls() != b.nulls()) {
      out.add("nulls");
    }
    if (!Objects.equals(a.min(), b.min())) {
      out.add("min");
    }
    if (!Objects.equals(a.max(), b.max())) {
      out.add("max");
    }
    if (!Objects.equals(a.sum(), b.sum())) {
      out.add("sum");
    }
    if (!Objects.equals(a.lengthSum(), b.lengthSum())) {
      out.add("length_sum");
    }
    return out;
  }

  /** Six select items per column (count, nulls, min, max, sum, length sum), NULL where n/a. */
  static String query(List<ColumnMapping> columns, List<String> exprs, String from) {
    StringBuilder sb = new StringBuilder("SELECT count(*)");
    for (int i = 0; i < columns.size(); i++) {
      CanonicalType type = columns.get(i).canonical();
      String e = exprs.get(i);
      sb.append(", count(*) - count(").append(e).append(")");
      boolean ordered = ORDERED.contains(type);
      // an instant's text depends on the session's TimeZone: both sides spell it in UTC
      String utc = type == CanonicalType.TIMESTAMPTZ ? " AT TIME ZONE 'UTC'" : "";
      sb.append(", ").append(ordered ? "CAST(min(" + e + ")" + utc + " AS text)" : "NULL");
      sb.append(", ").append(ordered ? "CAST(max(" + e + ")" + utc + " AS text)" : "NULL");
      String sum =
          EXACT_NUMERIC.contains(type)
              ? "CAST(sum(" + e + ") AS text)"
              : FLOAT.contains(type) ? "CAST(sum(CAST(" + e + " AS numeric)) AS text)" : "NULL";
      sb.append(", ").append(sum);
      sb.append(", ").append(TEXT.contains(type) ? "CAST(sum(length(" + e + ")) AS text)" : "NULL");
    }
    return sb.append(" FROM ").append(from).toString();
  }

  private static List<ValidationReport.Aggregate> read(
      Connection c, String query, List<ColumnMapping> columns) throws SQLException {
    List<ValidationReport.Aggregate> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(query);
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      long rows = rs.getLong(1);
      for (int i = 0; i < columns.size(); i++) {
        int at = 2 + i * 5;
        out.add(
            new ValidationReport.Aggregate(
                rows,
                rs.getLong(at),
                rs.getString(at + 1),
                rs.getString(at + 2),
                rs.getString(at + 3),
                rs.getString(at + 4)));
      }
    }
    return out;
  }
}
