package io.migrationstudio.contracts.workflow;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.migrationstudio.contracts.Stage;

/**
 * A review of a stage: the payload of the {@code review} update and of the {@code reviewSignal}
 * signal. {@code commit} is the exact commit the reviewer looked at (a full 40-hex id). {@code
 * signature} is the reviewer's armored SSH signature ({@code ssh-keygen -Y sign -n
 * migration-studio}) of the review's canonical payload; required when the spec's {@code
 * reviews.identity} is {@code ssh}. Null fields are tolerated here so that the validator, not JSON
 * binding, reports what is missing.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Review(
    Stage stage,
    Decision decision,
    String reviewer,
    String comment,
    String commit,
    String signature) {
  public Review {
    comment = comment == null ? "" : comment;
    signature = signature == null || signature.isBlank() ? null : signature;
  }

  /** An unsigned review (a spec with {@code reviews.identity: none}, the studio's auto gate). */
  public Review(Stage stage, Decision decision, String reviewer, String comment, String commit) {
    this(stage, decision, reviewer, comment, commit, null);
  }

  /** The same review naming another commit. */
  public Review withCommit(String newCommit) {
    return new Review(stage, decision, reviewer, comment, newCommit, signature);
  }

  /** The same review with a signature. */
  public Review withSignature(String newSignature) {
    return new Review(stage, decision, reviewer, comment, commit, newSignature);
  }
}
