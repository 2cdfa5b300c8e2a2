package io.migrationstudio.core.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.spec.MigrationSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the spec refuses before anything starts: credentials, targets, bytes and secrets. */
class SpecInputSafetyTest {
  static final String SOURCE = "jdbc:postgresql://127.0.0.1:5433/chinook";
  static final String TARGET = "jdbc:postgresql://127.0.0.1:5432/chinook";

  static String spec(String sourceUrl, String targetUrl, String extra) {
    return "id: safety\n"
        + "source: { url: \""
        + sourceUrl
        + "\", user: u, password: \"${env:SRC_PW}\" }\n"
        + "target: { url: \""
        + targetUrl
        + "\", user: u }\n"
        + extra;
  }

  @Test
  void aCredentialInTheUrlIsRefusedInAnySpellingAndNeverShown() {
    for (String url :
        List.of(
            "jdbc:postgresql://db/x?password=s3cret",
            "jdbc:postgresql://db/x?PassWord=s3cret",
            "jdbc:postgresql://db/x?user=a&PASSWORD=s3cret",
            "jdbc:postgresql://db/x?pass%77ord=s3cret",
            "jdbc:postgresql://db/x?PASS%57ORD=s3cret",
            "jdbc:postgresql://db/x?%70%61%73%73%77%6f%72%64=s3cret",
            "jdbc:postgresql://db/x?pass%2577ord=s3cret",
            "jdbc:postgresql://db/x;password=s3cret",
            "jdbc:postgresql://db/x?sslpassword=s3cret",
            "jdbc:mariadb://db/x?pwd=s3cret",
            "jdbc:mariadb://db/x?user=a&passwd=s3cret",
            "jdbc:mariadb://u:s3cret@db/x",
            "jdbc:mariadb://u%3As3cret@db/x",
            "jdbc:mariadb://address=(host=db)(port=3306)(password=s3cret)/x",
            "jdbc:mariadb://db/x?user=a&password =s3cret")) {
      SpecException e =
          assertThrows(SpecException.class, () -> SpecLoader.parse(spec(url, TARGET, "")), url);
      assertEquals(ErrorCode.INVALID_SPEC, e.code());
      assertEquals(
          List.of("source.url"), e.problems().stream().map(SpecProblem::key).toList(), url);
      assertTrue(e.problems().get(0).rule().contains("credential"), e.getMessage());
      assertFalse(e.getMessage().contains("s3cret"), url + " leaks:\n" + e.getMessage());
      assertFalse(
          MigrationException.redact(url).contains("s3cret"), MigrationException.redact(url));
    }
    for (String ok :
        List.of(
            "jdbc:postgresql://db/x?user=a&sslmode=require",
            "jdbc:postgresql://db/x?ApplicationName=a%20b",
            "jdbc:mariadb://db:3306/x?useUnicode=true")) {
      assertEquals(ok, SpecLoader.parse(spec(ok, TARGET, "")).source().url());
    }
  }

  @Test
  void anEmptyPasswordIsNoSecretButALiteralOneIsRefused() {
    MigrationSpec trust = SpecLoader.parse(spec(SOURCE, TARGET, "").replace("${env:SRC_PW}", ""));
    assertEquals("", trust.source().password());
    SpecException e =
        assertThrows(
            SpecException.class,
            () -> SpecLoader.parse(spec(SOURCE, TARGET, "").replace("${env:SRC_PW}", "hunter2")));
    assertEquals("source.password", e.problems().get(0).key());
    assertFalse(e.getMessage().contains("hunter2"));
  }

  @Test
  void aTargetThatIsNotPostgresqlIsRefusedNamingTheRule() {
    for (String target :
        List.of("jdbc:mariadb://db:3306/x", "jdbc:mysql://db/x", "jdbc:sqlite:/tmp/x.db")) {
      SpecException e =
          assertThrows(
              SpecException.class, () -> SpecLoader.parse(spec(SOURCE, target, "")), target);
      assertEquals(List.of("target.url"), e.problems().stream().map(SpecProblem::key).toList());
      assertTrue(e.problems().get(0).rule().contains("must be PostgreSQL"), e.getMessage());
      assertTrue(e.problems().get(0).rule().contains("source only"), e.getMessage());
    }
    // the same engines are fine as sources
    assertEquals(
        "jdbc:mariadb://db:3306/x",
        SpecLoader.parse(spec("jdbc:mariadb://db:3306/x", TARGET, "")).source().url());
  }

  @Test
  void targetNotEmptyDefaultsToFailAndTakesOnlyFailOrReplace() {
    MigrationSpec plain = SpecLoader.parse(spec(SOURCE, TARGET, ""));
    assertEquals("fail", plain.migrate().targetNotEmpty());
    assertFalse(plain.migrate().replacesNonEmptyTarget());
    MigrationSpec replace =
        SpecLoader.parse(spec(SOURCE, TARGET, "migrate: { target_not_empty: replace }\n"));
    assertTrue(replace.migrate().replacesNonEmptyTarget());
    assertEquals(replace, SpecLoader.parse(SpecLoader.render(replace)), "renders and reads back");
    SpecException e =
        assertThrows(
            SpecException.class,
            () ->
                SpecLoader.parse(
                    spec(SOURCE, TARGET, "migrate: { target_not_empty: overwrite }\n")));
    assertEquals("migrate.target_not_empty", e.problems().get(0).key());
    assertEquals("must be one of [fail, replace]", e.problems().get(0).rule());
  }

