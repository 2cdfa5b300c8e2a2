package io.migrationstudio.core.dialect.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.core.assess.InventoryService;
import io.migrationstudio.core.db.SampleDatabases;
import io.migrationstudio.core.schema.CanonicalType;
import io.migrationstudio.core.schema.Column;
import io.migrationstudio.core.schema.ForeignKey;
import io.migrationstudio.core.schema.IndexInfo;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.core.schema.SequenceInfo;
import io.migrationstudio.core.schema.TableInfo;
import io.migrationstudio.core.schema.ViewInfo;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class PostgresCatalogIT {
  private final PostgresDialect dialect = new PostgresDialect();

  private Inventory read(TestDatabase db, String schema) throws Exception {
    try (Connection c = db.connect()) {
      Inventory inv = dialect.introspect(c, schema, name -> true);
      assertTrue(c.getAutoCommit(), "the snapshot transaction is ended and auto-commit restored");
      assertFalse(c.isReadOnly());
      return inv;
    }
  }

  @Test
  void chinookIsCataloguedCompletely(TestDatabase chinook) throws Exception {
    try (Connection c = chinook.connect()) {
      SampleDatabases.loadChinookPostgres(c);
    }
    Inventory inv = read(chinook, "public");

    assertEquals("postgresql", inv.engine());
    assertEquals(chinook.name(), inv.database());
    assertEquals(
        List.of(
            "album",
            "artist",
            "customer",
            "employee",
            "genre",
            "invoice",
            "invoice_line",
            "media_type",
            "playlist",
            "playlist_track",
            "track"),
        inv.tables().stream().map(TableInfo::name).toList());
    assertEquals(11, inv.tables().stream().mapToLong(t -> t.foreignKeys().size()).sum());
    assertEquals(15_607, inv.tables().stream().mapToLong(TableInfo::rowCount).sum());
    assertTrue(inv.tables().stream().allMatch(t -> t.sizeBytes() > 0));
    assertTrue(inv.loadOrder().isEmpty(), "the dialect leaves the load order to LoadOrder");

    TableInfo playlistTrack = inv.table("playlist_track").orElseThrow();
    assertEquals("playlist_track_pkey", playlistTrack.primaryKey().name());
    assertEquals(List.of("playlist_id", "track_id"), playlistTrack.primaryKey().columns());
    assertEquals(
        List.of("playlist_track_playlist_id_idx", "playlist_track_track_id_idx"),
        playlistTrack.indexes().stream().map(IndexInfo::name).toList());

    TableInfo track = inv.table("track").orElseThrow();
    assertEquals(3503, track.rowCount());
    assertEquals(
        List.of("track_album_id_idx", "track_genre_id_idx", "track_media_type_id_idx"),
        track.indexes().stream().map(IndexInfo::name).toList());
    IndexInfo albumIdx = track.indexes().get(0);
    assertEquals(List.of("album_id"), albumIdx.columns());
    assertEquals("btree", albumIdx.method());
    assertFalse(albumIdx.unique());
    assertTrue(albumIdx.definition().startsWith("CREATE INDEX track_album_id_idx ON public.track"));
    ForeignKey trackAlbum = track.foreignKeys().get(0);
    assertEquals("track_album_id_fkey", trackAlbum.name());
    assertEquals("album", trackAlbum.refTable());
    assertEquals(List.of("album_id"), trackAlbum.refColumns());
    assertEquals("NO ACTION", trackAlbum.onDelete());

    Column name = track.column("name").orElseThrow();
    assertEquals("character varying(200)", name.nativeType());
    assertEquals(CanonicalType.VARCHAR, name.type());
    assertEquals(200, name.length());
    assertFalse(name.nullable());
    Column price = track.column("unit_price").orElseThrow();
    assertEquals(CanonicalType.DECIMAL, price.type());
    assertEquals(10, price.precision());
    assertEquals(2, price.scale());
    assertEquals(
        11, inv.tables().stream().mapToLong(t -> t.indexes().size()).sum(), "one per FK column");
    assertEquals(
        1,
        inv.table("employee").orElseThrow().foreignKeys().stream()
            .filter(fk -> fk.refTable().equals("employee"))
            .count());
  }

  @Test
  void hostileIdentifiersAndEdgeCasesRoundTrip(TestDatabase hostile) throws Exception {
    hostile.execute(
        "CREATE SCHEMA \"Sales Ω\"",
        "SET search_path = \"Sales Ω\"",
        "CREATE TYPE mood AS ENUM ('sad', 'happy')",
        "CREATE DOMAIN positive_money AS numeric(12,3) CHECK (VALUE > 0)",
        "CREATE TABLE \"order\" (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
            + " \"user\" text NOT NULL, m mood, amount positive_money, tags text[],"
            + " ip inet, code char(3) DEFAULT 'abc')",
        "CREATE TABLE \"Order Items\" (\"Order Items Id\" serial PRIMARY KEY,"
            + " order_id bigint NOT NULL REFERENCES \"order\"(id) ON DELETE CASCADE,"
            + " \"select\" integer CHECK (\"select\" >= 0),"
            + " \"naïve \"\"quoted\"\"\" varchar(20) UNIQUE)",
        "CREATE INDEX \"lower \"\"user\"\"\" ON \"order\" (lower(\"user\"))",
        "CREATE UNIQUE INDEX \"big select\" ON \"Order Items\" (\"select\") WHERE \"select\" > 100",
        "CREATE TABLE log_without_pk (at timestamptz, line text)",
        "CREATE TABLE a (id int PRIMARY KEY, b_id int)",
        "CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a(id))",
        "ALTER TABLE a ADD CONSTRAINT a_b_fk FOREIGN KEY (b_id) REFERENCES b(id)",
        "CREATE SEQUENCE free_seq",
        "SELECT nextval('free_seq'), nextval('free_seq')",
        "INSERT INTO \"order\" (\"user\", m, amount, ip) VALUES ('x', 'sad', 1.5, '10.0.0.1')",
        "INSERT INTO \"Order Items\" (order_id, \"select\") VALUES (1, 7), (1, 8)",
        "INSERT INTO log_without_pk VALUES (now(), 'l1'), (now(), 'l2'), (now(), 'l3')",
        "CREATE VIEW \"Big Orders\" AS SELECT * FROM \"order\" WHERE amount > 100",
        "CREATE MATERIALIZED VIEW item_counts AS SELECT order_id, count(*) FROM \"Order Items\""
            + " GROUP BY order_id",
        // an object in another schema with the same name must not leak in
        "CREATE TABLE public.\"order\" (x int)");
    Inventory inv = read(hostile, "Sales Ω");

    assertEquals(
        List.of("Order Items", "a", "b", "log_without_pk", "order"),
        inv.tables().stream().map(TableInfo::name).toList());
    TableInfo items = inv.table("Order Items").orElseThrow();
    assertEquals(List.of("Order Items Id"), items.primaryKey().columns());
    assertTrue(
        items.column("Order Items Id").orElseThrow().identity(), "serial counts as identity");
    assertEquals(2, items.rowCount());
    Column select = items.column("select").orElseThrow();
    assertEquals(CanonicalType.INTEGER, select.type());
    assertEquals("CHECK (\"select\" >= 0)", items.checks().get(0).expression());
    Column naive = items.column("naïve \"quoted\"").orElseThrow();
    assertEquals(20, naive.length());
    assertEquals(List.of("naïve \"quoted\""), items.uniqueKeys().get(0).columns());
    ForeignKey toOrder = items.foreignKeys().get(0);
    assertEquals("order", toOrder.refTable());
    assertEquals("CASCADE", toOrder.onDelete());
    IndexInfo partial = items.indexes().get(0);
    assertEquals("big select", partial.name());
    assertTrue(partial.unique());
    assertEquals(List.of("select"), partial.columns());
    assertEquals("(\"select\" > 100)", partial.predicate());

    TableInfo order = inv.table("order").orElseThrow();
    assertEquals(1, order.rowCount());
    assertTrue(order.column("id").orElseThrow().identity());
    assertEquals(CanonicalType.ENUM, order.column("m").orElseThrow().type());
    Column amount = order.column("amount").orElseThrow();
    assertEquals(CanonicalType.DECIMAL, amount.type(), "a domain takes its base type");
    assertEquals(12, amount.precision());
    assertEquals(3, amount.scale());
    assertEquals(CanonicalType.ARRAY, order.column("tags").orElseThrow().type());
    assertEquals(CanonicalType.UNSUPPORTED, order.column("ip").orElseThrow().type());
    assertEquals("inet", order.column("ip").orElseThrow().nativeType());
    Column code = order.column("code").orElseThrow();
    assertEquals(CanonicalType.CHAR, code.type());
    assertEquals(3, code.length());
    assertEquals("'abc'::bpchar", code.defaultExpression());
    IndexInfo expression = order.indexes().get(0);
    assertEquals("lower \"user\"", expression.name());
    assertTrue(expression.columns().isEmpty(), "expression index has no plain columns");

    assertNull(inv.table("log_without_pk").orElseThrow().primaryKey());
    assertEquals(3, inv.table("log_without_pk").orElseThrow().rowCount());
    assertEquals("a_b_fk", inv.table("a").orElseThrow().foreignKeys().get(0).name());
    assertEquals("a", inv.table("b").orElseThrow().foreignKeys().get(0).refTable());

    assertEquals(
        List.of("Big Orders", "item_counts"), inv.views().stream().map(ViewInfo::name).toList());
    assertFalse(inv.views().get(0).materialized());
    assertTrue(inv.views().get(1).materialized());
    String def = inv.views().get(0).definition();
    assertTrue(
        def.contains("\"Sales Ω\".\"order\"") && def.contains("WHERE amount::numeric > 100"), def);

    List<SequenceInfo> seqs = inv.sequences();
    assertEquals(
        List.of("Order Items_Order Items Id_seq", "free_seq", "order_id_seq"),
        seqs.stream().map(SequenceInfo::name).toList());
    assertEquals("Order Items", seqs.get(0).ownedByTable());
    assertEquals("Order Items Id", seqs.get(0).ownedByColumn());
    assertEquals(2L, seqs.get(0).lastValue());
    assertNull(seqs.get(1).ownedByTable());
    assertEquals(2L, seqs.get(1).lastValue());
    assertEquals("id", seqs.get(2).ownedByColumn());

    Inventory filled;
    try (Connection c = hostile.connect()) {
      filled = InventoryService.introspect(c, dialect, "Sales Ω", n -> !n.startsWith("log"));
    }
    assertEquals(
        List.of("Order Items", "a", "b", "order"),
        filled.tables().stream().map(TableInfo::name).toList());
    assertEquals(List.of("a", "b", "order", "Order Items"), filled.loadOrder());
    assertEquals(
        List.of(List.of("a.a_b_fk -> b (deferred)", "b.b_a_id_fkey -> a")), filled.cycles());
  }
}
