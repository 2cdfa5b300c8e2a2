package io.migrationstudio.core.dialect.mariadb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.spec.ConnectionSpec;
import io.migrationstudio.core.dialect.ConnectPhase;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.spec.SecretResolver;
import io.migrationstudio.testkit.EmbeddedMariaDbServer;
import io.migrationstudio.testkit.MariaDbExtension;
import io.migrationstudio.testkit.TestMariaDb;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(MariaDbExtension.class)
class MariaDbDialectIT {
  private final SecretResolver secrets =
      new SecretResolver(Map.of("MDB_PW", "s3cr3t-Pw", "WRONG_PW", "wrong-pw"));

  @Test
  void registryFindsTheDialectAndOpensWithThePasswordReference(TestMariaDb auth) throws Exception {
    auth.execute(
        "CREATE USER IF NOT EXISTS 'studio_it'@'localhost' IDENTIFIED BY 's3cr3t-Pw'",
        "GRANT SELECT ON `" + auth.name() + "`.* TO 'studio_it'@'localhost'");
    Dialect d = Dialects.forUrl(auth.jdbcUrl());
    assertEquals("mariadb", d.name());
    ConnectionSpec good = new ConnectionSpec(auth.jdbcUrl(), "studio_it", "${env:MDB_PW}", null);
    assertEquals(auth.name(), Dialects.schemaOf(good));
    try (Connection c = Dialects.open(good, secrets, "source")) {
      assertTrue(d.serverVersion(c).contains("MariaDB"), d.serverVersion(c));
    }

    ConnectionSpec wrong =
        new ConnectionSpec(
            auth.jdbcUrl() + "?password=leaked-pw", "studio_it", "${env:WRONG_PW}", null);
    MigrationException e =
        assertThrows(MigrationException.class, () -> Dialects.open(wrong, secrets, "source"));
    assertEquals(ErrorCode.AUTHENTICATION_FAILED, e.code(), e.getMessage());
    assertTrue(e.getMessage().contains("vendor code 1045"), e.getMessage());
    assertTrue(e.getMessage().contains("SQLState 28000"), e.getMessage());
    assertFalse(e.getMessage().contains("wrong-pw"), e.getMessage());
    assertFalse(e.getMessage().contains("leaked-pw"), e.getMessage());
  }

  @Test
  void mysqlSchemeUrlOpensThroughTheMariaDbDriver(TestMariaDb mysql) throws Exception {
    mysql.execute("CREATE TABLE t (id int PRIMARY KEY)", "INSERT INTO t VALUES (7)");
    String url = mysql.jdbcUrl().replace("jdbc:mariadb:", "jdbc:mysql:");
    assertTrue(url.startsWith("jdbc:mysql://"), url);
    ConnectionSpec spec = new ConnectionSpec(url, "root", null, null);
    assertEquals("mariadb", Dialects.forUrl(url).name());
    assertEquals(mysql.name(), Dialects.schemaOf(spec));
    try (Connection c = Dialects.open(spec, secrets, "source");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT id FROM t")) {
      assertTrue(rs.next());
      assertEquals(7, rs.getInt(1));
    }
    // without the dialect's help the driver refuses the scheme: DriverManager finds no driver
    SQLException refused =
        assertThrows(
            SQLException.class, () -> java.sql.DriverManager.getConnection(url, "root", ""));
    assertEquals("08001", refused.getSQLState(), refused.getMessage());
  }

  @Test
  void unknownDatabaseAndTableAreMissingObjects(TestMariaDb missing) throws Exception {
    String url = EmbeddedMariaDbServer.jdbcUrl("no_such_db_" + missing.name());
    MigrationException e =
        assertThrows(
            MigrationException.class,
            () -> Dialects.open(new ConnectionSpec(url, "root", null, null), secrets, "source"));
    assertEquals(ErrorCode.MISSING_OBJECT, e.code(), e.getMessage());
    assertTrue(e.getMessage().contains("vendor code 1049"), e.getMessage());

    MariaDbDialect d = new MariaDbDialect();
    try (Connection c = missing.connect();
        Statement s = c.createStatement()) {
      SQLException noTable =
          assertThrows(SQLException.class, () -> s.executeQuery("SELECT * FROM `nope`"));
      MigrationException m = d.classify(noTable, "reading `nope`");
      assertEquals(ErrorCode.MISSING_OBJECT, m.code());
      assertTrue(m.getMessage().startsWith("reading `nope` failed: "), m.getMessage());
      assertTrue(m.getMessage().contains("SQLState 42S02, vendor code 1146"), m.getMessage());
    }
  }

