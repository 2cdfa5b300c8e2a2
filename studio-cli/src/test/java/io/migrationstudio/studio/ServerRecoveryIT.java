package io.migrationstudio.studio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.migrationstudio.core.db.SampleDatabases;
import io.migrationstudio.core.evidence.RunState;
import io.migrationstudio.core.git.GitArtifactStore;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code studio server} on the embedded (in-memory) Temporal, killed with SIGKILL while a migration
 * waits at an ask gate, then started again on the same home and ports: the migration is listed
 * again, waits at the same gate for the same commit without its producer or checker running again,
 * and approving that commit completes it with Validation PASS.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(900)
class ServerRecoveryIT {
  private static final String ID = "recover-e2e";
  private static final String BRANCH = "migrations/" + ID;

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

  @Test
  void aKilledServerResumesAMigrationWaitingAtAnAskGateForTheSameCommit(
      TestDatabase source, TestDatabase target, @TempDir Path home) throws Exception {
    try (Connection c = source.connect()) {
      SampleDatabases.loadChinookPostgres(c);
    }
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
                + " cutover: auto, identity: none }",
            "approvers: { default: [alice] }",
            ""));
    int[] ports = {
      EmbeddedTemporal.freePort(), EmbeddedTemporal.freePort(), EmbeddedTemporal.freePort()
    };
    String server = "localhost:" + ports[1];

    Process first = server(home, ports, "first");
    JsonNode waiting;
    try {
      awaitList(server, first, home, "first", "");
      Result started = studio("start", spec.toString(), "--server", server);
      assertEquals(0, started.code(), started.err());
      waiting = awaitStatus(server, s -> s.get("state").asText().equals("AWAITING_REVIEW"));
    } finally {
      first.destroyForcibly().waitFor(); // kill -9: the in-memory Temporal state is gone
    }
    assertEquals("MAPPING", waiting.get("stage").asText());
    String commit = waiting.get("reviewCommit").asText();

    Process second = server(home, ports, "second");
    try {
      // listed again after the restart (the server re-creates it once its services are up)
      awaitList(server, second, home, "second", ID);
      JsonNode again = awaitStatus(server, s -> s.get("state").asText().equals("AWAITING_REVIEW"));
      assertEquals("MAPPING", again.get("stage").asText(), again.toString());
      assertEquals(commit, again.get("reviewCommit").asText(), "the same commit awaits review");
      assertEquals("skipped", again.get("stages").get(0).get("state").asText(), again.toString());
      assertTrue(
          Files.readString(home.resolve("server-second.log")).contains("resumed " + BRANCH),
          "the server says what it resumed");

      Result approved =
          studio(
              "review",
              ID,
              "--stage",
              "mapping",
              "--approve",
              "--reviewer",
              "alice",
              "--commit",
              commit,
              "--server",
              server);
      assertEquals(0, approved.code(), approved.out() + approved.err());
      JsonNode end =
          awaitStatus(
              server,
              s ->
                  !s.get("state").asText().equals("RUNNING")
                      && !s.get("state").asText().equals("AWAITING_REVIEW"));
      assertEquals("COMPLETED", end.get("state").asText(), end.toString());
      // the status says COMPLETED before the last commit (state.json) lands: wait for it
      for (int i = 0; i < 400; i++) {
        Result state = studio("artifacts", ID, RunState.PATH, "--server", server);
        if (state.code() == 0 && state.out().contains("\"COMPLETED\"")) {
          break;
        }
        Thread.sleep(250);
      }
    } finally {
      second.destroyForcibly().waitFor();
    }

    try (GitArtifactStore store = GitArtifactStore.open(home, null)) {
      JsonNode validation =
          Json.read(
              store.read(BRANCH, "04-validation/validation.json").orElseThrow(),
              JsonNode.class,
              "validation.json");
      assertEquals("PASS", validation.get("status").asText(), validation.toString());
      List<String> authors = store.log(BRANCH).stream().map(c -> c.author()).toList();
      for (String role : List.of("inventory", "schema-mapper", "compatibility-reviewer")) {
        assertEquals(
            1, authors.stream().filter(role::equals).count(), role + " ran once: " + authors);
      }
      assertTrue(
          store.list(BRANCH, "reviews").stream().anyMatch(p -> p.contains("assessment-approve")),
          "the review before the kill is intact");
      assertEquals(
          "COMPLETED", RunState.read(store, BRANCH).orElseThrow().state().name(), "state.json");
    }
  }

  private static Process server(Path home, int[] ports, String name) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(
            java,
            "-cp",
            System.getProperty("java.class.path"),
            StudioMain.class.getName(),
            "server",
            "--home",
            home.toString(),
            "--port",
            String.valueOf(ports[0]),
            "--api-port",
            String.valueOf(ports[1]),
            "--http-port",
            String.valueOf(ports[2]))
        .redirectErrorStream(true)
        .redirectOutput(home.resolve("server-" + name + ".log").toFile())
        .start();
  }

  /**
   * Waits until the server's {@code studio list} names {@code expected}; fails when its process
   * died.
   */
  private static Result awaitList(String server, Process p, Path home, String name, String expected)
      throws Exception {
    for (int i = 0; i < 600; i++) {
      assertTrue(
          p.isAlive(),
          "the server ended: " + Files.readString(home.resolve("server-" + name + ".log")));
      Result r = studio("list", "--server", server);
      if (r.code() == 0 && r.out().contains(expected)) {
        return r;
      }
      Thread.sleep(500);
    }
    throw new AssertionError("the server never answered on " + server);
  }

  private static JsonNode awaitStatus(String server, Predicate<JsonNode> p) throws Exception {
    JsonNode last = null;
    for (int i = 0; i < 2400; i++) {
      Result r = studio("status", ID, "--json", "--server", server);
      if (r.code() == 0) {
        last = Json.read(r.out().getBytes(StandardCharsets.UTF_8), JsonNode.class, "status");
        assertTrue(!last.get("state").asText().equals("FAILED"), last.toString());
        if (p.test(last)) {
          return last;
        }
      }
      Thread.sleep(250);
    }
    throw new AssertionError("status never matched; last: " + last);
  }
}
