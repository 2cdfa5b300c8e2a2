package io.migrationstudio.core.identity;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.activity.ReviewCheck;
import io.migrationstudio.contracts.activity.SignatureProblem;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.workflow.Decision;
import io.migrationstudio.contracts.workflow.Review;
import io.migrationstudio.contracts.workflow.ReviewRecord;
import io.migrationstudio.core.evidence.EvidenceService;
import io.migrationstudio.core.git.GitArtifactStore;
import io.migrationstudio.core.spec.SpecException;
import io.migrationstudio.core.spec.SpecLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The studio and OpenSSH agree: keys made and reviews signed by the real {@code ssh-keygen}
 * (ed25519, RSA, ECDSA P-256) verify in the studio, and the files the studio commits with a signed
 * review verify with {@code ssh-keygen -Y verify} alone, outside the studio.
 */
class SignedReviewSshKeygenIT {
  static final String SSH_KEYGEN = "ssh-keygen";
  static final String ID = "shop";
  static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";

  @TempDir Path dir;

  @Test
  void reviewsSignedWithSshKeygenVerifyAndTheCommittedFilesVerifyWithSshKeygen() throws Exception {
    Path alice = key("alice", "ed25519", "256");
    Path bob = key("bob", "rsa", "3072");
    Path carol = key("carol", "ecdsa", "256");
    Path allowed = dir.resolve("allowed_signers");
    Files.writeString(
        allowed,
        "# the approvers\n"
            + "alice "
            + pub(alice)
            + "\nbob "
            + pub(bob)
            + "\ncarol namespaces=\"migration-studio\" "
            + pub(carol)
            + "\n");
    Path specFile = dir.resolve("migration.yaml");
    Files.writeString(
        specFile,
        String.join(
            "\n",
            "id: " + ID,
            "source: { url: \"jdbc:postgresql://db1/shop\", user: app }",
            "target: { url: \"jdbc:postgresql://db2/shop\", user: app }",
            "reviews: { identity: ssh, allowed_signers: allowed_signers }",
            "approvers: { default: [alice, bob], cutover: [carol] }",
            ""));
    // the relative path is resolved next to the spec when the file is read
    MigrationSpec spec = SpecLoader.parse(SpecLoader.read(specFile));
    assertEquals(allowed.toString(), spec.reviews().allowedSigners());

    ReviewVerifier verifier = new ReviewVerifier();
    List<ReviewCheck> accepted = new ArrayList<>();
    for (String who : List.of("alice", "bob", "carol")) {
      Review r = new Review(Stage.CUTOVER, Decision.APPROVE, who, "", COMMIT);
      Review signed = r.withSignature(sshSign(dir.resolve(who), payload(r)));
      ReviewCheck check = verifier.check(ID, spec, signed);
      assertTrue(check.accepted(), who + ": " + check.message());
      assertEquals(fingerprint(dir.resolve(who)), check.fingerprint(), "as ssh-keygen -l says");
      accepted.add(check);
      // alice's signature is not bob's
      if (!who.equals("alice")) {
        Review asAlice =
            new Review(Stage.CUTOVER, Decision.APPROVE, "alice", "", COMMIT)
                .withSignature(signed.signature());
        assertEquals(SignatureProblem.WRONG_KEY, verifier.check(ID, spec, asAlice).problem());
      }
    }
    // ssh-keygen -Y sign in the git namespace: refused
    Review r = new Review(Stage.CUTOVER, Decision.APPROVE, "alice", "", COMMIT);
    Path msg = Files.writeString(dir.resolve("git-msg"), payload(r));
    run(List.of(SSH_KEYGEN, "-Y", "sign", "-n", "git", "-f", alice.toString(), msg.toString()));
    ReviewCheck git =
        verifier.check(
            ID, spec, r.withSignature(Files.readString(dir.resolve("git-msg.sig"), UTF_8)));
    assertEquals(SignatureProblem.WRONG_NAMESPACE, git.problem(), git.message());

    // committed with the review, the files verify with ssh-keygen alone
    try (GitArtifactStore store = GitArtifactStore.open(dir.resolve("home"), null)) {
      EvidenceService evidence = new EvidenceService(store);
      evidence.openMigration(ID, spec, null);
      ReviewCheck check = accepted.get(0);
      ReviewRecord rec =
          new ReviewRecord(
              1, Stage.CUTOVER, Decision.APPROVE, "alice", "", COMMIT, 1L, true, "", null);
      evidence.recordReview("migrations/" + ID, rec, check);
      String base = "reviews/01-cutover-approve";
      Path out = Files.createDirectories(dir.resolve("checkout"));
      for (String suffix : List.of(".sig", ".payload", ".allowed_signers", ".json")) {
        Files.write(
            out.resolve("review" + suffix),
            store
                .read("migrations/" + ID, base + suffix)
                .orElseThrow(() -> new AssertionError(base + suffix)));
      }
      String json = Files.readString(out.resolve("review.json"));
      assertTrue(json.contains("\"fingerprint\" : \"" + check.fingerprint() + "\""), json);
      Result ok = verify(out, "alice", out.resolve("review.payload"));
      assertEquals(0, ok.exit, ok.output);
      assertTrue(ok.output.contains("Good \"migration-studio\" signature for alice"), ok.output);
      // the check can fail: another principal, an altered payload
      assertNotEquals(0, verify(out, "bob", out.resolve("review.payload")).exit);
      Path altered =
          Files.writeString(
              out.resolve("altered"),
              Files.readString(out.resolve("review.payload")).replace("APPROVE", "REJECT"));
      assertNotEquals(0, verify(out, "alice", altered).exit);
    }
  }

