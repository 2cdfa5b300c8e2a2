package io.migrationstudio.studio;

import static io.migrationstudio.studio.StudioRunFailureIT.studio;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.core.dialect.Dialect.WriteFreeze;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.git.GitArtifactStore;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end: {@code studio release SPEC|ID} lifts a write freeze the studio left on a real
 * PostgreSQL source (the cutover's write guards), names the tables, leaves other tables alone, is
 * idempotent, and finds the spec of a migration id on its branch in the studio home.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(120)
class StudioReleaseIT {
  static final List<String> FROZEN = List.of("public.\"Order Items\"", "public.invoice");

  @Test
  void releasesTheFreezeNamingTheTablesAndSaysWhenNothingIsFrozen(
      TestDatabase source, TestDatabase target, @TempDir Path home) throws Exception {
    source.execute(
        "CREATE TABLE \"Order Items\" (id integer PRIMARY KEY)",
        "CREATE TABLE invoice (id integer PRIMARY KEY)",
        "CREATE TABLE untouched (id integer PRIMARY KEY)");
    Path spec = home.resolve("shop.yaml");
    String yaml =
        String.join(
            "\n",
            "id: shop-release",
            "source: { url: \"" + source.jdbcUrl() + "\", user: postgres }",
            "target: { url: \"" + target.jdbcUrl() + "\", user: postgres }",
            "");
    Files.writeString(spec, yaml);
    String homeArg = home.resolve("studio").toString();

    freeze(source);
    assertRefused(source, "INSERT INTO invoice VALUES (1)");
    StudioRunFailureIT.Ran released = studio("release", spec.toString(), "--home", homeArg);
    assertEquals(0, released.code(), released.printed());
    assertTrue(
        released
            .printed()
            .contains(
                "shop-release: released the write freeze on 2 tables of "
                    + source.jdbcUrl()
                    + ": \"public\".\"Order Items\", \"public\".\"invoice\""),
        released.printed());
    source.execute(
        "INSERT INTO invoice VALUES (1)",
        "INSERT INTO \"Order Items\" VALUES (1)",
        "TRUNCATE invoice");

    StudioRunFailureIT.Ran again = studio("release", spec.toString(), "--home", homeArg);
    assertEquals(0, again.code(), again.printed());
    assertTrue(again.printed().contains("nothing to release: no table of"), again.printed());

    // by id: the spec comes from the migration's branch in the studio home
    try (GitArtifactStore store = GitArtifactStore.open(Path.of(homeArg), null)) {
      store.openBranch("migrations/shop-release");
      store.commit(
          "migrations/shop-release",
          "studio",
          "spec",
          Map.of(ArtifactPaths.SPEC, yaml.getBytes(StandardCharsets.UTF_8)));
    }
    freeze(source);
    StudioRunFailureIT.Ran byId = studio("release", "shop-release", "--home", homeArg);
    assertEquals(0, byId.code(), byId.printed());
    assertTrue(byId.printed().contains("released the write freeze on 2 tables"), byId.printed());
    source.execute("INSERT INTO invoice VALUES (2)");

    StudioRunFailureIT.Ran unknown = studio("release", "no-such-migration", "--home", homeArg);
    assertEquals(2, unknown.code(), unknown.printed());
    assertTrue(unknown.printed().contains("no migration no-such-migration"), unknown.printed());
  }

  /** A freeze as the cutover leaves it (write guards on the tables in scope). */
  private static void freeze(TestDatabase source) throws SQLException {
    WriteFreeze f = Dialects.forUrl(source.jdbcUrl()).writeFreeze().orElseThrow();
    try (Connection c = source.connect()) {
      f.freezeWrites(c, FROZEN, Duration.ofSeconds(5));
    }
  }

  private static void assertRefused(TestDatabase db, String sql) {
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> db.execute(sql));
    assertEquals("25006", ((SQLException) e.getCause()).getSQLState());
  }
}
