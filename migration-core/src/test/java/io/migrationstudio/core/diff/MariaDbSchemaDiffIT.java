package io.migrationstudio.core.diff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.spec.SecretResolver;
import io.migrationstudio.testkit.MariaDbExtension;
import io.migrationstudio.testkit.TestMariaDb;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link SchemaDiff} between two live MariaDB schemas writes MariaDB DDL: the forward script,
 * applied to the old database, gives a catalogue with no difference from the new one, and the
 * rollback script brings back one with no difference from the old (both read through the studio's
 * own catalogue reader). PostgreSQL's {@code ALTER COLUMN ... TYPE}, {@code DROP CONSTRAINT} of a
 * foreign key or {@code DROP INDEX} without a table fail on MariaDB, so this fails if any of them
 * is written.
 */
@ExtendWith(MariaDbExtension.class)
class MariaDbSchemaDiffIT {
  private static final List<String> BEFORE =
      List.of(
          "CREATE TABLE users (id INT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(255) NOT NULL,"
              + " name VARCHAR(100), status VARCHAR(10) DEFAULT 'new', legacy INT,"
              + " CONSTRAINT users_email_key UNIQUE (email))",
          "CREATE TABLE orders (id BIGINT PRIMARY KEY, user_id INT NOT NULL, total DECIMAL(10,2),"
              + " note TEXT, CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id)"
              + " REFERENCES users (id) ON DELETE CASCADE)",
          "CREATE INDEX idx_orders_total ON orders (total)",
          "CREATE TABLE old_audit (id INT PRIMARY KEY, what TEXT)");

  private static final List<String> AFTER =
      List.of(
          "CREATE TABLE users (id INT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(320) NOT NULL,"
              + " name VARCHAR(100) NOT NULL, status VARCHAR(10) DEFAULT 'active',"
              + " created_at DATETIME NULL, CONSTRAINT users_email_key UNIQUE (email))",
          "CREATE TABLE orders (id BIGINT PRIMARY KEY, user_id INT NOT NULL, total DECIMAL(12,2),"
              + " note TEXT, CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id)"
              + " REFERENCES users (id) ON DELETE RESTRICT)",
          "CREATE INDEX idx_orders_user_total ON orders (user_id, total)",
          "CREATE TABLE user_prefs (user_id INT PRIMARY KEY,"
              + " theme VARCHAR(20) NOT NULL DEFAULT 'light',"
              + " CONSTRAINT user_prefs_user_id_fkey FOREIGN KEY (user_id)"
              + " REFERENCES users (id) ON DELETE CASCADE)");

  private static final SecretResolver SECRETS = new SecretResolver(Map.of());

  private static DiffSchema read(TestMariaDb db) {
    return DiffReport.readLive(db.jdbcUrl(), db.user(), null, null, SECRETS);
  }

  private static void apply(TestMariaDb db, List<String> statements) throws SQLException {
    try (Connection c = db.connect();
        Statement st = c.createStatement()) {
      for (String s : statements) {
        if (!s.startsWith("--")) {
          st.execute(s);
        }
      }
    }
  }

  private static String describe(List<SchemaDiff.Change> changes) {
    StringBuilder sb = new StringBuilder();
    changes.forEach(c -> sb.append("\n  ").append(c.object()).append(": ").append(c.change()));
    return sb.toString();
  }

