package io.migrationstudio.core.assess;

import io.migrationstudio.core.assess.Risk.Category;
import io.migrationstudio.core.assess.Risk.Likelihood;
import io.migrationstudio.core.assess.Risk.Severity;
import io.migrationstudio.core.dialect.DataProbe;
import io.migrationstudio.core.dialect.DataProbe.Anomaly;
import io.migrationstudio.core.dialect.DataProbe.Sample;
import io.migrationstudio.core.report.EvidenceMask;
import io.migrationstudio.core.schema.CanonicalType;
import io.migrationstudio.core.schema.Column;
import io.migrationstudio.core.schema.TableInfo;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks that query the real data through a {@link DataProbe}: each finds its candidate columns in
 * the inventory, then asks the probe how many rows are affected and for up to five example keys.
 * Without candidates a check runs and finds nothing; with candidates but no probe (or an engine
 * that cannot hold the anomaly at all) it is skipped with the reason.
 */
final class DataChecks {
  private DataChecks() {}

  /** The largest value of a signed 64-bit integer (PostgreSQL bigint): 2^63 - 1. */
  static final BigInteger BIGINT_MAX = BigInteger.valueOf(Long.MAX_VALUE);

  static final RiskCheck CASE_INSENSITIVE_COLLISION =
      new CatalogCheck(
          "case-insensitive-unique-collision",
          Category.DATA_LOSS,
          "Data: a unique key with text holds values equal under lower() (e.g. 'Bob' and 'bob').",
          "Merge or rename the colliding rows before the move, or keep a case-sensitive collation"
              + " on the target key.",
          c -> needsProbe(c, !collisionCandidates(c).isEmpty(), Optional.empty()),
          DataChecks::collisions);

  static final RiskCheck TEXT_WITH_NUL_BYTES =
      new CatalogCheck(
          "text-with-nul-bytes",
          Category.DATA_LOSS,
          "Data: text values contain NUL bytes (0x00), which PostgreSQL text rejects.",
          "Strip or replace the NUL bytes with a transform in mapping.yaml, or map the column to"
              + " bytea.",
          c -> needsProbe(c, !textColumns(c).isEmpty(), Optional.of(Anomaly.NUL_IN_TEXT)),
          DataChecks::nulBytes);

  static final RiskCheck MYSQL_ZERO_DATES =
      new CatalogCheck(
          "mysql-zero-dates",
          Category.DATA_LOSS,
          "Data: date/datetime values such as '0000-00-00' (MySQL), which PostgreSQL rejects.",
          "Map zero dates to NULL (column made nullable) or a sentinel date with a transform in"
              + " mapping.yaml.",
          c -> needsProbe(c, !dateColumns(c).isEmpty(), Optional.of(Anomaly.ZERO_DATE)),
          DataChecks::zeroDates);

  static final RiskCheck MYSQL_UNSIGNED_OVERFLOW =
      new CatalogCheck(
          "mysql-unsigned-overflow",
          Category.DATA_LOSS,
          "Data: BIGINT UNSIGNED values above 2^63-1, which PostgreSQL bigint cannot hold.",
          "Map the column to numeric(20,0) in mapping.yaml (and its foreign keys alike).",
          c -> needsProbe(c, !unsignedBigints(c).isEmpty(), Optional.empty()),
          DataChecks::unsignedOverflow);

  static final RiskCheck TARGET_NOT_EMPTY =
      new CatalogCheck(
          "target-not-empty",
          Category.DATA_LOSS,
          "Data on the target: tables of the target schema already hold rows.",
          "Migrate into an empty schema, or truncate the listed tables after checking nobody needs"
              + " them; Migrate refuses them unless the spec says migrate.target_not_empty:"
              + " replace.",
          c ->
              c.target().isPresent()
                  ? Optional.empty()
                  : Optional.of("needs a probe on the target: " + c.targetProbeMissing()),
          DataChecks::targetNotEmpty);

  private static Optional<String> needsProbe(
      RiskContext c, boolean hasCandidates, Optional<Anomaly> anomaly) {
    if (!hasCandidates) {
      return Optional.empty();
    }
    if (c.probe().isEmpty()) {
      return Optional.of("needs a data probe on the source: " + c.sourceProbeMissing());
    }
    DataProbe probe = c.probe().get();
    return anomaly.flatMap(probe::cannotHold).map(why -> "nothing to probe: " + why);
  }

