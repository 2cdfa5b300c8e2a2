package io.migrationstudio.studio;

import io.migrationstudio.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The source writer of the online end-to-end tests (Chinook on PostgreSQL or MariaDB): inserts,
 * updates, deletes and key changes in multi-table transactions through the copy and a little after
 * it. {@link StudioOnlineCutoverIT} (PostgreSQL) and {@link StudioOnlineMariaDbIT} (MariaDB) run it
 * through a whole online migration and its live cutover.
 */
final class OnlineWriter {
  private OnlineWriter() {}

  /** Opens a connection to the source. */
  @FunctionalInterface
  interface Connect {
    Connection open() throws SQLException;
  }

  /** Chinook's names and string concatenation on the source's engine. */
  enum Flavour {
    POSTGRES("artist", "artist_id", "name", "album", "album_id", "title") {
      @Override
      String suffixed(String column, String suffix) {
        return "left(" + column + ", 150) || '" + suffix + "'";
      }
    },
    MARIADB("Artist", "ArtistId", "Name", "Album", "AlbumId", "Title") {
      @Override
      String suffixed(String column, String suffix) {
        return "CONCAT(LEFT(" + column + ", 150), '" + suffix + "')";
      }
    };

    private final String artist;
    private final String artistId;
    private final String name;
    private final String album;
    private final String albumId;
    private final String title;

    Flavour(
        String artist, String artistId, String name, String album, String albumId, String title) {
      this.artist = artist;
      this.artistId = artistId;
      this.name = name;
      this.album = album;
      this.albumId = albumId;
      this.title = title;
    }

    /** {@code column}'s first 150 characters followed by {@code suffix}, in this engine's SQL. */
    abstract String suffixed(String column, String suffix);

    /**
     * Iteration {@code i}'s statements: a new artist, a retitled album, every 5th a deleted artist
     * and every 7th an artist's key change (the writer's own rows).
     */
    List<String> statements(int i) {
      int id = 100_000 + i;
      List<String> out = new java.util.ArrayList<>();
      out.add(
          "INSERT INTO "
              + artist
              + " ("
              + artistId
              + ", "
              + name
              + ") VALUES ("
              + id
              + ", 'writer "
              + i
              + "')");
      out.add(
          "UPDATE "
              + album
              + " SET "
              + title
              + " = "
              + suffixed(title, " #" + i)
              + " WHERE "
              + albumId
              + " = "
              + (i % 340 + 1));
      if (i % 5 == 0) {
        out.add("DELETE FROM " + artist + " WHERE " + artistId + " = " + (id - 3));
      }
      if (i % 7 == 0) {
        out.add(
            "UPDATE "
                + artist
                + " SET "
                + artistId
                + " = "
                + artistId
                + " + 500000 WHERE "
                + artistId
                + " = "
                + (id - 1));
      }
      return out;
    }
  }

  /** {@link #write(Connect, Flavour, TestDatabase, AtomicBoolean, AtomicInteger, AtomicInteger)} */
  static void write(
      TestDatabase source,
      TestDatabase target,
      AtomicBoolean stop,
      AtomicInteger written,
      AtomicInteger afterCopy) {
    write(source::connect, Flavour.POSTGRES, target, stop, written, afterCopy);
  }

  /**
   * Writes to {@code source} until the copy is done and then a little longer: new artists, title
   * updates, deletes and key changes of its own rows, each iteration one transaction over two
   * tables; {@code written} counts the transactions, {@code afterCopy} those after the copy.
   */
  static void write(
      Connect source,
      Flavour flavour,
      TestDatabase target,
      AtomicBoolean stop,
      AtomicInteger written,
      AtomicInteger afterCopy) {
    try (Connection c = source.open()) {
      c.setAutoCommit(false);
      long copyDoneAt = 0;
      for (int i = 1; !stop.get(); i++) {
        try (Statement s = c.createStatement()) {
          for (String sql : flavour.statements(i)) {
            s.execute(sql);
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
              "SELECT count(*) FROM pg_constraint WHERE contype = 'p'"
                  + " AND conrelid = to_regclass('public.artist')")
          > 0;
    } catch (RuntimeException notYet) {
      return false;
    }
  }
}
