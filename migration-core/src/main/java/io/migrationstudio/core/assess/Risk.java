package io.migrationstudio.core.assess;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * One risk of the migration. {@code key} names the rule (stable across runs and versions, e.g.
 * {@code table-without-primary-key}); {@code id} = key + {@code /} + the first affected object, so
 * a reviewer can refer to one finding. {@code objects} are tables, {@code table.column}, views or
 * sequences as the source names them.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Risk(
    String id,
    String key,
    Category category,
    Severity severity,
    Likelihood likelihood,
    String title,
    List<String> objects,
    String detail,
    String mitigation) {

  /** Most severe first, then by key, then by first object (code-point order). */
  public static final Comparator<Risk> ORDER =
      Comparator.comparing(Risk::severity, Comparator.reverseOrder())
          .thenComparing(Risk::key)
          .thenComparing(r -> r.objects().isEmpty() ? "" : r.objects().get(0))
          .thenComparing(Risk::id);

  public Risk {
    Objects.requireNonNull(key, "risk key is required");
    Objects.requireNonNull(category, "category is required for risk " + key);
    Objects.requireNonNull(severity, "severity is required for risk " + key);
    Objects.requireNonNull(likelihood, "likelihood is required for risk " + key);
    Objects.requireNonNull(title, "title is required for risk " + key);
    Objects.requireNonNull(mitigation, "mitigation is required for risk " + key);
    if (!key.matches("[a-z0-9]+(-[a-z0-9]+)*")) {
      throw new IllegalArgumentException("risk key must be kebab-case, got '" + key + "'");
    }
    objects = objects == null ? List.of() : List.copyOf(objects);
    id = id == null ? key + (objects.isEmpty() ? "" : "/" + objects.get(0)) : id;
    detail = detail == null ? "" : detail;
  }

  /** A risk whose id derives from its key and first object. */
  public static Risk of(
      String key,
      Category category,
      Severity severity,
      Likelihood likelihood,
      String title,
      List<String> objects,
      String detail,
      String mitigation) {
    return new Risk(null, key, category, severity, likelihood, title, objects, detail, mitigation);
  }

  /** What the risk threatens. */
  public enum Category {
    @JsonProperty("data-loss")
    DATA_LOSS,
    @JsonProperty("downtime")
    DOWNTIME,
    @JsonProperty("compatibility")
    COMPATIBILITY,
    @JsonProperty("performance")
    PERFORMANCE,
    @JsonProperty("operational")
    OPERATIONAL;

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
  }

  /** How bad it is when it happens; CRITICAL fails the assessment. In increasing order. */
  public enum Severity {
    @JsonProperty("low")
    LOW,
    @JsonProperty("medium")
    MEDIUM,
    @JsonProperty("high")
    HIGH,
    @JsonProperty("critical")
    CRITICAL;

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** How likely it is to happen without the mitigation. */
  public enum Likelihood {
    @JsonProperty("low")
    LOW,
    @JsonProperty("medium")
    MEDIUM,
    @JsonProperty("high")
    HIGH;

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
