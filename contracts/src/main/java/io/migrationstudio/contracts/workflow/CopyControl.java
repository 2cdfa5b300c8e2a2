package io.migrationstudio.contracts.workflow;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * What a table's copy workflow is told by its migration: hold ({@code paused}) or go on, and the
 * row rate cap of the chunks it starts next (null: the spec's).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CopyControl(boolean paused, Long rowsPerSecond) {}
