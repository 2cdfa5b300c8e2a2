package io.migrationstudio.core.review;

import io.migrationstudio.core.report.MarkdownTable;
import io.migrationstudio.core.review.Finding.Level;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Every check the compatibility review can report, in a stable order (by theme: structure the
 * mapping leaves behind, values measured on the source, checks only a foreign source engine needs,
 * columns computed in Java, target keys, conversions, the dry run, the target). A {@link Finding}
 * is built only from an entry here ({@link Finding#of}), so {@code compatibility.json} never names
 * a check this list does not document. Keys never change once released (reviewers and tools refer
 * to them); {@code docs/compatibility-checks.md} is generated from this list ({@link #markdown()})
 * and a unit test fails when the file is out of date.
 *
 * <p>{@link #level()} is the verdict of a finding that something is wrong; a clean measurement of
 * the same check is reported as {@code ok}, and some checks report a milder verdict in the cases
 * the remedy names (e.g. a value map that decided its unlisted values).
 */
public enum CompatibilityCheck {
  TABLE_NOT_MAPPED(
      "table_not_mapped",
      Level.WARNING,
      "A source table is not in mapping.yaml, so its rows stay behind.",
      "Add the table to the mapping if its rows must move."),
  NO_PRIMARY_KEY(
      "no_primary_key",
      Level.WARNING,
      "The target table gets no primary key: Migrate copies it as one chunk and validation cannot"
          + " compare it row by row.",
      "Map a key if the source has one."),
  NO_REPLICA_IDENTITY(
      "no_replica_identity",
      Level.FAIL,
      "With migrate.strategy online, a mapped table has no primary key and no unique key of NOT"
          + " NULL columns, so a streamed update or delete could not find its row on the target.",
      "Declare primary_key, or a unique_keys entry whose columns are all copied from the source and"
          + " NOT NULL, for the table in mapping.yaml (the replica identity), exclude the table, or"
          + " use strategy bulk."),
  NOT_INVERTIBLE(
      "not_invertible",
      Level.FAIL,
      "With cutover.rollback reverse, the way back from target to source cannot invert a mapping"
          + " (a transform, a value map, a narrowing type change, a table without a key, a source"
          + " no reverse applier writes): fails when the reverse stream would refuse it, a warning"
          + " when the way back works but leaves data out (a dropped column, a widening cast).",
      "Map the column straight (map or a widening cast), declare the key, or set cutover.rollback"
          + " none and plan the rollback as a restore of the source."),
  UNIQUE_NOT_CARRIED(
      "unique_not_carried",
      Level.WARNING,
      "A source unique key is not in the mapping, so the target will accept duplicates.",
      "Carry the key's columns and the key in mapping.yaml, or accept duplicates."),
  FOREIGN_KEY_NOT_CARRIED(
      "foreign_key_not_carried",
      Level.WARNING,
      "A source foreign key is not in the mapping (a column or the referenced table is not"
          + " migrated), so the target will not enforce it.",
      "Migrate the referenced table and columns, or enforce the reference elsewhere."),
  INDEX_NOT_CARRIED(
      "index_not_carried",
      Level.WARNING,
      "A source index is not in the mapping (expression or partial index under a renaming, a"
          + " dropped column, or a method without PostgreSQL equivalent).",
      "Recreate it on the target if queries need it; the finding quotes its definition."),
  CHECK_NOT_CARRIED(
      "check_not_carried",
      Level.WARNING,
      "A source check constraint has no place in mapping.yaml, so the target will not enforce it.",
      "Recreate the constraint on the target after Migrate."),
  NO_COPIED_COLUMN(
      "no_copied_column",
      Level.FAIL,
      "Every column of a mapped table is dropped, so Migrate cannot copy the table.",
      "Map at least one column or remove the table from mapping.yaml."),
  COLUMN_DROPPED(
      "column_dropped",
      Level.WARNING,
      "A dropped column holds non-NULL values that stay behind (counted; ok when all are NULL).",
      "Confirm the drop reason, or map the column."),
  NOT_NULL(
      "not_null",
      Level.FAIL,
      "Rows would bring NULL into a NOT NULL target column (measured by SQL, or by evaluating a"
          + " computed column).",
      "Make the target nullable or transform NULL (e.g. coalesce) in mapping.yaml."),
  UNSUPPORTED_TYPE(
      "unsupported_type",
      Level.FAIL,
      "The source type has no faithful PostgreSQL type (spatial, or a column without declared"
          + " type).",
      "Cast it to bytea or text, or drop it with a reason."),
  VALUES_OUTSIDE_ENUM(
      "values_outside_enum",
      Level.FAIL,
      "Values outside a MySQL enum (stored as the error value '') or not listed in a value map"
          + " (warning when the map decides them with unmapped: keep or null).",
      "Decide them: a value map (unmapped: reject, keep or null), a transform, or drop the column"
          + " with a reason."),
  MAX_LENGTH(
      "max_length",
      Level.FAIL,
      "Values longer than the target's character length (the longest is reported as max seen).",
      "Widen the type or shorten them with a transform (e.g. left(value, n))."),
  INTEGER_RANGE(
      "integer_range",
      Level.FAIL,
      "Integers outside the target integer type's range would be refused.",
      "Widen the type."),
  FRACTION_LOST(
      "fraction_lost",
      Level.FAIL,
      "Values with a fractional part would be rounded by an integer target.",
      "Keep a decimal type or round explicitly with a transform."),
  NUMERIC_RANGE(
      "numeric_range",
      Level.FAIL,
      "Values with more integer digits than the target numeric precision allows would overflow.",
      "Raise the precision."),
  NUMERIC_SCALE(
      "numeric_scale",
      Level.FAIL,
      "Values with more decimal places than the target scale would be rounded.",
      "Raise the scale or round explicitly with a transform."),
  ZERO_DATE(
      "zero_date",
      Level.FAIL,
      "MySQL zero dates (0000-00-00) have no PostgreSQL value; Migrate would quarantine the rows.",
      "Decide them with a CEL transform that handles null (a zero date reads as null there)."),
  TIME_OUTSIDE_DAY(
      "time_outside_day",
      Level.FAIL,
      "MySQL times outside 00:00:00-23:59:59.999999 have no PostgreSQL time value; Migrate would"
          + " quarantine the rows.",
      "Map the column to interval, which keeps every value (a type rule)."),
  NUL_CHARACTER(
      "nul_character",
      Level.FAIL,
      "Text with NUL characters cannot be stored by PostgreSQL; Migrate would quarantine the rows.",
      "Remove them with a transform (e.g. REPLACE(column, CHAR(0), '')) or map the column to"
          + " bytea."),
  INVALID_ENCODING(
      "invalid_encoding",
      Level.FAIL,
      "Values hold byte sequences invalid in the column's character set; Migrate would quarantine"
          + " the rows.",
      "Repair them in the source, decide them with a transform that handles null, or map the"
          + " column to bytea."),
  BOOLEAN_RANGE(
      "boolean_range",
      Level.FAIL,
      "Numbers other than 0 and 1 mapped to a boolean target.",
      "Map the column to smallint or transform the values."),
  EXPRESSION_ERROR(
      "expression_error",
      Level.FAIL,
      "A transform, derived value or value map cannot be evaluated for some rows; Migrate would"
          + " quarantine them.",
      "Handle these values in the expression."),
  UNWRITABLE(
      "unwritable",
      Level.FAIL,
      "A computed column yields values PostgreSQL cannot store (e.g. a NUL character in text).",
      "Remove them in the expression."),
  VALUE_MAP(
      "value_map",
      Level.OK,
      "A value map evaluated on every source row: no NULL into NOT NULL, no overlong value, no"
          + " failure.",
      "Nothing to do."),
  COMPUTED_VALUES(
      "computed_values",
      Level.OK,
      "A computed column evaluated on every source row: no NULL into NOT NULL, no overlong value,"
          + " no failure.",
      "Nothing to do."),
  ROW_PROBE(
      "row_probe",
      Level.FAIL,
      "Streaming the source rows through Migrate's reader to measure computed columns failed.",
      "Fix the failing type or expression in mapping.yaml."),
  DUPLICATE_KEY(
      "duplicate_key",
      Level.FAIL,
      "A target key the source does not guarantee (new, transformed, cast, case-insensitive)"
          + " would repeat, as the target compares it.",
      "Change the transform, remove the key from mapping.yaml, or merge the rows on the source."),
  TYPE_CHANGE(
      "type_change",
      Level.FAIL,
      "The target type differs from the source type: fails under disposition map, a warning when"
          + " the cast drops a time zone, a part of a timestamp or float precision.",
      "Set disposition cast to accept the conversion, or restore the source type."),
  CAST(
      "cast",
      Level.FAIL,
      "Casting the whole column to the target type fails on the source data.",
      "Choose another type or transform the values."),
  QUERY_ERROR(
      "query_error",
      Level.FAIL,
      "A measuring query of a column could not run (the finding names the check).",
      "Fix the column's expression or type in mapping.yaml."),
  DRY_RUN(
      "dry_run",
      Level.FAIL,
      "Reading a table's first rows through Migrate's reader for dry-run.md failed.",
      "Fix the failing type or expression in mapping.yaml."),
  TARGET_TYPE_MISSING(
      "target_type_missing",
      Level.WARNING,
      "The target database does not know a mapped type yet.",
      "Create it (enum, domain or extension) before Migrate, or map another type."),
  TARGET_NOT_EMPTY(
      "target_not_empty",
      Level.WARNING,
      "A target table already holds rows.",
      "Empty it or confirm that Migrate may replace them.");

  private final String key;
  private final Level level;
  private final String doc;
  private final String remedy;

  CompatibilityCheck(String key, Level level, String doc, String remedy) {
    this.key = key;
    this.level = level;
    this.doc = doc;
    this.remedy = remedy;
  }

  /** The stable snake_case key written as {@code check} in {@code compatibility.json}. */
  public String key() {
    return key;
  }

  /** The verdict of a finding that something is wrong (see the class comment). */
  public Level level() {
    return level;
  }

  /** What it detects, one line. */
  public String doc() {
    return doc;
  }

  /** What to do about it, one line. */
  public String remedy() {
    return remedy;
  }

  /** All keys in catalogue order. */
  public static List<String> keys() {
    return Arrays.stream(values()).map(CompatibilityCheck::key).toList();
  }

  public static Optional<CompatibilityCheck> byKey(String key) {
    return Arrays.stream(values()).filter(c -> c.key.equals(key)).findFirst();
  }

  /** {@code docs/compatibility-checks.md}: one line per check with its level, detection, remedy. */
  public static String markdown() {
    StringBuilder md = new StringBuilder();
    md.append("# Compatibility checks\n\n")
        .append(
            "Generated from `CompatibilityCheck` by `CompatibilityCheckTest`; do not edit by hand.\n")
        .append(
            "The Mapping stage's review (`compatibility.json`, `compatibility.md`) reports each"
                + " finding under one of these keys.\n")
        .append(
            "The level is the verdict of a finding that something is wrong; a clean measurement"
                + " is reported as ok.\n\n");
    MarkdownTable.header(md, List.of("key", "level", "detects", "remedy"));
    for (CompatibilityCheck c : values()) {
      MarkdownTable.row(
          md,
          List.of(
              "`" + c.key + "`",
              c.level.key(),
              CompatibilityReviewer.escape(c.doc),
              CompatibilityReviewer.escape(c.remedy)));
    }
    return md.toString();
  }
}
