package io.migrationstudio.contracts.activity;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.migrationstudio.contracts.spec.MigrationSpec;
import java.util.List;

/**
 * Copies consecutive chunks of one table in one activity, each in its own target transaction with
 * its ledger row, exactly as {@link ChunkRequest} would one at a time (issue 17: a chunk per
 * activity paid a workflow task and an activity dispatch per chunk). {@code idempotencyKey} is
 * {@code <migration>/<table>/<first chunk>-<last chunk>}, built in the workflow.
 *
 * <p>{@code stopWhenPaused} (set by table copies from version {@code pause-between-chunks} on): the
 * activity asks its table copy before each chunk whether it is paused or cancelled, and if so
 * returns the chunks committed so far; the workflow starts the rest after a resume. Without it (an
 * older workflow, which takes every result as the whole batch) every chunk is copied.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ChunkBatchRequest(
    String migrationId,
    MigrationSpec spec,
    String branch,
    String mappingCommit,
    String sourceTable,
    List<ChunkRange> chunks,
    String idempotencyKey,
    boolean stopWhenPaused) {
  public ChunkBatchRequest {
    if (chunks == null || chunks.isEmpty()) {
      throw new IllegalArgumentException(
          "a chunk batch of table " + sourceTable + " needs at least one chunk, got none");
    }
    chunks = List.copyOf(chunks);
  }

  /** A batch whose every chunk is copied, paused or not (as before {@code stopWhenPaused}). */
  public ChunkBatchRequest(
      String migrationId,
      MigrationSpec spec,
      String branch,
      String mappingCommit,
      String sourceTable,
      List<ChunkRange> chunks,
      String idempotencyKey) {
    this(migrationId, spec, branch, mappingCommit, sourceTable, chunks, idempotencyKey, false);
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
