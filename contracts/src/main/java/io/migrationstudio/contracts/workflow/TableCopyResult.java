package io.migrationstudio.contracts.workflow;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** One table copied: rows written and chunks (of which already committed before this run). */
@JsonIgnoreProperties(ignoreUnknown = true)
public record TableCopyResult(String sourceTable, long rows, int chunks, int alreadyCommitted) {}
