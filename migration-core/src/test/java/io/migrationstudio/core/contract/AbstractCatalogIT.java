package io.migrationstudio.core.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.schema.CanonicalType;
import io.migrationstudio.core.schema.Column;
import io.migrationstudio.core.schema.ForeignKey;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.core.schema.TableInfo;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The catalog's contract (the dialect's introspection into an {@link Inventory}), run against every
 * source engine on its Chinook sample by one subclass each, which asserts what only its engine
 * reports (native types, generated names, indexes) and keeps its own edge-case tests.
 */
public abstract class AbstractCatalogIT {
  private static final List<String> CHINOOK_TABLES =
      List.of(
          "Album",
          "Artist",
          "Customer",
          "Employee",
          "Genre",
          "Invoice",
          "InvoiceLine",
          "MediaType",
          "Playlist",
          "PlaylistTrack",
          "Track");

  /** The engine's name, as its inventory reports it. */
  protected abstract String engine();

  /** A database holding Chinook as the engine's sample script creates it. */
  protected abstract EngineDb chinook() throws Exception;

  /** A Chinook table or column name as this engine's sample spells it (PascalCase by default). */
  protected String chinookName(String pascalCase) {
    return pascalCase;
  }

  /** What only this engine reports on its Chinook (native types, names of keys and indexes). */
  protected abstract void assertEngineDetails(Inventory chinook, EngineDb db);

  /** Reads the inventory; the snapshot transaction is ended and auto-commit restored after. */
  protected Inventory read(EngineDb db) throws Exception {
    try (Connection c = db.connect()) {
      Inventory inv = db.dialect().introspect(c, db.schema(), name -> true);
      assertTrue(c.getAutoCommit(), "the snapshot transaction is ended and auto-commit restored");
      assertFalse(c.isReadOnly());
      return inv;
    }
  }

  private TableInfo table(Inventory inv, String pascalCase) {
    return inv.table(chinookName(pascalCase)).orElseThrow();
  }

  private Column column(TableInfo table, String pascalCase) {
    return table.column(chinookName(pascalCase)).orElseThrow();
  }

  private List<String> names(String... pascalCase) {
    return Stream.of(pascalCase).map(this::chinookName).toList();
  }

  @Test
  public void chinookIsCataloguedCompletely() throws Exception {
    EngineDb db = chinook();
    Inventory inv = read(db);

    assertEquals(engine(), inv.engine());
    assertEquals(
        CHINOOK_TABLES.stream().map(this::chinookName).toList(),
        inv.tables().stream().map(TableInfo::name).toList());
    assertEquals(11, inv.tables().stream().mapToInt(t -> t.foreignKeys().size()).sum());
    Map<String, Long> rows =
        Map.of("Track", 3503L, "PlaylistTrack", 8715L, "InvoiceLine", 2240L, "Artist", 275L);
    rows.forEach((t, n) -> assertEquals(n, table(inv, t).rowCount(), t));
    assertEquals(15_607, inv.tables().stream().mapToLong(TableInfo::rowCount).sum());
    assertTrue(inv.tables().stream().allMatch(t -> t.sizeBytes() > 0));

    assertEquals(
        names("PlaylistId", "TrackId"), table(inv, "PlaylistTrack").primaryKey().columns());
    TableInfo track = table(inv, "Track");
    assertEquals(names("TrackId"), track.primaryKey().columns());
    Column name = column(track, "Name");
    assertEquals(CanonicalType.VARCHAR, name.type());
    assertEquals(200, name.length());
    assertFalse(name.nullable());
    assertTrue(column(track, "Composer").nullable());
    Column price = column(track, "UnitPrice");
    assertEquals(CanonicalType.DECIMAL, price.type());
    assertEquals(10, price.precision());
    assertEquals(2, price.scale());
    ForeignKey album =
        track.foreignKeys().stream()
            .filter(f -> f.refTable().equals(chinookName("Album")))
            .findFirst()
            .orElseThrow();
    assertEquals(names("AlbumId"), album.columns());
    assertEquals(names("AlbumId"), album.refColumns());
    assertEquals("NO ACTION", album.onDelete());
    assertEquals(CanonicalType.TIMESTAMP, column(table(inv, "Invoice"), "InvoiceDate").type());
    assertEquals(
        1,
        table(inv, "Employee").foreignKeys().stream()
            .filter(fk -> fk.refTable().equals(chinookName("Employee")))
            .count(),
        "self reference");

    assertEngineDetails(inv, db);
    assertEquals(new String(Json.write(inv)), new String(Json.write(read(db))), "byte-stable");
  }
}
