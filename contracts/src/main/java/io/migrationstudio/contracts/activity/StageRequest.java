package io.migrationstudio.contracts.activity;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.migrationstudio.contracts.spec.MigrationSpec;
import java.util.Objects;

/**
 * The input of a stage activity. {@code commit} is the commit whose artifacts the activity reads:
 * for a producer the approved commit of the previous stage, for a checker the commit under check.
 * {@code stageStartedAtMillis} is workflow time when the stage began (for run reports).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record StageRequest(
    String migrationId,
    MigrationSpec spec,
    String branch,
    String commit,
    long stageStartedAtMillis) {
  public StageRequest {
    Objects.requireNonNull(migrationId, "migrationId is required");
    Objects.requireNonNull(spec, "spec is required");
    Objects.requireNonNull(branch, "branch is required");
  }
}
