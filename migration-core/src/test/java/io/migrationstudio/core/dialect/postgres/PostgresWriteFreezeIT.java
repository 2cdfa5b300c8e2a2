package io.migrationstudio.core.dialect.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.core.dialect.Dialect.WriteFreeze;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The cutover's freeze holds against every way an application could still write (the bypasses of
 * the database-wide read-only default: {@code SET default_transaction_read_only = off}, {@code
 * BEGIN READ WRITE}, {@code PGOPTIONS}), for an ordinary role, the table's owner and a superuser;
 * other tables keep taking writes; no session is ended; in-flight writers are waited for and named.
 */
@ExtendWith(PostgresExtension.class)
class PostgresWriteFreezeIT {
  private static final List<String> SCOPE = List.of("public.t", "\"Odd \"\"Name\"\"\"");

  private final WriteFreeze freeze = new PostgresDialect().writeFreeze().orElseThrow();

  private static void setUp(TestDatabase db) {
    db.execute(
        "CREATE TABLE t (id integer PRIMARY KEY)",
        "CREATE TABLE \"Odd \"\"Name\"\"\" (id integer)",
        "CREATE TABLE other (id integer)",
        "INSERT INTO t VALUES (1)",
        "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'studio_app') THEN"
            + " CREATE ROLE studio_app LOGIN PASSWORD 'app-pw'; END IF; END $$",
        "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'studio_owner') THEN"
            + " CREATE ROLE studio_owner LOGIN PASSWORD 'owner-pw'; END IF; END $$",
        "GRANT ALL ON t, \"Odd \"\"Name\"\"\", other TO studio_app, studio_owner",
        "ALTER TABLE other OWNER TO studio_owner",
        "GRANT USAGE, CREATE ON SCHEMA public TO studio_owner");
  }

  @Test
  void noAccountWritesToAGuardedTableWhateverItSets(TestDatabase db) throws Exception {
    setUp(db);
    db.execute("ALTER TABLE t OWNER TO studio_owner");
    try (Connection control = db.connect();
        Connection appBefore = as(db, "studio_app", "app-pw", null)) {
      freeze.freezeWrites(control, SCOPE, Duration.ofSeconds(5));
      assertEquals(List.of(), freeze.unguarded(control, SCOPE));
      for (Connection c :
          List.of(
              appBefore, // opened before the freeze, still open: not ended
              as(db, "studio_app", "app-pw", null),
              as(db, "studio_owner", "owner-pw", null),
              as(db, "studio_app", "app-pw", "-c default_transaction_read_only=off"),
              db.connect())) { // the superuser
        try (c) {
          for (String write :
              List.of(
                  "INSERT INTO t VALUES (2)",
                  "UPDATE t SET id = id",
                  "DELETE FROM t",
                  "TRUNCATE t",
                  "INSERT INTO t VALUES (3) ON CONFLICT DO NOTHING",
                  "INSERT INTO \"Odd \"\"Name\"\"\" VALUES (1)")) {
            SQLException refused = assertThrows(SQLException.class, () -> bypass(c, write), write);
            assertEquals("25006", refused.getSQLState(), refused.getMessage());
            assertTrue(refused.getMessage().contains("frozen by Migration Studio"), write);
          }
          try (Statement s = c.createStatement()) {
            s.execute("INSERT INTO other VALUES (1)"); // outside the scope
          }
        }
      }
      assertNotNull(freeze.tryWrite(db.connect(), "public.t"));
      freeze.unfreezeWrites(control, SCOPE);
      assertEquals(SCOPE, freeze.unguarded(control, SCOPE));
    }
    db.execute("INSERT INTO t VALUES (2)", "TRUNCATE \"Odd \"\"Name\"\"\"");
    try (Connection app = as(db, "studio_app", "app-pw", null)) {
      assertNull(freeze.tryWrite(app, "public.t"));
    }
    assertEquals(2, db.queryLong("SELECT count(*) FROM t"));
    assertEquals(5, db.queryLong("SELECT count(*) FROM other"));
  }

  @Test
  void theFreezeWaitsForAWriterAndNamesItWhenItDoesNotFinish(TestDatabase db) throws Exception {
    setUp(db);
    try (Connection control = db.connect();
        Connection writer = as(db, "studio_app", "app-pw", null)) {
      writer.setAutoCommit(false);
      try (Statement s = writer.createStatement()) {
        s.execute("SET application_name = 'busy-app'");
        s.execute("INSERT INTO t VALUES (10)");
      }
      SQLException timedOut =
          assertThrows(
              SQLException.class,
              () -> freeze.freezeWrites(control, SCOPE, Duration.ofMillis(300)));
      assertTrue(timedOut.getMessage().contains("busy-app"), timedOut.getMessage());
      assertTrue(
          timedOut.getMessage().contains("INSERT INTO t VALUES (10)"), timedOut.getMessage());
      assertEquals(SCOPE, freeze.unguarded(control, SCOPE), "nothing half-frozen");
      // a writer that commits within the timeout is waited for, and its row is kept
      CompletableFuture<Void> commit =
          CompletableFuture.runAsync(
              () -> {
                try {
                  Thread.sleep(300);
                  writer.commit();
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      freeze.freezeWrites(control, SCOPE, Duration.ofSeconds(10));
      commit.get(10, TimeUnit.SECONDS);
      assertEquals(1, db.queryLong("SELECT count(*) FROM t WHERE id = 10"));
      assertEquals(List.of(), freeze.unguarded(control, SCOPE));
      freeze.unfreezeWrites(control, SCOPE);
    }
  }

  @Test
  void aSessionOpenedDuringTheFreezeCanUnfreeze(TestDatabase db) throws SQLException {
    setUp(db);
    try (Connection c = db.connect()) {
      freeze.freezeWrites(c, SCOPE, Duration.ofSeconds(5));
    }
    IllegalStateException refused =
        assertThrows(IllegalStateException.class, () -> db.execute("INSERT INTO t VALUES (5)"));
    assertEquals("25006", ((SQLException) refused.getCause()).getSQLState());
    try (Connection late = db.connect()) {
      freeze.unfreezeWrites(late, SCOPE);
      assertEquals(SCOPE, freeze.unguarded(late, SCOPE));
    }
    db.execute("INSERT INTO t VALUES (5)");
  }

  private static void bypass(Connection c, String write) throws SQLException {
    c.setAutoCommit(false);
    try (Statement s = c.createStatement()) {
      s.execute("SET default_transaction_read_only = off");
      s.execute("BEGIN READ WRITE");
      s.execute(write);
    } finally {
      c.rollback();
      c.setAutoCommit(true);
    }
  }

  private static Connection as(TestDatabase db, String user, String password, String options)
      throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", user);
    p.setProperty("password", password);
    if (options != null) {
      p.setProperty("options", options); // what PGOPTIONS sets
    }
    return DriverManager.getConnection(db.jdbcUrl(), p);
  }
}
