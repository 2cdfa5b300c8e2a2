package io.migrationstudio.core.dialect.sqlite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.core.assess.InventoryService;
import io.migrationstudio.core.assess.Throughput;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.report.StageOutput;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.core.spec.SecretResolver;
import io.migrationstudio.core.spec.SpecLoader;
import io.migrationstudio.testkit.SqliteDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SQLite through the normal paths: spec, InventoryService, streaming, failure classification. */
class SqliteSourceIT {
  private final InventoryService service = new InventoryService(new SecretResolver(Map.of()));

  /** A spec as a user writes it: a SQLite file as source, no user, no password, no schema. */
  static MigrationSpec spec(String sourceUrl) {
    return SpecLoader.parse(
        "id: sqlite-it\n"
            + "source: { url: \""
            + sourceUrl
            + "\" }\n"
            + "target: { url: \"jdbc:postgresql://127.0.0.1:5432/chinook\", user: postgres }\n");
  }

  @Test
  void chinookInventoryThroughTheSpecAndTheService(@TempDir Path dir) {
    Path file = SqliteDatabases.chinook(dir);
    MigrationSpec spec = spec(SqliteDatabases.url(file));
    assertNull(spec.source().user());
    assertEquals("main", Dialects.schemaOf(spec.source()));

    StageOutput out = service.run(spec, Optional.empty());
    Inventory inv =
        Json.read(out.files().get(ArtifactPaths.INVENTORY_JSON), Inventory.class, "inventory");
    assertEquals("sqlite", inv.engine());
    assertEquals(11, inv.tables().size());
    assertEquals(11, inv.loadOrder().size());
    assertTrue(
        inv.loadOrder().indexOf("Artist") < inv.loadOrder().indexOf("Album"), "parents first");
    Throughput tp =
        Json.read(out.files().get(ArtifactPaths.THROUGHPUT_JSON), Throughput.class, "tp");
    // every Chinook row, unless the probe's 2 s budget ran out first (CI at load 25: 11,776 rows)
    assertTrue(
        tp.sampledRows() == 15_607
            || (tp.sampledRows() > 0
                && tp.sampledMillis() >= 2_000), // ThroughputProbe.TIME_BUDGET_NANOS
        "the probe streamed every Chinook row or spent its budget: " + tp);

    StageOutput again =
        service.run(spec, Optional.of(out.files().get(ArtifactPaths.THROUGHPUT_JSON)));
    assertEquals(
        new String(out.files().get(ArtifactPaths.INVENTORY_JSON)),
        new String(again.files().get(ArtifactPaths.INVENTORY_JSON)),
        "byte-stable (the database name is the file name, not its temporary directory)");
  }

  @Test
  void aMissingFileIsAMissingObjectNamingThePathAndIsNotCreated(@TempDir Path dir) {
    Path missing = dir.resolve("no such.db");
    MigrationException e =
        assertThrows(
            MigrationException.class,
            () -> service.run(spec(SqliteDatabases.url(missing)), Optional.empty()));
    assertEquals(ErrorCode.MISSING_OBJECT, e.code());
    assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("SQLITE_CANTOPEN"), e.getMessage());
    assertFalse(Files.exists(missing), "opening a source never creates a database file");
  }

  @Test
  void aLockedDatabaseIsTransient(@TempDir Path dir) throws Exception {
    Path file = SqliteDatabases.create(dir.resolve("locked.db"), "CREATE TABLE t (a INTEGER);");
    try (Connection holder = DriverManager.getConnection(SqliteDatabases.url(file));
        Statement s = holder.createStatement()) {
      holder.setAutoCommit(false);
      s.execute("INSERT INTO t VALUES (1)");
      s.execute("PRAGMA main.locking_mode = EXCLUSIVE");
      s.execute("INSERT INTO t VALUES (2)");
      holder.commit(); // EXCLUSIVE locking mode keeps the lock after the commit
      MigrationException e =
          assertThrows(
              MigrationException.class,
              () ->
                  service.run(
                      spec(SqliteDatabases.url(file) + "?busy_timeout=100"), Optional.empty()));
      assertEquals(ErrorCode.TRANSIENT_SQL, e.code(), e.getMessage());
      assertTrue(e.getMessage().contains("SQLITE_BUSY"), e.getMessage());
    }
  }

  /**
   * 200 000 rows of ~1 kB (~200 MB of values) read through {@link Dialect#streamingQuery}: the heap
   * grows by far less than the data, so rows are stepped, not materialized.
   */
  @Test
  void streamsTwoHundredThousandRowsWithBoundedMemory(@TempDir Path dir) throws Exception {
    Path file =
        SqliteDatabases.create(
            dir.resolve("big.db"),
            """
            CREATE TABLE big (id INTEGER PRIMARY KEY, payload TEXT NOT NULL);
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000)
            INSERT INTO big SELECT i, printf('%.1000c', 'x') || i FROM n;
            """);
    Dialect dialect = Dialects.forUrl(SqliteDatabases.url(file));
    Runtime rt = Runtime.getRuntime();
    try (Connection c = DriverManager.getConnection(SqliteDatabases.url(file));
        PreparedStatement ps =
            dialect.streamingQuery(c, "SELECT id, payload FROM big ORDER BY id", 1000);
        ResultSet rs = ps.executeQuery()) {
      System.gc();
      long before = rt.totalMemory() - rt.freeMemory();
      long rows = 0;
      long chars = 0;
      long peak = 0;
      while (rs.next()) {
        rows++;
        chars += rs.getString(2).length();
        if (rows % 50_000 == 0) {
          System.gc();
          peak = Math.max(peak, rt.totalMemory() - rt.freeMemory() - before);
        }
      }
      assertEquals(200_000, rows);
      assertTrue(chars > 200_000_000L, "the data read weighs more than 200 MB of characters");
      assertTrue(
          peak < 64L * 1024 * 1024,
          "heap grew by " + peak / (1024 * 1024) + " MB while streaming ~400 MB of strings");
    }
  }
}
