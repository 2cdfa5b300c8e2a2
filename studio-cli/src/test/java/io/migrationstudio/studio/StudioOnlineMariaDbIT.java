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
 * the binlog stream carries every change (each server hashes its own rows' text, not through the
 * studio), cdc.json and Validation PASS, and the migration's end leaves no binlog reader connected
 * to the source.
 */
@ExtendWith({PostgresExtension.class, MariaDbExtension.class})
@Timeout(600)
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
            "cutover: { hypercare: PT0S, freeze: none }",
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
    assertSameRows(
        source,
        "Artist",
        "ArtistId, Name",
        "CONCAT_WS('|', ArtistId, COALESCE(Name, '-'))",
        target,
        "artist",
        "artist_id, name",
        "concat_ws('|', artist_id, coalesce(name, '-'))");
    assertSameRows(
        source,
        "Album",
        "AlbumId, Title, ArtistId",
        "CONCAT_WS('|', AlbumId, Title, ArtistId)",
        target,
        "album",
        "album_id, title, artist_id",
        "concat_ws('|', album_id, title, artist_id)");
    // the migration's end closed the binlog reader: no dump thread is left on the source
    long deadline = System.nanoTime() + 15_000_000_000L;
    while (source.queryLong(
            "SELECT count(*) FROM information_schema.PROCESSLIST WHERE COMMAND LIKE 'Binlog Dump%'")
        > 0) {
      assertTrue(System.nanoTime() < deadline, "a binlog reader is still connected to the source");
      Thread.sleep(200);
    }
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

  /**
   * The table's rows hash the same on both servers: each computes the md5 of its rows' text (the
   * columns joined by |, in the order of the first column, the key) itself; the rows are compared
   * one by one for the message.
   */
  private static void assertSameRows(
      TestMariaDb source,
      String sourceTable,
      String sourceColumns,
      String sourceText,
      TestDatabase target,
      String targetTable,
      String targetColumns,
      String targetText)
      throws SQLException {
    String want =
        one(
            source,
            "SELECT CONCAT(count(*), ':', md5(GROUP_CONCAT("
                + sourceText
                + " ORDER BY "
                + sourceColumns.split(",")[0]
                + " SEPARATOR '\\n'))) FROM "
                + sourceTable);
    String got =
        one(
            target,
            "SELECT count(*) || ':' || md5(string_agg("
                + targetText
                + ", E'\\n' ORDER BY "
                + targetColumns.split(",")[0]
                + ")) FROM "
                + targetTable);
    if (!want.equals(got)) {
      assertEquals(
          rows(source, "SELECT " + sourceColumns + " FROM " + sourceTable),
          rows(target, "SELECT " + targetColumns + " FROM " + targetTable),
          sourceTable + ": " + want + " on the source, " + got + " on the target");
    }
    assertEquals(want, got, sourceTable);
  }

  private static String one(TestMariaDb db, String sql) throws SQLException {
    try (Connection c = db.connect()) {
      return rows(c, sql).get(0);
    }
  }

  private static String one(TestDatabase db, String sql) throws SQLException {
    try (Connection c = db.connect()) {
      return rows(c, sql).get(0);
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