  /** {@code table -> key columns} of each unique key holding at least one text column. */
  private record UniqueKey(TableInfo table, List<String> columns, List<String> textColumns) {}

  private static List<UniqueKey> collisionCandidates(RiskContext c) {
    List<UniqueKey> keys = new ArrayList<>();
    for (TableInfo t : c.inventory().tables()) {
      for (List<String> cols : CheckSupport.uniqueColumnSets(t)) {
        List<String> text =
            cols.stream()
                .filter(n -> t.column(n).map(col -> col.type().isText()).orElse(false))
                .toList();
        if (!text.isEmpty()) {
          keys.add(new UniqueKey(t, cols, text));
        }
      }
    }
    return keys;
  }

  private static List<Risk> collisions(RiskContext c) {
    List<Risk> risks = new ArrayList<>();
    for (UniqueKey k : collisionCandidates(c)) {
      Sample s =
          c.probe()
              .orElseThrow()
              .caseInsensitiveDuplicates(k.table().name(), k.columns(), k.textColumns());
      if (!s.found()) {
        continue;
      }
      boolean cross = c.crossEngine();
      risks.add(
          Risk.of(
              "case-insensitive-unique-collision",
              Category.DATA_LOSS,
              cross ? Severity.HIGH : Severity.LOW,
              cross ? Likelihood.HIGH : Likelihood.LOW,
              "Unique key values collide when case is ignored",
              k.columns().stream().map(n -> k.table().name() + "." + n).toList(),
              s.count()
                  + " rows of "
                  + k.table().name()
                  + " share their key "
                  + k.columns()
                  + " with another row once case is ignored, e.g. "
                  + shown(c, k.table().name(), k.columns(), s.examples())
                  + (cross
                      ? ". A case-insensitive key on " + c.targetEngine() + " rejects all but one."
                      : ". Unique today; a case-insensitive collation, citext or a lower() unique"
                          + " index on the target would reject them."),
              "Merge or rename the colliding rows on the source before the move, or keep the"
                  + " target key case-sensitive (deterministic collation, no citext) and tell the"
                  + " applications."));
    }
    return risks;
  }

  private record Candidate(TableInfo table, Column column) {}

  private static List<Candidate> columns(RiskContext c, java.util.function.Predicate<Column> p) {
    List<Candidate> out = new ArrayList<>();
    for (TableInfo t : c.inventory().tables()) {
      for (Column col : t.columns()) {
        if (p.test(col)) {
          out.add(new Candidate(t, col));
        }
      }
    }
    return out;
  }

  private static List<Candidate> textColumns(RiskContext c) {
    return columns(c, col -> col.type().isText());
  }

  private static List<Candidate> dateColumns(RiskContext c) {
    Set<CanonicalType> dates =
        Set.of(CanonicalType.DATE, CanonicalType.TIMESTAMP, CanonicalType.TIMESTAMPTZ);
    return columns(c, col -> dates.contains(col.type()));
  }

  private static List<Candidate> unsignedBigints(RiskContext c) {
    return columns(
        c,
        col ->
            CheckSupport.unsigned(col)
                && (col.type() == CanonicalType.BIGINT
                    || CheckSupport.baseType(col).toLowerCase(Locale.ROOT).equals("bigint")));
  }

  private static List<Risk> nulBytes(RiskContext c) {
    List<Risk> risks = new ArrayList<>();
    for (Candidate k : textColumns(c)) {
      Sample s =
          c.probe()
              .orElseThrow()
              .nulBytes(
                  k.table().name(), k.column().name(), CheckSupport.identifyingColumns(k.table()));
      if (s.found()) {
        risks.add(
            found(
                c,
                "text-with-nul-bytes",
                k,
                s,
                "Text values contain NUL bytes",
                "contain NUL bytes (0x00); "
                    + c.targetEngine()
                    + " text rejects them, so these rows would be quarantined or lost.",
                "Add a transform in mapping.yaml that strips or replaces the NUL bytes (e.g."
                    + " replace(value, '\\u0000', '')), or map the column to bytea if the bytes"
                    + " matter."));
      }
    }
    return risks;
  }

