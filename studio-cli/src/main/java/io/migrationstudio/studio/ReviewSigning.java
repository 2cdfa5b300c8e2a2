package io.migrationstudio.studio;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.workflow.MigrationStatus;
import io.migrationstudio.core.identity.ReviewPayload;
import io.migrationstudio.proto.v1.GetRequest;
import io.migrationstudio.proto.v1.MigrationServiceGrpc;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The client side of signed reviews: the commit to sign, a signature made by {@code ssh-keygen -Y
 * sign} (the user's own key, passphrase prompt and ssh-agent included) or read from a file.
 */
final class ReviewSigning {
  /** ssh-keygen as found on the PATH; {@code studio.sshKeygen} names another one (tests). */
  static final String SSH_KEYGEN = System.getProperty("studio.sshKeygen", "ssh-keygen");

  private ReviewSigning() {}

  /** The commit migration {@code id} waits on; refused (exit 2) when no gate waits. */
  static String commitUnderReview(
      MigrationServiceGrpc.MigrationServiceBlockingStub api, String id) {
    MigrationStatus st =
        ClientCommands.parse(api.get(GetRequest.newBuilder().setMigrationId(id).build()));
    if (st.reviewCommit() == null) {
      throw new MigrationException(
          ErrorCode.INVALID_SPEC,
          "migration "
              + id
              + " is not waiting for a review (state "
              + st.state()
              + "), so there is no commit to sign; name it with --commit after requesting"
              + " changes");
    }
    return st.reviewCommit();
  }

  /** Signs {@code payload} with {@code key} through ssh-keygen; the armored signature. */
  static String sshKeygenSign(Path key, String payload) throws IOException, InterruptedException {
    if (!Files.isRegularFile(key)) {
      throw new MigrationException(
          ErrorCode.INVALID_SPEC,
          "--sign-key " + key + " is not a file; name your private key (e.g. ~/.ssh/id_ed25519)");
    }
    Process p =
        new ProcessBuilder(
                List.of(
                    SSH_KEYGEN, "-Y", "sign", "-n", ReviewPayload.NAMESPACE, "-f", key.toString()))
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    try (var in = p.getOutputStream()) {
      in.write(payload.getBytes(StandardCharsets.US_ASCII));
    }
    String signature = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
    if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
      p.destroy();
      throw new MigrationException(
          ErrorCode.INVALID_SPEC,
          SSH_KEYGEN
              + " -Y sign with "
              + key
              + " failed (see its message above); check the key and its passphrase, or sign"
              + " elsewhere and pass --signature FILE");
    }
    return signature;
  }

  /** Reads an armored signature file. */
  static String read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new MigrationException(
          ErrorCode.INVALID_SPEC,
          "--signature " + file + " is not a file; pass the .sig file ssh-keygen -Y sign wrote");
    }
    return Files.readString(file, StandardCharsets.US_ASCII);
  }
}
