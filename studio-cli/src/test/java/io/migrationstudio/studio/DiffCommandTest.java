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
