package io.migrationstudio.core.review;

import io.migrationstudio.core.copy.TableSql;
import io.migrationstudio.core.mapping.ColumnMapping;
import io.migrationstudio.core.mapping.Disposition;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.mapping.TargetType;
import io.migrationstudio.core.review.Finding.Level;
import io.migrationstudio.core.schema.CanonicalType;
import io.migrationstudio.core.schema.Column;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * What to measure on a copied column, decided from the source column and the target type before any
 * data is read: NULLs into NOT NULL, length, integer and decimal range and scale, fractions, enum
 * error values, and the cross-engine checks ({@link CrossEngineProbes}); a changed type gets a
 * static finding that says what the conversion means, and unsupported types fail at once.
 */
final class ColumnProbes extends ReviewPart {
  private final ProfileSql profile;
  private final CrossEngineProbes crossEngine;

  ColumnProbes(List<Finding> findings, ProfileSql profile) {
    super(findings);
    this.profile = profile;
    this.crossEngine = new CrossEngineProbes(profile);
  }

  List<Probe> probesFor(TableSql sql, ColumnMapping c, Column src) {
    TableMapping table = sql.table();
    List<Probe> probes = new ArrayList<>();
    String v = sql.sourceValue(c);
    TargetType tt = TargetType.parse(c.type());
    boolean passThrough = c.disposition() == Disposition.MAP || c.disposition() == Disposition.CAST;
    if (!c.nullable() && (src == null || src.nullable() || !passThrough)) {
      probes.add(
          new Probe(
              c,
              CompatibilityCheck.NOT_NULL,
              v + " IS NULL",
              null,
              Level.FAIL,
              Level.OK,
              "target column "
                  + c.target()
                  + " is NOT NULL; rows with NULL here would be refused."
                  + " Make the target nullable or transform NULL (e.g. coalesce) in mapping.yaml"));
    }
    // between servers of the same engine a column kept as exactly its source type (an enum,
    // domain, composite or range type, which Migrate creates from the source's definition, or a
    // base type the catalogue has no canonical type for) arrives as it is
    boolean keptAsItIs =
        !sql.crossEngine()
            && src != null
            && passThrough
            && TargetType.sameSpelling(src.nativeType(), c.type());
    if (!keptAsItIs
        && (tt.canonical() == CanonicalType.UNSUPPORTED
            || c.canonical() == CanonicalType.UNSUPPORTED)) {
      add(
          Level.FAIL,
          table.source(),
          label(c),
          CompatibilityCheck.UNSUPPORTED_TYPE,
          null,
          null,
          List.of(),
          (src == null ? c.type() : src.nativeType())
              + " has no faithful PostgreSQL type (spatial, or a column without declared type);"
              + " decide it in mapping.yaml: cast it to bytea or text, or drop it with a reason");
    }
    if (sql.crossEngine() && src != null && passThrough) {
      probes.addAll(crossEngine.probes(c, src, tt, v));
    }
    if (src != null && passThrough) {
      profile
          .outsideEnum(v, src.nativeType())
          .ifPresent(
              cond ->
                  probes.add(
                      new Probe(
                          c,
                          CompatibilityCheck.VALUES_OUTSIDE_ENUM,
                          cond,
                          null,
                          Level.FAIL,
                          Level.OK,
                          "values outside "
                              + src.nativeType()
                              + " (MySQL stores an invalid enum input as the error value ''"
                              + " in non-strict mode) would arrive as ''; decide them: a value"
                              + " map (values, with unmapped: reject, keep or null), a"
                              + " transform, or drop the column with a reason")));
    }
    boolean sameType =
        src != null
            && passThrough
            && (TargetType.sameSpelling(src.nativeType(), c.type())
                || sql.crossEngine() && faithful(src, tt));
    if (sameType) {
      return probes;
    }
    if (src != null && passThrough) {
      typeChange(table, c, src, tt);
    }
    CanonicalType from = src == null || !passThrough ? null : src.type();
    if (tt.canonical().isText() && tt.length() != null) {
      lengthProbe(c, src, from, tt, v, probes);
    }
    boolean numericSource = from != null && isNumber(from);
    if (tt.canonical().isInteger() && numericSource) {
      integerProbes(c, src, from, tt, v, probes);
    }
    if (tt.canonical() == CanonicalType.DECIMAL && numericSource && tt.precision() != null) {
      decimalProbes(c, src, from, tt, v, probes);
    }
    return probes;
  }

