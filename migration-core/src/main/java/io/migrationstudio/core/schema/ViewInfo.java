package io.migrationstudio.core.schema;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** A view or materialized view with its definition. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ViewInfo(String schema, String name, boolean materialized, String definition) {}
