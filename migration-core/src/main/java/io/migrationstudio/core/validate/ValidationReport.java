package io.migrationstudio.core.validate;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.migrationstudio.contracts.workflow.Verdict;
import java.util.List;

/**
 * {@code validation.json}. Deterministic: no timestamps, the sample seed derived from the migration
 * id, differences sorted by kind then key.
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
    "status"
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
      Verdict status) {
    public TableValidation {
      foreignKeys = List.copyOf(foreignKeys);
      differences = List.copyOf(differences);
    }
  }

  /**
   * A differing row: {@code missing} (in the source, not the target), {@code extra} (only in the
   * target) or {@code changed} (both, with the target columns that differ). {@code key} is the
   * primary key in canonical display form.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonPropertyOrder({"kind", "key", "columns"})
  public record Difference(String kind, String key, List<String> columns)
      implements Comparable<Difference> {
    public Difference {
      columns = List.copyOf(columns);
    }

    @Override
    public int compareTo(Difference o) {
      int c = kind.compareTo(o.kind);
      return c != 0 ? c : key.compareTo(o.key);
    }
  }

  /** Rows of the table whose foreign key points at no parent row on the target. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record OrphanCount(String constraint, long orphans) {}
}
