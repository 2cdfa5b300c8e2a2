package io.migrationstudio.studio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.migrationstudio.core.identity.StudioSigningKey;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signed approvals end to end through the CLI ({@code reviews.identity: ssh}, keys made by the real
 * ssh-keygen, listed in an allowed_signers file next to the spec): unsigned, wrong-key and replayed
 * reviews are refused with what to do, {@code --sign-key} approves, and the review's committed
 * signature verifies with {@code ssh-keygen -Y verify} alone. The studio is a {@code studio server}
 * process started with {@code STUDIO_SIGNING_KEY}: every commit it writes on the branch, the
 * review's included, verifies with {@code git verify-commit} and the studio's public key alone.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(300)
class SignedReviewIT {
  private static final String ID = "signed-e2e";

  private record Result(int code, String out, String err) {}

  private static Result studio(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int code = StudioMain.execute(args);
      return new Result(
          code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  private static String sh(Path stdin, String... command) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    if (stdin != null) {
      pb.redirectInput(stdin.toFile());
    }
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    if (p.exitValue() != 0) {
      throw new AssertionError(List.of(command) + " exited " + p.exitValue() + ": " + out);
    }
    return out;
  }

  private static Result review(String server, String reviewer, String... more) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "review",
                ID,
                "--stage",
                "mapping",
                "--approve",
                "--reviewer",
                reviewer,
                "--server",
                server));
    args.addAll(List.of(more));
    return studio(args.toArray(String[]::new));
  }

  @Test
  void onlyAReviewSignedByTheApproversKeyOpensTheGate(
      TestDatabase source, TestDatabase target, @TempDir Path home) throws Exception {
    try (Connection c = source.connect();
        Statement s = c.createStatement()) {
      s.execute("create table item (id int primary key, name text)");
      s.execute("insert into item select g, 'item ' || g from generate_series(1, 50) g");
    }
    Path alice = home.resolve("alice");
    Path mallory = home.resolve("mallory");
    for (Path k : List.of(alice, mallory)) {
      sh(null, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", k.toString());
    }
    Files.writeString(
        home.resolve("allowed_signers"),
        "alice " + Files.readString(Path.of(alice + ".pub")).strip() + "\n");
    Path spec = home.resolve("migration.yaml");
    Files.writeString(
        spec,
        String.join(
            "\n",
            "id: " + ID,
            "cutover: { hypercare: PT0S }", // ends at the switch
            "source: { url: \"" + source.jdbcUrl() + "\", user: postgres }",
            "target: { url: \"" + target.jdbcUrl() + "\", user: postgres }",
            "reviews: { assessment: auto, mapping: ask, migrate: auto, validation: auto,"
                + " cutover: auto, identity: ssh, allowed_signers: allowed_signers }",
            "approvers: { default: [alice, mallory] }",
            ""));

    // the studio runs as a process of its own, its commits signed by the key the environment names
    Path studioKey = home.resolve("studio_key");
    sh(null, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", studioKey.toString());
    Path studioHome = home.resolve("home");
    int[] ports = {
      EmbeddedTemporal.freePort(), EmbeddedTemporal.freePort(), EmbeddedTemporal.freePort()
    };
    Path log = home.resolve("server.log");
    Process process =
        StudioProcess.start(
            log,
            Map.of(StudioSigningKey.ENV, studioKey.toString()),
            "server",
            "--home",
            studioHome.toString(),
            "--port",
            String.valueOf(ports[0]),
            "--api-port",
            String.valueOf(ports[1]),
            "--http-port",
            String.valueOf(ports[2]));
    try {
      String server = "localhost:" + ports[1];
      awaitServer(server, process, log);
      // mallory is an approver by name but has no key: the spec is refused, naming her
      Result noKey = studio("start", spec.toString(), "--server", server);
      assertNotEquals(0, noKey.code(), noKey.out());
      assertTrue(noKey.err().contains("approvers.default = mallory: has no key"), noKey.err());
      Files.writeString(spec, Files.readString(spec).replace("[alice, mallory]", "[alice]"));
      Result started = studio("start", spec.toString(), "--server", server);
      assertEquals(0, started.code(), started.err());
      JsonNode st;
      do {
        Thread.sleep(300);
        Result r = studio("status", ID, "--json", "--server", server);
        st = Json.read(r.out().getBytes(StandardCharsets.UTF_8), JsonNode.class, "status");
        assertTrue(!st.get("state").asText().equals("FAILED"), st.toString());
      } while (!st.get("state").asText().equals("AWAITING_REVIEW"));
      String commit = st.get("reviewCommit").asText();

      Result unsigned = review(server, "alice");
      assertNotEquals(0, unsigned.code());
      assertTrue(unsigned.err().contains("not signed"), unsigned.err());
      assertTrue(unsigned.err().contains("--sign-key"), "says what to do: " + unsigned.err());

      Result wrongKey = review(server, "alice", "--sign-key", mallory.toString());
      assertNotEquals(0, wrongKey.code());
      assertTrue(wrongKey.err().contains("WRONG_KEY"), wrongKey.err());

      // alice's own signature of another commit's payload, made outside the studio
      Result payload = review(server, "alice", "--print-payload", "--commit", "f".repeat(40));
      assertEquals(0, payload.code(), payload.err());
      assertTrue(payload.out().startsWith("migration-studio review v1\n"), payload.out());
      Path other = Files.writeString(home.resolve("other.payload"), payload.out());
      sh(
          null,
          "ssh-keygen",
          "-Y",
          "sign",
          "-n",
          "migration-studio",
          "-f",
          alice.toString(),
          other.toString());
      Result replay = review(server, "alice", "--signature", other + ".sig");
      assertNotEquals(0, replay.code());
      assertTrue(replay.err().contains("NOT_THIS_REVIEW"), replay.err());

      Result approved = review(server, "alice", "--sign-key", alice.toString());
      assertEquals(0, approved.code(), approved.err());
      Result watched = studio("watch", ID, "--server", server);
      assertEquals(0, watched.code(), watched.out() + watched.err());

      // the committed review verifies with ssh-keygen, without the studio
      Result listing = studio("artifacts", ID, "--server", server);
      String base =
          listing
              .out()
              .lines()
              .map(String::strip)
              .map(l -> l.split("\\s+")[0])
              .filter(p -> p.startsWith("reviews/") && p.endsWith("-mapping-approve.sig"))
              .findFirst()
              .orElseThrow(() -> new AssertionError(listing.out()))
              .replace(".sig", "");
      Path out = Files.createDirectories(home.resolve("checkout"));
      for (String suffix : List.of(".sig", ".payload", ".allowed_signers")) {
        Result file = studio("artifacts", ID, base + suffix, "--server", server);
        assertEquals(0, file.code(), file.err());
        Files.writeString(out.resolve("review" + suffix), file.out());
      }
      assertTrue(
          Files.readString(out.resolve("review.payload")).contains("commit: " + commit),
          "the payload names the reviewed commit");
      String verified =
          sh(
              out.resolve("review.payload"),
              "ssh-keygen",
              "-Y",
              "verify",
              "-f",
              out.resolve("review.allowed_signers").toString(),
              "-I",
              "alice",
              "-n",
              "migration-studio",
              "-s",
              out.resolve("review.sig").toString());
      assertTrue(verified.contains("Good \"migration-studio\" signature for alice"), verified);

      // every commit of the branch, the review's included, verifies with git and the studio's
      // public key alone
      Path signers =
          Files.writeString(
              home.resolve("studio.allowed_signers"),
              "studio " + Files.readString(Path.of(studioKey + ".pub")).strip() + "\n");
      String gitDir = "--git-dir=" + studioHome.resolve("artifacts").resolve("remote.git");
      String branch = "migrations/" + ID;
      String reviewCommit =
          sh(null, "git", gitDir, "log", "-1", "--format=%H", branch, "--", base + ".sig").strip();
      assertEquals(40, reviewCommit.length(), reviewCommit);
      String good =
          sh(
              null,
              "git",
              gitDir,
              "-c",
              "gpg.format=ssh",
              "-c",
              "gpg.ssh.allowedSignersFile=" + signers,
              "verify-commit",
              "-v",
              reviewCommit);
      assertTrue(good.contains("Good \"git\" signature for studio"), good);
      String marks =
          sh(
              null,
              "git",
              gitDir,
              "-c",
              "gpg.format=ssh",
              "-c",
              "gpg.ssh.allowedSignersFile=" + signers,
              "log",
              "--format=%G?",
              branch);
      assertTrue(marks.lines().count() > 5, marks);
      assertTrue(marks.lines().allMatch("G"::equals), "every commit signed and good: " + marks);
    } finally {
      process.destroy();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    }
  }

  /** Waits until the server process answers {@code studio list}; fails when it died. */
  private static void awaitServer(String server, Process p, Path log) throws Exception {
    for (int i = 0; i < 600; i++) {
      assertTrue(p.isAlive(), "the server ended: " + Files.readString(log));
      if (studio("list", "--server", server).code() == 0) {
        return;
      }
      Thread.sleep(250);
    }
    throw new AssertionError(
        "the server never answered on " + server + ": " + Files.readString(log));
  }
}
