package io.migrationstudio.core.cutover.reverse;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.cutover.CutoverStep;
import io.migrationstudio.core.report.MarkdownTable;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code 05-cutover/rollback-log.json}: what a rollback after the switch did, step by step with
 * measured durations (the shape of {@code cutover-log.json}), how long the way back took ({@code
 * rollback_millis}: from the target's freeze to a source that takes writes again), the end marker
 * the reverse stream drained to, what it applied, the source sequences it set, and the switch
 * traffic went back through ({@code switch_back}: {@code type: what}, e.g. {@code pgbouncer: the
 * [databases] entry app of /etc/pgbouncer/pgbouncer.ini}; its step's detail has the timings of its
 * parts), and which comparison of both frozen sides ran ({@code final_check}: {@code changed}, the
 * rows the reverse stream changed since the switch, or {@code full}, with the reason).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({
  "version",
  "migration",
  "source",
  "target",
  "verdict",
  "summary",
  "rollback_millis",
  "switch_back",
  "end_position",
  "applied_transactions",
  "applied_changes",
  "table_changes",
  "sequences",
  "final_check",
  "steps"
})
public record RollbackLog(
    int version,
    String migration,
    String source,
    String target,
    Verdict verdict,
    String summary,
    @JsonProperty("rollback_millis") long rollbackMillis,
    @JsonProperty("end_position") String endPosition,
    @JsonProperty("applied_transactions") long appliedTransactions,
    @JsonProperty("applied_changes") long appliedChanges,
    @JsonProperty("table_changes") Map<String, Long> tableChanges,
    List<String> sequences,
    List<CutoverStep> steps,
    @JsonProperty("switch_back") String switchBack,
    @JsonProperty("final_check") io.migrationstudio.core.cutover.CutoverLog.Check finalCheck) {
  public static final int CURRENT_VERSION = 1;

  /** Where the rollback writes its log on the branch. */
  public static final String JSON_PATH = "05-cutover/rollback-log.json";

  public static final String MD_PATH = "05-cutover/rollback-log.md";

  public RollbackLog {
    Objects.requireNonNull(verdict, "verdict is required");
    summary = summary == null ? "" : summary;
    tableChanges = tableChanges == null ? Map.of() : Map.copyOf(tableChanges);
    sequences = sequences == null ? List.of() : List.copyOf(sequences);
    steps = steps == null ? List.of() : List.copyOf(steps);
    switchBack = switchBack == null ? "" : switchBack;
  }

  /** {@code rollback-log.md}: verdict, timing, steps, then what came back. */
  public String markdown() {
    StringBuilder md = new StringBuilder("# Rollback to the source\n\n");
    md.append("Verdict: **").append(verdict).append("**: ").append(summary).append("\n\n");
    md.append("- source: `").append(source).append("`\n");
    md.append("- target: `").append(target).append("`\n");
    md.append("- rollback time (target frozen → source writable): ")
        .append(rollbackMillis)
        .append(" ms\n");
    if (!switchBack.isEmpty()) {
      md.append("- traffic switched back through: ").append(switchBack).append('\n');
    }
    md.append("- reverse stream drained to: `").append(endPosition).append("`, ");
    md.append(appliedTransactions).append(" transactions, ");
    md.append(appliedChanges).append(" row changes in all\n");
    if (finalCheck != null) {
      md.append("- final check: ")
          .append(finalCheck.mode())
          .append(", ")
          .append(finalCheck.rows())
          .append(" rows of ")
          .append(finalCheck.tables())
          .append(" tables (")
          .append(finalCheck.tablesInFull())
          .append(" in full) in ")
          .append(finalCheck.millis())
          .append(" ms: ")
          .append(finalCheck.reason())
          .append('\n');
    }
    md.append('\n');
    steps(md);
    if (!tableChanges.isEmpty()) {
      md.append("\n## Row changes brought back per table\n\n");
      MarkdownTable.header(md, List.of("table (target)", "changes"));
      tableChanges.forEach(
          (t, n) -> MarkdownTable.row(md, List.of(MarkdownTable.cell(t), Long.toString(n))));
    }
    if (!sequences.isEmpty()) {
      md.append("\n## Source sequences set\n\n");
      sequences.forEach(s -> md.append("- `").append(s).append("`\n"));
    }
    return md.toString();
  }

  private void steps(StringBuilder md) {
    md.append("## Steps\n\n");
    MarkdownTable.header(md, List.of("#", "step", "status", "ms", "detail"));
    for (CutoverStep s : steps) {
      MarkdownTable.row(
          md,
          List.of(
              Integer.toString(s.number()),
              MarkdownTable.cell(s.name()),
              s.status(),
              Long.toString(s.millis()),
              MarkdownTable.cell(s.detail())));
    }
  }
}
