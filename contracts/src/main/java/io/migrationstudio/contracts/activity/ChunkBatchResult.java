package io.migrationstudio.contracts.activity;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/** The chunks of a {@link ChunkBatchRequest}, each as {@code copyChunk} would have returned it. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ChunkBatchResult(List<ChunkResult> chunks) {
  public ChunkBatchResult {
    chunks = chunks == null ? List.of() : List.copyOf(chunks);
  }
}
