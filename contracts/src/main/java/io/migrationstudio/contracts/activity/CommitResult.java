package io.migrationstudio.contracts.activity;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.migrationstudio.contracts.workflow.ArtifactRef;

/** A single file written to the branch and the head after it. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CommitResult(ArtifactRef artifact, String head) {}