  @Test
  void reviewCommitsOfTheStudioAreSignedByItsKeyAndVerifyWithGitVerifyCommit() throws Exception {
    Path studioKey = key("studio", "ed25519", "256");
    Path allowed =
        Files.writeString(dir.resolve("studio.allowed_signers"), "studio " + pub(studioKey) + "\n");
    MigrationSpec spec =
        SpecLoader.parse(
            String.join(
                "\n",
                "id: " + ID,
                "source: { url: \"jdbc:postgresql://db1/shop\", user: app }",
                "target: { url: \"jdbc:postgresql://db2/shop\", user: app }",
                "reviews: { identity: none }",
                "approvers: { default: [alice] }",
                ""));
    Path home = dir.resolve("signed-home");
    String branch = "migrations/" + ID;
    try (GitArtifactStore store =
        GitArtifactStore.open(home, null).signWith(StudioSigningKey.read(studioKey))) {
      EvidenceService evidence = new EvidenceService(store);
      evidence.openMigration(ID, spec, null);
      evidence.recordReview(
          branch,
          new ReviewRecord(
              1, Stage.MAPPING, Decision.APPROVE, "studio:auto", "", COMMIT, 1L, true, "", null),
          null);
    }
    Path remote = home.resolve("artifacts").resolve("remote.git");
    Result ok = verifyCommit(remote, allowed, branch);
    assertEquals(0, ok.exit, ok.output);
    assertTrue(ok.output.contains("Good \"git\" signature for studio"), ok.output);
    Result all =
        exec(
            new ProcessBuilder(
                    "git",
                    "--git-dir=" + remote,
                    "-c",
                    "gpg.ssh.allowedSignersFile=" + allowed,
                    "log",
                    "--format=%G? %s",
                    "main.." + branch)
                .redirectErrorStream(true));
    assertEquals(0, all.exit, all.output);
    assertTrue(all.output.lines().count() >= 2, all.output);
    assertTrue(
        all.output.lines().allMatch(l -> l.startsWith("G ")),
        "every commit the studio made on the branch is signed: " + all.output);

    // another key, or no key: git refuses
    Path other = key("other", "ed25519", "256");
    Path wrong =
        Files.writeString(dir.resolve("other.allowed_signers"), "studio " + pub(other) + "\n");
    assertNotEquals(0, verifyCommit(remote, wrong, branch).exit);
    Path unsignedHome = dir.resolve("unsigned-home");
    try (GitArtifactStore store = GitArtifactStore.open(unsignedHome, null)) {
      new EvidenceService(store).openMigration(ID, spec, null);
    }
    assertNotEquals(
        0,
        verifyCommit(unsignedHome.resolve("artifacts").resolve("remote.git"), allowed, branch)
            .exit);
    // a key with a passphrase is refused with what to do
    Path locked = dir.resolve("locked");
    run(List.of(SSH_KEYGEN, "-q", "-t", "ed25519", "-N", "secret-pass", "-f", locked.toString()));
    io.migrationstudio.contracts.MigrationException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            io.migrationstudio.contracts.MigrationException.class,
            () -> StudioSigningKey.read(locked));
    assertEquals(io.migrationstudio.contracts.ErrorCode.INVALID_SPEC, e.code());
  }

  private static Result verifyCommit(Path gitDir, Path allowedSigners, String rev)
      throws Exception {
    return exec(
        new ProcessBuilder(
                "git",
                "--git-dir=" + gitDir,
                "-c",
                "gpg.format=ssh",
                "-c",
                "gpg.ssh.allowedSignersFile=" + allowedSigners,
                "verify-commit",
                "-v",
                rev)
            .redirectErrorStream(true));
  }

  @Test
  void specValidationListsEveryKeyProblem() throws Exception {
    Path alice = key("alice", "ed25519", "256");
    String spec =
        String.join(
            "\n",
            "id: " + ID,
            "source: { url: \"jdbc:postgresql://db1/shop\", user: app }",
            "target: { url: \"jdbc:postgresql://db2/shop\", user: app }",
            "reviews:",
            "  identity: ssh",
            "  signers:",
            "    - \"alice " + pub(alice) + "\"",
            "    - \"alice " + pub(alice) + "\"",
            "    - \"bob ssh-ed25519 AAAAnot-a-key\"",
            "approvers: { default: [alice, bob], cutover: [carol] }",
            "");
    SpecException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            SpecException.class, () -> SpecLoader.parse(spec));
    List<String> keys = e.problems().stream().map(p -> p.key() + "=" + p.value()).toList();
    assertTrue(keys.contains("reviews.signers[2]=(line)"), keys.toString());
    assertTrue(keys.contains("reviews.signers=alice"), "duplicate principal: " + keys);
    assertTrue(keys.contains("approvers.default=bob"), "bob's key is malformed: " + keys);
    assertTrue(keys.contains("approvers.cutover=carol"), "carol has no key: " + keys);
    assertFalse(keys.contains("approvers.default=alice"), keys.toString());
    assertEquals(4, keys.size(), keys.toString());
  }

  // --- ssh-keygen ---

  private Path key(String name, String type, String bits) throws Exception {
    Path file = dir.resolve(name);
    run(
        List.of(
            SSH_KEYGEN,
            "-q",
            "-t",
            type,
            "-b",
            bits,
            "-N",
            "",
            "-C",
            name + "@test",
            "-f",
            file.toString()));
    return file;
  }

  private static String pub(Path key) throws IOException {
    String[] f = Files.readString(Path.of(key + ".pub")).strip().split(" ");
    return f[0] + " " + f[1];
  }

  private static String payload(Review r) {
    return ReviewPayload.text(ID, r.stage(), r.decision(), r.commit(), r.reviewer());
  }

  private String sshSign(Path key, String payload) throws Exception {
    Path msg = Files.writeString(dir.resolve("msg-" + key.getFileName()), payload);
    run(
        List.of(
            SSH_KEYGEN,
            "-Y",
            "sign",
            "-n",
            ReviewPayload.NAMESPACE,
            "-f",
            key.toString(),
            msg.toString()));
    return Files.readString(Path.of(msg + ".sig"), UTF_8);
  }

  private String fingerprint(Path key) throws Exception {
    return run(List.of(SSH_KEYGEN, "-l", "-E", "sha256", "-f", key + ".pub")).output.split(" ")[1];
  }

  private Result verify(Path out, String principal, Path message) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(
                SSH_KEYGEN,
                "-Y",
                "verify",
                "-f",
                out.resolve("review.allowed_signers").toString(),
                "-I",
                principal,
                "-n",
                ReviewPayload.NAMESPACE,
                "-s",
                out.resolve("review.sig").toString())
            .redirectInput(message.toFile())
            .redirectErrorStream(true);
    return exec(pb);
  }

  record Result(int exit, String output) {}

  private static Result run(List<String> command) throws Exception {
    Result r = exec(new ProcessBuilder(command).redirectErrorStream(true));
    assertEquals(0, r.exit, command + ": " + r.output);
    return r;
  }

  private static Result exec(ProcessBuilder pb) throws Exception {
    Process p = pb.start();
    p.getOutputStream().close();
    String output = new String(p.getInputStream().readAllBytes(), UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "ssh-keygen did not end: " + pb.command());
    return new Result(p.exitValue(), output);
  }
}