  /** Text targets with a length: values longer than the target would be refused. */
  private void lengthProbe(
      ColumnMapping c,
      Column src,
      CanonicalType from,
      TargetType tt,
      String v,
      List<Probe> probes) {
    boolean fits =
        from != null && from.isText() && src.length() != null && src.length() <= tt.length();
    if (!fits) {
      String len = profile.charLength(v);
      probes.add(
          new Probe(
              c,
              CompatibilityCheck.MAX_LENGTH,
              len + " > " + tt.length(),
              len,
              Level.FAIL,
              Level.OK,
              "values longer than "
                  + tt.length()
                  + " characters do not fit "
                  + c.type()
                  + "; widen the type or transform them (e.g. left(value, "
                  + tt.length()
                  + "))"));
    }
  }

  /** Integer targets of a numeric source: the range, and fractions a decimal source loses. */
  private void integerProbes(
      ColumnMapping c,
      Column src,
      CanonicalType from,
      TargetType tt,
      String v,
      List<Probe> probes) {
    BigDecimal min = tt.integerMin();
    BigDecimal max = tt.integerMax();
    if (!fitsInteger(src, tt)) {
      probes.add(
          new Probe(
              c,
              CompatibilityCheck.INTEGER_RANGE,
              v + " < " + min.toPlainString() + " OR " + v + " > " + max.toPlainString(),
              v,
              Level.FAIL,
              Level.OK,
              "values outside "
                  + c.type()
                  + " ["
                  + min.toPlainString()
                  + ", "
                  + max.toPlainString()
                  + "] would be refused; widen the type"));
    }
    if (!from.isInteger()) {
      probes.add(
          new Probe(
              c,
              CompatibilityCheck.FRACTION_LOST,
              profile.asDecimal(v) + " <> round(" + profile.asDecimal(v) + ")",
              null,
              Level.FAIL,
              Level.OK,
              "values with a fractional part would be rounded by "
                  + c.type()
                  + "; keep a decimal type or round explicitly with a transform"));
    }
  }

  /** Decimal targets of a numeric source: integer digits beyond the precision, and the scale. */
  private void decimalProbes(
      ColumnMapping c,
      Column src,
      CanonicalType from,
      TargetType tt,
      String v,
      List<Probe> probes) {
    int intDigits = tt.precision() - tt.scale();
    if (!fitsDecimal(src, intDigits)) {
      String limit = BigDecimal.TEN.pow(intDigits).toPlainString();
      probes.add(
          new Probe(
              c,
              CompatibilityCheck.NUMERIC_RANGE,
              // NaN sorts above every number but fits numeric(p,s): not an overflow
              "abs("
                  + profile.asDecimal(v)
                  + ") >= "
                  + limit
                  + profile.isNaN(profile.asDecimal(v)).map(n -> " AND NOT " + n).orElse(""),
              "abs(" + profile.asDecimal(v) + ")",
              Level.FAIL,
              Level.OK,
              "values of "
                  + intDigits
                  + "+ integer digits (>= "
                  + limit
                  + ") overflow "
                  + c.type()
                  + " and would be refused; raise the precision"));
    }
    boolean scaleSafe =
        from.isInteger()
            || from == CanonicalType.DECIMAL && src.scale() != null && src.scale() <= tt.scale();
    if (!scaleSafe) {
      probes.add(
          new Probe(
              c,
              CompatibilityCheck.NUMERIC_SCALE,
              profile.asDecimal(v) + " <> round(" + profile.asDecimal(v) + ", " + tt.scale() + ")",
              null,
              Level.FAIL,
              Level.OK,
              "values with more than "
                  + tt.scale()
                  + " decimal places would be rounded by "
                  + c.type()
                  + "; raise the scale or round explicitly with a transform"));
    }
  }

