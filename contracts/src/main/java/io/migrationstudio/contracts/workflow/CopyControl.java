package io.migrationstudio.contracts.workflow;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * What a table's copy workflow is told by its migration: hold ({@code paused}) or go on, and the
 * row rate cap of its chunks (null: the spec's; 0: none), which running chunks read too ({@code
 * TableCopyWorkflow#currentControl}). The stream workflows take it for {@code paused} only.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CopyControl(boolean paused, Long rowsPerSecond) {}
