package io.migrationstudio.contracts.activity;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.migrationstudio.contracts.spec.MigrationSpec;

/** Opens (or re-opens) the migration branch and commits the spec as {@code migration.yaml}. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record OpenRequest(String migrationId, MigrationSpec spec, String specText) {}
