package io.migrationstudio.core.assess;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.core.report.MarkdownTable;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Every risk check, in a stable order (by theme: scope and operation, tables, types, names,
 * objects, data). Keys never change once released; new checks are appended within their theme.
 * {@code docs/risk-checks.md} is generated from this list ({@link #markdown()}), and a unit test
 * fails when the file is out of date.
 */
public final class RiskCatalog {

  private static final List<RiskCheck> CHECKS =
      List.of(
          OperationalChecks.EMPTY_SCOPE,
          OperationalChecks.NO_APPROVERS,
          OperationalChecks.SOURCE_NOT_FULLY_READABLE,
          CaptureChecks.LOG_SETTINGS,
          CaptureChecks.PRIVILEGES,
          CaptureChecks.CAPACITY,
          CaptureChecks.LOG_RETENTION,
          CaptureChecks.REPLICA_IDENTITY,
          CaptureChecks.SNAPSHOT_POSITION,
          TableChecks.WITHOUT_PRIMARY_KEY,
          TableChecks.LARGE_TABLE,
          TableChecks.PARTITIONED_TABLE,
          TableChecks.LOB_COLUMN,
          TableChecks.GENERATED_COLUMN,
          TableChecks.ON_UPDATE_CURRENT_TIMESTAMP,
          TableChecks.CHECK_CONSTRAINT_PORT,
          TableChecks.FK_CYCLE,
          TableChecks.FK_SELF_REFERENCE,
          TypeChecks.UNSUPPORTED_TYPE,
          TypeChecks.ENUM_TO_TEXT,
          TypeChecks.SET_COLUMN,
          TypeChecks.SPATIAL_WITHOUT_POSTGIS,
          TypeChecks.TIMEZONE_SEMANTICS,
          TypeChecks.FLOAT_PRECISION,
          TypeChecks.COLLATION_DIFFERENCES,
          TypeChecks.FULLTEXT_INDEX,
          IdentifierChecks.TOO_LONG,
          IdentifierChecks.RESERVED_WORD,
          IdentifierChecks.NEEDS_QUOTING,
          ObjectChecks.VIEW_NOT_MIGRATED,
          ObjectChecks.VIEW_NEEDS_REWRITE,
          ObjectChecks.MATERIALIZED_VIEW_REFRESH,
          ObjectChecks.SEQUENCE_RESET,
          ObjectChecks.TRIGGER_MANUAL_PORT,
          ObjectChecks.ROUTINE_MANUAL_PORT,
          ObjectChecks.EXTENSION_ON_TARGET,
          DataChecks.CASE_INSENSITIVE_COLLISION,
          DataChecks.TEXT_WITH_NUL_BYTES,
          DataChecks.MYSQL_ZERO_DATES,
          DataChecks.MYSQL_UNSIGNED_OVERFLOW,
          DataChecks.TARGET_NOT_EMPTY);

  static {
    Set<String> seen = new HashSet<>();
    for (RiskCheck c : CHECKS) {
      if (!seen.add(c.key())) {
        throw new IllegalStateException("risk check key " + c.key() + " appears twice");
      }
    }
  }

  private RiskCatalog() {}

  /** All checks in catalogue order. */
  public static List<RiskCheck> all() {
    return CHECKS;
  }

  /** All keys in catalogue order. */
  public static List<String> keys() {
    return CHECKS.stream().map(RiskCheck::key).toList();
  }

  public static Optional<RiskCheck> byKey(String key) {
    return CHECKS.stream().filter(c -> c.key().equals(key)).findFirst();
  }

  /**
   * Refuses unknown keys in a selection, naming the spec key they came from ({@code where}), every
   * unknown key and the known ones.
   */
  public static void requireKnown(Set<String> keys, String where) {
    Set<String> unknown = new TreeSet<>(keys);
    unknown.removeAll(keys());
    if (!unknown.isEmpty()) {
      throw new MigrationException(
          ErrorCode.INVALID_SPEC,
          where
              + " names unknown risk checks "
              + unknown
              + "; known checks: "
              + keys()
              + ". Fix the keys (see docs/risk-checks.md) and start again.");
    }
  }

  /** {@code docs/risk-checks.md}: one line per check with its category, detection, mitigation. */
  public static String markdown() {
    StringBuilder md = new StringBuilder();
    md.append("# Risk checks\n\n")
        .append("Generated from `RiskCatalog` by `RiskCatalogTest`; do not edit by hand.\n")
        .append(
            "Every check has a stable key; select or skip checks by key (`assessment.checks`, `assessment.skip_checks`).\n")
        .append(
            "Checks described as Data query the real source (or target) through a data probe;\n")
        .append("without a probe for the engine they are skipped, and `risks.json` says why.\n\n")
        .append("| key | category | detects | mitigation |\n|---|---|---|---|\n");
    for (RiskCheck c : CHECKS) {
      md.append("| `")
          .append(c.key())
          .append("` | ")
          .append(c.category().label())
          .append(" | ")
          .append(MarkdownTable.cell(c.doc()))
          .append(" | ")
          .append(MarkdownTable.cell(c.mitigation()))
          .append(" |\n");
    }
    return md.toString();
  }
}
