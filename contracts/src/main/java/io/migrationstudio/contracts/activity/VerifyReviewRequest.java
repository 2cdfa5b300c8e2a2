package io.migrationstudio.contracts.activity;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.workflow.Review;

/** Verifies the signature of {@code review} for migration {@code migrationId} under its spec. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record VerifyReviewRequest(String migrationId, MigrationSpec spec, Review review) {}
