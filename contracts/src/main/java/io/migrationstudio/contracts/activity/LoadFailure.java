package io.migrationstudio.contracts.activity;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.migrationstudio.contracts.spec.MigrationSpec;
import java.util.Objects;

/**
 * A Migrate copy that ended in failure: {@code sourceTable} is the table whose copy failed (null
 * when the failure names none), {@code reason} what failed ({@code TYPE: message} of the root
 * failure). {@code mappingCommit} is the approved mapping the copy followed; {@code
 * stageStartedAtMillis} workflow time when the stage began.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record LoadFailure(
    String migrationId,
    MigrationSpec spec,
    String branch,
    String mappingCommit,
    String sourceTable,
    String reason,
    long stageStartedAtMillis) {
  public LoadFailure {
    Objects.requireNonNull(migrationId, "migrationId is required");
    Objects.requireNonNull(spec, "spec is required");
    Objects.requireNonNull(branch, "branch is required");
    Objects.requireNonNull(reason, "reason is required");
  }
}
