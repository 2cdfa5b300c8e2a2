package io.migrationstudio.core.copy;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * {@code run.json}: the chunk-ledger summary of a load, derived from the ledger only (never from
 * the clock of whoever renders it), so re-rendering an unchanged ledger gives the same bytes.
 * {@code durationMs} is the copy's wall time, from the first chunk's start to the last chunk's end
 * (null before any chunk ran); the cutover runbook quotes it as the measured copy duration. {@code
 * finishedAt} is the end of the last chunk or index build the ledger records, and {@code
 * stageDurationMs} the time from the stage's start to it (copy and index builds; foreign keys and
 * sequences, run by the same activity that renders this file, are not in it).
 *
 * <p>Per table, {@code copyDurationMs} (first chunk start to last chunk end) and {@code
 * indexBuildMs} (primary key, unique keys and indexes, built after the table's chunks) are measured
 * separately; {@code bytes} is the size of the binary COPY streams of the chunks that took the
 * binary pass-through ({@code binaryChunks} of them, see {@link BinaryCopyPipe}), null when none
 * did.
 *
 * <p>A copy that failed (a chunk over {@code migrate.reject_limit}, a non-retryable error, a
 * cancelled or timed-out table copy) is recorded with status {@code failed} and a {@code failure}:
 * the table whose copy failed and why; the ledger sums are then what had been committed by then.
 *
 * <p>{@code notCarried} names every source object of a same-engine migration (type, routine, view,
 * trigger, ...; see {@link CarriedSchema}) that the target refused or that cannot be expressed,
 * with the reason and what to do; empty (and absent from the JSON) otherwise.
 */
@JsonPropertyOrder({
  "migration",
  "stage_started_at",
  "status",
  "failure",
  "duration_ms",
  "totals",
  "tables",
  "skipped_indexes",
  "finished_at",
  "stage_duration_ms",
  "not_carried"
})
public record RunReport(
    String migration,
    @JsonProperty("stage_started_at") String stageStartedAt,
    String status,
    @JsonInclude(JsonInclude.Include.NON_NULL) Failure failure,
    @JsonProperty("duration_ms") Long durationMs,
    Totals totals,
    List<TableRun> tables,
    @JsonProperty("skipped_indexes") List<String> skippedIndexes,
    @JsonProperty("finished_at") String finishedAt,
    @JsonProperty("stage_duration_ms") Long stageDurationMs,
    @JsonProperty("not_carried") @JsonInclude(JsonInclude.Include.NON_EMPTY)
        List<String> notCarried) {
  public RunReport {
    tables = List.copyOf(tables);
    skippedIndexes = List.copyOf(skippedIndexes);
    notCarried = notCarried == null ? List.of() : List.copyOf(notCarried);
  }

  /** A report without source objects left uncreated (cross-engine, or all carried). */
  public RunReport(
      String migration,
      String stageStartedAt,
      String status,
      Failure failure,
      Long durationMs,
      Totals totals,
      List<TableRun> tables,
      List<String> skippedIndexes,
      String finishedAt,
      Long stageDurationMs) {
    this(
        migration,
        stageStartedAt,
        status,
        failure,
        durationMs,
        totals,
        tables,
        skippedIndexes,
        finishedAt,
        stageDurationMs,
        List.of());
  }

  /** Status {@code failed}: what failed, for which table (null when the failure names none). */
  public RunReport failed(String table, String reason) {
    return new RunReport(
        migration,
        stageStartedAt,
        "failed",
        new Failure(table, reason),
        durationMs,
        totals,
        tables,
        skippedIndexes,
        finishedAt,
        stageDurationMs,
        notCarried);
  }

  /** Why a copy failed: the table whose copy failed and the reason. */
  public record Failure(String table, String reason) {}

  /** Sums over all tables. */
  public record Totals(long rows, long rejects, int chunks, int committed, int attempts) {}

  /** One table: ledger sums, first chunk start to last chunk end, and the first index build. */
  @JsonPropertyOrder({
    "table",
    "target_table",
    "keyless",
    "rows",
    "rejects",
    "chunks",
    "committed",
    "attempts",
    "started_at",
    "finished_at",
    "copy_duration_ms",
    "index_build_ms",
    "bytes",
    "binary_chunks"
  })
  public record TableRun(
      String table,
      @JsonProperty("target_table") String targetTable,
      boolean keyless,
      long rows,
      long rejects,
      int chunks,
      int committed,
      int attempts,
      @JsonProperty("started_at") String startedAt,
      @JsonProperty("finished_at") String finishedAt,
      @JsonProperty("copy_duration_ms") Long copyDurationMs,
      @JsonProperty("index_build_ms") Long indexBuildMs,
      Long bytes,
      @JsonProperty("binary_chunks") int binaryChunks) {}
}
