package io.migrationstudio.studio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code studio diff}: exit 0 compatible, 1 breaking, 2 invalid input; files written by --out. */
class DiffCommandTest {

  private static Path copy(Path dir, String name) throws Exception {
    Path p = dir.resolve(name + ".json");
    try (InputStream in =
        DiffCommandTest.class
            .getClassLoader()
            .getResourceAsStream(
                "testdata/migration-architect/database_schema_" + name + ".json")) {
      Files.write(p, in.readAllBytes());
    }
    return p;
  }

  /**
   * Two {@code inventory.json} files, OLD with a sampled consumer: a dropped column breaks, and the
   * Markdown names the consumer as affected.
   */
  @Test
  void anInventorysSampledConsumersAreNamedAsAffected(@TempDir Path dir) throws Exception {
    io.migrationstudio.core.schema.Column id =
        io.migrationstudio.core.schema.Column.builder(
                "id", "integer", io.migrationstudio.core.schema.CanonicalType.INTEGER)
            .position(1)
            .build();
    io.migrationstudio.core.schema.Column note =
        io.migrationstudio.core.schema.Column.builder(
                "note", "text", io.migrationstudio.core.schema.CanonicalType.TEXT)
            .position(2)
            .nullable(true)
            .build();
    Path before = dir.resolve("before.json");
    Path after = dir.resolve("after.json");
    Files.writeString(
        before,
        io.migrationstudio.core.report.Json.write(
            inventory(
                java.util.List.of(id, note),
                java.util.List.of(
                    new io.migrationstudio.core.schema.ConsumerInfo(
                        "billing", "app", "10.0.0.7", 2, "idle")))));
    Files.writeString(
        after,
        io.migrationstudio.core.report.Json.write(
            inventory(java.util.List.of(id), java.util.List.of())));
    Path out = dir.resolve("out");
    assertEquals(
        1,
        StudioMain.execute("diff", before.toString(), after.toString(), "--out", out.toString()));
    String md = Files.readString(out.resolve("diff.md"), StandardCharsets.UTF_8);
    assertTrue(md.contains("## Consumers affected"), md);
    assertTrue(md.contains("- `billing` as `app` from `10.0.0.7` (2 sessions)"), md);
  }

  private static io.migrationstudio.core.schema.Inventory inventory(
      java.util.List<io.migrationstudio.core.schema.Column> columns,
      java.util.List<io.migrationstudio.core.schema.ConsumerInfo> consumers) {
    return new io.migrationstudio.core.schema.Inventory(
        "postgresql",
        "16.4",
        "d",
        "public",
        java.util.List.of(
            new io.migrationstudio.core.schema.TableInfo(
                "public",
                "t",
                columns,
                null,
                null,
                null,
                null,
                null,
                0,
                0,
                null,
                java.util.List.of(),
                null,
                java.util.List.of(),
                false,
                null,
                null)),
        null,
        null,
        java.util.List.of("t"),
        null,
        null,
        null,
        null,
        consumers);
  }

  @Test
  void exitCodesSayWhetherAChangeBreaks(@TempDir Path dir) throws Exception {
    Path before = copy(dir, "before");
    Path after = copy(dir, "after");
    Path out = dir.resolve("out");
    assertEquals(
        0,
        StudioMain.execute("diff", before.toString(), after.toString(), "--out", out.toString()));
    String md = Files.readString(out.resolve("diff.md"), StandardCharsets.UTF_8);
    assertTrue(md.contains("0 breaking"), md);
    assertTrue(md.contains("DDL written for postgresql (server version unknown)"), md);
    assertEquals(
        0,
        StudioMain.execute(
            "diff",
            before.toString(),
            after.toString(),
            "--target-version",
            "16.4",
            "--out",
            out.toString()));
    md = Files.readString(out.resolve("diff.md"), StandardCharsets.UTF_8);
    assertTrue(md.contains("DDL written for postgresql 16.4."), md);
    assertTrue(
        Files.readString(out.resolve("rollback.sql")).contains("DROP TABLE \"user_preferences\""));
    assertTrue(Files.readString(out.resolve("diff.json")).contains("\"forward\""));
    assertEquals(1, StudioMain.execute("diff", after.toString(), before.toString()));
    Path bad = dir.resolve("bad.json");
    Files.writeString(bad, "{\"not\": \"a schema\"}");
    assertEquals(2, StudioMain.execute("diff", before.toString(), bad.toString()));
    Files.writeString(bad, "{ broken");
    assertEquals(2, StudioMain.execute("diff", before.toString(), bad.toString()));
    assertEquals(2, StudioMain.execute("diff", before.toString(), dir.resolve("none").toString()));
  }
}
