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
 * catalogue and keeps the rows, the rollback script on the result gives the old catalogue back,
 * exactly ({@link #catalogue}): the rebuild re-creates a table from its own CREATE TABLE text and
 * its indexes from theirs, so WITHOUT ROWID, COLLATE, generated columns, DEFAULT expressions,
 * CHECKs, foreign-key actions and DEFERRABLE, partial and expression indexes come back as written.
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
   * A table whose CREATE TABLE declares WITHOUT ROWID, a column COLLATE, a DEFAULT expression,
   * VIRTUAL and STORED generated columns, a CHECK and a foreign key with ON UPDATE, ON DELETE and
   * DEFERRABLE, with a partial and an expression index: a rebuild for an unrelated column keeps
   * every one of them, forward and back, and the rows (generated columns are computed, not copied).
   */
  private static final String KEPT_PARENT =
      "CREATE TABLE parent (id INTEGER PRIMARY KEY, code TEXT UNIQUE);";

  private static String keptItems(String legacyType) {
    return "CREATE TABLE items (id INTEGER PRIMARY KEY,"
        + " name TEXT COLLATE NOCASE NOT NULL,"
        + " price INT DEFAULT (abs(-1) + 1),"
        + " qty INT,"
        + " total INT GENERATED ALWAYS AS (price * qty) VIRTUAL,"
        + " label TEXT AS (upper(name)) STORED,"
        + " parent_id INTEGER REFERENCES parent (id) ON UPDATE CASCADE ON DELETE SET NULL"
        + " DEFERRABLE INITIALLY DEFERRED,"
        + " legacy "
        + legacyType
        + ", CHECK (qty >= 0));"
        + "CREATE INDEX items_cheap ON items (price) WHERE price < 10;"
        + "CREATE INDEX items_lower ON items (lower(name), qty * 2);"
        + "CREATE TABLE kv (k TEXT PRIMARY KEY, v "
        + legacyType
        + ") WITHOUT ROWID;";
  }

  @Test
  void aRebuildKeepsWhatTheCreateTableAndItsIndexesDeclare(@TempDir Path dir) throws Exception {
    Path older = SqliteDatabases.create(dir.resolve("old.db"), KEPT_PARENT + keptItems("TEXT"));
    Path newer =
        SqliteDatabases.create(dir.resolve("new.db"), KEPT_PARENT + keptItems("VARCHAR(10)"));
    Path work = Files.copy(older, dir.resolve("work.db"));
    try (Connection c = DriverManager.getConnection(url(work))) {
      st(c, "INSERT INTO parent VALUES (1, 'p')");
      st(c, "INSERT INTO items (id, name, qty, parent_id, legacy) VALUES (5, 'ab', 3, 1, 'x')");
      st(c, "INSERT INTO kv VALUES ('a', 'b')");
      List<String> original = catalogue(c);
      List<SchemaDiff.Change> changes =
          SchemaDiff.compare(SQLITE, live(url(older)), live(url(newer)));
      assertEquals(
          List.of(
              "column items.legacy type TEXT → VARCHAR(10)", "column kv.v type TEXT → VARCHAR(10)"),
          objects(changes));

      run(c, SchemaDiff.forward(changes));
      assertEquals(catalogue(newer), catalogue(c));
      assertEquals(
          List.of("5|ab|2|3|6|AB|1|x"),
          rows(c, "SELECT id, name, price, qty, total, label, parent_id, legacy FROM items"));
      assertEquals(List.of("a|b"), rows(c, "SELECT * FROM kv"));

      run(c, SchemaDiff.rollback(changes));
      assertEquals(original, catalogue(c));
      assertEquals(
          List.of("5|ab|2|3|6|AB|1|x"),
          rows(c, "SELECT id, name, price, qty, total, label, parent_id, legacy FROM items"));
      st(c, "UPDATE parent SET id = 2");
      assertEquals(List.of("2"), rows(c, "SELECT parent_id FROM items"), "ON UPDATE CASCADE");
    }
  }

  @Test
  void addingOrDroppingWhatACreateTableDeclaresIsAChangeTheRebuildApplies(@TempDir Path dir)
      throws Exception {
    Path older =
        SqliteDatabases.create(
            dir.resolve("old.db"),
            KEPT_PARENT
                + "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, qty INT,"
                + " total INT AS (qty * 2) VIRTUAL, p INTEGER REFERENCES parent (id));"
                + "CREATE INDEX t_qty ON t (qty) WHERE qty > 0;"
                + "CREATE INDEX t_expr ON t (lower(name));"
                + "CREATE TABLE w (k TEXT PRIMARY KEY, v TEXT);");
    Path newer =
        SqliteDatabases.create(
            dir.resolve("new.db"),
            KEPT_PARENT
                + "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT COLLATE NOCASE, qty INT,"
                + " total INT AS (qty * 2) STORED,"
                + " p INTEGER REFERENCES parent (id) ON UPDATE CASCADE);"
                + "CREATE INDEX t_qty ON t (qty) WHERE qty > 1;"
                + "CREATE INDEX t_expr ON t (upper(name));"
                + "CREATE TABLE w (k TEXT PRIMARY KEY, v TEXT) WITHOUT ROWID;");
    Path work = Files.copy(older, dir.resolve("work.db"));
    try (Connection c = DriverManager.getConnection(url(work))) {
      st(c, "INSERT INTO t (id, name, qty) VALUES (1, 'a', 2)");
      st(c, "INSERT INTO w VALUES ('k', 'v')");
      List<String> original = catalogue(c);
      List<SchemaDiff.Change> changes =
          SchemaDiff.compare(SQLITE, live(url(older)), live(url(newer)));
      assertEquals(
          List.of(
              "column t.name collation default → NOCASE",
              "column t.total generated qty * 2 VIRTUAL → qty * 2 STORED",
              // a WITHOUT ROWID table's primary key is NOT NULL, as SQLite's catalogue says
              "column w.k now NOT NULL",
              "foreign key t.t_p_fkey ON UPDATE NO ACTION → CASCADE",
              "index t_expr definition changed",
              "index t_qty definition changed",
              "table w WITHOUT ROWID added"),
          objects(changes).stream().sorted().toList());

      run(c, SchemaDiff.forward(changes));
      assertEquals(catalogue(newer), catalogue(c));
      assertEquals(List.of("1|a|2|4"), rows(c, "SELECT id, name, qty, total FROM t"));
      run(c, SchemaDiff.rollback(changes));
      assertEquals(original, catalogue(c));
      assertEquals(List.of("k|v"), rows(c, "SELECT * FROM w"));
    }
  }

  /**
   * {@code DEFERRABLE INITIALLY DEFERRED} added to a foreign key alone (no pragma shows it: the
   * diff reads it from the CREATE TABLE text) is a change, applied and rolled back by the rebuild.
   */
  @Test
  void deferringAForeignKeyAloneIsAChangeTheRebuildApplies(@TempDir Path dir) throws Exception {
    Path older =
        SqliteDatabases.create(
            dir.resolve("old.db"),
            KEPT_PARENT
                + "CREATE TABLE d (id INTEGER PRIMARY KEY, p INTEGER REFERENCES parent (id));");
    Path newer =
        SqliteDatabases.create(
            dir.resolve("new.db"),
            KEPT_PARENT
                + "CREATE TABLE d (id INTEGER PRIMARY KEY,"
                + " p INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED);");
    Path work = Files.copy(older, dir.resolve("work.db"));
    try (Connection c = DriverManager.getConnection(url(work))) {
      List<String> original = catalogue(c);
      List<SchemaDiff.Change> changes =
          SchemaDiff.compare(SQLITE, live(url(older)), live(url(newer)));
      assertEquals(
          List.of("foreign key d.d_p_fkey DEFERRABLE INITIALLY DEFERRED added"), objects(changes));
      run(c, SchemaDiff.forward(changes));
      assertEquals(catalogue(newer), catalogue(c));
      run(c, SchemaDiff.rollback(changes));
      assertEquals(original, catalogue(c));
    }
  }

  /**
   * Everything a rebuild must restore, exactly: each object of sqlite_schema with its SQL (the name
   * after CREATE TABLE unquoted: the rename re-quotes it; views are re-created by the diff's own
   * DDL, so only their column names count), each table's {@code pragma table_xinfo} (hidden
   * generated columns too), {@code pragma index_list} (without its seq, which only counts the order
   * the indexes were created in) and {@code index_xinfo} of each index, and {@code pragma
   * foreign_key_list}.
   */
  private static List<String> catalogue(Connection c) throws SQLException {
    List<String> out = new ArrayList<>();
    List<String> objects =
        rows(
            c,
            "SELECT type, name, tbl_name FROM sqlite_schema"
                + " WHERE name <> 'sqlite_sequence' ORDER BY type, name");
    for (String o : objects) {
      String[] f = o.split("\\|", -1);
      String name = f[1];
      if (!f[0].equals("view")) {
        String sql =
            String.join("", rows(c, "SELECT sql FROM sqlite_schema WHERE name = " + lit(name)));
        out.add(
            o + "|" + CREATE_TABLE_NAME.matcher(sql).replaceFirst("CREATE TABLE " + name + " "));
      }
      if (f[0].equals("table") || f[0].equals("view")) {
        rows(c, "SELECT * FROM pragma_table_xinfo(" + lit(name) + ")")
            .forEach(r -> out.add(name + " xinfo: " + r));
      }
      if (f[0].equals("table")) {
        rows(
                c,
                "SELECT name, \"unique\", origin, partial FROM pragma_index_list("
                    + lit(name)
                    + ") ORDER BY name")
            .forEach(r -> out.add(name + " index: " + r));
        rows(c, "SELECT * FROM pragma_foreign_key_list(" + lit(name) + ")")
            .forEach(r -> out.add(name + " fk: " + r));
      }
      if (f[0].equals("index")) {
        rows(c, "SELECT * FROM pragma_index_xinfo(" + lit(name) + ")")
            .forEach(r -> out.add(name + " index_xinfo: " + r));
      }
    }
    return out;
  }

  private static final java.util.regex.Pattern CREATE_TABLE_NAME =
      java.util.regex.Pattern.compile("^CREATE TABLE\\s+(\"[^\"]*\"|\\S+)\\s*");

  private static String lit(String s) {
    return "'" + s.replace("'", "''") + "'";
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
