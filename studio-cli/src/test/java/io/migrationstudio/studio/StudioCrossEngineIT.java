package io.migrationstudio.studio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.migrationstudio.core.git.GitArtifactStore;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.testkit.MariaDbExtension;
import io.migrationstudio.testkit.MariaDbSamples;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.SqliteDatabases;
import io.migrationstudio.testkit.TestDatabase;
import io.migrationstudio.testkit.TestMariaDb;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code studio run} from MariaDB and from SQLite into PostgreSQL, all five stages. */
@ExtendWith({PostgresExtension.class, MariaDbExtension.class})
@Timeout(600)
class StudioCrossEngineIT {

  private static String run(
      Path home, String id, String sourceUrl, String sourceUser, TestDatabase target)
      throws Exception {
    Path spec = home.resolve(id + ".yaml");
    Files.writeString(
        spec,
        String.join(
            "\n",
            "id: " + id,
            "source: { url: \""
                + sourceUrl
                + "\""
                + (sourceUser == null ? "" : ", user: " + sourceUser)
                + " }",
            "target: { url: \"" + target.jdbcUrl() + "\", user: postgres }",
            "mapping: { naming: snake_case }",
            "migrate: { parallelism: 2, chunk_rows: 2000 }",
            // the shared test MariaDB must stay writable for other tests
            "cutover: { hypercare: PT0S, freeze: none }",
            ""));
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
    return printed;
  }

  private static void assertValidationPassed(Path home, String id) {
    try (GitArtifactStore store = GitArtifactStore.open(home, null)) {
      byte[] bytes = store.read("migrations/" + id, "04-validation/validation.json").orElseThrow();
      JsonNode v = Json.read(bytes, JsonNode.class, "validation.json");
      assertEquals("PASS", v.get("status").asText(), v.toString());
    }
  }

  @Test
  void chinookFromMariaDbArrivesInPostgresWithSnakeCaseNames(
      TestMariaDb chinook, TestDatabase target, @TempDir Path home) throws Exception {
    MariaDbSamples.loadChinook(chinook);
    run(home, "chinook-mariadb", chinook.jdbcUrl(), chinook.user(), target);
    assertValidationPassed(home, "chinook-mariadb");
    assertEquals(3503, target.queryLong("SELECT count(*) FROM track"));
    assertEquals(8715, target.queryLong("SELECT count(*) FROM playlist_track"));
    assertEquals(
        1,
        target.queryLong(
            "SELECT count(*) FROM information_schema.columns WHERE table_name = 'invoice'"
                + " AND column_name = 'total' AND data_type = 'numeric' AND numeric_scale = 2"));
  }

  /**
   * A MariaDB server whose global time zone is {@code +03:00} (reset after): every timestamp
   * arrives as the instant the server states ({@code UNIX_TIMESTAMP}), every datetime as its wall
   * value, compared by the two servers, not through the studio.
   */
  @Test
  void aServerOutsideUtcArrivesWithEveryInstantAndWallValue(
      TestMariaDb shop, TestDatabase target, @TempDir Path home) throws Exception {
    shop.execute("SET GLOBAL time_zone = '+03:00'");
    try {
      shop.execute(
          "CREATE TABLE orders (id int PRIMARY KEY, placed timestamp(6) NULL DEFAULT NULL,"
              + " due datetime(3) NULL)",
          "INSERT INTO orders VALUES (1, '2024-01-15 07:34:33.25', '2024-01-15 07:34:33.25'),"
              + " (2, '2024-07-01 00:00:00.000001', '2024-07-01 00:00:00'), (3, NULL, NULL)");
      run(home, "zoned-mariadb", shop.jdbcUrl(), shop.user(), target);
      assertValidationPassed(home, "zoned-mariadb");
      for (long id = 1; id <= 2; id++) {
        assertEquals(
            shop.queryLong("SELECT UNIX_TIMESTAMP(placed) * 1000000 FROM orders WHERE id = " + id),
            target.queryLong(
                "SELECT (extract(epoch FROM placed) * 1000000)::bigint FROM orders WHERE id = "
                    + id),
            "instant of row " + id);
        assertEquals(
            shop.queryLong(
                "SELECT TIMESTAMPDIFF(MICROSECOND, '1970-01-01', due) FROM orders WHERE id = "
                    + id),
            target.queryLong(
                "SELECT (extract(epoch FROM due) * 1000000)::bigint FROM orders WHERE id = " + id),
            "wall value of row " + id);
      }
    } finally {
      shop.execute("SET GLOBAL time_zone = 'SYSTEM'");
    }
  }

  @Test
  void chinookFromSqliteArrivesInPostgres(TestDatabase target, @TempDir Path home)
      throws Exception {
    Path file = SqliteDatabases.chinook(Files.createDirectories(home.resolve("sqlite")));
    run(home, "chinook-sqlite", SqliteDatabases.url(file), null, target);
    assertValidationPassed(home, "chinook-sqlite");
    assertEquals(2240, target.queryLong("SELECT count(*) FROM invoice_line"));
    assertTrue(target.queryLong("SELECT max(invoice_line_id) FROM invoice_line") > 0);
  }
}
