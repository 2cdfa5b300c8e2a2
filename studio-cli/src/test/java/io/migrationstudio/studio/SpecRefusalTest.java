package io.migrationstudio.studio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code studio run} refuses, with exit 2 and before anything starts (no embedded Temporal, no
 * artifact repository), what would otherwise fail only inside a running migration: an unset {@code
 * ${env:}} variable, a {@code ${file:}} outside the secret directories, a spec file that is not
 * UTF-8, a target that is not PostgreSQL, a credential in a URL.
 */
class SpecRefusalTest {
  static final String VAR = "STUDIO_TEST_SURELY_UNSET_VARIABLE_4711";

  record Result(int code, String err) {}

  static Result run(Path home, byte[] spec) throws Exception {
    return run(home, spec, "all");
  }

  static Result run(Path home, byte[] spec, String autoApprove) throws Exception {
    Path file = home.resolve("m.yaml");
    Files.write(file, spec);
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream old = System.err;
    int code;
    try {
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      code =
          StudioMain.execute(
              "run", file.toString(), "--auto-approve", autoApprove, "--home", home.toString());
    } finally {
      System.setErr(old);
    }
    return new Result(code, err.toString(StandardCharsets.UTF_8));
  }

  static byte[] spec(String source, String target) {
    return String.join(
            "\n",
            "id: refused",
            "source: { url: \"jdbc:postgresql://127.0.0.1:1/a\", user: u" + source + " }",
            "target: { url: \"jdbc:postgresql://127.0.0.1:1/b\", user: u" + target + " }",
            "")
        .getBytes(StandardCharsets.UTF_8);
  }

  static void assertNothingStarted(Path home, Result r) {
    assertEquals(2, r.code(), r.err());
    assertFalse(Files.exists(home.resolve("artifacts")), "nothing started:\n" + r.err());
  }

  @Test
  void anUnsetEnvironmentVariableIsRefusedBeforeTheRunStarts(@TempDir Path home) throws Exception {
    assertEquals(null, System.getenv(VAR));
    Result r = run(home, spec(", password: \"${env:" + VAR + "}\"", ""));
    assertNothingStarted(home, r);
    assertTrue(r.err().contains("source.password"), r.err());
    assertTrue(r.err().contains(VAR), r.err());
  }

  @Test
  void aFileOutsideTheSecretDirectoriesIsRefusedNamingThem(@TempDir Path home) throws Exception {
    Path outside = Files.writeString(home.resolve("not-a-secret"), "private\n");
    Result r = run(home, spec("", ", password: \"${file:" + outside + "}\""));
    assertNothingStarted(home, r);
    assertTrue(r.err().contains("target.password"), r.err());
    assertTrue(r.err().contains(home.resolve("secrets").toString()), r.err());
    assertFalse(r.err().contains("private"), r.err());
  }

  @Test
  void anEmptyPasswordIsAcceptedAsNoSecret(@TempDir Path home) throws Exception {
    // refused only for the second reason: the variable of the target, not the empty source one
    Result r = run(home, spec(", password: \"\"", ", password: \"${env:" + VAR + "}\""));
    assertNothingStarted(home, r);
    assertFalse(r.err().contains("source.password"), r.err());
    assertTrue(r.err().contains("target.password"), r.err());
  }

  @Test
  void aSpecThatIsNotUtf8NamesTheOffendingByte(@TempDir Path home) throws Exception {
    byte[] good = spec("", "");
    byte[] bad = new byte[good.length + 1];
    System.arraycopy(good, 0, bad, 0, good.length);
    bad[good.length] = (byte) 0xFF;
    Result r = run(home, bad);
    assertNothingStarted(home, r);
    assertTrue(r.err().contains("not valid UTF-8"), r.err());
    assertTrue(r.err().contains("0xFF at byte offset " + good.length), r.err());
    assertFalse(r.err().contains("Input length"), r.err());
  }

  @Test
  void aMariaDbTargetIsRefusedBeforeTheRunStarts(@TempDir Path home) throws Exception {
    Result r =
        run(
            home,
            new String(spec("", ""), StandardCharsets.UTF_8)
                .replace("jdbc:postgresql://127.0.0.1:1/b", "jdbc:mariadb://127.0.0.1:1/b")
                .getBytes(StandardCharsets.UTF_8));
    assertNothingStarted(home, r);
    assertTrue(r.err().contains("target.url"), r.err());
    assertTrue(r.err().contains("must be PostgreSQL"), r.err());
  }

  @Test
  void aPercentEncodedPasswordInTheUrlIsRefusedAndNotPrinted(@TempDir Path home) throws Exception {
    Result r =
        run(
            home,
            new String(spec("", ""), StandardCharsets.UTF_8)
                .replace("127.0.0.1:1/a", "127.0.0.1:1/a?pass%77ord=s3cret")
                .getBytes(StandardCharsets.UTF_8));
    assertNothingStarted(home, r);
    assertTrue(r.err().contains("source.url"), r.err());
    assertFalse(r.err().contains("s3cret"), r.err());
  }

  @Test
  void autoApprovingAnExternalGateThatNamesApproversIsRefusedBesideTheOtherGateProblems(
      @TempDir Path home) throws Exception {
    String guarded =
        new String(spec("", ""), StandardCharsets.UTF_8)
            + "reviews: { mapping: external, identity: none }\napprovers: { cutover: [carol] }\n";
    Result r = run(home, guarded.getBytes(StandardCharsets.UTF_8), "migrate,cutover");
    assertNothingStarted(home, r);
    assertTrue(
        r.err()
            .contains(
                "--auto-approve = cutover: the cutover gate is external and names its approvers"
                    + " (approvers.cutover: carol)"),
        r.err());
    assertTrue(r.err().contains("carol approves with a signed review"), r.err());
    assertTrue(r.err().contains("reviews.mapping = external"), "listed beside it:\n" + r.err());
  }

  @Test
  void allNamesTheGatesItLeavesExternalAndWhoMayApproveThem() {
    String guarded =
        new String(spec("", ""), StandardCharsets.UTF_8)
            + "reviews: { identity: none }\napprovers: { cutover: [carol, dave] }\n";
    var spec = io.migrationstudio.core.spec.SpecLoader.parse(guarded);
    assertEquals(
        "studio: --auto-approve all leaves the cutover gate external: carol or dave may approve it"
            + " (a signed review, studio review)",
        LocalRun.keptExternal(io.migrationstudio.core.spec.AutoApproval.ALL, spec));
    assertEquals(
        "",
        LocalRun.keptExternal(
            io.migrationstudio.core.spec.AutoApproval.ALL,
            io.migrationstudio.core.spec.SpecLoader.parse(
                new String(spec("", ""), StandardCharsets.UTF_8))));
  }

  @Test
  void aNamespaceWithoutARealTemporalIsRefusedBeforeAnythingStarts(@TempDir Path home) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream old = System.err;
    int code;
    try {
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      code = StudioMain.execute("server", "--namespace", "payments", "--home", home.toString());
    } finally {
      System.setErr(old);
    }
    String printed = err.toString(StandardCharsets.UTF_8);
    assertEquals(2, code, printed);
    assertTrue(printed.contains("--namespace payments needs --temporal"), printed);
    assertFalse(Files.exists(home.resolve("artifacts")), "nothing started");
  }
}
