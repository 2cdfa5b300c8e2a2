package io.migrationstudio.contracts.activity;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * A copied chunk: rows written, the hash of the source rows as transformed, the ledger attempt
 * number, and whether the ledger already showed it committed (nothing was redone).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ChunkResult(
    String sourceTable,
    int index,
    long rows,
    String sourceHash,
    int attempt,
    boolean alreadyCommitted) {}
