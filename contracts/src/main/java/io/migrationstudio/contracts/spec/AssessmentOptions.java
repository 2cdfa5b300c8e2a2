package io.migrationstudio.contracts.spec;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * Which named risk checks the assessment runs: {@code checks} (empty: all) minus {@code
 * skip_checks}. Keys are listed in docs/risk-checks.md. {@code consumer_window}: how the sessions
 * connected to the source are sampled (see {@link ConsumerWindow}).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record AssessmentOptions(
    List<String> checks,
    @JsonProperty("skip_checks") List<String> skipChecks,
    @JsonProperty("consumer_window") ConsumerWindow consumerWindow) {
  public AssessmentOptions {
    checks = checks == null ? List.of() : List.copyOf(checks);
    skipChecks = skipChecks == null ? List.of() : List.copyOf(skipChecks);
    consumerWindow = consumerWindow == null ? ConsumerWindow.defaults() : consumerWindow;
  }

  public static AssessmentOptions defaults() {
    return new AssessmentOptions(null, null, null);
  }
}
