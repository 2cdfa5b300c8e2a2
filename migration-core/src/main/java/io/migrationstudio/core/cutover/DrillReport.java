package io.migrationstudio.core.cutover;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.migrationstudio.contracts.workflow.Verdict;
import java.util.List;
import java.util.Objects;

/**
 * {@code drill.json}: the rehearsed rollback. {@code rollbackMillis} is the measured time of the
 * rollback phase (unfreeze, revert the switch, check writes), compared with the spec's RTO. A
 * one-time record: timings differ per run, so a re-run reuses it instead of drilling again.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({
  "version",
  "migration",
  "source",
  "freeze",
  "switch",
  "rto",
  "rto_millis",
  "rollback_millis",
  "verdict",
  "summary",
  "steps"
})
public record DrillReport(
    int version,
    String migration,
    String source,
    String freeze,
    @JsonProperty("switch") String switchType,
    String rto,
    @JsonProperty("rto_millis") long rtoMillis,
    @JsonProperty("rollback_millis") long rollbackMillis,
    Verdict verdict,
    String summary,
    List<CutoverStep> steps) {
  public static final int CURRENT_VERSION = 1;

  public DrillReport {
    Objects.requireNonNull(verdict, "verdict is required");
    steps = steps == null ? List.of() : List.copyOf(steps);
    summary = summary == null ? "" : summary;
  }
}
