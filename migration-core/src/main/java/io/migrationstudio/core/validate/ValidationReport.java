package io.migrationstudio.core.validate;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.migrationstudio.contracts.workflow.Verdict;
import java.util.List;
import java.util.Objects;

/**
 * {@code validation.json}. Deterministic: no timestamps, the sample seed derived from the migration
 * id, differences sorted by kind then key (the Validation stage then stamps the run-specific {@code
 * generated_at}/{@code ledger_state}, {@link Freshness}, and {@code started_at}/{@code
 * duration_ms}/{@code timings_ms}, {@link CheckTimings}). Per table, {@code hash_path} says how
 * chunk digests were computed ({@code sql}: by the servers, {@code client}: streamed and hashed
 * canonically), {@code bisection_steps} and {@code bisection_rows_read} what narrowing differing
 * chunks cost (rows hashed or read on both sides, leaves included), {@code sample_seed} the seed
 * that re-draws the table's sample; for a table the mapping filters, {@code filter} and {@code
 * source_rows_unfiltered} (the source rows before the filter; {@code source_rows} counts those it
 * keeps).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({"migration", "status", "seed", "sample_rows", "tables"})
public record ValidationReport(
    String migration,
    Verdict status,
    String seed,
    @JsonProperty("sample_rows") int sampleRows,
    List<TableValidation> tables) {
  public ValidationReport {
    tables = List.copyOf(tables);
  }

  /** One table, source vs target. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonPropertyOrder({
    "table",
    "target_table",
    "source_rows",
    "target_rows",
    "missing",
    "extra",
    "changed",
    "chunks",
    "chunks_differing",
    "chunk_source",
    "sampled",
    "sample_mismatches",
    "orphans",
    "foreign_keys",
    "differences",
    "aggregates",
    "integrity",
    "status",
    "hash_path",
    "bisection_steps",
    "bisection_rows_read",
    "sample_seed",
    "filter",
    "source_rows_unfiltered",
    "partitions",
    "partitions_note"
  })
  public record TableValidation(
      String table,
      @JsonProperty("target_table") String targetTable,
      @JsonProperty("source_rows") long sourceRows,
      @JsonProperty("target_rows") long targetRows,
      long missing,
      long extra,
      long changed,
      int chunks,
      @JsonProperty("chunks_differing") int chunksDiffering,
      @JsonProperty("chunk_source") String chunkSource,
      int sampled,
      @JsonProperty("sample_mismatches") int sampleMismatches,
      long orphans,
      @JsonProperty("foreign_keys") List<OrphanCount> foreignKeys,
      List<Difference> differences,
      List<ColumnAggregate> aggregates,
      List<IntegrityCheck> integrity,
      Verdict status,
      @JsonProperty("hash_path") String hashPath,
      @JsonProperty("bisection_steps") int bisectionSteps,
      @JsonProperty("bisection_rows_read") long bisectionRowsRead,
      @JsonProperty("sample_seed") String sampleSeed,
      String filter,
      @JsonProperty("source_rows_unfiltered") Long sourceRowsUnfiltered,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) List<PartitionCount> partitions,
      @JsonProperty("partitions_note") @JsonInclude(JsonInclude.Include.NON_NULL)
          String partitionsNote) {
    public TableValidation {
      partitions = partitions == null ? List.of() : List.copyOf(partitions);
      foreignKeys = List.copyOf(foreignKeys);
      differences = List.copyOf(differences);
      aggregates = aggregates == null ? List.of() : List.copyOf(aggregates);
      integrity = integrity == null ? List.of() : List.copyOf(integrity);
    }

    /** A table validated before per-partition counts were recorded. */
    public TableValidation(
        String table,
        String targetTable,
        long sourceRows,
        long targetRows,
        long missing,
        long extra,
        long changed,
        int chunks,
        int chunksDiffering,
        String chunkSource,
        int sampled,
        int sampleMismatches,
        long orphans,
        List<OrphanCount> foreignKeys,
        List<Difference> differences,
        List<ColumnAggregate> aggregates,
        List<IntegrityCheck> integrity,
        Verdict status,
        String hashPath,
        int bisectionSteps,
        long bisectionRowsRead,
        String sampleSeed,
        String filter,
        Long sourceRowsUnfiltered) {
      this(
          table,
          targetTable,
          sourceRows,
          targetRows,
          missing,
          extra,
          changed,
          chunks,
          chunksDiffering,
          chunkSource,
          sampled,
          sampleMismatches,
          orphans,
          foreignKeys,
          differences,
          aggregates,
          integrity,
          status,
          hashPath,
          bisectionSteps,
          bisectionRowsRead,
          sampleSeed,
          filter,
          sourceRowsUnfiltered,
          List.of(),
          null);
    }

    /** A table validated before hash paths, bisection and per-table seeds were recorded. */
    public TableValidation(
        String table,
        String targetTable,
        long sourceRows,
        long targetRows,
        long missing,
        long extra,
        long changed,
        int chunks,
        int chunksDiffering,
        String chunkSource,
        int sampled,
        int sampleMismatches,
        long orphans,
        List<OrphanCount> foreignKeys,
        List<Difference> differences,
        List<ColumnAggregate> aggregates,
        List<IntegrityCheck> integrity,
        Verdict status) {
      this(
          table,
          targetTable,
          sourceRows,
          targetRows,
          missing,
          extra,
          changed,
          chunks,
          chunksDiffering,
          chunkSource,
          sampled,
          sampleMismatches,
          orphans,
          foreignKeys,
          differences,
          aggregates,
          integrity,
          status,
          null,
          0,
          0,
          null,
          null,
          null);
    }
  }

  /**
   * One column's aggregates computed in SQL on both sides; {@code differing} names the aggregates
   * whose values differ (empty when the column agrees). {@code proved_by}, when set, says what
   * proved the column's aggregates equal without computing them (then {@code source} and {@code
   * target} are absent): on the SQL hash path, chunk checksums of the row texts that agree on every
   * chunk of a pass covering every row (equal multisets of row texts have equal aggregates).
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonPropertyOrder({"column", "source", "target", "differing", "proved_by"})
  public record ColumnAggregate(
      String column,
      @JsonInclude(JsonInclude.Include.NON_NULL) Aggregate source,
      @JsonInclude(JsonInclude.Include.NON_NULL) Aggregate target,
      List<String> differing,
      @JsonProperty("proved_by") @JsonInclude(JsonInclude.Include.NON_NULL) String provedBy) {
    public ColumnAggregate {
      Objects.requireNonNull(column, "column is required");
      if (provedBy == null) {
        Objects.requireNonNull(source, "source aggregate is required for " + column);
        Objects.requireNonNull(target, "target aggregate is required for " + column);
      }
      differing = differing == null ? List.of() : List.copyOf(differing);
    }

    /** Aggregates computed on both sides. */
    public ColumnAggregate(
        String column, Aggregate source, Aggregate target, List<String> differing) {
      this(column, source, target, differing, null);
    }
  }

  /**
   * Aggregates of one column on one side, as text: {@code min}/{@code max} only for ordered types,
   * {@code sum} only for numerics (floats summed as numeric, so exact), {@code length_sum} only for
   * text; absent values are null (all NULL or not applicable).
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"count", "nulls", "min", "max", "sum", "length_sum"})
  public record Aggregate(
      long count,
      long nulls,
      String min,
      String max,
      String sum,
      @JsonProperty("length_sum") String lengthSum) {}

  /**
   * One integrity check on the target: {@code kind} is {@code duplicate_key}, {@code
   * null_in_not_null}, {@code constraint_not_validated} or {@code missing_index}; {@code object}
   * the key, column or table checked; {@code count} the violations; {@code examples} at most
   * {@value Validator#MAX_INTEGRITY_EXAMPLES} of them (keys or names), sorted. {@code proved_by},
   * when present, says that the target's catalogue proves the check (a valid unique index on the
   * key's columns, a validated NOT NULL constraint), so no rows were scanned for it.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonPropertyOrder({"kind", "object", "count", "examples", "proved_by"})
  public record IntegrityCheck(
      String kind,
      String object,
      long count,
      List<String> examples,
      @JsonProperty("proved_by") @JsonInclude(JsonInclude.Include.NON_NULL) String provedBy) {
    public IntegrityCheck {
      Objects.requireNonNull(kind, "kind is required");
      Objects.requireNonNull(object, "object is required for " + kind);
      if (count < 0) {
        throw new IllegalArgumentException("negative count " + count + " for " + kind);
      }
      examples = examples == null ? List.of() : List.copyOf(examples);
    }

    /** A check made by reading rows (or names), not proved by the catalogue. */
    public IntegrityCheck(String kind, String object, long count, List<String> examples) {
      this(kind, object, count, examples, null);
    }
  }

  /**
   * A differing row: {@code missing} (in the source, not the target), {@code extra} (only in the
   * target) or {@code changed} (both, with the target columns that differ and, in {@code values},
   * their source and target values). {@code key} is the primary key in canonical display form.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonPropertyOrder({"kind", "key", "columns", "values"})
  public record Difference(
      String kind, String key, List<String> columns, List<ValueDifference> values)
      implements Comparable<Difference> {
    public Difference {
      columns = List.copyOf(columns);
      values = values == null ? List.of() : List.copyOf(values);
    }

    /** A difference without values (missing and extra rows, or reports made before values). */
    public Difference(String kind, String key, List<String> columns) {
      this(kind, key, columns, List.of());
    }

    /** This difference without its values (what tests compare by). */
    public Difference withoutValues() {
      return new Difference(kind, key, columns);
    }

    @Override
    public int compareTo(Difference o) {
      int c = kind.compareTo(o.kind);
      return c != 0 ? c : key.compareTo(o.key);
    }
  }

  /**
   * One differing column of a changed row: the source value (as the mapping transforms it) and the
   * target value, in canonical display form.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonPropertyOrder({"column", "source", "target"})
  public record ValueDifference(String column, String source, String target) {
    public ValueDifference {
      Objects.requireNonNull(column, "column is required");
    }
  }

  /**
   * The rows of one (leaf) partition of a partitioned source table: {@code bounds} as the source
   * states them (PostgreSQL {@code FOR VALUES ...}, MariaDB {@code LESS THAN (...)} / {@code IN
   * (...)}), {@code source_rows} the rows the mapping copies from it, {@code target_rows} the
   * target rows that fall in those bounds (null when they cannot be expressed on the target: the
   * table's {@code partitions_note} says why), {@code target_method} how they were counted: {@code
   * partition} (the target is partitioned identically, the same-named partition counted) or {@code
   * bounds} (the source's partition constraint evaluated on the target table).
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"partition", "bounds", "source_rows", "target_rows", "target_method"})
  public record PartitionCount(
      String partition,
      String bounds,
      @JsonProperty("source_rows") long sourceRows,
      @JsonProperty("target_rows") Long targetRows,
      @JsonProperty("target_method") String targetMethod) {
    public PartitionCount {
      Objects.requireNonNull(partition, "partition is required");
    }

    /** Whether the target count is known and differs. */
    public boolean differs() {
      return targetRows != null && targetRows != sourceRows;
    }
  }

  /** Rows of the table whose foreign key points at no parent row on the target. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record OrphanCount(String constraint, long orphans) {}
}
