package io.migrationstudio.studio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.migrationstudio.core.git.GitArtifactStore;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.SqliteDatabases;
import io.migrationstudio.testkit.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end: {@code studio run} on real databases where the run cannot complete. It must end with
 * exit 1, say why and leave the evidence on the branch; never wait forever.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(300)
class StudioRunFailureIT {

  /** What {@code studio} printed (stdout and stderr) and its exit code. */
  record Ran(int code, String printed) {}

  static Ran studio(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    int code;
    try {
      PrintStream both = new PrintStream(out, true, StandardCharsets.UTF_8);
      System.setOut(both);
      System.setErr(both);
      code = StudioMain.execute(args);
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
    return new Ran(code, out.toString(StandardCharsets.UTF_8));
  }

  /** A SQLite table whose INTEGER column holds one text value PostgreSQL integer cannot take. */
  static Path sqliteWithOneBadValue(Path dir) throws Exception {
    StringBuilder script =
        new StringBuilder("CREATE TABLE item (id INTEGER PRIMARY KEY, qty INTEGER NOT NULL);");
    for (int i = 1; i <= 50; i++) {
      script.append("INSERT INTO item VALUES (").append(i).append(", ").append(i).append(");");
    }
    script.append("UPDATE item SET qty = 'twelve' WHERE id = 17;");
    return SqliteDatabases.create(
        Files.createDirectories(dir).resolve("bad.db"), script.toString());
  }

  @Test
  void aRowOverTheRejectLimitEndsTheRunFailedWithRunJsonOnTheBranch(
      TestDatabase target, @TempDir Path home) throws Exception {
    Path db = sqliteWithOneBadValue(home.resolve("sqlite"));
    Path spec = home.resolve("reject.yaml");
    Files.writeString(
        spec,
        String.join(
            "\n",
            "id: e2e-reject",
            "source: { url: \"" + SqliteDatabases.url(db) + "\" }",
            "target: { url: \"" + target.jdbcUrl() + "\", user: postgres }",
            "mapping: { naming: identity }",
            "migrate: { parallelism: 1, chunk_rows: 1000, reject_limit: 0 }",
            ""));
    Ran run = studio("run", spec.toString(), "--auto-approve", "all", "--home", home.toString());
    assertEquals(1, run.code(), run.printed());
    assertTrue(run.printed().contains("FAILED"), run.printed());
    assertTrue(run.printed().contains("REJECT_LIMIT_EXCEEDED"), run.printed());
    assertTrue(run.printed().contains("table item"), run.printed());
    try (GitArtifactStore store = GitArtifactStore.open(home, null)) {
      byte[] bytes =
          store
              .read("migrations/e2e-reject", "03-migrate/run.json")
              .orElseThrow(() -> new AssertionError("no run.json on the branch"));
      JsonNode report = Json.read(bytes, JsonNode.class, "run.json");
      assertEquals("failed", report.get("status").asText(), report.toString());
      assertEquals("item", report.get("failure").get("table").asText(), report.toString());
      assertTrue(
          report.get("failure").get("reason").asText().contains("REJECT_LIMIT_EXCEEDED"),
          report.toString());
      assertTrue(
          report.get("failure").get("reason").asText().contains("twelve"), report.toString());
      assertFalse(
          store.list("migrations/e2e-reject", "").contains("04-validation/validation.json"),
          "the migration ends in Migrate");
    }
  }
}
