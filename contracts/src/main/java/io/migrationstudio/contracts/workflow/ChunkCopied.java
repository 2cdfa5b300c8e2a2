package io.migrationstudio.contracts.workflow;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** A chunk finished by a table's copy workflow, signalled to the migration for its status. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ChunkCopied(String sourceTable, int index, long rows) {}
