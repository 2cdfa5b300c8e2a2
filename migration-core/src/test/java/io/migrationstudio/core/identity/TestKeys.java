package io.migrationstudio.core.identity;

import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.workflow.Decision;
import io.migrationstudio.contracts.workflow.Review;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;

/** Keys made in the test and reviews signed with them, as ssh-keygen -Y sign would. */
final class TestKeys {
  final KeyPair pair;
  final SshPublicKey key;

  private TestKeys(KeyPair pair) {
    this.pair = pair;
    this.key = SshPublicKey.of(pair.getPublic());
  }

  static TestKeys ed25519() throws Exception {
    return new TestKeys(KeyPairGenerator.getInstance("Ed25519").generateKeyPair());
  }

  static TestKeys rsa() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    return new TestKeys(g.generateKeyPair());
  }

  static TestKeys ecdsa() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return new TestKeys(g.generateKeyPair());
  }

  /** The allowed-signers line of this key for {@code principal}. */
  String line(String principal) {
    return principal + " " + key.keyText();
  }

  String sign(String namespace, byte[] message) {
    return SshSignature.sign(pair.getPrivate(), key, namespace, "sha512", message);
  }

  /** {@code review} signed as its own payload for {@code migrationId}. */
  Review signed(String migrationId, Review review) {
    return review.withSignature(
        sign(
            ReviewPayload.NAMESPACE,
            ReviewPayload.bytes(
                migrationId,
                review.stage(),
                review.decision(),
                review.commit(),
                review.reviewer())));
  }

  static Review approve(String reviewer, String commit) {
    return new Review(Stage.MAPPING, Decision.APPROVE, reviewer, "ok", commit);
  }
}
