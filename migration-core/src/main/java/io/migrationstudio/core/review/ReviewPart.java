package io.migrationstudio.core.review;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.mapping.ColumnMapping;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.report.EvidenceMask;
import io.migrationstudio.core.review.Finding.Level;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * A part of one compatibility review: every part adds its findings to the list the review shares,
 * in the order the review runs them (which is the order of equal verdicts in the report).
 */
abstract class ReviewPart {
  final List<Finding> findings;

  ReviewPart(List<Finding> findings) {
    this.findings = findings;
  }

  void add(
      Level level,
      String table,
      String column,
      CompatibilityCheck check,
      Long count,
      String maxSeen,
      List<String> examples,
      String detail) {
    findings.add(Finding.of(level, table, column, check, count, maxSeen, examples, detail));
  }

  /**
   * A step on {@code table} that failed with {@code e} (an SQLException or a MigrationException):
   * an SQL failure is classified as {@code step} of the table; a transient one is rethrown (the
   * review may be retried), any other becomes a failing {@code check} finding whose detail is
   * {@code prefix}, the message and what to fix. The message may quote a source value (a failed
   * cast or expression): its quoted values go through {@code mask} ({@link EvidenceMask#quoted}).
   * Returns the masked message for the caller to report on.
   */
  String failed(
      Dialect dialect,
      Exception e,
      String step,
      TableMapping table,
      CompatibilityCheck check,
      String prefix,
      EvidenceMask mask) {
    MigrationException m =
        e instanceof SQLException sqlFailure
            ? dialect.classify(sqlFailure, step + " of " + table.source())
            : (MigrationException) e;
    if (m.code() == ErrorCode.TRANSIENT_SQL) {
      throw m;
    }
    String message = mask.quoted(table.source(), null, m.getMessage(), names(table));
    add(
        Level.FAIL,
        table.source(),
        null,
        check,
        null,
        null,
        List.of(),
        prefix + message + "; fix the failing type or expression in mapping.yaml");
    return message;
  }

  /**
   * What a message about {@code table} may quote that is not a source value: the table's and its
   * columns' names, types and expressions ({@link EvidenceMask#quoted} keeps them).
   */
  static List<String> names(TableMapping table) {
    List<String> names = new ArrayList<>(List.of(table.source(), table.target()));
    for (ColumnMapping c : table.columns()) {
      names.add(c.source());
      names.add(c.target());
      names.add(c.type());
      names.add(c.sourceType());
      names.add(c.expression());
      names.add(c.defaultValue());
    }
    names.removeIf(n -> n == null || n.isEmpty());
    return names;
  }

  static String label(ColumnMapping c) {
    return c.source() != null ? c.source() : c.target();
  }
}
