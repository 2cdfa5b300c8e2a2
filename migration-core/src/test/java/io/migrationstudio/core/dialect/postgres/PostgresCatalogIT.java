package io.migrationstudio.core.dialect.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.core.assess.InventoryService;
import io.migrationstudio.core.contract.AbstractCatalogIT;
import io.migrationstudio.core.contract.EngineDb;
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
class PostgresCatalogIT extends AbstractCatalogIT {
  private final PostgresDialect dialect = new PostgresDialect();

  @Override
  protected String engine() {
    return "postgresql";
  }

  @Override
  protected EngineDb chinook() throws Exception {
    return EngineDb.postgresChinook();
  }

  @Override
  protected String chinookName(String pascalCase) {
    return EngineDb.snakeCase(pascalCase);
  }

  @Override
  protected void assertEngineDetails(Inventory inv, EngineDb chinook) {
    assertEquals(chinook.name(), inv.database());
    assertTrue(inv.loadOrder().isEmpty(), "the dialect leaves the load order to LoadOrder");

    TableInfo playlistTrack = inv.table("playlist_track").orElseThrow();
    assertEquals("playlist_track_pkey", playlistTrack.primaryKey().name());
    assertEquals(
        List.of("playlist_track_playlist_id_idx", "playlist_track_track_id_idx"),
        playlistTrack.indexes().stream().map(IndexInfo::name).toList());

    TableInfo track = inv.table("track").orElseThrow();
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

    assertEquals("character varying(200)", track.column("name").orElseThrow().nativeType());
    assertEquals(
        11, inv.tables().stream().mapToLong(t -> t.indexes().size()).sum(), "one per FK column");
  }

  private Inventory read(TestDatabase db, String schema) throws Exception {
    return read(new EngineDb(db.name(), db.jdbcUrl(), db.user(), schema));
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
    // read with the search_path at the schema read: its own tables unqualified, so the view's DDL
    // runs against whichever schema a diff changes
    assertTrue(
        def.contains("FROM \"order\"")
            && !def.contains("Sales Ω")
            && def.contains("WHERE amount::numeric > 100"),
        def);

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