  @Test
  void forwardDdlReachesTheNewSchemaAndRollbackRestoresTheOldOnMariaDb(
      TestMariaDb older, TestMariaDb newer) throws Exception {
    apply(older, BEFORE);
    apply(newer, AFTER);
    Dialect maria = DiffReport.engineOf(older.jdbcUrl());
    assertEquals("mariadb", maria.name());
    DiffSchema before = read(older);
    DiffSchema after = read(newer);
    List<SchemaDiff.Change> changes = SchemaDiff.compare(maria, before, after);
    assertTrue(
        changes.stream()
            .anyMatch(
                c ->
                    c.object().equals("column users.email")
                        && c.impact() == SchemaDiff.Impact.POTENTIALLY_BREAKING),
        describe(changes));
    List<String> forward = SchemaDiff.forward(changes);
    assertTrue(
        forward.stream().anyMatch(s -> s.contains("MODIFY COLUMN `email` varchar(320)")),
        String.join("\n", forward));

    apply(older, forward);
    List<SchemaDiff.Change> left = SchemaDiff.compare(maria, read(older), after);
    assertEquals(List.of(), left, "forward DDL gives the new schema:" + describe(left));

    apply(older, SchemaDiff.rollback(changes));
    List<SchemaDiff.Change> back = SchemaDiff.compare(maria, read(older), before);
    assertEquals(List.of(), back, "rollback DDL restores the old schema:" + describe(back));
    assertEquals("mariadb", Dialects.forName(DiffReport.engineOf(newer.jdbcUrl()).name()).name());
  }

  /**
   * The kinds of change MariaDB runs in place, one of each: a column's collation, a virtual
   * column's expression ({@code MODIFY COLUMN ... AS (...) VIRTUAL}), a foreign key's ON DELETE and
   * ON UPDATE. The forward script gives the catalogue of "after", the rollback that of "before".
   */
  @Test
  void collationGenerationAndForeignKeyActionsApplyAndRollBackOnMariaDb(
      TestMariaDb older, TestMariaDb newer) throws Exception {
    String parent = "CREATE TABLE owners (id INT PRIMARY KEY)";
    apply(
        older,
        List.of(
            parent,
            "CREATE TABLE pets (id INT PRIMARY KEY, owner_id INT,"
                + " name VARCHAR(50) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin, legs INT,"
                + " paws INT AS (legs * 2) VIRTUAL, CONSTRAINT pets_owner_id_fkey"
                + " FOREIGN KEY (owner_id) REFERENCES owners (id) ON DELETE CASCADE)"));
    apply(
        newer,
        List.of(
            parent,
            "CREATE TABLE pets (id INT PRIMARY KEY, owner_id INT,"
                + " name VARCHAR(50) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci, legs INT,"
                + " paws INT AS (legs * 3) VIRTUAL, CONSTRAINT pets_owner_id_fkey"
                + " FOREIGN KEY (owner_id) REFERENCES owners (id) ON DELETE SET NULL"
                + " ON UPDATE CASCADE)"));
    Dialect maria = DiffReport.engineOf(older.jdbcUrl());
    DiffSchema before = read(older);
    DiffSchema after = read(newer);
    List<SchemaDiff.Change> changes = SchemaDiff.compare(maria, before, after);
    assertEquals(
        List.of(
            "column pets.name|collation",
            "column pets.paws|generated",
            "foreign key pets.pets_owner_id_fkey|ON"),
        changes.stream().map(c -> c.object() + "|" + c.change().split(" ")[0]).sorted().toList(),
        describe(changes));
    apply(older, SchemaDiff.forward(changes));
    List<SchemaDiff.Change> left = SchemaDiff.compare(maria, read(older), after);
    assertEquals(List.of(), left, "forward DDL gives the new schema:" + describe(left));
    apply(older, SchemaDiff.rollback(changes));
    List<SchemaDiff.Change> back = SchemaDiff.compare(maria, read(older), before);
    assertEquals(List.of(), back, "rollback DDL restores the old schema:" + describe(back));
  }

