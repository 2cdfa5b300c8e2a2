package io.migrationstudio.contracts.workflow;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.migrationstudio.contracts.Stage;

/**
 * A review of a stage: the payload of the {@code review} update and of the {@code reviewSignal}
 * signal. {@code commit} is the exact commit the reviewer looked at (a full 40-hex id). Null fields
 * are tolerated here so that the validator, not JSON binding, reports what is missing.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Review(
    Stage stage, Decision decision, String reviewer, String comment, String commit) {
  public Review {
    comment = comment == null ? "" : comment;
  }
}