  /**
   * Across engines a MAP is faithful when the canonical type and its bounds are unchanged ({@code
   * int(11)} → {@code integer}, {@code varchar(40)} → {@code character varying(40)}).
   */
  private static boolean faithful(Column src, TargetType tt) {
    if (src.type() != tt.canonical()) {
      return false;
    }
    return switch (tt.canonical()) {
      case CHAR, VARCHAR -> java.util.Objects.equals(src.length(), tt.length());
      case DECIMAL ->
          java.util.Objects.equals(src.precision(), tt.precision())
              && java.util.Objects.equals(
                  src.scale() == null && src.precision() != null ? 0 : src.scale(), tt.scale());
      default -> true;
    };
  }

  private static boolean fitsInteger(Column src, TargetType tt) {
    return src.type().isInteger() && src.type().ordinal() <= tt.canonical().ordinal();
  }

  private static boolean fitsDecimal(Column src, int intDigits) {
    return switch (src.type()) {
      case SMALLINT -> intDigits >= 5;
      case INTEGER -> intDigits >= 10;
      case BIGINT -> intDigits >= 19;
      case DECIMAL ->
          src.precision() != null
              && src.scale() != null
              && src.precision() - src.scale() <= intDigits;
      default -> false;
    };
  }

  /** A static finding for a changed type: what the conversion means, before any data is read. */
  private void typeChange(TableMapping table, ColumnMapping c, Column src, TargetType tt) {
    String change = src.nativeType() + " → " + c.type();
    if (c.disposition() == Disposition.MAP) {
      add(
          Level.FAIL,
          table.source(),
          c.source(),
          CompatibilityCheck.TYPE_CHANGE,
          null,
          null,
          List.of(),
          change
              + " under disposition map, which promises an unchanged value; set disposition"
              + " cast to accept the conversion, or restore the source type");
      return;
    }
    CanonicalType from = src.type();
    CanonicalType to = tt.canonical();
    String semantic = null;
    if (from == CanonicalType.TIMESTAMPTZ
        && (to == CanonicalType.TIMESTAMP
            || to == CanonicalType.DATE
            || to == CanonicalType.TIME)) {
      semantic =
          "the time zone is dropped: instants are converted to local time of the session's time zone";
    } else if (from == CanonicalType.TIMESTAMP
        && (to == CanonicalType.DATE || to == CanonicalType.TIME)) {
      semantic = "part of the timestamp is dropped";
    } else if ((from == CanonicalType.DOUBLE || from == CanonicalType.DECIMAL || from.isInteger())
        && (to == CanonicalType.REAL || to == CanonicalType.DOUBLE)
        && from != to) {
      semantic =
          "floating point keeps only about "
              + (to == CanonicalType.REAL ? 6 : 15)
              + " significant digits";
    }
    if (semantic != null) {
      add(
          Level.WARNING,
          table.source(),
          c.source(),
          CompatibilityCheck.TYPE_CHANGE,
          null,
          null,
          List.of(),
          change + ": " + semantic + "; cast accepted as an explicit decision");
    } else {
      add(
          Level.OK,
          table.source(),
          c.source(),
          CompatibilityCheck.TYPE_CHANGE,
          null,
          null,
          List.of(),
          change + ": the measured checks below show whether any value changes");
    }
  }

  boolean needsCastProbe(ColumnMapping c, Column src) {
    CanonicalType to = TargetType.parse(c.type()).canonical();
    if (to == CanonicalType.TEXT) {
      return false;
    }
    if (c.disposition() != Disposition.CAST) {
      // a transform, derived or default value: only casting it shows whether it fits
      return c.disposition() != Disposition.MAP;
    }
    CanonicalType from = src.type();
    boolean numbers = isNumber(from) && isNumber(to);
    boolean texts = from.isText() && to.isText();
    return from != to && !numbers && !texts;
  }

  private static boolean isNumber(CanonicalType t) {
    return t.isInteger()
        || t == CanonicalType.DECIMAL
        || t == CanonicalType.REAL
        || t == CanonicalType.DOUBLE;
  }
}
