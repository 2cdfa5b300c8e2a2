package io.migrationstudio.core.dialect.sqlite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.core.contract.AbstractCatalogIT;
import io.migrationstudio.core.contract.EngineDb;
import io.migrationstudio.core.schema.CanonicalType;
import io.migrationstudio.core.schema.CheckConstraint;
import io.migrationstudio.core.schema.Column;
import io.migrationstudio.core.schema.ForeignKey;
import io.migrationstudio.core.schema.IndexInfo;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.core.schema.KeyConstraint;
import io.migrationstudio.core.schema.TableInfo;
import io.migrationstudio.testkit.SqliteDatabases;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The catalog contract on SQLite's Chinook, and every object kind under hostile names. */
class SqliteCatalogIT extends AbstractCatalogIT {
  private final SqliteDialect dialect = new SqliteDialect();

  @TempDir Path dir;

  @Override
  protected String engine() {
    return "sqlite";
  }

  @Override
  protected EngineDb chinook() {
    return EngineDb.sqlite(SqliteDatabases.chinook(dir));
  }

  @Override
  protected void assertEngineDetails(Inventory inv, EngineDb chinook) {
    assertTrue(inv.serverVersion().matches("3\\.\\d+\\.\\d+"), inv.serverVersion());
    assertEquals("chinook.db", inv.database());
    inv.tables().forEach(t -> assertTrue(t.sizeBytes() >= 4096, t.name() + " has pages"));

    TableInfo playlistTrack = inv.table("PlaylistTrack").orElseThrow();
    assertEquals(
        new KeyConstraint("PlaylistTrack_pkey", List.of("PlaylistId", "TrackId")),
        playlistTrack.primaryKey());
    assertFalse(playlistTrack.column("PlaylistId").orElseThrow().identity(), "composite PK");
    assertEquals(
        List.of("IFK_PlaylistTrackPlaylistId", "IFK_PlaylistTrackTrackId"),
        playlistTrack.indexes().stream().map(IndexInfo::name).toList());

    TableInfo track = inv.table("Track").orElseThrow();
    Column trackId = track.column("TrackId").orElseThrow();
    assertEquals(CanonicalType.BIGINT, trackId.type());
    assertTrue(trackId.identity(), "INTEGER PRIMARY KEY is the rowid alias");
    assertEquals("NVARCHAR(200)", track.column("Name").orElseThrow().nativeType());
    assertEquals(
        new ForeignKey(
            "Track_AlbumId_fkey",
            List.of("AlbumId"),
            "Album",
            List.of("AlbumId"),
            "NO ACTION",
            "NO ACTION"),
        track.foreignKeys().get(0));
    assertEquals(
        List.of(
            new ForeignKey(
                "Employee_ReportsTo_fkey",
                List.of("ReportsTo"),
                "Employee",
                List.of("EmployeeId"),
                "NO ACTION",
                "NO ACTION")),
        inv.table("Employee").orElseThrow().foreignKeys(),
        "self reference");
  }

  private Inventory inventory(Path file) throws Exception {
    return read(EngineDb.sqlite(file));
  }

