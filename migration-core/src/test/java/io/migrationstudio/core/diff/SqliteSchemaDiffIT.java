package io.migrationstudio.core.diff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.core.spec.SecretResolver;
import io.migrationstudio.testkit.SqliteDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SchemaDiff} between two SQLite files writes what SQLite's {@code ALTER TABLE} can run (add
 * and drop columns, create and drop tables and indexes) as such, and the rest (a column's type,
 * nullability or default, a primary, unique or foreign key, a CHECK) as SQLite's documented 12-step
 * table rebuild: the forward script run on a copy of the old file holding rows gives the new file's
 * catalogue and keeps the rows, the rollback script on the result gives the old catalogue back.
 */
class SqliteSchemaDiffIT {
  private static final SecretResolver SECRETS = new SecretResolver(Map.of());

  @Test
  void theForwardScriptRunsOnSqliteAndLeavesNoDifference(@TempDir Path dir) throws Exception {
    Path older =
        SqliteDatabases.create(
            dir.resolve("old.db"),
            "CREATE TABLE users (id INTEGER PRIMARY KEY, email VARCHAR(255) NOT NULL, legacy INT);"
                + "CREATE TABLE old_audit (id INTEGER PRIMARY KEY, what TEXT);");
    Path newer =
        SqliteDatabases.create(
            dir.resolve("new.db"),
            "CREATE TABLE users (id INTEGER PRIMARY KEY, email VARCHAR(320) NOT NULL,"
                + " nick TEXT UNIQUE);"
                + "CREATE TABLE prefs (user_id INTEGER PRIMARY KEY, theme TEXT NOT NULL DEFAULT"
                + " 'light');"
                + "CREATE INDEX idx_prefs_theme ON prefs (theme);");
    String oldUrl = SqliteDatabases.url(older);
    assertEquals("sqlite", DiffReport.engineOf(oldUrl).name());
    DiffSchema before = DiffReport.readLive(oldUrl, null, null, null, SECRETS);
    DiffSchema after = DiffReport.readLive(SqliteDatabases.url(newer), null, null, null, SECRETS);
    List<SchemaDiff.Change> changes =
        SchemaDiff.compare(DiffReport.engineOf(oldUrl), before, after);
    try (Connection c = DriverManager.getConnection(oldUrl)) {
      run(c, SchemaDiff.forward(changes));
    }
    assertEquals(
        List.of(),
        objects(
            SchemaDiff.compare(
                DiffReport.engineOf(oldUrl),
                DiffReport.readLive(oldUrl, null, null, null, SECRETS),
                after)),
        "the type change and the new unique key applied by the rebuild, the rest by ALTER TABLE");
  }

