package io.migrationstudio.core.validate;

import io.migrationstudio.core.mapping.ColumnMapping;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.report.EvidenceMask;
import java.util.List;

/**
 * The validation report as committed: the values it quotes from rows (the source and target values
 * of changed rows, the min and max aggregates) through the evidence mask, so validation.{json,md}
 * publish no source data unless the spec lists the table or column plain. Keys (of differing rows,
 * integrity examples) stay: they locate rows for the repair and for the reader. Counts, sums and
 * hashes are not row values and stay too.
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
                        d.key(),
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
                        a.differing()))
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
        t.integrity(),
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
    return new ValidationReport.Aggregate(
        a.count(),
        a.nulls(),
        text(t, tm, column, a.min(), mask),
        text(t, tm, column, a.max(), mask),
        a.sum(),
        a.lengthSum());
  }

  /** A value of target column {@code column}, masked unless its source table or column is plain. */
  private static String text(
      ValidationReport.TableValidation t,
      TableMapping tm,
      String column,
      String value,
      EvidenceMask mask) {
    String source =
        tm == null
            ? column
            : tm.byTarget(column).map(ColumnMapping::source).filter(s -> s != null).orElse(column);
    return mask.text(t.table(), source, value);
  }
}
