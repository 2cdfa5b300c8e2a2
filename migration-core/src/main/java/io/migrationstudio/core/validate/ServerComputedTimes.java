package io.migrationstudio.core.validate;

import io.migrationstudio.core.copy.TableSql;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.mapping.ColumnMapping;
import io.migrationstudio.core.mapping.Disposition;
import io.migrationstudio.core.schema.CanonicalType;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Temporal columns of a cross-engine table checked with numbers each server computes itself, not
 * through the studio's readers: per column the count, minimum, maximum and sum of the value in
 * microseconds ({@link Dialect#temporalMicros}: an instant since the epoch, a wall date-time or
 * date since 1970-01-01 00:00, a time as a signed duration), on the source over the mapping's rows
 * (its row filter applied) and on the target over the table. The chunk checksums and the sample
 * read the source through the same converter as the copy, so a conversion that went wrong in it (an
 * instant read in the wrong time zone) would agree with itself there; here the source server states
 * the instant ({@code UNIX_TIMESTAMP} of a MySQL {@code timestamp}), and a shift of any row moves
 * the sum.
 *
 * <p>Checked: MAP and CAST columns without a value map, comparison rule or {@code source_time_zone}
 * whose value is the same quantity on both sides: timestamptz from an instant, timestamp from a
 * wall date-time, date from a date, time or interval from a time. Both dialects must offer the
 * expression.
 */
final class ServerComputedTimes {
  /** The value kinds whose microseconds mean the same on both sides, by source canonical type. */
  private static final Map<CanonicalType, List<CanonicalType>> SAME_QUANTITY =
      Map.of(
          CanonicalType.TIMESTAMPTZ, List.of(CanonicalType.TIMESTAMPTZ),
          CanonicalType.TIMESTAMP, List.of(CanonicalType.TIMESTAMP),
          CanonicalType.DATE, List.of(CanonicalType.DATE),
          CanonicalType.TIME, List.of(CanonicalType.TIME, CanonicalType.INTERVAL));

  private ServerComputedTimes() {}

  /** One checked column: its mapping and the expression on each side. */
  private record Checked(ColumnMapping column, String source, String target) {}

  /** The comparison of every checked column of the table (empty when none is checked). */
  static List<ValidationReport.ColumnAggregate> compare(
      Connection src, Connection tgt, TableSql sql) throws SQLException {
    if (!sql.crossEngine()) {
      return List.of(); // same engine: ColumnAggregates compares in SQL on both sides
    }
    List<Checked> checked = new ArrayList<>();
    for (ColumnMapping c : sql.projectedColumns()) {
      checkedColumn(sql, c).ifPresent(checked::add);
    }
    if (checked.isEmpty()) {
      return List.of();
    }
    String filter =
        sql.table().filter() == null || sql.table().filter().isBlank()
            ? ""
            : " WHERE (" + sql.table().filter() + ")";
    List<String[]> s =
        aggregates(src, checked.stream().map(Checked::source).toList(), sql.sourceFrom(), filter);
    List<String[]> t =
        aggregates(tgt, checked.stream().map(Checked::target).toList(), sql.targetFrom(), "");
    List<ValidationReport.ColumnAggregate> out = new ArrayList<>();
    String[] names = {"count", "min", "max", "sum"};
    for (int i = 0; i < checked.size(); i++) {
      List<String> differing = new ArrayList<>();
      for (int k = 0; k < names.length; k++) {
        if (!sameNumber(s.get(i)[k], t.get(i)[k])) {
          differing.add(names[k]);
        }
      }
      out.add(
          new ValidationReport.ColumnAggregate(
              checked.get(i).column().target() + " (microseconds computed by each server)",
              aggregate(s.get(i)),
              aggregate(t.get(i)),
              differing));
    }
    return out;
  }

  private static Optional<Checked> checkedColumn(TableSql sql, ColumnMapping c) {
    if (c.source() == null
        || c.sourceType() == null
        || (c.disposition() != Disposition.MAP && c.disposition() != Disposition.CAST)
        || c.values() != null
        || c.compare() != null
        || c.sourceTimeZone() != null) {
      return Optional.empty();
    }
    CanonicalType from = sql.sourceDialect().canonicalType(c.sourceType());
    CanonicalType to = io.migrationstudio.core.mapping.TargetType.parse(c.type()).canonical();
    if (!SAME_QUANTITY.getOrDefault(from, List.of()).contains(to)) {
      return Optional.empty();
    }
    Optional<String> s =
        sql.sourceDialect().temporalMicros(sql.sourceDialect().quote(c.source()), from);
    Optional<String> t =
        sql.targetDialect().temporalMicros(sql.targetDialect().quote(c.target()), to);
    return s.isPresent() && t.isPresent()
        ? Optional.of(new Checked(c, s.get(), t.get()))
        : Optional.empty();
  }

  /** Per expression {count, min, max, sum} as text (null when no value). */
  private static List<String[]> aggregates(
      Connection c, List<String> exprs, String table, String where) throws SQLException {
    StringBuilder q = new StringBuilder("SELECT ");
    for (int i = 0; i < exprs.size(); i++) {
      String e = exprs.get(i);
      q.append(i == 0 ? "" : ", ");
      q.append("count(").append(e).append("), min(").append(e).append("), max(").append(e);
      q.append("), sum(").append(e).append(")");
    }
    q.append(" FROM ").append(table).append(where);
    List<String[]> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(q.toString());
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      for (int i = 0; i < exprs.size(); i++) {
        String[] v = new String[4];
        for (int k = 0; k < 4; k++) {
          BigDecimal d = rs.getBigDecimal(i * 4 + k + 1);
          v[k] = d == null ? null : d.stripTrailingZeros().toPlainString();
        }
        out.add(v);
      }
    }
    return out;
  }

  private static boolean sameNumber(String a, String b) {
    return a == null ? b == null : b != null && new BigDecimal(a).compareTo(new BigDecimal(b)) == 0;
  }

  private static ValidationReport.Aggregate aggregate(String[] v) {
    return new ValidationReport.Aggregate(
        v[0] == null ? 0 : Long.parseLong(v[0]), 0, v[1], v[2], v[3], null);
  }
}
