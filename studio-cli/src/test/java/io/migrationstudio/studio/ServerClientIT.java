package io.migrationstudio.studio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.migrationstudio.core.db.SampleDatabases;
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
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server with every worker, driven only through the client commands over gRPC: start, status,
 * list, review (refused and accepted) and artifacts, with a real ask gate on Mapping.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(300)
class ServerClientIT {
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

  private static JsonNode status(String server, String id) {
    Result r = studio("status", id, "--json", "--server", server);
    assertEquals(0, r.code(), r.err());
    return Json.read(r.out().getBytes(StandardCharsets.UTF_8), JsonNode.class, "status");
  }

  @Test
  void clientCommandsDriveAMigrationThroughAnAskGate(
      TestDatabase source, TestDatabase target, @TempDir Path home) throws Exception {
    try (Connection c = source.connect()) {
      SampleDatabases.loadChinookPostgres(c);
    }
    Path spec = home.resolve("migration.yaml");
    Files.writeString(
        spec,
        String.join(
            "\n",
            "id: client-e2e",
            "cutover: { hypercare: PT0S }", // ends at the switch
            "source: { url: \"" + source.jdbcUrl() + "\", user: postgres }",
            "target: { url: \"" + target.jdbcUrl() + "\", user: postgres }",
            "reviews: { assessment: auto, mapping: ask, migrate: auto, validation: auto, cutover: auto,"
                + " identity: none }",
            "approvers: { default: [alice] }",
            ""));
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
      assertTrue(started.out().contains("client-e2e"), started.out());

      JsonNode st;
      do {
        Thread.sleep(300);
        st = status(server, "client-e2e");
        assertTrue(!st.get("state").asText().equals("FAILED"), st.toString());
      } while (!st.get("state").asText().equals("AWAITING_REVIEW"));
      assertEquals("MAPPING", st.get("stage").asText());
      String commit = st.get("reviewCommit").asText();
      Result waiting =
          studio("list", "--stage", "mapping", "--state", "awaiting_review", "--server", server);
      assertTrue(waiting.out().contains("client-e2e"), "listed while it waits: " + waiting.out());

      Result refused =
          studio(
              "review",
              "client-e2e",
              "--stage",
              "mapping",
              "--approve",
              "--reviewer",
              "mallory",
              "--server",
              server);
      assertTrue(refused.code() != 0, refused.out());
      assertTrue(refused.err().contains("not an approver"), refused.err());

      Result listing = studio("artifacts", "client-e2e", "--server", server);
      assertEquals(0, listing.code(), listing.err());
      assertTrue(listing.out().contains("02-mapping/mapping.yaml"), listing.out());
      Result mapping =
          studio(
              "artifacts",
              "client-e2e",
              "02-mapping/mapping.yaml",
              "--commit",
              commit,
              "--server",
              server);
      assertTrue(mapping.out().contains("tables:"), mapping.out());

      Result approved =
          studio(
              "review",
              "client-e2e",
              "--stage",
              "mapping",
              "--approve",
              "--reviewer",
              "alice",
              "--comment",
              "types checked",
              "--server",
              server);
      assertEquals(0, approved.code(), approved.err());

      Result watched = studio("watch", "client-e2e", "--server", server);
      assertEquals(0, watched.code(), watched.out() + watched.err());
      assertTrue(watched.out().contains("migration client-e2e COMPLETED"), watched.out());
      assertTrue(watched.out().contains("validation"), "stages as they end: " + watched.out());
      st = status(server, "client-e2e");
      assertEquals("COMPLETED", st.get("state").asText(), st.toString());
      Result unknown = studio("watch", "no-such-migration", "--server", server);
      assertTrue(unknown.code() != 0, unknown.out());

      Result list = studio("list", "--server", server);
      assertTrue(list.out().contains("client-e2e") && list.out().contains("COMPLETED"), list.out());
      // filters on the search attributes' values (stage, state), on the embedded Temporal too
      Result completed = studio("list", "--state", "completed", "--server", server);
      assertEquals(0, completed.code(), completed.err());
      assertTrue(completed.out().contains("client-e2e"), completed.out());
      Result atCutover =
          studio("list", "--stage", "cutover", "--state", "COMPLETED", "--server", server);
      assertTrue(atCutover.out().contains("client-e2e"), atCutover.out());
      for (String[] other :
          List.of(new String[] {"--state", "RUNNING"}, new String[] {"--stage", "mapping"})) {
        Result none = studio("list", other[0], other[1], "--server", server);
        assertEquals(0, none.code(), none.err());
        assertFalse(none.out().contains("client-e2e"), String.join(" ", other) + ": " + none.out());
      }
      Result badState = studio("list", "--state", "DONE", "--server", server);
      assertEquals(2, badState.code(), badState.out());
      assertTrue(badState.err().contains("AWAITING_REVIEW"), "names the states: " + badState.err());
      Result text = studio("status", "client-e2e", "--server", server);
      assertTrue(text.out().contains("review mapping APPROVE by alice"), text.out());
    }
  }
}
