package io.migrationstudio.contracts.activity;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.migrationstudio.contracts.spec.MigrationSpec;
import java.util.List;

/**
 * Copies consecutive chunks of one table in one activity, each in its own target transaction with
 * its ledger row, exactly as {@link ChunkRequest} would one at a time (issue 17: a chunk per
 * activity paid a workflow task and an activity dispatch per chunk). {@code idempotencyKey} is
 * {@code <migration>/<table>/<first chunk>-<last chunk>}, built in the workflow.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ChunkBatchRequest(
    String migrationId,
    MigrationSpec spec,
    String branch,
    String mappingCommit,
    String sourceTable,
    List<ChunkRange> chunks,
    String idempotencyKey) {
  public ChunkBatchRequest {
    if (chunks == null || chunks.isEmpty()) {
      throw new IllegalArgumentException(
          "a chunk batch of table " + sourceTable + " needs at least one chunk, got none");
    }
    chunks = List.copyOf(chunks);
  }

  /** The request of one chunk of this batch, as a single-chunk activity would get it. */
  public ChunkRequest chunk(ChunkRange range) {
    return new ChunkRequest(
        migrationId,
        spec,
        branch,
        mappingCommit,
        sourceTable,
        range,
        migrationId + "/" + sourceTable + "/" + range.index());
  }
}
