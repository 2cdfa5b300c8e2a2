package io.migrationstudio.core.mapping;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Optional;

/**
 * {@code mapping.yaml}: the contract between Mapping and Migrate. Tables are listed in load order
 * (parents first). {@code sourceSchema}/{@code targetSchema} name the schemas on each side.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({
  "version",
  "naming",
  "source_engine",
  "source_schema",
  "target_schema",
  "tables",
  "sequences"
})
public record MappingDocument(
    int version,
    String naming,
    @JsonProperty("source_engine") String sourceEngine,
    @JsonProperty("source_schema") String sourceSchema,
    @JsonProperty("target_schema") String targetSchema,
    List<TableMapping> tables,
    List<SequenceMapping> sequences) {
  public static final int CURRENT_VERSION = 1;

  public MappingDocument {
    tables = List.copyOf(tables);
    sequences = sequences == null ? List.of() : List.copyOf(sequences);
  }

  public Optional<TableMapping> bySource(String sourceTable) {
    return tables.stream().filter(t -> t.source().equals(sourceTable)).findFirst();
  }
}
