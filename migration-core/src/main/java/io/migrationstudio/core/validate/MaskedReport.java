package io.migrationstudio.core.validate;

import io.migrationstudio.core.mapping.ColumnMapping;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.report.EvidenceMask;
import io.migrationstudio.core.schema.KeyConstraint;
import java.util.ArrayList;
import java.util.List;

/**
 * The validation report as committed: everything it quotes from rows (the source and target values
 * of changed rows, the min and max aggregates, the keys of differing rows and the key examples of
 * integrity checks) through the evidence mask, so validation.{json,md} publish no source data
 * unless the spec lists the table or column plain. A key is masked per key column (a composite key
 * whose parts cannot be told apart is masked whole unless every key column is plain).
 *
 * <p>Nothing downstream needs the plain keys from the report: the repair ({@link RepairPlanner})
 * re-hashes the ledger chunks of the failing tables on both sides and finds the differing ones
 * itself, and a reader who must locate a row finds it on the target (or lists the key column under
 * {@code mapping.evidence.plain}). Counts, sums, hashes and the names of constraints and indexes
 * are not row values and stay.
 */
final class MaskedReport {
  private MaskedReport() {}

  static ValidationReport of(ValidationReport r, MappingDocument mapping, EvidenceMask mask) {
    return new ValidationReport(
        r.migration(),
        r.status(),
        r.seed(),
        r.sampleRows(),
        r.tables().stream().map(t -> table(t, mapping, mask)).toList());
  }

  private static ValidationReport.TableValidation table(
      ValidationReport.TableValidation t, MappingDocument mapping, EvidenceMask mask) {
    TableMapping tm = mapping.bySource(t.table()).orElse(null);
    List<ValidationReport.Difference> differences =
        t.differences().stream()
            .map(
                d ->
                    new ValidationReport.Difference(
                        d.kind(),
                        key(t, tm, keyColumns(tm), d.key(), mask),
                        d.columns(),
                        d.values().stream()
                            .map(
                                v ->
                                    new ValidationReport.ValueDifference(
                                        v.column(),
                                        text(t, tm, v.column(), v.source(), mask),
                                        text(t, tm, v.column(), v.target(), mask)))
                            .toList()))
            .toList();
    List<ValidationReport.ColumnAggregate> aggregates =
        t.aggregates().stream()
            .map(
                a ->
                    new ValidationReport.ColumnAggregate(
                        a.column(),
                        aggregate(t, tm, a.column(), a.source(), mask),
                        aggregate(t, tm, a.column(), a.target(), mask),
                        a.differing(),
                        a.provedBy()))
            .toList();
    return new ValidationReport.TableValidation(
        t.table(),
        t.targetTable(),
        t.sourceRows(),
        t.targetRows(),
        t.missing(),
        t.extra(),
        t.changed(),
        t.chunks(),
        t.chunksDiffering(),
        t.chunkSource(),
        t.sampled(),
        t.sampleMismatches(),
        t.orphans(),
        t.foreignKeys(),
        differences,
        aggregates,
        t.integrity().stream().map(i -> integrity(t, tm, i, mask)).toList(),
        t.status(),
        t.hashPath(),
        t.bisectionSteps(),
        t.bisectionRowsRead(),
        t.sampleSeed(),
        t.filter(),
        t.sourceRowsUnfiltered(),
        t.partitions(),
        t.partitionsNote());
  }

  private static ValidationReport.Aggregate aggregate(
      ValidationReport.TableValidation t,
      TableMapping tm,
      String column,
      ValidationReport.Aggregate a,
      EvidenceMask mask) {
    if (a == null) {
      return null; // proved equal without being computed
    }
    return new ValidationReport.Aggregate(
        a.count(),
        a.nulls(),
        text(t, tm, column, a.min(), mask),
        text(t, tm, column, a.max(), mask),
        a.sum(),
        a.lengthSum());
  }

  /**
   * The target columns of the key the report shows for a differing row: the primary key, or every
   * copied column of a keyless table (its rows are named by all their values).
   */
  private static List<String> keyColumns(TableMapping tm) {
    if (tm == null) {
      return List.of();
    }
    return tm.primaryKey().isEmpty()
        ? tm.copiedColumns().stream().map(ColumnMapping::target).toList()
        : tm.primaryKey();
  }

  /**
   * An integrity check with its examples masked: the keys of duplicate-key groups (of the key's
   * columns) and of rows with a NULL in a NOT NULL column (of the primary key; a keyless table's
   * examples are row positions, ctids, not values, but masked all the same). The other checks'
   * examples are names of constraints and indexes: kept.
   */
  private static ValidationReport.IntegrityCheck integrity(
      ValidationReport.TableValidation t,
      TableMapping tm,
      ValidationReport.IntegrityCheck i,
      EvidenceMask mask) {
    List<String> columns;
    switch (i.kind()) {
      case TargetIntegrity.DUPLICATE_KEY -> columns = duplicateKeyColumns(tm, i.object());
      case TargetIntegrity.NULL_IN_NOT_NULL -> columns = tm == null ? List.of() : tm.primaryKey();
      default -> {
        return i;
      }
    }
    return new ValidationReport.IntegrityCheck(
        i.kind(),
        i.object(),
        i.count(),
        i.examples().stream().map(e -> key(t, tm, columns, e, mask)).toList(),
        i.provedBy());
  }

  /** The columns of the key an integrity check names: the primary key or a unique key. */
  private static List<String> duplicateKeyColumns(TableMapping tm, String object) {
    if (tm == null) {
      return List.of();
    }
    return tm.uniqueKeys().stream()
        .filter(k -> k.name().equals(object))
        .map(KeyConstraint::columns)
        .findFirst()
        .orElse(tm.primaryKey());
  }

  /**
   * A key's display text (its values joined by {@code ", "}, a keyless row's in parentheses)
   * through the mask: each value as its column's mask says when the text splits into exactly one
   * part per column; otherwise (a value holding {@code ", "}, unknown columns) plain only when
   * every column is plain, else the whole text masked: the mask keeps punctuation, so the parts
   * still show.
   */
  static String key(
      ValidationReport.TableValidation t,
      TableMapping tm,
      List<String> columns,
      String key,
      EvidenceMask mask) {
    if (key == null) {
      return null;
    }
    List<String> sources = columns.stream().map(c -> sourceColumn(tm, c)).toList();
    if (!sources.isEmpty() && sources.stream().allMatch(c -> mask.isPlain(t.table(), c))) {
      return key;
    }
    boolean parenthesised = columns.size() > 1 && key.startsWith("(") && key.endsWith(")");
    String inner = parenthesised ? key.substring(1, key.length() - 1) : key;
    String[] parts = inner.split(", ", -1);
    if (columns.isEmpty() || parts.length != columns.size()) {
      return mask.text(t.table(), "\u0000", key);
    }
    List<String> shown = new ArrayList<>(parts.length);
    for (int i = 0; i < parts.length; i++) {
      shown.add(mask.text(t.table(), sources.get(i), parts[i]));
    }
    String joined = String.join(", ", shown);
    return parenthesised ? "(" + joined + ")" : joined;
  }

  private static String sourceColumn(TableMapping tm, String target) {
    return tm == null
        ? target
        : tm.byTarget(target).map(ColumnMapping::source).filter(s -> s != null).orElse(target);
  }

  /** A value of target column {@code column}, masked unless its source table or column is plain. */
  private static String text(
      ValidationReport.TableValidation t,
      TableMapping tm,
      String column,
      String value,
      EvidenceMask mask) {
    return mask.text(t.table(), sourceColumn(tm, column), value);
  }
}
