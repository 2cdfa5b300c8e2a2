package io.migrationstudio.studio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.migrationstudio.contracts.workflow.MigrationOutcome;
import io.migrationstudio.contracts.workflow.MigrationState;
import io.migrationstudio.core.git.GitArtifactStore;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.proto.v1.MigrationServiceGrpc;
import io.migrationstudio.proto.v1.StartRequest;
import io.migrationstudio.proto.v1.StartResponse;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import io.migrationstudio.worker.assessment.AssessmentWorker;
import io.migrationstudio.worker.validation.ValidationWorker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end: {@code studio validate} on a source/target pair the studio did not load (Chinook put
 * into both databases by plain SQL), so the validator has no chunk ledger and plans afresh.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(300)
class StudioValidateIT {
  private static final String BRANCH = "validations/pair";

  /** A spec with the default review policy: an external cutover gate and no approvers at all. */
  private static String spec(TestDatabase source, TestDatabase target) {
    return String.join(
        "\n",
        "id: pair",
        "source: { url: \"" + source.jdbcUrl() + "\", user: postgres }",
        "target: { url: \"" + target.jdbcUrl() + "\", user: postgres }",
        "mapping: { naming: identity }",
        "migrate: { chunk_rows: 500 }",
        "validation: { sample_rows: 100 }",
        "");
  }

  private record Result(int code, String out, String err) {}

  private static Result validate(Path spec, Path home) {
    return studio("validate", spec.toString(), "--home", home.toString());
  }