  @Test
  void closedPortIsUnreachableWithoutThePassword() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    ConnectionSpec spec =
        new ConnectionSpec(
            "jdbc:mariadb://localhost:" + port + "/db?password=url-secret",
            "root",
            "${env:MDB_PW}",
            null);
    MigrationException e =
        assertThrows(
            MigrationException.class,
            () -> Dialects.open(spec, secrets, "target", ConnectPhase.MIGRATION_START));
    assertEquals(ErrorCode.DATABASE_UNREACHABLE, e.code(), e.getMessage());
    // during a stage the same refusal is a restart or a network loss: retried
    assertEquals(
        ErrorCode.TRANSIENT_SQL,
        assertThrows(MigrationException.class, () -> Dialects.open(spec, secrets, "target"))
            .code());
    assertFalse(e.getMessage().contains("s3cr3t-Pw"), e.getMessage());
    assertFalse(e.getMessage().contains("url-secret"), e.getMessage());
    assertTrue(e.getMessage().contains("SQLState 08"), e.getMessage());
  }

  @Test
  void deadlockIsTransient(TestMariaDb deadlock) throws Exception {
    deadlock.execute(
        "CREATE TABLE t (id INT PRIMARY KEY, v INT) ENGINE=InnoDB",
        "INSERT INTO t VALUES (1, 0), (2, 0)");
    try (Connection a = deadlock.connect();
        Connection b = deadlock.connect()) {
      a.setAutoCommit(false);
      b.setAutoCommit(false);
      a.createStatement().execute("UPDATE t SET v = 1 WHERE id = 1");
      b.createStatement().execute("UPDATE t SET v = 1 WHERE id = 2");
      java.util.concurrent.atomic.AtomicReference<SQLException> fromA =
          new java.util.concurrent.atomic.AtomicReference<>();
      Thread other =
          new Thread(
              () -> {
                try {
                  a.createStatement().execute("UPDATE t SET v = 2 WHERE id = 2");
                } catch (SQLException ex) {
                  fromA.set(ex);
                }
              });
      other.start();
      Thread.sleep(300);
      SQLException fromB = null;
      try {
        b.createStatement().execute("UPDATE t SET v = 2 WHERE id = 1");
      } catch (SQLException ex) {
        fromB = ex;
      }
      if (fromB == null) {
        b.rollback(); // b survived: a is the victim; releasing b's locks lets a's thread end
      }
      other.join(10_000);
      SQLException victim = fromB != null ? fromB : fromA.get();
      assertTrue(victim != null, "one session is chosen as the deadlock victim");
      assertEquals(1213, victim.getErrorCode(), victim.getMessage());
      assertEquals(
          ErrorCode.TRANSIENT_SQL, new MariaDbDialect().classify(victim, "updating t").code());
      b.rollback();
      a.rollback();
    }
  }

  /**
   * 200 000 rows of ~1 KB (about 200 MB as Java strings) are read through the streaming statement
   * while heap use is sampled: it stays far below the result's size, so rows were not buffered.
   */
  @Test
  void streamingReadsKeepMemoryBounded(TestMariaDb stream) throws Exception {
    MariaDbDialect d = new MariaDbDialect();
    Runtime rt = Runtime.getRuntime();
    try (Connection c = stream.connect()) {
      System.gc();
      long baseline = rt.totalMemory() - rt.freeMemory();
      long maxGrowth = 0;
      long rows = 0;
      long chars = 0;
      try (PreparedStatement ps =
              d.streamingQuery(c, "SELECT seq, REPEAT('x', 1000) FROM seq_1_to_200000", 1000);
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows++;
          chars += rs.getString(2).length();
          if (rows % 50_000 == 0) {
            System.gc();
            maxGrowth = Math.max(maxGrowth, rt.totalMemory() - rt.freeMemory() - baseline);
          }
        }
      }
      assertEquals(200_000, rows);
      assertEquals(200_000_000L, chars);
      assertTrue(
          maxGrowth < 64L * 1024 * 1024,
          "heap grew by " + maxGrowth / (1024 * 1024) + " MB while streaming ~200 MB of rows");
      // the connection is usable afterwards
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT 1")) {
        assertTrue(rs.next());
      }
    }
  }

  /**
   * The freeze guards the tables in scope against every account — root included, which {@code
   * read_only} exempted — and leaves the rest of the server writable.
   */
  @Test
  void writeFreezeGuardsTheTablesInScopeForEveryAccountAndNothingElse(TestMariaDb freeze)
      throws Exception {
    freeze.execute(
        "CREATE TABLE t (id INT PRIMARY KEY)",
        "CREATE TABLE `CaseT` (id INT)",
        "CREATE TABLE caset (id INT)",
        "CREATE TABLE other (id INT)",
        "INSERT INTO t VALUES (1)",
        "CREATE USER IF NOT EXISTS 'studio_app'@'localhost' IDENTIFIED BY 'app-pw'",
        "GRANT SELECT, INSERT, UPDATE, DELETE ON `"
            + freeze.name()
            + "`.* TO 'studio_app'@'localhost'");
    String db = "`" + freeze.name() + "`.";
    // another database on the same server, with a table of the same name as one in scope
    String neighbour = "`" + freeze.name() + "_neighbour`";
    freeze.execute(
        "CREATE DATABASE IF NOT EXISTS " + neighbour,
        "CREATE TABLE IF NOT EXISTS " + neighbour + ".t (id INT)");
    List<String> scope = List.of(db + "`t`", db + "`CaseT`");
    Dialect.WriteFreeze wf = new MariaDbDialect().writeFreeze().orElseThrow();
    try (Connection admin = freeze.connect()) {
      assertEquals(scope, wf.unguarded(admin, scope));
      wf.freezeWrites(admin, scope, java.time.Duration.ofSeconds(5));
      try {
        assertEquals(List.of(), wf.unguarded(admin, scope));
        // the freeze is on the tables in scope only: other databases of the server take writes
        try (Statement s = admin.createStatement()) {
          s.execute("INSERT INTO " + neighbour + ".t VALUES (1)");
          s.execute("UPDATE " + neighbour + ".t SET id = 2");
        }
        assertEquals(1, freeze.queryLong("SELECT count(*) FROM " + neighbour + ".t WHERE id = 2"));
        // what studio release finds: the guarded tables, named as the freeze takes them
        assertEquals(List.of(db + "`CaseT`", db + "`t`"), wf.guardedTables(admin));
        for (Connection c :
            List.of(
                java.sql.DriverManager.getConnection(freeze.jdbcUrl(), "studio_app", "app-pw"),
                freeze.connect())) { // root: exempt from read_only, not from the guard
          try (c;
              Statement s = c.createStatement()) {
            for (String write :
                List.of(
                    "INSERT INTO t VALUES (2)",
                    "UPDATE t SET id = 3",
                    "DELETE FROM t",
                    "INSERT INTO `CaseT` VALUES (1)")) {
              SQLException refused = assertThrows(SQLException.class, () -> s.execute(write));
              assertEquals("25006", refused.getSQLState(), write + ": " + refused.getMessage());
            }
            s.execute("INSERT INTO caset VALUES (1)"); // differs only in case: not in scope
            s.execute("INSERT INTO other VALUES (1)");
            assertNotNull(wf.tryWrite(c, db + "`t`"));
            assertNotNull(wf.tryWrite(c, db + "`CaseT`"), "an empty table is refused too");
          }
        }
      } finally {
        wf.unfreezeWrites(admin, wf.guardedTables(admin));
      }
      assertEquals(scope, wf.unguarded(admin, scope));
      assertEquals(List.of(), wf.guardedTables(admin));
      try (Connection app =
          java.sql.DriverManager.getConnection(freeze.jdbcUrl(), "studio_app", "app-pw")) {
        assertNull(wf.tryWrite(app, db + "`t`"));
        try (Statement s = app.createStatement()) {
          s.execute("INSERT INTO t VALUES (2)");
        }
      }
      assertEquals(2, freeze.queryLong("SELECT count(*) FROM t"));
      assertEquals(2, freeze.queryLong("SELECT count(*) FROM other"));
    } finally {
      freeze.execute("DROP DATABASE IF EXISTS " + neighbour);
    }
  }

  /**
   * The guards made ahead of the freeze let every write through; the freeze arms them with one
   * statement per table, which waits for a transaction that wrote to the table before it; after it
   * a transaction that began before the freeze (its snapshot older than the arming) is refused all
   * the same, and an application account granted DML on its database cannot turn the guard off.
   */
  @Test
  void guardsMadeAheadPassWritesUntilTheFreezeArmsThemAfterTheOpenWriters(TestMariaDb freeze)
      throws Exception {
    freeze.execute(
        "CREATE TABLE t (id INT PRIMARY KEY)",
        "CREATE TABLE other (id INT)",
        "INSERT INTO t VALUES (1)",
        "CREATE USER IF NOT EXISTS 'studio_app2'@'localhost' IDENTIFIED BY 'app-pw'",
        "GRANT SELECT, INSERT, UPDATE, DELETE ON `"
            + freeze.name()
            + "`.* TO 'studio_app2'@'localhost'");
    String db = "`" + freeze.name() + "`.";
    List<String> scope = List.of(db + "`t`");
    Dialect.WriteFreeze wf = new MariaDbDialect().writeFreeze().orElseThrow();
    assertTrue(wf.preparesAhead());
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newSingleThreadExecutor();
    try (Connection admin = freeze.connect();
        Connection writer =
            java.sql.DriverManager.getConnection(freeze.jdbcUrl(), "studio_app2", "app-pw");
        Connection early =
            java.sql.DriverManager.getConnection(freeze.jdbcUrl(), "studio_app2", "app-pw");
        Statement w = writer.createStatement();
        Statement e = early.createStatement()) {
      assertNotNull(wf.prepare(admin, scope, java.time.Duration.ofSeconds(5)));
      try {
        assertEquals(scope, wf.unguarded(admin, scope), "made, not armed");
        assertNull(wf.tryWrite(writer, db + "`t`"), "a write passes the guard made ahead");
        // an open transaction that wrote to t, and one that began (snapshot) before the freeze
        writer.setAutoCommit(false);
        w.execute("INSERT INTO t VALUES (2)");
        early.setAutoCommit(false);
        e.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT");
        e.executeQuery("SELECT count(*) FROM other").close();

        java.util.concurrent.Future<?> armed =
            pool.submit(
                () -> {
                  wf.freezeWrites(admin, scope, java.time.Duration.ofSeconds(20));
                  return null;
                });
        Thread.sleep(700);
        assertFalse(armed.isDone(), "the freeze waits for the transaction that wrote to t");
        writer.commit();
        armed.get(20, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(List.of(), wf.unguarded(admin, scope));

        SQLException refused =
            assertThrows(SQLException.class, () -> e.execute("INSERT INTO t VALUES (3)"));
        assertEquals("25006", refused.getSQLState(), refused.getMessage());
        early.rollback();
        refused = assertThrows(SQLException.class, () -> w.execute("UPDATE t SET id = id"));
        assertEquals("25006", refused.getSQLState(), refused.getMessage());
        writer.rollback();
        writer.setAutoCommit(true);
        SQLException denied =
            assertThrows(
                SQLException.class,
                () -> w.execute("UPDATE studio.guard_state SET armed = 0"),
                "the application cannot turn the guard off");
        assertEquals(1142, denied.getErrorCode(), denied.getMessage());
        try (Connection root = freeze.connect()) { // root: refused as well
          assertNotNull(wf.tryWrite(root, db + "`t`"));
        }
        try (Statement a = admin.createStatement()) {
          a.execute("INSERT INTO other VALUES (1)"); // not in scope
        }
      } finally {
        pool.shutdownNow();
        wf.unfreezeWrites(admin, scope);
      }
      assertEquals(scope, wf.unguarded(admin, scope));
      assertNull(wf.tryWrite(writer, db + "`t`"));
      assertEquals(
          0,
          freeze.queryLong(
              "SELECT count(*) FROM studio.guard_state WHERE table_schema = '"
                  + freeze.name()
                  + "'"));
      assertEquals(2, freeze.queryLong("SELECT count(*) FROM t"));
    }
  }
}
