package io.migrationstudio.core.schema;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A sequence, with the table column that owns it when there is one. {@code lastValue}: the value
 * when the inventory was taken (null when never used or not readable); {@code options}: its
 * parameters (null when the catalogue could not read them).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SequenceInfo(
    String schema,
    String name,
    @JsonProperty("owned_by_table") String ownedByTable,
    @JsonProperty("owned_by_column") String ownedByColumn,
    @JsonProperty("last_value") Long lastValue,
    SequenceOptions options) {

  /** A sequence whose parameters are not known. */
  public SequenceInfo(
      String schema, String name, String ownedByTable, String ownedByColumn, Long lastValue) {
    this(schema, name, ownedByTable, ownedByColumn, lastValue, null);
  }
}
