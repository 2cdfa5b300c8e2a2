package io.migrationstudio.contracts.spec;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * Which named risk checks the assessment runs: {@code checks} (empty: all) minus {@code
 * skip_checks}. Keys are listed in docs/risk-checks.md.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record AssessmentOptions(
    List<String> checks, @JsonProperty("skip_checks") List<String> skipChecks) {
  public AssessmentOptions {
    checks = checks == null ? List.of() : List.copyOf(checks);
    skipChecks = skipChecks == null ? List.of() : List.copyOf(skipChecks);
  }

  public static AssessmentOptions defaults() {
    return new AssessmentOptions(null, null);
  }
}