  @Test
  void hostileIdentifiersAndEveryObjectKind(@TempDir Path dir) throws Exception {
    Path file =
        SqliteDatabases.create(
            dir.resolve("hostile.db"),
            """
            CREATE TABLE "Parent ""P""\" (
              "id" INTEGER PRIMARY KEY AUTOINCREMENT,
              "Ünïcödé" NVARCHAR(12) NOT NULL DEFAULT 'x',
              code TEXT UNIQUE
            );
            CREATE TABLE [select] (
              "from" INTEGER NOT NULL,
              "where" TEXT,
              "Parent Id" INT REFERENCES "Parent ""P""\" ON DELETE CASCADE ON UPDATE SET NULL,
              anything,
              blobby BLOB,
              flag BOOLEAN,
              CONSTRAINT "positive" CHECK ("from" > 0),
              CHECK (length("where") < 10),
              UNIQUE ("where", "from")
            );
            CREATE TABLE "order items" (a TEXT, b TEXT, PRIMARY KEY (b, a)) WITHOUT ROWID;
            CREATE INDEX "ix ""partial""\" ON [select] ("where") WHERE "from" > 5;
            CREATE UNIQUE INDEX ix_expr ON [select] (lower("where"));
            CREATE VIEW "v ""one""\" AS SELECT "from" AS f FROM [select];
            CREATE VIEW "v list" ("a b", [c]) AS SELECT "from", "where" FROM [select];
            CREATE TRIGGER trg AFTER INSERT ON [select] BEGIN SELECT 1; END;
            INSERT INTO "Parent ""P""\" ("Ünïcödé", code) VALUES ('a', 'A'), ('b', 'B');
            INSERT INTO [select] VALUES (7, 'w', 1, 1.5, x'00ff', 1);
            """);
    Inventory inv = inventory(file);
    assertEquals(
        List.of("Parent \"P\"", "order items", "select"),
        inv.tables().stream().map(TableInfo::name).toList(),
        "sqlite_sequence is SQLite's own; sorted by code point");

    TableInfo parent = inv.table("Parent \"P\"").orElseThrow();
    assertTrue(parent.column("id").orElseThrow().identity());
    assertFalse(parent.column("id").orElseThrow().nullable());
    assertTrue(parent.column("id").orElseThrow().autoincrement(), "declared AUTOINCREMENT");
    Column unicode = parent.column("Ünïcödé").orElseThrow();
    assertEquals("'x'", unicode.defaultExpression());
    assertEquals(12, unicode.length());
    assertEquals(
        List.of(new KeyConstraint("Parent \"P\"_code_key", List.of("code"))), parent.uniqueKeys());
    assertEquals(2, parent.rowCount());

    TableInfo select = inv.table("select").orElseThrow();
    assertNull(select.primaryKey(), "a table without primary key");
    assertEquals(
        List.of(
            new ForeignKey(
                "select_Parent Id_fkey",
                List.of("Parent Id"),
                "Parent \"P\"",
                List.of("id"),
                "CASCADE",
                "SET NULL")),
        select.foreignKeys(),
        "an FK naming no parent column references the parent's primary key");
    assertEquals(
        List.of(
            new CheckConstraint("positive", "\"from\" > 0"),
            new CheckConstraint("select_check1", "length(\"where\") < 10")),
        select.checks());
    assertEquals(
        List.of(new KeyConstraint("select_where_from_key", List.of("where", "from"))),
        select.uniqueKeys());
    assertEquals(CanonicalType.UNSUPPORTED, select.column("anything").orElseThrow().type());
    assertEquals("", select.column("anything").orElseThrow().nativeType());
    assertEquals(CanonicalType.BYTES, select.column("blobby").orElseThrow().type());
    assertEquals(CanonicalType.BOOLEAN, select.column("flag").orElseThrow().type());
    assertFalse(select.column("from").orElseThrow().identity(), "no primary key, no alias");
    IndexInfo partial = select.indexes().get(0);
    assertEquals("ix \"partial\"", partial.name());
    assertEquals(List.of("where"), partial.columns());
    assertEquals("\"from\" > 5", partial.predicate());
    assertFalse(partial.unique());
    IndexInfo expr = select.indexes().get(1);
    assertEquals("ix_expr", expr.name());
    assertTrue(expr.unique());
    assertEquals(List.of(), expr.columns(), "expression index");
    assertNull(expr.predicate());

    TableInfo items = inv.table("order items").orElseThrow();
    assertEquals(List.of("b", "a"), items.primaryKey().columns());
    assertFalse(items.column("b").orElseThrow().identity());
    assertFalse(items.column("b").orElseThrow().autoincrement());

    assertEquals(2, inv.views().size());
    assertEquals("v \"one\"", inv.views().get(0).name());
    assertEquals("SELECT \"from\" AS f FROM [select]", inv.views().get(0).definition());
    assertEquals(List.of(), inv.views().get(0).columnList(), "no column list declared");
    assertEquals("v list", inv.views().get(1).name());
    assertEquals("SELECT \"from\", \"where\" FROM [select]", inv.views().get(1).definition());
    assertEquals(List.of("a b", "c"), inv.views().get(1).columnList());
    String json = io.migrationstudio.core.report.Json.write(inv);
    assertEquals(
        inv,
        io.migrationstudio.core.report.Json.read(
            io.migrationstudio.core.report.Json.bytes(json), Inventory.class, "inventory"),
        "inventory.json keeps AUTOINCREMENT and the view's column list");
    assertEquals(1, json.split("\"autoincrement\"", -1).length - 1, "written only when true");
    assertEquals(1, json.split("\"column_list\"", -1).length - 1, "written only when declared");

    Inventory onlyParent = inventoryFiltered(file, "Parent \"P\"");
    assertEquals(1, onlyParent.tables().size());
    assertTrue(onlyParent.views().isEmpty(), "the filter applies to views too");
  }

  private Inventory inventoryFiltered(Path file, String only) throws Exception {
    try (Connection c = DriverManager.getConnection(SqliteDatabases.url(file))) {
      return dialect.introspect(c, "main", only::equals);
    }
  }
}
