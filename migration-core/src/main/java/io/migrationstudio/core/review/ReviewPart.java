package io.migrationstudio.core.review;

import io.migrationstudio.core.mapping.ColumnMapping;
import io.migrationstudio.core.review.Finding.Level;
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

  static String label(ColumnMapping c) {
    return c.source() != null ? c.source() : c.target();
  }
}
