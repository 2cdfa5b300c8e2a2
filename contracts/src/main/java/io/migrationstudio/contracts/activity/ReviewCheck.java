package io.migrationstudio.contracts.activity;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * The verdict on a review's signature. Accepted: {@code principal} signed with the key {@code
 * fingerprint} the exact {@code payload}; {@code allowedSigners} holds the allowed-signers lines
 * that vouched for the key (committed with the review so that {@code ssh-keygen -Y verify} can
 * check it later without the studio). Refused: {@code problem} and a {@code message} that says what
 * to do. Accepted without signature: the spec says {@code reviews.identity: none}.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ReviewCheck(
    boolean accepted,
    SignatureProblem problem,
    String message,
    String principal,
    String fingerprint,
    String payload,
    String signature,
    String allowedSigners) {

  public static ReviewCheck refused(SignatureProblem problem, String message) {
    return new ReviewCheck(false, problem, message, null, null, null, null, null);
  }

  /** Whether a verified signature comes with it (false for an unsigned accepted review). */
  public boolean signed() {
    return accepted && signature != null;
  }
}
