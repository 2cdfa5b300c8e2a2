package io.migrationstudio.contracts.workflow;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** Copy progress of one table. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record TableProgress(
    String table, long rowsCopied, long rowsEstimated, int chunksDone, int chunksTotal) {}
