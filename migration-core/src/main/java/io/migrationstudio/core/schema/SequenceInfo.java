package io.migrationstudio.core.schema;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** A sequence, with the table column that owns it when there is one. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SequenceInfo(
    String schema,
    String name,
    @JsonProperty("owned_by_table") String ownedByTable,
    @JsonProperty("owned_by_column") String ownedByColumn,
    @JsonProperty("last_value") Long lastValue) {}
