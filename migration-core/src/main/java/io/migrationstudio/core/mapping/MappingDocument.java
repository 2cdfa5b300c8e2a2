package io.migrationstudio.core.mapping;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Optional;

/**
 * {@code mapping.yaml}: the contract between Mapping and Migrate. Tables are listed in load order
 * (parents first). {@code sourceSchema}/{@code targetSchema} name the schemas on each side. {@code
 * carryPrivileges} (from the spec's {@code mapping.carry_privileges}, written only when true): a
 * PostgreSQL → PostgreSQL migration carries ownership and grants too.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({
  "version",
  "naming",
  "source_engine",
  "source_schema",
  "target_schema",
  "carry_privileges",
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
    List<SequenceMapping> sequences,
    @JsonProperty("carry_privileges") @JsonInclude(JsonInclude.Include.NON_DEFAULT)
        boolean carryPrivileges) {
  public static final int CURRENT_VERSION = 1;

  /** A mapping that does not carry ownership and grants. */
  public MappingDocument(
      int version,
      String naming,
      String sourceEngine,
      String sourceSchema,
      String targetSchema,
      List<TableMapping> tables,
      List<SequenceMapping> sequences) {
    this(version, naming, sourceEngine, sourceSchema, targetSchema, tables, sequences, false);
  }

  public MappingDocument {
    tables = List.copyOf(tables);
    sequences = sequences == null ? List.of() : List.copyOf(sequences);
  }

  public Optional<TableMapping> bySource(String sourceTable) {
    return tables.stream().filter(t -> t.source().equals(sourceTable)).findFirst();
  }
}
