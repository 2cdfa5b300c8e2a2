package io.migrationstudio.contracts.workflow;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * Chunks finished by a table's copy workflow since its previous progress signal, in one signal to
 * the migration (one parent workflow task for many small chunks).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ChunksCopied(List<ChunkCopied> chunks) {
  public ChunksCopied {
    if (chunks == null || chunks.isEmpty()) {
      throw new IllegalArgumentException("a progress signal names at least one copied chunk");
    }
    chunks = List.copyOf(chunks);
  }
}
