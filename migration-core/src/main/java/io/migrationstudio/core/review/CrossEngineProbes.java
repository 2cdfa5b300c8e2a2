package io.migrationstudio.core.review;

import io.migrationstudio.core.mapping.ColumnMapping;
import io.migrationstudio.core.mapping.TargetType;
import io.migrationstudio.core.review.Finding.Level;
import io.migrationstudio.core.schema.CanonicalType;
import io.migrationstudio.core.schema.Column;
import java.util.ArrayList;
import java.util.List;

/** The probes only a foreign source engine needs, in the SQL of its {@link ProfileSql}. */
final class CrossEngineProbes {
  private final ProfileSql profile;

  CrossEngineProbes(ProfileSql profile) {
    this.profile = profile;
  }

  /**
   * The checks only a foreign engine needs: zero dates into date/time targets, MySQL times outside
   * a day into time, NUL characters and byte sequences invalid in the declared character set into
   * text, and numbers other than 0/1 into a boolean.
   */
  List<Probe> probes(ColumnMapping c, Column src, TargetType tt, String v) {
    List<Probe> out = new ArrayList<>();
    CanonicalType to = tt.canonical();
    boolean temporal =
        to == CanonicalType.DATE
            || to == CanonicalType.TIMESTAMP
            || to == CanonicalType.TIMESTAMPTZ;
    if (temporal && src.type() != CanonicalType.TEXT) {
      profile
          .zeroDate(v)
          .ifPresent(
              cond ->
                  out.add(
                      new Probe(
                          c,
                          CompatibilityCheck.ZERO_DATE,
                          cond,
                          null,
                          Level.FAIL,
                          Level.OK,
                          "zero dates (0000-00-00) have no PostgreSQL value; Migrate would"
                              + " quarantine these rows. Decide them with a CEL transform"
                              + " that handles null (a zero date reads as null there), e.g."
                              + " column == null ? null : column for NULL")));
    }
    if (to == CanonicalType.TIME && src.type() == CanonicalType.TIME) {
      profile
          .timeOutsideDay(v)
          .ifPresent(
              cond ->
                  out.add(
                      new Probe(
                          c,
                          CompatibilityCheck.TIME_OUTSIDE_DAY,
                          cond,
                          null,
                          Level.FAIL,
                          Level.OK,
                          "times outside 00:00:00-23:59:59.999999 (MySQL allows -838:59:59 to 838:59:59)"
                              + " have no PostgreSQL time value; Migrate would quarantine these rows."
                              + " Map the column to interval, which keeps every value (a type"
                              + " rule: {match: {source_type: time}, target_type: interval})")));
    }
    if (to.isText() || to == CanonicalType.JSON) {
      profile
          .nulCharacter(v)
          .ifPresent(
              cond ->
                  out.add(
                      new Probe(
                          c,
                          CompatibilityCheck.NUL_CHARACTER,
                          cond,
                          null,
                          Level.FAIL,
                          Level.OK,
                          "text with NUL characters cannot be stored by PostgreSQL; Migrate would"
                              + " quarantine these rows. Remove them with a transform (e.g."
                              + " REPLACE(column, CHAR(0), '')) or map the column to bytea")));
    }
    if (to.isText() || to == CanonicalType.JSON) {
      profile
          .invalidEncoding(v, src.nativeType())
          .ifPresent(
              cond ->
                  out.add(
                      new Probe(
                          c,
                          CompatibilityCheck.INVALID_ENCODING,
                          cond,
                          null,
                          Level.FAIL,
                          Level.OK,
                          "values hold byte sequences that are not valid in the column's"
                              + " character set (the driver would read U+FFFD); Migrate would"
                              + " quarantine these rows. Repair them in the source, decide them"
                              + " with a transform that handles null (such a value reads as"
                              + " null there, e.g. column == null ? null : column), or map the"
                              + " column to bytea")));
    }
    if (to == CanonicalType.BOOLEAN && src.type() != CanonicalType.BYTES) {
      out.add(
          new Probe(
              c,
              CompatibilityCheck.BOOLEAN_RANGE,
              v + " NOT IN (0, 1)",
              null,
              Level.FAIL,
              Level.OK,
              "values other than 0 and 1 are no booleans; map the column to smallint or"
                  + " transform them"));
    }
    return out;
  }
}
