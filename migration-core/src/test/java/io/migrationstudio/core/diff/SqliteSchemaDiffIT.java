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

  @Test
  void aRebuiltAutoincrementTableKeepsItsDeclarationAndItsCounter(@TempDir Path dir)
      throws Exception {
    // "Order Lines" needs quoting; plain was never written to, so it has no counter yet
    Path older =
        SqliteDatabases.create(
            dir.resolve("old.db"),
            "CREATE TABLE \"Order Lines\" (id INTEGER PRIMARY KEY AUTOINCREMENT,"
                + " sku VARCHAR(20), qty INT);"
                + "CREATE TABLE plain (id INTEGER PRIMARY KEY AUTOINCREMENT, note TEXT);");
    Path newer =
        SqliteDatabases.create(
            dir.resolve("new.db"),
            "CREATE TABLE \"Order Lines\" (id INTEGER PRIMARY KEY AUTOINCREMENT,"
                + " sku TEXT, qty INT);"
                + "CREATE TABLE plain (id INTEGER PRIMARY KEY AUTOINCREMENT,"
                + " note TEXT NOT NULL DEFAULT '');");
    Path work = Files.copy(older, dir.resolve("work.db"));
    String url = SqliteDatabases.url(work);
    try (Connection c = DriverManager.getConnection(url)) {
      st(c, "INSERT INTO \"Order Lines\" (sku, qty) VALUES ('a', 1), ('b', 2), ('c', 3)");
      st(c, "DELETE FROM \"Order Lines\" WHERE id = 3");
      List<String> original = catalogue(c);
      List<String> counters = rows(c, "SELECT name, seq FROM sqlite_sequence ORDER BY name");
      assertEquals(List.of("Order Lines|3"), counters);
      List<SchemaDiff.Change> changes =
          SchemaDiff.compare(SQLITE, live(SqliteDatabases.url(older)), live(url(newer)));

      run(c, SchemaDiff.forward(changes));
      assertEquals(catalogue(newer), catalogue(c), "the forward rebuilds keep AUTOINCREMENT");
      assertEquals(counters, rows(c, "SELECT name, seq FROM sqlite_sequence ORDER BY name"));

      run(c, SchemaDiff.rollback(changes));
      assertEquals(original, catalogue(c));
      assertEquals(counters, rows(c, "SELECT name, seq FROM sqlite_sequence ORDER BY name"));
      st(c, "INSERT INTO \"Order Lines\" (sku, qty) VALUES ('d', 4)");
      assertEquals(
          List.of("1|a", "2|b", "4|d"), rows(c, "SELECT id, sku FROM \"Order Lines\" ORDER BY id"));
    }
  }

  @Test
  void addingAutoincrementAloneIsAChangeTheRebuildApplies(@TempDir Path dir) throws Exception {
    Path older =
        SqliteDatabases.create(
            dir.resolve("old.db"), "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);");
    Path newer =
        SqliteDatabases.create(
            dir.resolve("new.db"),
            "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT);");
    Path work = Files.copy(older, dir.resolve("work.db"));
    try (Connection c = DriverManager.getConnection(url(work))) {
      st(c, "INSERT INTO t (v) VALUES ('a'), ('b'), ('c')");
      st(c, "DELETE FROM t WHERE id = 3");
      List<String> original = catalogue(c);
      List<SchemaDiff.Change> changes =
          SchemaDiff.compare(SQLITE, live(url(older)), live(url(newer)));
      assertEquals(List.of("column t.id AUTOINCREMENT added"), objects(changes));

      run(c, SchemaDiff.forward(changes));
      assertEquals(catalogue(newer), catalogue(c));
      assertEquals(List.of("t|2"), rows(c, "SELECT name, seq FROM sqlite_sequence"));
      st(c, "DELETE FROM t WHERE id = 2");
      st(c, "INSERT INTO t (v) VALUES ('d')");
      assertEquals(List.of("1|a", "3|d"), rows(c, "SELECT id, v FROM t ORDER BY id"));

      run(c, SchemaDiff.rollback(changes));
      // sqlite_sequence itself stays (SQLite refuses to drop it), without a row for t
      assertEquals(original, catalogue(c));
      assertEquals(List.of(), rows(c, "SELECT name, seq FROM sqlite_sequence"));
      assertEquals(List.of("1|a", "3|d"), rows(c, "SELECT id, v FROM t ORDER BY id"));
    }
  }

  @Test
  void viewColumnListsSurviveTheForwardAndTheRollbackScripts(@TempDir Path dir) throws Exception {
    String people = "CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT, born INT);";
    Path older =
        SqliteDatabases.create(
            dir.resolve("old.db"),
            people
                // unchanged, over a table the diff rebuilds
                + "CREATE VIEW names (person, label) AS SELECT id, name FROM people;"
                // its SELECT changes
                + "CREATE VIEW ages (\"who\", [year born]) AS SELECT name, born FROM people;"
                // only its column list changes
                + "CREATE VIEW renamed (a) AS SELECT id FROM people;"
                // dropped
                + "CREATE VIEW gone (x) AS SELECT id FROM people;");
    Path newer =
        SqliteDatabases.create(
            dir.resolve("new.db"),
            "CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT, born TEXT);"
                + "CREATE VIEW names (person, label) AS SELECT id, name FROM people;"
                + "CREATE VIEW ages (\"who\", [year born]) AS SELECT name, born || '' FROM people;"
                + "CREATE VIEW renamed (b) AS SELECT id FROM people;"
                + "CREATE VIEW fresh (y) AS SELECT name FROM people;");
    Path work = Files.copy(older, dir.resolve("work.db"));
    try (Connection c = DriverManager.getConnection(url(work))) {
      List<String> original = catalogue(c);
      List<SchemaDiff.Change> changes =
          SchemaDiff.compare(SQLITE, live(url(older)), live(url(newer)));
      assertTrue(
          objects(changes).contains("view renamed definition changed"),
          objects(changes).toString());

      run(c, SchemaDiff.forward(changes));
      assertEquals(catalogue(newer), catalogue(c));
      run(c, SchemaDiff.rollback(changes));
      assertEquals(original, catalogue(c));
    }
  }

  /**
   * What the scripts must restore, normalised where a rebuild cannot keep the text: every object of
   * sqlite_schema (type, name, table; for a table whether it declares AUTOINCREMENT, as the SQL
   * text is regenerated) and each table's and view's {@code pragma table_info} (for a view: the
   * column names its column list gives). sqlite_sequence is left out: it is compared by its rows.
   */
  private static List<String> catalogue(Connection c) throws SQLException {
    List<String> out = new ArrayList<>();
    List<String> objects =
        rows(
            c,
            "SELECT type, name, tbl_name,"
                + " CASE WHEN type = 'table' THEN instr(upper(sql), 'AUTOINCREMENT') > 0 END"
                + " FROM sqlite_schema WHERE name <> 'sqlite_sequence' ORDER BY type, name");
    out.addAll(objects);
    for (String o : objects) {
      String[] f = o.split("\\|", -1);
      if (f[0].equals("table") || f[0].equals("view")) {
        try (java.sql.PreparedStatement ps =
            c.prepareStatement(
                "SELECT cid, name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(?)")) {
          ps.setString(1, f[1]);
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              out.add(
                  f[1]
                      + ": "
                      + rs.getInt(1)
                      + "|"
                      + rs.getString(2)
                      + "|"
                      + rs.getString(3)
                      + "|"
                      + rs.getInt(4)
                      + "|"
                      + rs.getString(5)
                      + "|"
                      + rs.getInt(6));
            }
          }
        }
      }
    }
    return out;
  }

  private static List<String> catalogue(Path file) throws SQLException {
    try (Connection c = DriverManager.getConnection(url(file))) {
      return catalogue(c);
    }
  }

  private static String url(Path file) {
    return SqliteDatabases.url(file);
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
