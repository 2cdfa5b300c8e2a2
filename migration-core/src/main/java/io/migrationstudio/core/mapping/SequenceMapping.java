package io.migrationstudio.core.mapping;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** A target sequence (or identity) to set past the copied keys of {@code table.column}. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SequenceMapping(String source, String target, String table, String column) {}
