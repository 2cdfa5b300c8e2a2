package io.migrationstudio.contracts.activity;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.workflow.MigrationStatus;

/** Writes {@code PULL_REQUEST.md} from the current status. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SummaryRequest(
    String migrationId, MigrationSpec spec, String branch, MigrationStatus status) {}
