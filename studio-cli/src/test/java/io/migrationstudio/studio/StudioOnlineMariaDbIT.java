package io.migrationstudio.studio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.migrationstudio.core.git.GitArtifactStore;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.testkit.MariaDbExtension;
import io.migrationstudio.testkit.MariaDbSamples;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import io.migrationstudio.testkit.TestMariaDb;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end, {@code migrate.strategy: online} from MariaDB: {@code studio run} of Chinook into
 * PostgreSQL (snake_case names) while a writer changes the source through the copy and after it;
 * the binlog stream carries every change (compared row by row between the two servers, not through
 * the studio), cdc.json and Validation PASS.
 */
@ExtendWith({PostgresExtension.class, MariaDbExtension.class})
@Timeout(600)
@org.junit.jupiter.api.Disabled(
    "passes (298 s here, 533 s in a clean CI run) but for minutes no slice ran: the binlog slices"
        + " failed and were retried with backoff before the stream caught up; too slow for the"
        + " suite's 20-minute budget until that is diagnosed (issue 14)")
class StudioOnlineMariaDbIT {

  @Test
  void anOnlineRunFromMariaDbKeepsTheTargetInSync(
      TestMariaDb source, TestDatabase target, @TempDir Path home) throws Exception {
    MariaDbSamples.loadChinook(source);
    Path spec = home.resolve("migration.yaml");
    Files.writeString(
        spec,
        String.join(
            "\n",
            "id: e2e-online-mariadb",
            "source: { url: \"" + source.jdbcUrl() + "\", user: " + source.user() + " }",
            "target: { url: \"" + target.jdbcUrl() + "\", user: postgres }",
            "mapping: { naming: snake_case }",
            "migrate: { strategy: online, parallelism: 2, chunk_rows: 500 }",
            "cutover: { freeze: none }",
            ""));
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger written = new AtomicInteger();
    AtomicInteger afterCopy = new AtomicInteger();
    Thread writer =
        new Thread(() -> write(source, target, stop, written, afterCopy), "source-writer");
    writer.setDaemon(true);
    writer.start();
    try {
      StudioRunIT.runAutoApproved(spec, home);
    } finally {
      stop.set(true);
      writer.join(30_000);
    }
    assertTrue(written.get() > 0 && afterCopy.get() > 0, written + " / " + afterCopy);
    assertEquals(
        rows(source, "SELECT ArtistId, Name FROM Artist"),
        rows(target, "SELECT artist_id, name FROM artist"));
    assertEquals(
        rows(source, "SELECT AlbumId, Title, ArtistId FROM Album"),
        rows(target, "SELECT album_id, title, artist_id FROM album"));
    try (GitArtifactStore store = GitArtifactStore.open(home, null)) {
      String branch = "migrations/e2e-online-mariadb";
      JsonNode cdc =
          Json.read(
              store.read(branch, "03-migrate/cdc.json").orElseThrow(), JsonNode.class, "cdc.json");
      assertEquals("PASS", cdc.get("verdict").asText(), cdc.toString());
      assertTrue(cdc.get("stream").get("changes").asLong() > 0, cdc.toString());
      JsonNode validation =
          Json.read(
              store.read(branch, "04-validation/validation.json").orElseThrow(),
              JsonNode.class,
              "validation.json");
      assertEquals("PASS", validation.get("status").asText(), validation.toString());
    }
  }

  private static void write(
      TestMariaDb source,
      TestDatabase target,
      AtomicBoolean stop,
      AtomicInteger written,
      AtomicInteger afterCopy) {
    try (Connection c = source.connect()) {
      c.setAutoCommit(false);
      long copyDoneAt = 0;
      for (int i = 1; !stop.get(); i++) {
        try (Statement s = c.createStatement()) {
          int id = 100_000 + i;
          s.execute("INSERT INTO Artist (ArtistId, Name) VALUES (" + id + ", 'writer " + i + "')");
          s.execute(
              "UPDATE Album SET Title = CONCAT(LEFT(Title, 150), ' #"
                  + i
                  + "') WHERE AlbumId = "
                  + (i % 340 + 1));
          if (i % 5 == 0) {
            s.execute("DELETE FROM Artist WHERE ArtistId = " + (id - 3));
          }
          if (i % 7 == 0) {
            s.execute(
                "UPDATE Artist SET ArtistId = ArtistId + 500000 WHERE ArtistId = " + (id - 1));
          }
          c.commit();
          written.incrementAndGet();
        }
        if (copyDoneAt == 0 && copied(target)) {
          copyDoneAt = System.nanoTime();
        }
        if (copyDoneAt != 0) {
          afterCopy.incrementAndGet();
          if (System.nanoTime() - copyDoneAt > 3_000_000_000L) {
            return;
          }
        }
        Thread.sleep(20);
      }
    } catch (SQLException | InterruptedException e) {
      throw new IllegalStateException("the source writer failed", e);
    }
  }

  private static boolean copied(TestDatabase target) {
    try {
      return target.queryLong(
              "SELECT count(*) FROM pg_constraint WHERE contype = 'p'"
                  + " AND conrelid = to_regclass('public.artist')")
          > 0;
    } catch (RuntimeException notYet) {
      return false;
    }
  }

  private static List<String> rows(TestMariaDb db, String sql) throws SQLException {
    try (Connection c = db.connect()) {
      return rows(c, sql);
    }
  }

  private static List<String> rows(TestDatabase db, String sql) throws SQLException {
    try (Connection c = db.connect()) {
      return rows(c, sql);
    }
  }

  /** Every row as its columns' text joined by |, sorted. */
  private static List<String> rows(Connection c, String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= n; i++) {
          sb.append(i == 1 ? "" : "|").append(rs.getString(i));
        }
        out.add(sb.toString());
      }
    }
    out.sort(null);
    return out;
  }
}
