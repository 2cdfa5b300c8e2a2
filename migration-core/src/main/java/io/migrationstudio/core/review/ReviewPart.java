package io.migrationstudio.core.review;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.mapping.ColumnMapping;
import io.migrationstudio.core.review.Finding.Level;
import java.sql.SQLException;
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
   * {@code prefix}, the message and what to fix. Returns the failure for the caller to report on.
   */
  MigrationException failed(
      Dialect dialect,
      Exception e,
      String step,
      String table,
      CompatibilityCheck check,
      String prefix) {
    MigrationException m =
        e instanceof SQLException sqlFailure
            ? dialect.classify(sqlFailure, step + " of " + table)
            : (MigrationException) e;
    if (m.code() == ErrorCode.TRANSIENT_SQL) {
      throw m;
    }
    add(
        Level.FAIL,
        table,
        null,
        check,
        null,
        null,
        List.of(),
        prefix + m.getMessage() + "; fix the failing type or expression in mapping.yaml");
    return m;
  }

  static String label(ColumnMapping c) {
    return c.source() != null ? c.source() : c.target();
  }
}
