package io.migrationstudio.studio;

import io.migrationstudio.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The source writer of the online end-to-end tests (Chinook on PostgreSQL, Sakila on MariaDB):
 * inserts, updates, deletes and key changes in multi-table transactions through the copy and a
 * little after it. {@link StudioOnlineCutoverIT} (PostgreSQL) and {@link StudioOnlineMariaDbIT}
 * (MariaDB) run it through a whole online migration and its live cutover.
 */
final class OnlineWriter {
  private OnlineWriter() {}

  /** Opens a connection to the source. */
  @FunctionalInterface
  interface Connect {
    Connection open() throws SQLException;
  }

  /** The sample's names and statements on the source's engine. */
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
    },
    /**
     * Sakila on MariaDB: each iteration a new actor, a retitled film (its {@code upd_film} trigger
     * rewrites {@code film_text} in the same transaction), a moved address (GEOMETRY and the
     * TIMESTAMP {@code ON UPDATE}), a returned rental (DATETIME), a new rental with its payment;
     * every 5th deletes the writer's actor and its rental and payment of 3 iterations before, every
     * 7th changes the key of a writer's actor, of a Sakila actor with {@code film_actor} rows
     * (whose cascade the binlog does not carry), and a film's category (a composite key), all of it
     * during the copy too (parents and children on either side of their chunks' snapshots: the
     * applier holds the target's keys and carries the cascades), every 11th inserts a film ({@code
     * ins_film} trigger) and deletes the writer's film of 11 iterations before ({@code del_film}).
     */
    SAKILA("actor", "actor_id", "first_name", "film", "film_id", "title") {
      @Override
      String suffixed(String column, String suffix) {
        return "CONCAT(LEFT(" + column + ", 100), '" + suffix + "')";
      }

      @Override
      List<String> statements(int i, boolean copied) {
        int actor = 10_000 + i;
        List<String> out = new java.util.ArrayList<>();
        out.add(
            "INSERT INTO actor (actor_id, first_name, last_name) VALUES ("
                + actor
                + ", 'WRITER', 'NO "
                + i
                + "')");
        out.add(
            "UPDATE film SET title = "
                + suffixed("title", " #" + i)
                + " WHERE film_id = "
                + (i % 1000 + 1));
        out.add(
            "UPDATE address SET location = POINT("
                + (i % 180)
                + ", "
                + (i % 90)
                + ".5) WHERE address_id = "
                + (i % 600 + 1));
        out.add("UPDATE rental SET return_date = NOW() WHERE rental_id = " + (i % 16_000 + 1));
        // a new parent and its child (and below their deletes), during the copy too
        out.add(
            "INSERT INTO rental (rental_date, inventory_id, customer_id, staff_id) VALUES (NOW(), "
                + inventory(i)
                + ", "
                + customer(i)
                + ", 1)");
        out.add(
            "INSERT INTO payment (customer_id, staff_id, rental_id, amount, payment_date)"
                + " VALUES ("
                + customer(i)
                + ", 2, LAST_INSERT_ID(), 0.99, NOW())");
        if (i % 5 == 0) {
          String writers =
              "SELECT rental_id FROM rental WHERE rental_date > '2020-01-01' AND inventory_id = "
                  + inventory(i - 3)
                  + " AND customer_id = "
                  + customer(i - 3);
          out.add("DELETE FROM payment WHERE rental_id IN (" + writers + ")");
          out.add("DELETE FROM rental WHERE rental_id IN (SELECT * FROM (" + writers + ") w)");
        }
        if (i % 5 == 0) {
          out.add("DELETE FROM actor WHERE actor_id = " + (actor - 3));
        }
        if (i % 7 == 0) {
          out.add("UPDATE actor SET actor_id = actor_id + 20000 WHERE actor_id = " + (actor - 1));
          // a Sakila actor with film_actor rows (ON UPDATE CASCADE): the binlog carries the
          // actor's move only, the applier carries the children's (the chunk rule); 50101-50200
          // stay clear of the writer's own actors (10001-, moved to 30000-; smallint unsigned).
          // During the copy too: each chunk reads its own snapshot, the load adds the keys NOT
          // VALID and the Validation stage validates them (docs/change-capture.md)
          out.add(
              "UPDATE actor SET actor_id = actor_id + 50000 WHERE actor_id = "
                  + (101 + i / 7 % 100));
          out.add(
              "UPDATE film_category SET category_id = category_id % 16 + 1 WHERE film_id = "
                  + (i % 1000 + 1));
        }
        if (i % 11 == 0) {
          out.add(
              "INSERT INTO film (film_id, title, description, language_id) VALUES ("
                  + (5_000 + i)
                  + ", 'WRITER FILM "
                  + i
                  + "', 'written during the copy', 1)");
          out.add("DELETE FROM film WHERE film_id = " + (5_000 + i - 11));
        }
        return out;
      }

      /**
       * film_actor's foreign key to actor: finishing the load makes it after every chunk (a table
       * and its primary key can exist before its chunks are copied).
       */
      @Override
      String copiedWhen() {
        return "contype = 'f' AND conrelid = to_regclass('public.film_actor')"
            + " AND confrelid = to_regclass('public.actor')";
      }

      private int inventory(int i) {
        return i % 4581 + 1;
      }

      private int customer(int i) {
        return i % 599 + 1;
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

    /**
     * The target's constraint that shows the copy has put the rows in place (pg_constraint's
     * condition): the artist table's primary key.
     */
    String copiedWhen() {
      return "contype = 'p' AND conrelid = to_regclass('public."
          + artist.toLowerCase(java.util.Locale.ROOT)
          + "')";
    }

    /** {@code column}'s first 150 characters followed by {@code suffix}, in this engine's SQL. */
    abstract String suffixed(String column, String suffix);

    /**
     * Iteration {@code i}'s statements ({@code copied}: the target's keys exist): a new artist, a
     * retitled album, every 5th a deleted artist and every 7th an artist's key change (the writer's
     * own rows).
     */
    List<String> statements(int i, boolean copied) {
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
          for (String sql : flavour.statements(i, copyDoneAt != 0)) {
            s.execute(sql);
          }
          c.commit();
          written.incrementAndGet();
        }
        if (copyDoneAt == 0 && copied(target, flavour.copiedWhen())) {
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

  /** Whether the target has the constraint {@code where} selects from pg_constraint. */
  private static boolean copied(TestDatabase target, String where) {
    try {
      return target.queryLong("SELECT count(*) FROM pg_constraint WHERE " + where) > 0;
    } catch (RuntimeException notYet) {
      return false;
    }
  }
}
