package io.migrationstudio.core.identity;

import io.migrationstudio.contracts.activity.ReviewCheck;
import io.migrationstudio.contracts.activity.SignatureProblem;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.workflow.Review;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Decides whether a review proves who made it, before the gate takes it. With {@code
 * reviews.identity: ssh} the review must carry an SSHSIG signature ({@link SshSignature}) that
 *
 * <ol>
 *   <li>was made by a key listed for the reviewer (by principal name) in the spec's keys ({@link
 *       ApproverKeys});
 *   <li>is in the namespace {@value ReviewPayload#NAMESPACE};
 *   <li>covers exactly this review's {@link ReviewPayload} (migration, stage, decision, commit,
 *       reviewer): a signature of any other review does not verify.
 * </ol>
 *
 * Each refusal names the problem and what to do. With {@code identity: none} every review is
 * accepted unsigned. No state: the keys are read on every call, so a key added to the {@code
 * allowed_signers} file counts at once.
 */
public final class ReviewVerifier {
  /** Checks {@code review} of migration {@code migrationId} under {@code spec}. */
  public ReviewCheck check(String migrationId, MigrationSpec spec, Review review) {
    if (!spec.reviews().signed()) {
      return new ReviewCheck(true, null, "reviews.identity: none", null, null, null, null, null);
    }
    String reviewer = review.reviewer();
    if (review.signature() == null) {
      return ReviewCheck.refused(
          SignatureProblem.UNSIGNED,
          "the review by '"
              + reviewer
              + "' is not signed, and this migration's spec requires signed reviews"
              + " (reviews.identity: ssh); sign it: studio review "
              + migrationId
              + " --stage "
              + (review.stage() == null ? "STAGE" : review.stage().key())
              + " ... --reviewer "
              + reviewer
              + " --sign-key ~/.ssh/id_ed25519 (or --print-payload, ssh-keygen -Y sign -n "
              + ReviewPayload.NAMESPACE
              + " -f KEY FILE, then --signature FILE.sig)");
    }
    AllowedSigners.Parsed keys = ApproverKeys.of(spec.reviews());
    List<AllowedSigners.Entry> own = keys.forPrincipal(reviewer);
    if (own.isEmpty()) {
      return ReviewCheck.refused(
          keys.problems().isEmpty()
              ? SignatureProblem.UNKNOWN_APPROVER
              : SignatureProblem.KEYS_UNAVAILABLE,
          "no key is listed for reviewer '"
              + reviewer
              + "' under reviews.signers"
              + (spec.reviews().allowedSigners() == null
                  ? ""
                  : " or in " + spec.reviews().allowedSigners())
              + (keys.problems().isEmpty() ? "" : " (" + String.join("; ", keys.problems()) + ")")
              + "; review under the name your key is listed with, or add the line '"
              + reviewer
              + " <content of your .pub file>' to the allowed-signers file");
    }
    SshSignature sig;
    byte[] payload;
    try {
      sig = SshSignature.parse(review.signature());
      payload =
          ReviewPayload.bytes(
              migrationId, review.stage(), review.decision(), review.commit(), reviewer);
    } catch (SignatureFormatException | IllegalArgumentException e) {
      return ReviewCheck.refused(
          SignatureProblem.MALFORMED,
          "the signature cannot be checked: "
              + e.getMessage()
              + "; sign the review again with ssh-keygen -Y sign -n "
              + ReviewPayload.NAMESPACE);
    }
    List<AllowedSigners.Entry> matching =
        own.stream().filter(e -> e.key().equals(sig.key())).toList();
    if (matching.isEmpty()) {
      return ReviewCheck.refused(
          SignatureProblem.WRONG_KEY,
          "the review is signed with key "
              + sig.key()
              + ", which is not listed for reviewer '"
              + reviewer
              + "' (listed: "
              + own.stream()
                  .map(e -> e.key() + " from " + e.source())
                  .collect(Collectors.joining(", "))
              + "); sign with your own listed key, or have your key added for '"
              + reviewer
              + "'");
    }
    if (!ReviewPayload.NAMESPACE.equals(sig.namespace())) {
      return ReviewCheck.refused(
          SignatureProblem.WRONG_NAMESPACE,
          "the signature is in namespace '"
              + sig.namespace()
              + "', not '"
              + ReviewPayload.NAMESPACE
              + "'; sign again with ssh-keygen -Y sign -n "
              + ReviewPayload.NAMESPACE);
    }
    String text =
        ReviewPayload.text(
            migrationId, review.stage(), review.decision(), review.commit(), reviewer);
    if (!sig.verifies(payload)) {
      return ReviewCheck.refused(
          SignatureProblem.NOT_THIS_REVIEW,
          "the signature by "
              + reviewer
              + "'s key "
              + sig.key().fingerprint()
              + " does not cover this review (migration "
              + migrationId
              + ", stage "
              + review.stage().key()
              + ", decision "
              + review.decision()
              + ", commit "
              + review.commit()
              + "): a signature of another migration, stage, decision or commit is never reused;"
              + " sign this review's payload (studio review ... --print-payload shows it)");
    }
    return new ReviewCheck(
        true,
        null,
        "signed by " + reviewer + " with " + sig.key(),
        reviewer,
        sig.key().fingerprint(),
        text,
        review.signature().strip() + "\n",
        matching.stream().map(AllowedSigners.Entry::line).collect(Collectors.joining("\n")) + "\n");
  }
}
