package io.migrationstudio.contracts.workflow;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** How a migration ended. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record MigrationOutcome(
    String migrationId, MigrationState state, String branch, String headCommit, String message) {}
