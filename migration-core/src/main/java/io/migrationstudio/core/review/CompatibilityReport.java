package io.migrationstudio.core.review;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.migrationstudio.contracts.workflow.Verdict;
import java.util.List;

/** {@code compatibility.json}: the verdict, the counts per level and every finding. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({
  "verdict",
  "source_engine",
  "source_schema",
  "target_schema",
  "tables",
  "columns",
  "fail",
  "warning",
  "ok",
  "findings"
})
public record CompatibilityReport(
    Verdict verdict,
    @JsonProperty("source_engine") String sourceEngine,
    @JsonProperty("source_schema") String sourceSchema,
    @JsonProperty("target_schema") String targetSchema,
    int tables,
    int columns,
    long fail,
    long warning,
    long ok,
    List<Finding> findings) {
  public CompatibilityReport {
    findings = List.copyOf(findings);
  }
}
