package io.migrationstudio.contracts.activity;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.workflow.StreamProgress;
import java.util.Objects;

/** The stream's state to commit as {@code 03-migrate/cdc.json} and {@code cdc.md}. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record StreamEvidence(
    String migrationId,
    MigrationSpec spec,
    String branch,
    StreamProgress progress,
    long stageStartedAtMillis) {
  public StreamEvidence {
    Objects.requireNonNull(migrationId, "migrationId is required");
    Objects.requireNonNull(spec, "spec is required");
    Objects.requireNonNull(branch, "branch is required");
  }
}
