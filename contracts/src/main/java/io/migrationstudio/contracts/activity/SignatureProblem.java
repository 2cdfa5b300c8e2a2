package io.migrationstudio.contracts.activity;

/** Why a review's signature was refused; each refusal's message says what to do. */
public enum SignatureProblem {
  /** No signature, and the spec's {@code reviews.identity} is {@code ssh}. */
  UNSIGNED,
  /** No key is listed for the reviewer in {@code reviews.signers} / {@code allowed_signers}. */
  UNKNOWN_APPROVER,
  /** Signed by a key that is not one listed for the reviewer. */
  WRONG_KEY,
  /** Signed in another namespace than {@code migration-studio}. */
  WRONG_NAMESPACE,
  /**
   * The signature does not cover this review: it was made for another migration, stage, decision,
   * commit or reviewer (a replay), or it was altered.
   */
  NOT_THIS_REVIEW,
  /** Not an SSHSIG signature the verifier accepts (format, version, algorithm). */
  MALFORMED,
  /** The approvers' keys could not be read (the {@code allowed_signers} file). */
  KEYS_UNAVAILABLE
}
