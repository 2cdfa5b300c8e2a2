package io.migrationstudio.core.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.activity.ReviewCheck;
import io.migrationstudio.contracts.activity.SignatureProblem;
import io.migrationstudio.contracts.spec.Approvers;
import io.migrationstudio.contracts.spec.ConnectionSpec;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.spec.ReviewIdentity;
import io.migrationstudio.contracts.spec.ReviewPolicy;
import io.migrationstudio.contracts.workflow.Decision;
import io.migrationstudio.contracts.workflow.Review;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Signed reviews: accepted with a listed key, and every forgery refused with its problem. */
class ReviewVerifierTest {
  private static final String ID = "chinook-to-pg";
  private static final String COMMIT = "c".repeat(40);
  private static TestKeys alice;
  private static TestKeys aliceRsa;
  private static TestKeys carol;
  private static TestKeys mallory;
  private static MigrationSpec spec;

  private final ReviewVerifier verifier = new ReviewVerifier();

  @BeforeAll
  static void keys() throws Exception {
    alice = TestKeys.ed25519();
    aliceRsa = TestKeys.rsa();
    carol = TestKeys.ecdsa();
    mallory = TestKeys.ed25519();
    spec =
        spec(
            ReviewPolicy.defaults()
                .withSigners(
                    List.of(
                        alice.line("alice") + " alice@laptop",
                        "carol namespaces=\"git,migration-studio\" " + carol.key.keyText())));
  }

  static MigrationSpec spec(ReviewPolicy reviews) {
    return new MigrationSpec(
        ID,
        null,
        new ConnectionSpec("jdbc:postgresql://db/src", "u", null, null),
        new ConnectionSpec("jdbc:postgresql://db/dst", "u", null, null),
        null,
        null,
        null,
        null,
        null,
        reviews,
        new Approvers(Map.of("default", List.of("alice"), "cutover", List.of("carol"))),
        null);
  }

  private ReviewCheck check(Review r) {
    return verifier.check(ID, spec, r);
  }

  private static void refused(SignatureProblem expected, ReviewCheck check) {
    assertFalse(check.accepted(), "refused: " + check);
    assertEquals(expected, check.problem(), check.message());
  }

  @Test
  void aReviewSignedByTheReviewersListedKeyIsAcceptedWithWhatToCommit() {
    Review r = alice.signed(ID, TestKeys.approve("alice", COMMIT));
    ReviewCheck check = check(r);
    assertTrue(check.accepted(), check.message());
    assertTrue(check.signed());
    assertEquals("alice", check.principal());
    assertEquals(alice.key.fingerprint(), check.fingerprint());
    assertEquals(
        "migration-studio review v1\nmigration: chinook-to-pg\nstage: mapping\n"
            + "decision: APPROVE\ncommit: "
            + COMMIT
            + "\nreviewer: alice\n",
        check.payload());
    assertEquals(alice.line("alice") + " alice@laptop\n", check.allowedSigners());
    assertTrue(check.signature().startsWith("-----BEGIN SSH SIGNATURE-----\n"));
  }

  @Test
  void ecdsaAndRsaKeysSignToo() throws Exception {
    Review byCarol =
        carol.signed(ID, new Review(Stage.CUTOVER, Decision.APPROVE, "carol", "", COMMIT));
    assertTrue(check(byCarol).accepted(), check(byCarol).message());
    MigrationSpec rsaSpec =
        spec(ReviewPolicy.defaults().withSigners(List.of(aliceRsa.line("alice"))));
    Review r = aliceRsa.signed(ID, TestKeys.approve("alice", COMMIT));
    ReviewCheck check = verifier.check(ID, rsaSpec, r);
    assertTrue(check.accepted(), check.message());
  }

  @Test
  void anUnsignedReviewIsRefusedWhenIdentityIsSsh() {
    ReviewCheck check = check(TestKeys.approve("alice", COMMIT));
    refused(SignatureProblem.UNSIGNED, check);
    assertTrue(check.message().contains("--sign-key"), check.message());
  }

  @Test
  void identityNoneAcceptsUnsignedReviews() {
    MigrationSpec none = spec(ReviewPolicy.defaults().withIdentity(ReviewIdentity.NONE));
    ReviewCheck check = verifier.check(ID, none, TestKeys.approve("alice", COMMIT));
    assertTrue(check.accepted());
    assertFalse(check.signed());
  }

  @Test
  void aSignatureByAnotherKeyIsRefused() {
    // mallory signs alice's exact payload with her own key
    refused(
        SignatureProblem.WRONG_KEY, check(mallory.signed(ID, TestKeys.approve("alice", COMMIT))));
    // carol's (listed) key does not speak for alice either
    ReviewCheck asAlice = check(carol.signed(ID, TestKeys.approve("alice", COMMIT)));
    refused(SignatureProblem.WRONG_KEY, asAlice);
    assertTrue(asAlice.message().contains(alice.key.fingerprint()), asAlice.message());
  }

