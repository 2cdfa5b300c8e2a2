package io.migrationstudio.contracts.activity;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.migrationstudio.contracts.spec.MigrationSpec;

/**
 * Copies one chunk. {@code mappingCommit} is the approved mapping the copy follows; {@code
 * idempotencyKey} is {@code <migration>/<table>/<chunk>}, built in the workflow. {@code force}
 * redoes a chunk the ledger shows committed (a repair after Validation found it different).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ChunkRequest(
    String migrationId,
    MigrationSpec spec,
    String branch,
    String mappingCommit,
    String sourceTable,
    ChunkRange chunk,
    String idempotencyKey,
    boolean force) {
  /** Before {@code force}: a chunk the ledger shows committed is not redone. */
  public ChunkRequest(
      String migrationId,
      MigrationSpec spec,
      String branch,
      String mappingCommit,
      String sourceTable,
      ChunkRange chunk,
      String idempotencyKey) {
    this(migrationId, spec, branch, mappingCommit, sourceTable, chunk, idempotencyKey, false);
  }
}
