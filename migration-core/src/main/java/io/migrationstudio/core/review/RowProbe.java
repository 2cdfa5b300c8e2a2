package io.migrationstudio.core.review;

import io.migrationstudio.core.canonical.ColumnCodec;
import io.migrationstudio.core.canonical.Unconvertible;
import io.migrationstudio.core.copy.CopyText;
import io.migrationstudio.core.copy.SourceRows;
import io.migrationstudio.core.copy.TableSql;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.mapping.ColumnMapping;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.MappingExpressions;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.mapping.TargetType;
import io.migrationstudio.core.mapping.UnmappedPolicy;
import io.migrationstudio.core.mapping.ValueMap;
import io.migrationstudio.core.report.EvidenceMask;
import io.migrationstudio.core.review.Finding.Level;
import io.migrationstudio.core.schema.TableInfo;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The compatibility review's row probes: the columns SQL cannot measure because Java computes them
 * (TRANSFORM, DERIVE and DEFAULT columns' CEL expressions, and value-mapped columns) are measured
 * by streaming every source row the mapping copies through {@link SourceRows}, the reader Migrate
 * writes with, and looking at each computed value: NULL into a NOT NULL column, text longer than
 * the target length, a row the expression cannot evaluate, a value the target cannot store, and a
 * source value a value map does not list.
 *
 * <p>To tell unlisted values apart from listed ones whatever the column's {@code unmapped} policy,
 * the probe reads value-mapped columns with the policy {@code reject}: an unlisted value then
 * arrives as an {@link Unconvertible}. Under {@code reject} such values fail the review (Migrate
 * would quarantine their rows); under {@code keep} or {@code null} they are the stated decision (a
 * warning with the count), and under {@code null} into a NOT NULL column they also fail.
 *
 * <p>Memory is bounded: the rows stream ({@link Dialect#streamingQuery}, {@link #FETCH_SIZE} at a
 * time, in key order so example keys are the smallest), and per column and check only a count, the
 * largest length, {@value CompatibilityReviewer#EXAMPLE_KEYS} example keys and as many distinct
 * unlisted values are kept.
 */
final class RowProbe {
  /** Rows fetched per round trip. */
  static final int FETCH_SIZE = 1_000;

  private RowProbe() {}

  /** Whether a table has a column only this probe can measure. */
  static boolean needed(TableMapping table) {
    return table.copiedColumns().stream().anyMatch(MappingExpressions::computed);
  }

  /** The findings of one table (an OK finding per measured column when nothing is affected). */
  static List<Finding> run(
      Connection source,
      Dialect dialect,
      Dialect target,
      MappingDocument mapping,
      TableMapping table,
      TableInfo info)
      throws SQLException {
    return run(source, dialect, target, mapping, table, info, EvidenceMask.masked());
  }

  /**
   * {@link #run}, with example keys and the values a detail quotes (unlisted values, an
   * expression's failure) through {@code mask}.
   */
  static List<Finding> run(
      Connection source,
      Dialect dialect,
      Dialect target,
      MappingDocument mapping,
      TableMapping table,
      TableInfo info,
      EvidenceMask mask)
      throws SQLException {
    TableMapping probed = rejecting(table);
    TableSql sql = new TableSql(dialect, target, mapping, probed);
    SourceRows rows = SourceRows.of(sql);
    List<ColumnMapping> copied = sql.copiedColumns();
    List<ColumnCodec> codecs = rows.codec().columns();
    List<Tally> tallies = new ArrayList<>();
    for (int i = 0; i < copied.size(); i++) {
      ColumnMapping c = table.byTarget(copied.get(i).target()).orElseThrow();
      tallies.add(
          MappingExpressions.computed(c) ? new Tally(i, c, codecs.get(i), table, mask) : null);
    }
    List<String> key = info.primaryKey() == null ? List.of() : info.primaryKey().columns();
    long scanned = 0;
    boolean autoCommit = source.getAutoCommit();
    try (PreparedStatement ps = dialect.streamingQuery(source, sql.sourceScan(key), FETCH_SIZE);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        scanned++;
        Object[] values = rows.read(rs, key.size() + 1);
        String example = null;
        for (Tally t : tallies) {
          if (t != null && t.observe(values[t.index])) {
            example = example != null ? example : example(rs, table.source(), key, mask);
            t.example(example);
          }
        }
      }
    } finally {
      if (!source.getAutoCommit()) {
        source.rollback(); // the streaming cursor's read-only transaction
      }
      source.setAutoCommit(autoCommit);
    }
    List<Finding> out = new ArrayList<>();
    for (Tally t : tallies) {
      if (t != null) {
        t.findings(table.source(), scanned, out);
      }
    }
    return out;
  }

  /** The table with every value map set to reject, so unlisted values are visible. */
  private static TableMapping rejecting(TableMapping table) {
    List<ColumnMapping> columns =
        table.columns().stream()
            .map(c -> c.hasValueMap() ? c.withValueMap(c.values(), UnmappedPolicy.REJECT) : c)
            .toList();
    return table.withColumns(columns);
  }

  /**
   * A row's key as examples show it, through {@code mask}: one value, or {@code (a, b)}; null
   * without key columns. The key columns are the first of the row.
   */
  static String example(ResultSet rs, String table, List<String> keys, EvidenceMask mask)
      throws SQLException {
    if (keys.isEmpty()) {
      return null;
    }
    List<String> parts = new ArrayList<>();
    for (int i = 1; i <= keys.size(); i++) {
      parts.add(String.valueOf(rs.getString(i)));
    }
    return mask.key(table, keys, parts);
  }

  /** Counts of one computed column. */
  private static final class Tally {
    private final int index;
    private final ColumnMapping column;
    private final ColumnCodec codec;
    private final TableMapping table;
    private final EvidenceMask mask;
    private final Integer length;
    private final Counter notNull = new Counter();
    private final Counter tooLong = new Counter();
    private final Counter failed = new Counter();
    private final Counter unwritable = new Counter();
    private final Counter unlisted = new Counter();
    private final TreeSet<String> unlistedValues = new TreeSet<>();
    private final List<String> reasons = new ArrayList<>();
    private int longest;
    private Counter last;

    Tally(
        int index, ColumnMapping column, ColumnCodec codec, TableMapping table, EvidenceMask mask) {
      this.index = index;
      this.column = column;
      this.codec = codec;
      this.table = table;
      this.mask = mask;
      TargetType tt = TargetType.parse(column.type());
      this.length = tt.canonical().isText() ? tt.length() : null;
    }

    /** Looks at one value; true when it is affected (an example key is then wanted). */
    boolean observe(Object value) {
      last = null;
      if (value instanceof Unconvertible u) {
        if (column.hasValueMap() && ValueMap.unlisted(u)) {
          last = unlisted;
          if (unlistedValues.size() < CompatibilityReviewer.EXAMPLE_KEYS) {
            unlistedValues.add("'" + mask.text(table.source(), label(), u.raw()) + "'");
          }
          if (column.unmappedPolicy() == UnmappedPolicy.NULL && !column.nullable()) {
            notNull.count++;
          }
        } else {
          last = failed;
          if (reasons.isEmpty()) {
            reasons.add(maskedReason(u));
          }
        }
      } else if (value == null) {
        last = column.nullable() ? null : notNull;
      } else if (CopyText.unwritable(codec, value) != null) {
        last = unwritable;
      } else if (length != null && value instanceof String s) {
        int n = s.codePointCount(0, s.length());
        if (n > length) {
          last = tooLong;
          longest = Math.max(longest, n);
        }
      }
      if (last == null) {
        return false;
      }
      last.count++;
      return last.examples.size() < CompatibilityReviewer.EXAMPLE_KEYS;
    }

    private String label() {
      return column.source() != null ? column.source() : column.target();
    }

    /** Why a value failed, the value it quotes masked (by value, and any quoted segment). */
    private String maskedReason(Unconvertible u) {
      String reason = u.reason();
      List<String> names = ReviewPart.names(table);
      // a derived value's "raw" is its expression: a name, not a value
      if (u.raw() != null && !u.raw().isEmpty() && !names.contains(u.raw())) {
        reason = reason.replace(u.raw(), mask.text(table.source(), label(), u.raw()));
      }
      return mask.quoted(table.source(), label(), reason, names);
    }

    void example(String key) {
      if (key != null
          && last != null
          && last.examples.size() < CompatibilityReviewer.EXAMPLE_KEYS) {
        last.examples.add(key);
      }
    }

    void findings(String table, long scanned, List<Finding> out) {
      String label = column.source() != null ? column.source() : column.target();
      String what =
          column.hasValueMap()
              ? "the value map"
              : "expression '" + MappingExpressions.expressionOf(column) + "'";
      int before = out.size();
      if (notNull.count > 0) {
        out.add(
            finding(
                Level.FAIL,
                table,
                label,
                CompatibilityCheck.NOT_NULL,
                notNull,
                null,
                "target column "
                    + column.target()
                    + " is NOT NULL but "
                    + what
                    + " yields NULL for these rows; handle NULL in the expression (e.g."
                    + " coalesce) or make the column nullable"));
      }
      if (tooLong.count > 0) {
        out.add(
            finding(
                Level.FAIL,
                table,
                label,
                CompatibilityCheck.MAX_LENGTH,
                tooLong,
                String.valueOf(longest),
                what
                    + " yields values longer than "
                    + length
                    + " characters, which "
                    + column.type()
                    + " cannot hold; widen the type or shorten them in the expression"));
      }
      if (failed.count > 0) {
        out.add(
            finding(
                Level.FAIL,
                table,
                label,
                CompatibilityCheck.EXPRESSION_ERROR,
                failed,
                null,
                what
                    + " cannot be evaluated for these rows, so Migrate would quarantine them ("
                    + reasons.get(0)
                    + "); handle these values in the expression"));
      }
      if (unwritable.count > 0) {
        out.add(
            finding(
                Level.FAIL,
                table,
                label,
                CompatibilityCheck.UNWRITABLE,
                unwritable,
                null,
                what
                    + " yields values PostgreSQL cannot store (e.g. a NUL character in text);"
                    + " remove them in the expression"));
      }
      if (unlisted.count > 0) {
        UnmappedPolicy policy = column.unmappedPolicy();
        out.add(
            finding(
                policy == UnmappedPolicy.REJECT ? Level.FAIL : Level.WARNING,
                table,
                label,
                CompatibilityCheck.VALUES_OUTSIDE_ENUM,
                unlisted,
                null,
                "source values not listed in the value map ("
                    + String.join(", ", unlistedValues)
                    + (unlisted.count > unlistedValues.size() ? ", …" : "")
                    + ") "
                    + switch (policy) {
                      case REJECT ->
                          "would be rejected and their rows quarantined (unmapped: reject); list"
                              + " them in values, or decide them with unmapped: keep or null";
                      case KEEP -> "are copied as they are (unmapped: keep), as decided";
                      case NULL -> "become NULL (unmapped: null), as decided";
                    }));
      }
      if (out.size() == before) {
        out.add(
            Finding.of(
                Level.OK,
                table,
                label,
                column.hasValueMap()
                    ? CompatibilityCheck.VALUE_MAP
                    : CompatibilityCheck.COMPUTED_VALUES,
                scanned,
                null,
                List.of(),
                what
                    + " evaluated on "
                    + scanned
                    + " source rows: no NULL into NOT NULL, no overlong value, no failure"));
      }
    }

    private static Finding finding(
        Level level,
        String table,
        String column,
        CompatibilityCheck check,
        Counter c,
        String maxSeen,
        String detail) {
      return Finding.of(level, table, column, check, c.count, maxSeen, c.examples, detail);
    }
  }

  private static final class Counter {
    long count;
    final List<String> examples = new ArrayList<>();
  }
}
