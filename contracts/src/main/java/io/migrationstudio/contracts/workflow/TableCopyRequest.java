package io.migrationstudio.contracts.workflow;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.migrationstudio.contracts.activity.TablePlan;
import io.migrationstudio.contracts.spec.MigrationSpec;
import java.util.Objects;

/**
 * The input of one table's copy workflow: the table's chunk plan, the approved mapping commit, the
 * number of chunks it may copy at once, and the parent to report progress to.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record TableCopyRequest(
    String migrationId,
    MigrationSpec spec,
    String branch,
    String mappingCommit,
    TablePlan table,
    int parallelism,
    String parentWorkflowId) {
  public TableCopyRequest {
    Objects.requireNonNull(table, "table plan is required");
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism must be >= 1, was " + parallelism);
    }
  }
}
