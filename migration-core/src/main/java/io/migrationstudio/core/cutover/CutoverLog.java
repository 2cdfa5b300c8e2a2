package io.migrationstudio.core.cutover;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.migrationstudio.contracts.workflow.Verdict;
import java.util.List;
import java.util.Objects;

/**
 * {@code cutover-log.json}: what the executed cutover did, step by step with measured durations,
 * the final row counts per mapped table, and whether it rolled back. {@code mappingCommit} is the
 * commit whose {@code mapping.yaml} named the tables.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({
  "version",
  "migration",
  "source",
  "target",
  "mapping_commit",
  "verdict",
  "rolled_back",
  "summary",
  "steps",
  "tables"
})
public record CutoverLog(
    int version,
    String migration,
    String source,
    String target,
    @JsonProperty("mapping_commit") String mappingCommit,
    Verdict verdict,
    @JsonProperty("rolled_back") boolean rolledBack,
    String summary,
    List<CutoverStep> steps,
    List<TableCount> tables) {
  public static final int CURRENT_VERSION = 1;

  public CutoverLog {
    Objects.requireNonNull(verdict, "verdict is required");
    steps = steps == null ? List.of() : List.copyOf(steps);
    tables = tables == null ? List.of() : List.copyOf(tables);
    summary = summary == null ? "" : summary;
  }

  /** Rows of one mapped table on each side at the final check. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonPropertyOrder({"source", "target", "source_rows", "target_rows", "equal"})
  public record TableCount(
      String source,
      String target,
      @JsonProperty("source_rows") long sourceRows,
      @JsonProperty("target_rows") long targetRows,
      boolean equal) {}
}