  private static List<Risk> zeroDates(RiskContext c) {
    List<Risk> risks = new ArrayList<>();
    for (Candidate k : dateColumns(c)) {
      Sample s =
          c.probe()
              .orElseThrow()
              .zeroDates(
                  k.table().name(), k.column().name(), CheckSupport.identifyingColumns(k.table()));
      if (s.found()) {
        risks.add(
            found(
                c,
                "mysql-zero-dates",
                k,
                s,
                "Zero dates the target rejects",
                "hold zero dates such as '0000-00-00' (or a zero month or day); "
                    + c.targetEngine()
                    + " has no such date, so these values fail or change meaning.",
                "Map zero dates to NULL (make the target column nullable) or to an agreed"
                    + " sentinel with a transform in mapping.yaml, and tell the applications that"
                    + " test for '0000-00-00'."));
      }
    }
    return risks;
  }

  private static List<Risk> unsignedOverflow(RiskContext c) {
    List<Risk> risks = new ArrayList<>();
    for (Candidate k : unsignedBigints(c)) {
      Sample s =
          c.probe()
              .orElseThrow()
              .valuesAbove(
                  k.table().name(),
                  k.column().name(),
                  BIGINT_MAX,
                  CheckSupport.identifyingColumns(k.table()));
      if (s.found()) {
        risks.add(
            found(
                c,
                "mysql-unsigned-overflow",
                k,
                s,
                "Unsigned values above the target's bigint range",
                "exceed 9,223,372,036,854,775,807 (2^63-1), the largest "
                    + c.targetEngine()
                    + " bigint; a bigint target column rejects them.",
                "Map the column (and every column referencing it) to numeric(20,0) in"
                    + " mapping.yaml; keep bigint only if the values are capped first."));
      }
    }
    return risks;
  }

  private static Risk found(
      RiskContext c,
      String key,
      Candidate k,
      Sample s,
      String title,
      String what,
      String mitigation) {
    return Risk.of(
        key,
        Category.DATA_LOSS,
        Severity.HIGH,
        Likelihood.HIGH,
        title,
        List.of(CheckSupport.object(k.table(), k.column())),
        s.count()
            + " rows of "
            + k.table().name()
            + "."
            + k.column().name()
            + " "
            + what
            + (s.examples().isEmpty()
                ? " (no key to show examples)"
                : " Example keys "
                    + CheckSupport.identifyingColumns(k.table())
                    + ": "
                    + shown(
                        c,
                        k.table().name(),
                        CheckSupport.identifyingColumns(k.table()),
                        s.examples())),
        mitigation);
  }

  /**
   * Example keys as risks.json shows them: source values, so masked ({@link EvidenceMask#shape})
   * unless the spec's {@code mapping.evidence.plain} lists every key column (or the table).
   */
  static List<String> shown(
      RiskContext c, String table, List<String> columns, List<String> examples) {
    EvidenceMask mask =
        EvidenceMask.plain(c.spec() == null ? List.of() : c.spec().mapping().plainEvidence());
    if (columns.stream().allMatch(col -> mask.isPlain(table, col))) {
      return examples;
    }
    return examples.stream().map(EvidenceMask::shape).toList();
  }

  /** Names compared loosely: lower case, letters and digits only (naming rules change the rest). */
  static String loose(String name) {
    return name.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}]", "");
  }

  private static List<Risk> targetNotEmpty(RiskContext c) {
    List<String> nonEmpty = c.target().orElseThrow().nonEmptyTables();
    if (nonEmpty.isEmpty()) {
      return List.of();
    }
    Set<String> migrated = new TreeSet<>();
    c.inventory().tables().forEach(t -> migrated.add(loose(t.name())));
    List<String> clashing = nonEmpty.stream().filter(n -> migrated.contains(loose(n))).toList();
    boolean clash = !clashing.isEmpty();
    return List.of(
        Risk.of(
            "target-not-empty",
            Category.DATA_LOSS,
            clash ? Severity.HIGH : Severity.LOW,
            clash ? Likelihood.HIGH : Likelihood.MEDIUM,
            clash
                ? "Target tables that Migrate writes already hold rows"
                : "The target schema already holds other data",
            nonEmpty,
            nonEmpty.size()
                + " tables of the target schema hold rows"
                + (clash
                    ? "; "
                        + clashing
                        + " have the name of a migrated table (case and punctuation ignored):"
                        + " Migrate deletes each chunk's key range before writing it, so their"
                        + " rows are replaced or mixed with the source's."
                    : "; none has the name of a migrated table, but validation and rollback"
                        + " must leave them alone."),
            "Migrate into an empty schema (target.schema), or back up and truncate the listed"
                + " tables after confirming nobody uses them; re-run the assessment."));
  }
}
