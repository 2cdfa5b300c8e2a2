package io.migrationstudio.contracts.activity;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.migrationstudio.contracts.workflow.ReviewRecord;

/**
 * Commits a review as {@code reviews/NN-<stage>-<decision>.json}; with a verified signature ({@code
 * signed}), also its {@code .sig}, the signed {@code .payload} and the {@code .allowed_signers}
 * lines that verify it.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RecordReviewRequest(
    String migrationId, String branch, ReviewRecord review, ReviewCheck signed) {
  public RecordReviewRequest(String migrationId, String branch, ReviewRecord review) {
    this(migrationId, branch, review, null);
  }
}
