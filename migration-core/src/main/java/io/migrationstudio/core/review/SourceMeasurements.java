package io.migrationstudio.core.review;

import static io.migrationstudio.core.review.CompatibilityReviewer.EXAMPLE_KEYS;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.core.copy.TableSql;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.mapping.ColumnMapping;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.report.EvidenceMask;
import io.migrationstudio.core.review.Finding.Level;
import io.migrationstudio.core.schema.TableInfo;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the probes of a table on the source: all of them in one aggregate query (each alone when one
 * breaks it, to name it), the cast probe of a column, and up to {@value
 * CompatibilityReviewer#EXAMPLE_KEYS} example primary keys per violated probe. Transient SQL
 * failures are thrown; other failures of a probe become failing findings. Example keys, a largest
 * value seen and the values a failure message quotes go through the evidence mask.
 */
final class SourceMeasurements extends ReviewPart {
  private final Connection source;
  private final Dialect dialect;
  private final ProfileSql profile;
  private final EvidenceMask mask;

  SourceMeasurements(
      List<Finding> findings,
      Connection source,
      Dialect dialect,
      ProfileSql profile,
      EvidenceMask mask) {
    super(findings);
    this.source = source;
    this.dialect = dialect;
    this.profile = profile;
    this.mask = mask;
  }

  /** Runs every probe of a table in one aggregate query (each alone when one of them fails). */
  void aggregate(TableMapping table, TableInfo info, List<Probe> probes, String from, String where)
      throws SQLException {
    List<String> select = new ArrayList<>();
    for (Probe p : probes) {
      select.add("sum(CASE WHEN " + p.condition() + " THEN 1 ELSE 0 END)");
      select.add(p.max() == null ? "NULL" : profile.asText("max(" + p.max() + ")"));
    }
    String sql = "SELECT " + String.join(", ", select) + " FROM " + from + where;
    try (Statement s = source.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      for (int i = 0; i < probes.size(); i++) {
        long count = rs.getLong(2 * i + 1);
        report(table, info, probes.get(i), count, rs.getString(2 * i + 2), from, where);
      }
    } catch (SQLException e) {
      rethrowIfTransient(e, table);
      // one probe broke the aggregate: run each alone to name it
      for (Probe p : probes) {
        String one =
            "SELECT sum(CASE WHEN "
                + p.condition()
                + " THEN 1 ELSE 0 END), "
                + (p.max() == null ? "NULL" : profile.asText("max(" + p.max() + ")"))
                + " FROM "
                + from
                + where;
        try (Statement s = source.createStatement();
            ResultSet rs = s.executeQuery(one)) {
          rs.next();
          report(table, info, p, rs.getLong(1), rs.getString(2), from, where);
        } catch (SQLException each) {
          rethrowIfTransient(each, table);
          add(
              Level.FAIL,
              table.source(),
              label(p.column()),
              CompatibilityCheck.QUERY_ERROR,
              null,
              null,
              List.of(),
              "the "
                  + p.check().key()
                  + " check could not run: "
                  + mask.quoted(
                      table.source(),
                      label(p.column()),
                      dialect.classify(each, "the check").getMessage(),
                      names(table))
                  + "; fix the column's expression or type in mapping.yaml");
        }
      }
    }
  }

  /** Casts the whole column: conversions the review cannot reason about either work or fail. */
  void castProbe(TableSql sql, ColumnMapping c, String from, String where) throws SQLException {
    TableMapping table = sql.table();
    String query = "SELECT count(" + sql.projection(c) + ") FROM " + from + where;
    try (Statement s = source.createStatement();
        ResultSet rs = s.executeQuery(query)) {
      rs.next();
      add(
          Level.OK,
          table.source(),
          c.source(),
          CompatibilityCheck.CAST,
          rs.getLong(1),
          null,
          List.of(),
          "all " + rs.getLong(1) + " non-NULL values cast to " + c.type());
    } catch (SQLException e) {
      rethrowIfTransient(e, table);
      add(
          Level.FAIL,
          table.source(),
          c.source(),
          CompatibilityCheck.CAST,
          null,
          null,
          List.of(),
          "casting the column to "
              + c.type()
              + " fails on the source data: "
              + mask.quoted(
                  table.source(),
                  c.source(),
                  dialect.classify(e, "the cast").getMessage(),
                  names(table))
              + "; choose another type or transform the values");
    }
  }

  private void report(
      TableMapping table,
      TableInfo info,
      Probe p,
      long count,
      String maxSeen,
      String from,
      String where)
      throws SQLException {
    Level level = count > 0 ? p.onViolation() : p.onClean();
    List<String> examples = count > 0 ? examples(table, info, p, from, where) : List.of();
    if (p.check() != CompatibilityCheck.MAX_LENGTH) {
      // the largest value itself (max_length reports a length, not a value)
      maxSeen = mask.text(table.source(), label(p.column()), maxSeen);
    }
    String detail = count > 0 ? p.detail() : p.check().key() + ": no row affected";
    if (p.check() == CompatibilityCheck.COLUMN_DROPPED) {
      detail = p.detail();
    }
    add(level, table.source(), label(p.column()), p.check(), count, maxSeen, examples, detail);
  }

  private List<String> examples(
      TableMapping table, TableInfo info, Probe p, String from, String where) throws SQLException {
    if (info.primaryKey() == null) {
      return List.of();
    }
    List<String> pk = info.primaryKey().columns().stream().map(dialect::quote).toList();
    String sql =
        "SELECT "
            + String.join(", ", pk)
            + " FROM "
            + from
            + (where.isEmpty() ? " WHERE " : where + " AND ")
            + "("
            + p.condition()
            + ")"
            + " ORDER BY "
            + String.join(", ", pk)
            + " LIMIT "
            + EXAMPLE_KEYS;
    List<String> keys = new ArrayList<>();
    try (Statement s = source.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        List<String> parts = new ArrayList<>();
        for (int i = 1; i <= pk.size(); i++) {
          parts.add(String.valueOf(rs.getString(i)));
        }
        keys.add(mask.key(table.source(), info.primaryKey().columns(), parts));
      }
    }
    return keys;
  }

  private void rethrowIfTransient(SQLException e, TableMapping table) {
    MigrationException m = dialect.classify(e, "the compatibility review of " + table.source());
    if (m.code() == ErrorCode.TRANSIENT_SQL) {
      throw m;
    }
  }
}
