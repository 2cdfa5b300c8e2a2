package io.migrationstudio.core.assess;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;

/**
 * What happened to one check of the catalogue in an assessment: it ran (and raised {@code risks}),
 * was skipped because it could not run ({@code reason} says why, e.g. no data probe for the
 * engine), or was left out by the spec's selection.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CheckRun(
    String key, Risk.Category category, Status status, String reason, int risks) {
  public CheckRun {
    Objects.requireNonNull(key, "check key is required");
    Objects.requireNonNull(category, "category is required for check " + key);
    Objects.requireNonNull(status, "status is required for check " + key);
    if (status != Status.RAN && (reason == null || reason.isBlank())) {
      throw new IllegalArgumentException("check " + key + " is " + status + " without a reason");
    }
    if (risks < 0 || (status != Status.RAN && risks != 0)) {
      throw new IllegalArgumentException(
          "check " + key + " " + status + " with " + risks + " risks");
    }
  }

  /** Outcome of a check. */
  public enum Status {
    @JsonProperty("ran")
    RAN,
    @JsonProperty("skipped")
    SKIPPED,
    @JsonProperty("not-selected")
    NOT_SELECTED;

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
  }
}
