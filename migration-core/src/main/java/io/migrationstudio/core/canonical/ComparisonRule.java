package io.migrationstudio.core.canonical;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.math.BigDecimal;
import java.time.ZoneId;
import java.util.List;
import java.util.Locale;

/**
 * How validation compares one column (mapping.yaml {@code compare:}), written once and applied by
 * every check: chunk checksums, the row diff, samples and aggregates.
 *
 * <ul>
 *   <li>{@code tolerance} / {@code relative_tolerance} (numeric columns): two numbers are equal
 *       when {@code |a-b| <= tolerance} or {@code |a-b| <= relative_tolerance * max(|a|,|b|)};
 *   <li>{@code precision} ({@code us}, {@code ms}, {@code s}; time and timestamp columns): values
 *       are rounded to the unit before comparing (half away from zero, as PostgreSQL rounds on
 *       insert into {@code timestamp(p)});
 *   <li>{@code time_zone} (timestamp columns): values are compared as instants; wall-clock values
 *       (timestamp without time zone) are read as local time in this zone ({@code UTC} or an IANA
 *       name such as {@code Europe/Berlin});
 *   <li>{@code trim} (text): leading and trailing white space is ignored;
 *   <li>{@code ignore_case} (text): letter case is ignored.
 * </ul>
 *
 * Null fields mean "not stated". Every problem of a rule is listed by {@link #problems}.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
  "tolerance",
  "relative_tolerance",
  "precision",
  "time_zone",
  "trim",
  "ignore_case"
})
public record ComparisonRule(
    BigDecimal tolerance,
    @JsonProperty("relative_tolerance") BigDecimal relativeTolerance,
    String precision,
    @JsonProperty("time_zone") String timeZone,
    Boolean trim,
    @JsonProperty("ignore_case") Boolean ignoreCase) {

  /** The precision units, finest first. */
  public static final List<String> PRECISIONS = List.of("us", "ms", "s");

  /** Whether the rule states nothing (equivalent to no rule). */
  @JsonIgnore
  public boolean isEmpty() {
    return tolerance == null
        && relativeTolerance == null
        && precision == null
        && timeZone == null
        && !Boolean.TRUE.equals(trim)
        && !Boolean.TRUE.equals(ignoreCase);
  }

  /** Whether the rule compares numbers within a tolerance (not an exact canonicalisation). */
  @JsonIgnore
  public boolean hasTolerance() {
    return (tolerance != null && tolerance.signum() > 0)
        || (relativeTolerance != null && relativeTolerance.signum() > 0);
  }

  /**
   * The column kind this rule's keys imply (tolerance: numeric, precision or time zone: temporal,
   * else text), for checking a rule whose column type is not known yet (a regression query's result
   * column) with {@link #problems}: a rule mixing kinds is reported.
   */
  @JsonIgnore
  public String impliedKind() {
    if (tolerance != null || relativeTolerance != null) {
      return "numeric";
    }
    if (precision != null || timeZone != null) {
      return "temporal";
    }
    return "text";
  }

  /** Microseconds per precision unit (1 for {@code us} or no precision). */
  @JsonIgnore
  public long precisionMicros() {
    if (precision == null) {
      return 1;
    }
    return switch (precision.trim().toLowerCase(Locale.ROOT)) {
      case "ms" -> 1_000L;
      case "s" -> 1_000_000L;
      default -> 1L;
    };
  }

  /** The zone of {@code time_zone}, or null. */
  @JsonIgnore
  public ZoneId zone() {
    return timeZone == null ? null : ZoneId.of(timeZone.trim());
  }

  /**
   * Every problem of this rule on a column of {@code kind} ("numeric", "temporal", "text" or
   * "other"), each prefixed with {@code where}.
   */
  public List<String> problems(String where, String kind) {
    List<String> out = new java.util.ArrayList<>();
    if (tolerance != null && tolerance.signum() < 0) {
      out.add(where + ": compare.tolerance must be >= 0, was " + tolerance.toPlainString());
    }
    if (relativeTolerance != null
        && (relativeTolerance.signum() < 0 || relativeTolerance.compareTo(BigDecimal.ONE) >= 0)) {
      out.add(
          where
              + ": compare.relative_tolerance must be >= 0 and < 1, was "
              + relativeTolerance.toPlainString());
    }
    if ((tolerance != null || relativeTolerance != null) && !kind.equals("numeric")) {
      out.add(
          where
              + ": compare.tolerance and compare.relative_tolerance apply to numeric columns only;"
              + " this column is "
              + kind);
    }
    if (precision != null && !PRECISIONS.contains(precision.trim().toLowerCase(Locale.ROOT))) {
      out.add(where + ": compare.precision '" + precision + "' is not one of " + PRECISIONS);
    }
    if ((precision != null || timeZone != null) && !kind.equals("temporal")) {
      out.add(
          where
              + ": compare.precision and compare.time_zone apply to time and timestamp columns"
              + " only; this column is "
              + kind);
    }
    if (timeZone != null) {
      try {
        ZoneId.of(timeZone.trim());
      } catch (java.time.DateTimeException e) {
        out.add(
            where
                + ": compare.time_zone '"
                + timeZone
                + "' is not a zone; write UTC, an offset like +02:00 or an IANA name like"
                + " Europe/Berlin");
      }
    }
    if ((Boolean.TRUE.equals(trim) || Boolean.TRUE.equals(ignoreCase)) && !kind.equals("text")) {
      out.add(
          where
              + ": compare.trim and compare.ignore_case apply to text columns only; this column is "
              + kind);
    }
    return out;
  }
}
