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
 * online migration's cutover (null for {@code bulk}). {@code finalCheck}: which final check ran
 * under the freeze, why, how many rows it compared and its time (null before it was recorded).
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
  "live",
  "final_check"
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
    Live live,
    @JsonProperty("final_check") Check finalCheck) {
  public static final int CURRENT_VERSION = 1;

  public CutoverLog {
    Objects.requireNonNull(verdict, "verdict is required");
    steps = steps == null ? List.of() : List.copyOf(steps);
    tables = tables == null ? List.of() : List.copyOf(tables);
    summary = summary == null ? "" : summary;
  }

  /** A log without the final check's summary (written before it was recorded). */
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
      List<TableCount> tables,
      Live live) {
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
        live,
        null);
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

  /** {@code final_check: changed}: only the rows the change stream changed since the proof. */
  public static final String CHECK_CHANGED = "changed";

  /** {@code final_check: full}: every table in full. */
  public static final String CHECK_FULL = "full";

  /**
   * The final check under the freeze: {@code mode} {@value #CHECK_CHANGED} (the rows the change
   * stream changed after the Validation's proof at {@code proof}, by key) or {@value #CHECK_FULL}
   * (every table, counts and chunk checksums); {@code reason} why this mode ran (a fallback to the
   * full check says what made the changed rows unusable); {@code rows} compared (keys looked up, or
   * source rows of the tables compared in full), {@code tables} compared, the tables compared in
   * full among them, and its time in milliseconds.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonPropertyOrder({"mode", "reason", "proof", "rows", "tables", "tables_in_full", "millis"})
  public record Check(
      String mode,
      String reason,
      String proof,
      long rows,
      int tables,
      @JsonProperty("tables_in_full") int tablesInFull,
      long millis) {
    public Check {
      java.util.Objects.requireNonNull(mode, "mode");
    }
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