  @Test
  void aSpecFileThatIsNotUtf8NamesTheByteItsOffsetAndLine(@TempDir Path dir) throws Exception {
    byte[] good = spec(SOURCE, TARGET, "").getBytes(StandardCharsets.UTF_8);
    byte[] bad = new byte[good.length + 9];
    System.arraycopy(good, 0, bad, 0, good.length);
    byte[] tail = "title: \"".getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(tail, 0, bad, good.length, tail.length);
    bad[good.length + tail.length] = (byte) 0xE9; // Latin-1 é
    Path file = dir.resolve("migration.yaml");
    Files.write(file, bad);
    SpecException e = assertThrows(SpecException.class, () -> SpecLoader.read(file));
    assertEquals(ErrorCode.INVALID_SPEC, e.code());
    String rule = e.problems().get(0).rule();
    assertTrue(rule.contains("not valid UTF-8"), rule);
    assertTrue(rule.contains("0xE9"), rule);
    assertTrue(rule.contains("byte offset " + (good.length + tail.length)), rule);
    assertTrue(rule.contains("line 4"), rule);
    assertFalse(e.getMessage().contains("Input length"), e.getMessage());
    Files.write(file, good);
    assertEquals(spec(SOURCE, TARGET, ""), SpecLoader.read(file));
    SpecException missing =
        assertThrows(SpecException.class, () -> SpecLoader.read(dir.resolve("nope.yaml")));
    assertTrue(missing.getMessage().contains("nope.yaml"), missing.getMessage());
  }

  @Test
  void everySecretReferenceIsCheckedBeforeAnythingStarts(@TempDir Path dir) throws Exception {
    Path secrets = Files.createDirectories(dir.resolve("secrets"));
    Files.writeString(secrets.resolve("dst"), "pw\n");
    SecretResolver resolver = new SecretResolver(Map.of("SRC_PW", "x")::get, List.of(secrets));
    String ok =
        spec(SOURCE, TARGET, "")
            .replace(
                "user: u }", "user: u, password: \"${file:" + secrets.resolve("dst") + "}\" }");
    assertEquals(List.of(), resolver.problems(SpecLoader.parse(ok)));
    List<SpecProblem> unset =
        new SecretResolver(Map.<String, String>of()::get, List.of(secrets))
            .problems(SpecLoader.parse(ok));
    assertEquals(List.of("source.password"), unset.stream().map(SpecProblem::key).toList());
    assertTrue(unset.get(0).rule().contains("SRC_PW"), unset.get(0).rule());
    SpecException e =
        assertThrows(
            SpecException.class,
            () ->
                new SecretResolver(Map.<String, String>of()::get, List.of(secrets))
                    .requireResolvable(SpecLoader.parse(ok)));
    assertEquals(ErrorCode.INVALID_SPEC, e.code());
  }

  @Test
  void fileSecretsAreReadOnlyInsideTheSecretDirectories(@TempDir Path dir) throws Exception {
    Path secrets = Files.createDirectories(dir.resolve("secrets"));
    Files.writeString(secrets.resolve("db"), "inside\n");
    Path outside = Files.writeString(dir.resolve("private.key"), "outside\n");
    Files.createSymbolicLink(secrets.resolve("link"), outside);
    SecretResolver r = new SecretResolver(k -> null, List.of(secrets));
    assertEquals("inside", r.resolve("${file:" + secrets.resolve("db") + "}", "k"));
    assertEquals("inside", r.resolve("${file:db}", "k"), "relative to the first directory");
    for (String ref :
        List.of(
            "${file:" + outside + "}",
            "${file:" + secrets.resolve("../private.key") + "}",
            "${file:../private.key}",
            "${file:link}",
            "${file:/etc/passwd}")) {
      MigrationException e =
          assertThrows(MigrationException.class, () -> r.resolve(ref, "target.password"), ref);
      assertEquals(ErrorCode.INVALID_SPEC, e.code());
      assertTrue(e.getMessage().contains("outside the secret directory"), e.getMessage());
      assertTrue(e.getMessage().contains(secrets.toString()), e.getMessage());
      assertFalse(e.getMessage().contains("outside\n"), e.getMessage());
    }
    MigrationException none =
        assertThrows(
            MigrationException.class,
            () ->
                new SecretResolver(k -> null)
                    .resolve("${file:" + secrets.resolve("db") + "}", "k"));
    assertTrue(none.getMessage().contains("no secret directory"), none.getMessage());
  }
}
