package io.migrationstudio.core.review;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One result of the compatibility review: what was checked ({@code check}, a stable key such as
 * {@code max_length}), on which source table and column, how many rows are affected (null for
 * checks that do not count rows), the largest value seen when that matters, up to five example
 * primary keys (source values, ordered), the verdict and an explanation that says what to do.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
  "verdict",
  "table",
  "column",
  "check",
  "count",
  "max_seen",
  "examples",
  "detail"
})
public record Finding(
    Level verdict,
    String table,
    String column,
    String check,
    Long count,
    @JsonProperty("max_seen") String maxSeen,
    List<String> examples,
    String detail) {

  public Finding {
    Objects.requireNonNull(verdict, "verdict is required");
    Objects.requireNonNull(table, "table is required");
    Objects.requireNonNull(check, "check is required");
    examples = examples == null || examples.isEmpty() ? null : List.copyOf(examples);
  }

  /**
   * A finding of a catalogued check: the review builds every finding this way, so {@code
   * compatibility.json} names only checks that {@code docs/compatibility-checks.md} documents.
   */
  static Finding of(
      Level verdict,
      String table,
      String column,
      CompatibilityCheck check,
      Long count,
      String maxSeen,
      List<String> examples,
      String detail) {
    return new Finding(verdict, table, column, check.key(), count, maxSeen, examples, detail);
  }

  /** ok: nothing lost; warning: worth a look, nothing lost today; fail: data would be lost. */
  public enum Level {
    FAIL,
    WARNING,
    OK;

    @JsonValue
    public String key() {
      return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static Level fromKey(String key) {
      return valueOf(key.trim().toUpperCase(Locale.ROOT));
    }
  }
}
