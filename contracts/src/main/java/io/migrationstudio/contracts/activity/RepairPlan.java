package io.migrationstudio.contracts.activity;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.migrationstudio.contracts.workflow.ArtifactRef;
import java.util.List;
import java.util.Objects;

/**
 * A proposed repair of a failed validation: the chunks to re-copy (references: table and key range,
 * never rows), whether the differences are confined to them ({@code repairable}; false when, e.g.,
 * an index is missing or there is no chunk ledger), a one-line summary, and the commit holding
 * {@code repair-plan.{json,md}}, which a reviewer approves.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RepairPlan(
    String commit,
    List<RepairChunk> chunks,
    boolean repairable,
    String summary,
    List<ArtifactRef> artifacts) {
  public RepairPlan {
    Objects.requireNonNull(commit, "commit is required");
    chunks = chunks == null ? List.of() : List.copyOf(chunks);
    summary = summary == null ? "" : summary;
    artifacts = artifacts == null ? List.of() : List.copyOf(artifacts);
    if (repairable && chunks.isEmpty()) {
      throw new IllegalArgumentException("a repairable plan names at least one chunk");
    }
  }

  /** One chunk of a table (by its source name, as the ledger keys it). */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record RepairChunk(String sourceTable, ChunkRange chunk) {
    public RepairChunk {
      Objects.requireNonNull(sourceTable, "sourceTable is required");
      Objects.requireNonNull(chunk, "chunk is required");
    }
  }
}
