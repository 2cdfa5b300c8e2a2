package io.migrationstudio.contracts.activity;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/** The chunks of one table, in key order. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record TablePlan(
    String sourceTable, String targetTable, long estimatedRows, List<ChunkRange> chunks) {
  public TablePlan {
    chunks = chunks == null ? List.of() : List.copyOf(chunks);
  }
}
