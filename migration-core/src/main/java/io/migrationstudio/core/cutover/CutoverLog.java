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
 * commit whose {@code mapping.yaml} named the tables. {@code live}: the measured figures of an
 * online migration's cutover (null for {@code bulk}).
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
  "tables",
  "live"
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
    List<TableCount> tables,
    Live live) {
  public static final int CURRENT_VERSION = 1;

  public CutoverLog {
    Objects.requireNonNull(verdict, "verdict is required");
    steps = steps == null ? List.of() : List.copyOf(steps);
    tables = tables == null ? List.of() : List.copyOf(tables);
    summary = summary == null ? "" : summary;
  }

  /** A bulk cutover's log: no live figures. */
  public CutoverLog(
      int version,
      String migration,
      String source,
      String target,
      String mappingCommit,
      Verdict verdict,
      boolean rolledBack,
      String summary,
      List<CutoverStep> steps,
      List<TableCount> tables) {
    this(
        version,
        migration,
        source,
        target,
        mappingCommit,
        verdict,
        rolledBack,
        summary,
        steps,
        tables,
        null);
  }

  /**
   * The live sequence of an online cutover, measured: the lag at freeze time (how long the stream
   * needed to reach the source's end of log, the last catch-up before the freeze) against {@code
   * cutover.max_lag}; the end marker written after the freeze and the position the target reached;
   * the drain under the freeze (time, transactions, row changes); and the write-unavailability the
   * studio saw, from the start of the freeze to the end of the switch (null when it did not
   * switch). Durations in milliseconds, from the monotonic clock.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonPropertyOrder({
    "capture",
    "max_lag_ms",
    "lag_ms",
    "marker",
    "drained_to",
    "drain_ms",
    "drained_transactions",
    "drained_changes",
    "write_unavailable_ms"
  })
  public record Live(
      String capture,
      @JsonProperty("max_lag_ms") long maxLagMillis,
      @JsonProperty("lag_ms") Long lagMillis,
      String marker,
      @JsonProperty("drained_to") String drainedTo,
      @JsonProperty("drain_ms") Long drainMillis,
      @JsonProperty("drained_transactions") Long drainedTransactions,
      @JsonProperty("drained_changes") Long drainedChanges,
      @JsonProperty("write_unavailable_ms") Long writeUnavailableMillis) {}

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