  /**
   * A column whose character set changes with its table's default (latin1 to utf8mb4, default
   * collations on both sides: the catalogue names no collation for either) is a potentially
   * breaking change with MODIFY COLUMN both ways, whose notes say that the values are converted;
   * and a STORED generated column's new expression is a MODIFY COLUMN MariaDB runs. Forward and
   * rollback reach the other catalogue; a value latin1 cannot hold makes the rollback fail, as its
   * note says, and the values survive both conversions.
   */
  @Test
  void aCharsetChangeWithDefaultCollationsAndAStoredExpressionApplyAndRollBackOnMariaDb(
      TestMariaDb older, TestMariaDb newer) throws Exception {
    String notes = "CREATE TABLE notes (id INT PRIMARY KEY, body VARCHAR(100)) DEFAULT CHARSET=";
    String boxes = "CREATE TABLE boxes (id INT PRIMARY KEY, w INT, area INT AS (w * w) STORED)";
    apply(
        older,
        List.of(
            notes + "latin1",
            boxes,
            "INSERT INTO notes VALUES (1, 'café')",
            "INSERT INTO boxes (id, w) VALUES (1, 20)"));
    apply(newer, List.of(notes + "utf8mb4", boxes.replace("(w * w)", "(w * 3)")));
    Dialect maria = DiffReport.engineOf(older.jdbcUrl());
    DiffSchema before = read(older);
    DiffSchema after = read(newer);
    List<SchemaDiff.Change> changes = SchemaDiff.compare(maria, before, after);
    assertEquals(
        List.of(
            "column boxes.area|generated", "column notes.body|character", "table notes|default"),
        changes.stream().map(c -> c.object() + "|" + c.change().split(" ")[0]).sorted().toList(),
        describe(changes));
    SchemaDiff.Change charset =
        changes.stream().filter(c -> c.object().equals("column notes.body")).findFirst().get();
    assertEquals(SchemaDiff.Impact.POTENTIALLY_BREAKING, charset.impact());
    assertTrue(charset.note().contains("converts every stored value"), charset.note());
    assertTrue(charset.rollbackNote().contains("cannot hold"), charset.rollbackNote());

    apply(older, SchemaDiff.forward(changes));
    List<SchemaDiff.Change> left = SchemaDiff.compare(maria, read(older), after);
    assertEquals(List.of(), left, "forward DDL gives the new schema:" + describe(left));
    assertEquals("café", body(older));
    assertEquals("60", area(older), "the new expression computes the stored value");
    apply(older, List.of("INSERT INTO notes VALUES (2, 'Łódź')"));
    SQLException lossy =
        org.junit.jupiter.api.Assertions.assertThrows(
            SQLException.class, () -> apply(older, SchemaDiff.rollback(changes)));
    assertEquals("22007", lossy.getSQLState(), lossy.getMessage());
    apply(older, List.of("DELETE FROM notes WHERE id = 2"));
    apply(older, SchemaDiff.rollback(changes));
    List<SchemaDiff.Change> back = SchemaDiff.compare(maria, read(older), before);
    assertEquals(List.of(), back, "rollback DDL restores the old schema:" + describe(back));
    assertEquals("café", body(older));
    assertEquals("400", area(older));
  }

  /**
   * A generated column changed from VIRTUAL to STORED with the same expression, a table's default
   * character set changed alone (its column keeps latin1), and a foreign key and a CHECK the user
   * named (MariaDB's catalogue names them; a derived name fails the DROP): each is a change, the
   * forward script gives the catalogue of "after", and the rollback that of "before" with the
   * constraints under their own names.
   */
  @Test
  void storedKindTableCharsetAndUserNamedConstraintsApplyAndRollBackOnMariaDb(
      TestMariaDb older, TestMariaDb newer) throws Exception {
    String parent = "CREATE TABLE racks (id INT PRIMARY KEY)";
    String shelf =
        "CREATE TABLE shelf (id INT PRIMARY KEY, rack_id INT, w INT,"
            + " area INT AS (w * w) VIRTUAL, label VARCHAR(20) CHARACTER SET latin1,"
            + " CONSTRAINT `on rack` FOREIGN KEY (rack_id) REFERENCES racks (id)"
            + " ON DELETE CASCADE";
    apply(
        older,
        List.of(
            parent,
            shelf + ", CONSTRAINT wide CHECK (w > 0)) DEFAULT CHARSET=latin1",
            "INSERT INTO racks VALUES (1)",
            "INSERT INTO shelf (id, rack_id, w, label) VALUES (1, 1, 20, 'a')"));
    apply(
        newer,
        List.of(
            parent,
            shelf.replace("VIRTUAL", "STORED").replace("CASCADE", "SET NULL")
                + ") DEFAULT CHARSET=utf8mb4"));
    Dialect maria = DiffReport.engineOf(older.jdbcUrl());
    DiffSchema before = read(older);
    DiffSchema after = read(newer);
    List<SchemaDiff.Change> changes = SchemaDiff.compare(maria, before, after);
    assertEquals(
        List.of(
            "check shelf.wide|dropped:",
            "column shelf.area|generated",
            "foreign key shelf.on rack|ON",
            "table shelf|default"),
        changes.stream().map(c -> c.object() + "|" + c.change().split(" ")[0]).sorted().toList(),
        describe(changes));
    SchemaDiff.Change table =
        changes.stream().filter(c -> c.object().equals("table shelf")).findFirst().get();
    assertTrue(table.note().contains("existing columns keep"), table.note());

    apply(older, SchemaDiff.forward(changes));
    List<SchemaDiff.Change> left = SchemaDiff.compare(maria, read(older), after);
    assertEquals(List.of(), left, "forward DDL gives the new schema:" + describe(left));
    assertEquals("400", value(older, "SELECT area FROM shelf WHERE id = 1"));
    apply(older, SchemaDiff.rollback(changes));
    DiffSchema back = read(older);
    List<SchemaDiff.Change> restored = SchemaDiff.compare(maria, back, before);
    assertEquals(List.of(), restored, "rollback DDL restores the old schema:" + describe(restored));
    assertEquals(
        before.tables().get("shelf").names(),
        back.tables().get("shelf").names(),
        "the rollback restores the constraints under their names");
    assertEquals("wide", back.tables().get("shelf").names().checks().values().iterator().next());
  }

