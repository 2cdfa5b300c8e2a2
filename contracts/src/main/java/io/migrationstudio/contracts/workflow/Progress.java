package io.migrationstudio.contracts.workflow;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/** Progress counters of the Migrate stage (zeros before it starts). */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Progress(
    int tablesTotal,
    int tablesDone,
    int chunksTotal,
    int chunksDone,
    long rowsCopied,
    long rowsEstimated,
    List<TableProgress> tables) {
  public Progress {
    tables = tables == null ? List.of() : List.copyOf(tables);
  }

  public static Progress empty() {
    return new Progress(0, 0, 0, 0, 0, 0, List.of());
  }
}
