package io.migrationstudio.studio;

import io.migrationstudio.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The source writer of the online end-to-end tests (Chinook on PostgreSQL): inserts, updates,
 * deletes and key changes in multi-table transactions through the copy and a little after it.
 * {@link StudioOnlineCutoverIT} runs it through a whole online migration and its live cutover.
 */
final class OnlineWriter {
  private OnlineWriter() {}

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
