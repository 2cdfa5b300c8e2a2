package io.migrationstudio.studio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.migrationstudio.core.git.GitArtifactStore;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end, {@code migrate.strategy: online}: {@code studio run} of Chinook (PostgreSQL →
 * PostgreSQL) while a writer keeps changing the source (inserts, updates, deletes, key changes, in
 * multi-table transactions) through the copy; the writer stops once every chunk is copied and the
 * stream has had writes to apply. The migration completes with the stream caught up, Validation
 * PASS, every table equal by an independent comparison, and no slot or publication left behind.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(600)
class StudioOnlineIT {

  @Test
  void anOnlineRunKeepsTheTargetInSyncWhileTheSourceTakesWrites(
      TestDatabase source, TestDatabase target, @TempDir Path home) throws Exception {
    StudioRunIT.loadChinook(source);
    Path spec = home.resolve("migration.yaml");
    Files.writeString(
        spec,
        String.join(
            "\n",
            "id: e2e-online",
            "source: { url: \"" + source.jdbcUrl() + "\", user: postgres }",
            "target: { url: \"" + target.jdbcUrl() + "\", user: postgres }",
            "mapping: { naming: identity }",
            "migrate: { strategy: online, parallelism: 2, chunk_rows: 500 }",
            "validation: { sample_rows: 100 }",
            "cutover: { rto: PT5M }",
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
    assertTrue(written.get() > 0, "the writer wrote during the copy");
    assertTrue(afterCopy.get() > 0, "the writer wrote after the copy: the stream carried it");
    for (String table : List.of("artist", "album", "genre", "track", "invoice", "customer")) {
      assertEquals(
          StudioRunIT.fingerprint(source, table), StudioRunIT.fingerprint(target, table), table);
    }
    try (GitArtifactStore store = GitArtifactStore.open(home, null)) {
      String branch = "migrations/e2e-online";
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
    assertEquals(
        0,
        source.queryLong(
            "SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE 'studio%'"),
        "the slot is dropped at the end");
    assertEquals(
        0,
        source.queryLong("SELECT count(*) FROM pg_publication WHERE pubname LIKE 'studio%'"),
        "the publication is dropped at the end");
  }

  /**
   * Writes until the copy is done and then a little longer: new artists, title updates, deletes and
   * key changes of its own rows, each iteration one transaction over two tables.
   */
  static void write(
      TestDatabase source,
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
          s.execute("INSERT INTO artist (artist_id, name) VALUES (" + id + ", 'writer " + i + "')");
          s.execute(
              "UPDATE album SET title = left(title, 150) || ' #"
                  + i
                  + "' WHERE album_id = "
                  + (i % 340 + 1));
          if (i % 5 == 0) {
            s.execute("DELETE FROM artist WHERE artist_id = " + (id - 3));
          }
          if (i % 7 == 0) {
            s.execute(
                "UPDATE artist SET artist_id = artist_id + 500000 WHERE artist_id = " + (id - 1));
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
            return; // the stream has had writes to apply; Validation then sees a quiet source
          }
        }
        Thread.sleep(20);
      }
    } catch (SQLException | InterruptedException e) {
      throw new IllegalStateException("the source writer failed", e);
    }
  }

  /** Whether the copy has put every table's rows in place (the target's keys exist). */
  private static boolean copied(TestDatabase target) {
    try {
      return target.queryLong(
              "SELECT count(*) FROM pg_constraint WHERE contype = 'p' AND conrelid = 'public.artist'::regclass")
          > 0;
    } catch (RuntimeException notYet) {
      return false;
    }
  }
}