  private static String body(TestMariaDb db) throws SQLException {
    return value(db, "SELECT body FROM notes WHERE id = 1");
  }

  private static String area(TestMariaDb db) throws SQLException {
    return value(db, "SELECT area FROM boxes WHERE id = 1");
  }

  private static String value(TestMariaDb db, String sql) throws SQLException {
    try (Connection c = db.connect();
        Statement st = c.createStatement();
        java.sql.ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  /**
   * A view created with a column list ({@code CREATE VIEW v (a, b) AS ...}): MariaDB's {@code
   * information_schema.VIEWS} shows no list, but the definition it stores names each column by it
   * ({@code select ... AS `a`}), so the forward and rollback scripts re-create the view with its
   * columns.
   */
  @Test
  void viewColumnListsSurviveTheScriptsOnMariaDb(TestMariaDb older, TestMariaDb newer)
      throws Exception {
    String table = "CREATE TABLE people (id INT PRIMARY KEY, name VARCHAR(50), born INT)";
    apply(
        older,
        List.of(table, "CREATE VIEW ages (who, `year born`) AS SELECT name, born FROM people"));
    apply(
        newer,
        List.of(
            table,
            "CREATE VIEW ages (who, `year born`, id_) AS SELECT name, born, id FROM people"));
    Dialect maria = DiffReport.engineOf(older.jdbcUrl());
    DiffSchema before = read(older);
    List<SchemaDiff.Change> changes = SchemaDiff.compare(maria, before, read(newer));
    assertEquals(List.of("view ages"), changes.stream().map(SchemaDiff.Change::object).toList());

    apply(older, SchemaDiff.forward(changes));
    assertEquals(List.of("who", "year born", "id_"), viewColumns(older, "ages"));
    apply(older, SchemaDiff.rollback(changes));
    assertEquals(List.of("who", "year born"), viewColumns(older, "ages"));
    List<SchemaDiff.Change> back = SchemaDiff.compare(maria, read(older), before);
    assertEquals(List.of(), back, "rollback DDL restores the old schema:" + describe(back));
  }

  private static List<String> viewColumns(TestMariaDb db, String view) throws SQLException {
    List<String> out = new java.util.ArrayList<>();
    try (Connection c = db.connect();
        java.sql.PreparedStatement ps =
            c.prepareStatement(
                "SELECT COLUMN_NAME FROM information_schema.COLUMNS"
                    + " WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION")) {
      ps.setString(1, view);
      try (java.sql.ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    }
    return out;
  }
}