  @Test
  void theRebuildCarriesRowsForwardAndTheRollbackRestoresTheOldCatalogue(@TempDir Path dir)
      throws Exception {
    String common =
        "CREATE TABLE authors (id INTEGER PRIMARY KEY, name TEXT NOT NULL);"
            + "CREATE TRIGGER authors_gone AFTER DELETE ON authors BEGIN"
            + " INSERT INTO log (what) SELECT 'books of ' || old.id FROM books WHERE author_id = old.id;"
            + " END;";
    Path older =
        SqliteDatabases.create(
            dir.resolve("old.db"),
            common
                + "CREATE TABLE log (what TEXT);"
                + "CREATE TABLE books (id INTEGER PRIMARY KEY, title VARCHAR(100),"
                + " author_id INTEGER, legacy TEXT, price INT DEFAULT 0);"
                + "CREATE INDEX idx_books_title ON books (title);"
                + "CREATE VIEW book_titles AS SELECT id, title FROM books;"
                + "CREATE TRIGGER books_logged AFTER INSERT ON books BEGIN"
                + " INSERT INTO log (what) VALUES (new.title); END;");
    Path newer =
        SqliteDatabases.create(
            dir.resolve("new.db"),
            common
                // a primary key added to a table other tables' triggers write to
                + "CREATE TABLE log (id INTEGER PRIMARY KEY, what TEXT);"
                // type changed, NOT NULL added, foreign key added, a CHECK added, legacy dropped
                + "CREATE TABLE books (id INTEGER PRIMARY KEY, title TEXT,"
                + " author_id INTEGER NOT NULL REFERENCES authors (id), price INT DEFAULT 0,"
                + " CHECK (price >= 0));"
                + "CREATE INDEX idx_books_title ON books (title);"
                + "CREATE VIEW book_titles AS SELECT id, title FROM books;"
                + "CREATE TRIGGER books_logged AFTER INSERT ON books BEGIN"
                + " INSERT INTO log (what) VALUES (new.title); END;");
    Path work = Files.copy(older, dir.resolve("work.db"));
    String url = SqliteDatabases.url(work);
    try (Connection c = DriverManager.getConnection(url);
        Statement st = c.createStatement()) {
      st.executeUpdate("INSERT INTO authors VALUES (1, 'Le Guin'), (2, 'Lem')");
      st.executeUpdate(
          "INSERT INTO books VALUES (10, 'The Dispossessed', 1, 'a', 12),"
              + " (11, 'Solaris', 2, 'b', 9)");
    }
    DiffSchema before = DiffReport.readLive(SqliteDatabases.url(older), null, null, null, SECRETS);
    DiffSchema after = DiffReport.readLive(SqliteDatabases.url(newer), null, null, null, SECRETS);
    List<SchemaDiff.Change> changes = SchemaDiff.compare(SQLITE, before, after);
    List<String> forward = SchemaDiff.forward(changes);
    assertTrue(forward.contains("PRAGMA foreign_keys=OFF"), String.join("\n", forward));
    assertTrue(
        forward.stream().noneMatch(s -> s.startsWith("-- SQLite cannot")),
        String.join("\n", forward));

    try (Connection c = DriverManager.getConnection(url)) {
      run(c, forward);
      assertEquals(List.of(), objects(SchemaDiff.compare(SQLITE, live(url), after)));
      assertEquals(
          List.of("10|The Dispossessed|1|12", "11|Solaris|2|9"),
          rows(c, "SELECT id, title, author_id, price FROM books ORDER BY id"));
      assertEquals(
          List.of("10|The Dispossessed"), rows(c, "SELECT * FROM book_titles WHERE id = 10"));
      assertEquals(
          List.of("authors_gone", "books_logged"),
          rows(c, "SELECT name FROM sqlite_schema WHERE type = 'trigger' ORDER BY name"));
      assertEquals(List.of(), rows(c, "SELECT name FROM sqlite_schema WHERE name = 'new_books'"));
      st(c, "INSERT INTO books VALUES (12, 'Kindred', 1, 5)");
      assertEquals(
          List.of("1|The Dispossessed", "2|Solaris", "3|Kindred"), rows(c, "SELECT * FROM log"));

      run(c, SchemaDiff.rollback(changes));
      assertEquals(List.of(), objects(SchemaDiff.compare(SQLITE, live(url), before)));
      // the dropped column comes back empty: the change's rollback note says so
      assertEquals(
          List.of("10|The Dispossessed|1||12", "11|Solaris|2||9", "12|Kindred|1||5"),
          rows(c, "SELECT id, title, author_id, legacy, price FROM books ORDER BY id"));
      assertTrue(
          changes.stream()
              .filter(ch -> ch.object().equals("column books.legacy"))
              .allMatch(ch -> ch.rollbackNote().contains("values are lost")));
      assertEquals(
          List.of("authors_gone", "books_logged"),
          rows(c, "SELECT name FROM sqlite_schema WHERE type = 'trigger' ORDER BY name"));
      assertEquals(List.of("11|Solaris"), rows(c, "SELECT * FROM book_titles WHERE id = 11"));
      assertEquals(List.of("The Dispossessed", "Solaris", "Kindred"), rows(c, "SELECT * FROM log"));
    }
  }

  private static final io.migrationstudio.core.dialect.Dialect SQLITE =
      io.migrationstudio.core.dialect.Dialects.forName("sqlite");

  private static DiffSchema live(String url) {
    return DiffReport.readLive(url, null, null, null, SECRETS);
  }

  private static List<String> objects(List<SchemaDiff.Change> changes) {
    return changes.stream().map(c -> c.object() + " " + c.change()).toList();
  }

  /** Runs a script's statements one by one, as a client would; comments are skipped. */
  private static void run(Connection c, List<String> script) throws SQLException {
    try (Statement st = c.createStatement()) {
      for (String s : script) {
        if (!s.startsWith("--")) {
          st.execute(s);
        }
      }
    }
  }

  private static void st(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.executeUpdate(sql);
    }
  }

  private static List<String> rows(Connection c, String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<String> values = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
          values.add(rs.getString(i) == null ? "" : rs.getString(i));
        }
        out.add(String.join("|", values));
      }
    }
    return out;
  }
}