  private static Result studio(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    int code;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      code = StudioMain.execute(args);
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
    return new Result(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private static JsonNode validationJson(Path home) {
    try (GitArtifactStore store = GitArtifactStore.open(home, null)) {
      byte[] bytes =
          store
              .read(BRANCH, "04-validation/validation.json")
              .orElseThrow(() -> new AssertionError("no validation.json on " + BRANCH));
      return Json.read(bytes, JsonNode.class, "validation.json");
    }
  }

  /** Per failing table: its differences as "kind key [columns]". */
  private static Map<String, List<String>> failures(JsonNode report) {
    Map<String, List<String>> out = new TreeMap<>();
    for (JsonNode t : report.get("tables")) {
      if (t.get("status").asText().equals("PASS")) {
        continue;
      }
      List<String> diffs = new ArrayList<>();
      for (JsonNode d : t.get("differences")) {
        List<String> cols = new ArrayList<>();
        d.get("columns").forEach(c -> cols.add(c.asText()));
        diffs.add(d.get("kind").asText() + " " + d.get("key").asText() + " " + cols);
      }
      out.put(t.get("table").asText(), diffs);
    }
    return out;
  }

  @Test
  void identicalPairPassesThenACorruptedTargetFailsNamingExactlyTheDifferences(
      TestDatabase source, TestDatabase target, @TempDir Path home) throws Exception {
    StudioRunIT.loadChinook(source);
    StudioRunIT.loadChinook(target);
    Path spec = home.resolve("migration.yaml");
    Files.writeString(spec, spec(source, target));

    Result pass = validate(spec, home);
    assertEquals(0, pass.code(), pass.out() + pass.err());
    assertTrue(pass.out().contains("validation pair PASS"), pass.out());
    assertTrue(pass.out().contains("verdict table: 04-validation/validation.md"), pass.out());
    assertTrue(pass.out().contains("branch " + BRANCH), pass.out());
    JsonNode report = validationJson(home);
    assertEquals("PASS", report.get("status").asText(), report.toString());
    assertEquals(11, report.get("tables").size(), report.toString());
    for (JsonNode t : report.get("tables")) {
      assertEquals("planned", t.get("chunk_source").asText(), "no ledger on this target: " + t);
      assertEquals(t.get("source_rows").asLong(), t.get("target_rows").asLong(), t.toString());
    }
    try (GitArtifactStore store = GitArtifactStore.open(home, null)) {
      List<String> files = store.list(BRANCH, "");
      for (String f :
          List.of(
              "migration.yaml",
              "PULL_REQUEST.md",
              "01-assessment/inventory.json",
              "02-mapping/mapping.yaml",
              "04-validation/validation.json",
              "04-validation/validation.md",
              "04-validation/regression.json")) {
        assertTrue(files.contains(f), f + " on " + BRANCH + ": " + files);
      }
      assertFalse(files.stream().anyMatch(f -> f.startsWith("03-migrate/")), files.toString());
      assertFalse(files.stream().anyMatch(f -> f.startsWith("reviews/")), files.toString());
      assertTrue(store.head("migrations/pair").isEmpty(), "the migration branch is untouched");
    }

    // corrupt the target behind the studio's back (the committed report shows keys masked): one
    // value changed, one (leaf) row deleted
    target.execute(
        "UPDATE track SET name = 'Corrupted' WHERE track_id = 7",
        "DELETE FROM invoice_line WHERE invoice_line_id = 42");

    Result fail = validate(spec, home);
    assertEquals(1, fail.code(), fail.out() + fail.err());
    assertTrue(fail.out().contains("validation pair FAIL"), fail.out());
    report = validationJson(home);
    assertEquals("FAIL", report.get("status").asText());
    assertEquals(
        Map.of(
            "invoice_line", List.of("missing ## []"),
            "track", List.of("changed # [name]")),
        failures(report),
        report.toString());

    // validation only reads: nothing was copied back, no studio schema (ledger) was created
    assertEquals(0, target.queryLong("SELECT count(*) FROM invoice_line WHERE invoice_line_id=42"));
    assertEquals(0, target.queryLong("SELECT count(*) FROM pg_namespace WHERE nspname = 'studio'"));
  }

  @Test
  void invalidSpecIsRefusedWithExitTwoBeforeAnythingStarts(@TempDir Path home) throws Exception {
    Path spec = home.resolve("bad.yaml");
    Files.writeString(
        spec, "id: Not_Valid\nsource: { url: \"jdbc:postgresql://h/db\", password: hunter2 }\n");
    Result r = validate(spec, home);
    assertEquals(2, r.code(), r.out() + r.err());
    assertTrue(r.err().contains("INVALID_SPEC"), r.err());
    assertTrue(r.err().contains("target"), "names the missing target:\n" + r.err());
    assertFalse(r.err().contains("hunter2"), r.err());
    assertFalse(Files.exists(home.resolve("artifacts")), "nothing started");

    Result missing = validate(home.resolve("no-such-spec.yaml"), home);
    assertEquals(2, missing.code(), missing.out() + missing.err());
  }

  @Test
  void theOperatorApiStartsValidationsWithNumberedIdsAndRefusesAnInvalidSpec(
      TestDatabase source, TestDatabase target, @TempDir Path home) throws Exception {
    StudioRunIT.loadChinook(source);
    StudioRunIT.loadChinook(target);
    target.execute("INSERT INTO genre (genre_id, name) VALUES (999, 'Extra')");
    String text = spec(source, target);
    try (Services services =
        Services.start(
            StudioHome.of(home),
            null,
            0,
            new Services.ServicePorts(Services.LOOPBACK, 0, -1),
            Set.of(AssessmentWorker.NAME, ValidationWorker.NAME),
            null)) {
      ManagedChannel channel =
          ManagedChannelBuilder.forTarget("localhost:" + services.apiPort()).usePlaintext().build();
      try {
        MigrationServiceGrpc.MigrationServiceBlockingStub api =
            MigrationServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
        StartResponse first = api.validate(StartRequest.newBuilder().setSpecText(text).build());
        assertEquals("validation-pair-1", first.getWorkflowId());
        assertEquals(BRANCH, first.getBranch());
        MigrationOutcome outcome =
            services.operator().awaitValidation(first.getWorkflowId(), 120_000).orElseThrow();
        assertEquals(MigrationState.FAILED, outcome.state(), outcome.message());
        assertEquals(
            Map.of("genre", List.of("extra ### []")),
            failures(validationJson(home)),
            outcome.message());

        StartResponse second = api.validate(StartRequest.newBuilder().setSpecText(text).build());
        assertEquals("validation-pair-2", second.getWorkflowId());
        services.operator().awaitValidation(second.getWorkflowId(), 120_000).orElseThrow();

        StatusRuntimeException refused =
            assertThrows(
                StatusRuntimeException.class,
                () -> api.validate(StartRequest.newBuilder().setSpecText("id: X\n").build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode());

        // `studio validate --server`: the same run through the operator API, same exit codes
        String server = "localhost:" + services.apiPort();
        Path spec = home.resolve("migration.yaml");
        Files.writeString(spec, text);
        Result fail = studio("validate", spec.toString(), "--server", server);
        assertEquals(1, fail.code(), fail.out() + fail.err());
        assertTrue(fail.out().contains("workflow validation-pair-3"), fail.out());
        assertTrue(fail.out().contains("validation pair FAIL"), fail.out());
        target.execute("DELETE FROM genre WHERE genre_id = 999");
        Result pass = studio("validate", spec.toString(), "--server", server);
        assertEquals(0, pass.code(), pass.out() + pass.err());
        assertTrue(pass.out().contains("validation pair PASS"), pass.out());
        Path bad = home.resolve("bad.yaml");
        Files.writeString(bad, "id: X\n");
        assertEquals(2, studio("validate", bad.toString(), "--server", server).code());

        // validation runs show in list and status, addressed by their workflow id
        Result list = studio("list", "--server", server);
        assertEquals(0, list.code(), list.err());
        for (int n = 1; n <= 4; n++) {
          assertTrue(
              list.out().lines().anyMatch(l -> l.matches("validation +validation-pair-\\d+ .*")),
              list.out());
          assertTrue(list.out().contains("validation-pair-" + n + " "), list.out());
        }
        assertTrue(
            list.out()
                .lines()
                .anyMatch(l -> l.matches("validation +validation-pair-4 +COMPLETED.*")),
            list.out());
        Result json = studio("list", "--json", "--server", server);
        JsonNode runs =
            Json.read(json.out().getBytes(StandardCharsets.UTF_8), JsonNode.class, "list");
        assertEquals(4, runs.size(), json.out());
        assertEquals("validation", runs.get(0).get("kind").asText(), json.out());
        assertEquals("validation-pair-1", runs.get(0).get("workflowId").asText(), json.out());
        Result status = studio("status", "validation-pair-3", "--server", server);
        assertEquals(0, status.code(), status.err());
        assertTrue(
            status.out().startsWith("validation run validation-pair-3 of pair  FAILED"),
            status.out());
        Result statusJson = studio("status", "validation-pair-4", "--json", "--server", server);
        JsonNode st =
            Json.read(statusJson.out().getBytes(StandardCharsets.UTF_8), JsonNode.class, "status");
        assertEquals("COMPLETED", st.get("state").asText());
        assertEquals("validation", st.get("kind").asText());
        assertEquals(1, studio("status", "validation-pair-99", "--server", server).code());
      } finally {
        channel.shutdownNow();
      }
    }
  }
}
