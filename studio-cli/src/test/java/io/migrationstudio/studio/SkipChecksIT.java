package io.migrationstudio.studio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.migrationstudio.core.git.GitArtifactStore;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end: {@code assessment.skip_checks} given in a spec reaches the Assessment through {@code
 * studio run} and {@code studio start} (it was dropped by the spec copy that applies the review
 * gates, so every check ran whatever the spec said).
 */
@ExtendWith(PostgresExtension.class)
@Timeout(600)
class SkipChecksIT {
  static final String SKIPPED = "large-table";

  record Result(int code, String out, String err) {}

  static Result studio(String... args) {
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

  static Path spec(Path home, String id, TestDatabase source, TestDatabase target, String reviews)
      throws Exception {
    source.execute(
        "CREATE TABLE items (id integer PRIMARY KEY, name text)",
        "INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 20) g");
    Path spec = home.resolve("migration.yaml");
    Files.writeString(
        spec,
        String.join(
            "\n",
            "id: " + id,
            "cutover: { hypercare: PT0S }", // ends at the switch
            "source: { url: \"" + source.jdbcUrl() + "\", user: postgres }",
            "target: { url: \"" + target.jdbcUrl() + "\", user: postgres }",
            "assessment: { skip_checks: [" + SKIPPED + "] }",
            reviews,
            ""));
    return spec;
  }

  /** The check's entry in risks.json: not selected, because the spec lists it in skip_checks. */
  static void assertSkippedBySpec(byte[] risksJson) {
    JsonNode risks = Json.read(risksJson, JsonNode.class, ArtifactPaths.RISKS_JSON);
    JsonNode entry = null;
    for (JsonNode c : risks.get("checks")) {
      if (c.get("key").asText().equals(SKIPPED)) {
        entry = c;
      }
    }
    assertTrue(entry != null, "no entry for " + SKIPPED + " in " + risks);
    assertEquals("not-selected", entry.get("status").asText(), entry.toString());
    assertTrue(entry.get("reason").asText().contains("skip_checks"), entry.toString());
  }

  @Test
  void runHonoursSkipChecks(TestDatabase source, TestDatabase target, @TempDir Path home)
      throws Exception {
    Path spec = spec(home, "skip-run", source, target, "");
    Result r = studio("run", spec.toString(), "--auto-approve", "all", "--home", home.toString());
    assertEquals(0, r.code(), r.out() + r.err());
    try (GitArtifactStore store = GitArtifactStore.open(home, null)) {
      assertSkippedBySpec(
          store
              .read("migrations/skip-run", ArtifactPaths.RISKS_JSON)
              .orElseThrow(() -> new AssertionError("no risks.json")));
    }
  }

  @Test
  void startHonoursSkipChecks(TestDatabase source, TestDatabase target, @TempDir Path home)
      throws Exception {
    Path spec =
        spec(
            home,
            "skip-start",
            source,
            target,
            "reviews: { assessment: ask, cutover: auto, identity: none }\napprovers: { default: [alice] }");
    try (Services services =
        Services.start(
            StudioHome.of(home),
            null,
            0,
            new Services.ServicePorts(Services.LOOPBACK, 0, -1),
            Set.copyOf(Services.WORKERS),
            null)) {
      String server = "localhost:" + services.apiPort();
      Result started = studio("start", spec.toString(), "--server", server);
      assertEquals(0, started.code(), started.err());
      JsonNode st;
      long deadline = System.currentTimeMillis() + 300_000;
      do {
        Thread.sleep(300);
        Result s = studio("status", "skip-start", "--json", "--server", server);
        assertEquals(0, s.code(), s.err());
        st = Json.read(s.out().getBytes(StandardCharsets.UTF_8), JsonNode.class, "status");
        assertTrue(!st.get("state").asText().equals("FAILED"), st.toString());
        assertTrue(System.currentTimeMillis() < deadline, st.toString());
      } while (!st.get("state").asText().equals("AWAITING_REVIEW"));
      assertEquals("ASSESSMENT", st.get("stage").asText());
      Result risks =
          studio("artifacts", "skip-start", ArtifactPaths.RISKS_JSON, "--server", server);
      assertEquals(0, risks.code(), risks.err());
      assertSkippedBySpec(risks.out().getBytes(StandardCharsets.UTF_8));
    }
  }
}
