package io.migrationstudio.contracts.activity;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.migrationstudio.contracts.spec.MigrationSpec;

/**
 * Copies one chunk. {@code mappingCommit} is the approved mapping the copy follows; {@code
 * idempotencyKey} is {@code <migration>/<table>/<chunk>}, built in the workflow.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ChunkRequest(
    String migrationId,
    MigrationSpec spec,
    String branch,
    String mappingCommit,
    String sourceTable,
    ChunkRange chunk,
    String idempotencyKey) {}
