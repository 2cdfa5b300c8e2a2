package io.migrationstudio.contracts.activity;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.migrationstudio.contracts.workflow.ReviewRecord;

/** Commits a review as {@code reviews/NN-<stage>-<decision>.json}. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RecordReviewRequest(String migrationId, String branch, ReviewRecord review) {}