  @Test
  void aReviewerWithoutAListedKeyIsRefused() {
    ReviewCheck check = check(mallory.signed(ID, TestKeys.approve("mallory", COMMIT)));
    refused(SignatureProblem.UNKNOWN_APPROVER, check);
    assertTrue(check.message().contains("mallory"), check.message());
  }

  @Test
  void aSignatureOfAnotherReviewIsNeverReused() {
    Review real = TestKeys.approve("alice", COMMIT);
    String otherCommit = alice.signed(ID, real.withCommit("d".repeat(40))).signature();
    String otherMigration = alice.signed("other-migration", real).signature();
    String otherStage =
        alice
            .signed(ID, new Review(Stage.MIGRATE, Decision.APPROVE, "alice", "", COMMIT))
            .signature();
    String otherDecision =
        alice
            .signed(ID, new Review(Stage.MAPPING, Decision.REJECT, "alice", "", COMMIT))
            .signature();
    for (String replayed : List.of(otherCommit, otherMigration, otherStage, otherDecision)) {
      refused(SignatureProblem.NOT_THIS_REVIEW, check(real.withSignature(replayed)));
    }
  }

  @Test
  void aSignatureInAnotherNamespaceIsRefused() {
    Review r = TestKeys.approve("alice", COMMIT);
    String git =
        alice.sign(
            "git", ReviewPayload.bytes(ID, Stage.MAPPING, Decision.APPROVE, COMMIT, "alice"));
    ReviewCheck check = check(r.withSignature(git));
    refused(SignatureProblem.WRONG_NAMESPACE, check);
    assertTrue(check.message().contains("-n migration-studio"), check.message());
  }

  @Test
  void malformedSignaturesAreRefusedNotGuessed() {
    Review r = TestKeys.approve("alice", COMMIT);
    String good = alice.signed(ID, r).signature();
    byte[] blob = blob(good);
    List<String> bad =
        List.of(
            "not a signature",
            "-----BEGIN SSH SIGNATURE-----\n!!!!\n-----END SSH SIGNATURE-----\n",
            // trailing bytes after the last field
            SshSignature.armor(concat(blob, new byte[] {0})),
            // version 2
            SshSignature.armor(patch(blob, 9, (byte) 2)),
            // truncated
            SshSignature.armor(java.util.Arrays.copyOf(blob, blob.length - 5)),
            // another magic
            SshSignature.armor(patch(blob, 0, (byte) 'X')));
    for (String sig : bad) {
      refused(SignatureProblem.MALFORMED, check(r.withSignature(sig)));
    }
    // a flipped bit in the signature value itself: does not verify
    byte[] flipped = blob.clone();
    flipped[flipped.length - 1] ^= 1;
    refused(SignatureProblem.NOT_THIS_REVIEW, check(r.withSignature(SshSignature.armor(flipped))));
  }

  @Test
  void aSha1RsaSignatureIsRefused() {
    // the same blob as rsa-sha2-512 but naming "ssh-rsa" (SHA-1) as its algorithm
    SshWire.Writer sig = new SshWire.Writer().string("ssh-rsa").string(new byte[256]);
    byte[] blob =
        new SshWire.Writer()
            .raw("SSHSIG".getBytes(StandardCharsets.US_ASCII))
            .uint32(1)
            .string(aliceRsa.key.blob())
            .string("migration-studio")
            .string(new byte[0])
            .string("sha512")
            .string(sig.bytes())
            .bytes();
    MigrationSpec rsaSpec =
        spec(ReviewPolicy.defaults().withSigners(List.of(aliceRsa.line("alice"))));
    ReviewCheck check =
        verifier.check(
            ID, rsaSpec, TestKeys.approve("alice", COMMIT).withSignature(SshSignature.armor(blob)));
    refused(SignatureProblem.MALFORMED, check);
    assertTrue(check.message().contains("SHA-1"), check.message());
  }

  @Test
  void thePayloadRefusesValuesThatCouldBlurItsLines() {
    ReviewCheck check = check(alice.signed(ID, TestKeys.approve("alice", COMMIT)).withCommit(null));
    refused(SignatureProblem.MALFORMED, check);
    assertNull(check.payload());
  }

  private static byte[] blob(String armored) {
    List<String> lines = armored.strip().lines().toList();
    return Base64.getDecoder().decode(String.join("", lines.subList(1, lines.size() - 1)));
  }

  private static byte[] patch(byte[] b, int at, byte v) {
    byte[] out = b.clone();
    out[at] = v;
    return out;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    return SshPublicKey.concat(a, b);
  }
}
