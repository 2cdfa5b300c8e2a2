package io.migrationstudio.contracts.activity;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.migrationstudio.contracts.spec.MigrationSpec;

/**
 * One table's post-load (primary key, unique keys, secondary indexes) once its chunks are in.
 * {@code mappingCommit} is the approved mapping the load followed.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record TableLoadRequest(
    String migrationId,
    MigrationSpec spec,
    String branch,
    String mappingCommit,
    String sourceTable) {}
