package io.migrationstudio.studio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.migrationstudio.core.git.GitArtifactStore;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code studio run} with {@code migrate.dry_run: true} on Chinook: the migration ends after the
 * Migrate stage, its evidence is {@code dry-run-report.md/.json} with every row counted, and the
 * target database has no table, no schema and no ledger afterwards.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(600)
class StudioDryRunIT {
  @Test
  void aDryRunCountsEveryRowCommitsItsReportAndLeavesTheTargetEmpty(
      TestDatabase source, TestDatabase target, @TempDir Path home) throws Exception {
    StudioRunIT.loadChinook(source);
    long targetRelations = target.queryLong("SELECT count(*) FROM pg_class");
    long targetSchemas = target.queryLong("SELECT count(*) FROM pg_namespace");
    Path spec = home.resolve("migration.yaml");
    Files.writeString(
        spec,
        StudioRunIT.spec("e2e-dry", source, target, 1000)
            .replace("chunk_rows: 1000 }", "chunk_rows: 1000, dry_run: true }"));

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream old = System.out;
    int code;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      code =
          StudioMain.execute(
              "run", spec.toString(), "--auto-approve", "all", "--home", home.toString());
    } finally {
      System.setOut(old);
    }
    String printed = out.toString(StandardCharsets.UTF_8);
    assertEquals(0, code, printed);
    assertTrue(printed.contains("dry run"), printed);

    assertEquals(targetRelations, target.queryLong("SELECT count(*) FROM pg_class"), "no table");
    assertEquals(targetSchemas, target.queryLong("SELECT count(*) FROM pg_namespace"), "no schema");

    try (GitArtifactStore store = GitArtifactStore.open(home, null)) {
      String branch = "migrations/e2e-dry";
      List<String> files = store.list(branch, "");
      assertTrue(files.contains("03-migrate/dry-run-report.md"), files.toString());
      assertTrue(files.contains("03-migrate/dry-run-check.json"), files.toString());
      assertFalse(files.contains("03-migrate/run.json"), "nothing was copied: " + files);
      assertFalse(files.stream().anyMatch(f -> f.startsWith("04-validation/")), files.toString());
      JsonNode report =
          Json.read(
              store.read(branch, "03-migrate/dry-run-report.json").orElseThrow(),
              JsonNode.class,
              "dry-run-report.json");
      assertEquals("PASS", report.get("status").asText(), report.toString());
      long sourceRows = 0;
      for (String t : List.of("album", "artist", "track", "invoice_line", "playlist_track")) {
        sourceRows += source.queryLong("SELECT count(*) FROM " + t);
      }
      assertTrue(report.get("rows").asLong() >= sourceRows, report.toString());
      assertEquals(report.get("rows").asLong(), report.get("would_write").asLong());
      assertEquals(11, report.get("tables").size());
    }
  }
}
