package io.migrationstudio.core.schema;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Set;

/**
 * The parameters of a sequence as the source declares them, spelled as PostgreSQL's {@code CREATE
 * SEQUENCE} takes them: {@code type} ({@code smallint}, {@code integer} or {@code bigint}; null:
 * bigint), {@code start}, {@code increment} (negative for a descending sequence), {@code min},
 * {@code max}, {@code cache} (at least 1) and {@code cycle}. The current value is not a parameter:
 * it is read from the source when the load ends (see {@code LoadFinisher}).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SequenceOptions(
    String type, long start, long increment, long min, long max, long cache, boolean cycle) {
  private static final Set<String> TYPES = Set.of("smallint", "integer", "bigint");

  public SequenceOptions {
    if (type != null && !TYPES.contains(type)) {
      throw new IllegalArgumentException(
          "sequence type must be one of " + TYPES + ", not '" + type + "'");
    }
    if (increment == 0) {
      throw new IllegalArgumentException("sequence increment must not be 0");
    }
    if (min >= max) {
      throw new IllegalArgumentException(
          "sequence min (" + min + ") must be less than max (" + max + ")");
    }
    if (start < min || start > max) {
      throw new IllegalArgumentException(
          "sequence start (" + start + ") must lie between min " + min + " and max " + max);
    }
    if (cache < 1) {
      throw new IllegalArgumentException("sequence cache must be at least 1, not " + cache);
    }
  }

  /**
   * The clauses of {@code CREATE SEQUENCE} after the name, e.g. {@code AS integer INCREMENT BY 1
   * ...}.
   */
  public String ddlClauses() {
    return (type == null ? "" : "AS " + type + " ")
        + "INCREMENT BY "
        + increment
        + " MINVALUE "
        + min
        + " MAXVALUE "
        + max
        + " START WITH "
        + start
        + " CACHE "
        + cache
        + (cycle ? " CYCLE" : " NO CYCLE");
  }
}
