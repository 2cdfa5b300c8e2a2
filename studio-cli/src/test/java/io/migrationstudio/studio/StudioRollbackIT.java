package io.migrationstudio.studio;

import static io.migrationstudio.studio.StudioRunFailureIT.studio;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.core.dialect.Dialect.WriteFreeze;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.mapping.ColumnMapping;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.MappingLoader;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.schema.CanonicalType;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code studio rollback} end to end on one embedded server (source and target databases): the
 * reverse stream started at the switch point with {@code --start-reverse}, writes on the target,
 * then the rollback brings them to the frozen source and unfreezes it.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(180)
class StudioRollbackIT {
  private static final String TABLE =
      "CREATE TABLE item (id serial PRIMARY KEY, n text);"
          + " INSERT INTO item (n) SELECT 'n' || g FROM generate_series(1, 5) g;";

  @Test
  void startReverseThenRollbackBringsTheTargetsWritesToTheSource(
      TestDatabase source, TestDatabase target, @TempDir Path home) throws Exception {
    source.execute(TABLE);
    target.execute(TABLE); // as the copy left it
    Path mapping = home.resolve("mapping.yaml");
    Files.write(mapping, MappingLoader.renderBytes(mapping()));
    String id = "e2e-rollback-" + Long.toHexString(System.nanoTime() & 0xffffff);
    Path spec = home.resolve("migration.yaml");
    Files.writeString(
        spec,
        String.join(
            "\n",
            "id: " + id,
            "cutover: { hypercare: PT0S }", // ends at the switch
            "source: { url: \"" + source.jdbcUrl() + "\", user: postgres }",
            "target: { url: \"" + target.jdbcUrl() + "\", user: postgres }",
            ""));
    WriteFreeze guards = Dialects.forName("postgresql").writeFreeze().orElseThrow();
    try (Connection src = source.connect()) {
      guards.freezeWrites(src, List.of("public.item"), Duration.ofSeconds(10));
    }
    String homeArg = home.resolve("studio").toString();
    StudioRunFailureIT.Ran started =
        studio(
            "rollback",
            spec.toString(),
            "--start-reverse",
            "--mapping",
            mapping.toString(),
            "--home",
            homeArg);
    assertEquals(0, started.code(), started.printed());
    target.execute(
        "INSERT INTO item (n) VALUES ('on target')",
        "UPDATE item SET n = 'changed' WHERE id = 2",
        "DELETE FROM item WHERE id = 3");

    StudioRunFailureIT.Ran rolled =
        studio("rollback", spec.toString(), "--mapping", mapping.toString(), "--home", homeArg);
    assertEquals(0, rolled.code(), rolled.printed());
    assertTrue(rolled.printed().contains("Verdict: **PASS**"), rolled.printed());
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      assertEquals(rows(tgt), rows(src));
      assertEquals(6, source.queryLong("SELECT nextval('item_id_seq')") - 1, "past the target's 6");
      assertEquals(null, guards.tryWrite(src, "public.item"), "the source takes writes");
    }
  }

  private static MappingDocument mapping() {
    return new MappingDocument(
        MappingDocument.CURRENT_VERSION,
        "identity",
        "postgresql",
        "public",
        "public",
        List.of(
            new TableMapping(
                "item",
                "item",
                null,
                List.of("id"),
                List.of(
                    ColumnMapping.mapped("id", "integer", CanonicalType.INTEGER).build(),
                    ColumnMapping.mapped("n", "text", CanonicalType.TEXT).nullable(true).build()),
                null,
                null,
                null)),
        null);
  }

  private static String rows(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT string_agg(id || ':' || n, ',' ORDER BY id) FROM item")) {
      rs.next();
      return rs.getString(1);
    }
  }
}
