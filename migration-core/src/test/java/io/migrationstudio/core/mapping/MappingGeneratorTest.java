package io.migrationstudio.core.mapping;

import static io.migrationstudio.core.mapping.Fixtures.chinookLike;
import static io.migrationstudio.core.mapping.Fixtures.col;
import static io.migrationstudio.core.mapping.Fixtures.spec;
import static io.migrationstudio.core.mapping.Fixtures.table;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.schema.CanonicalType;
import io.migrationstudio.core.schema.ForeignKey;
import io.migrationstudio.core.schema.IndexInfo;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.core.schema.KeyConstraint;
import io.migrationstudio.core.schema.TableInfo;
import java.util.List;
import org.junit.jupiter.api.Test;

class MappingGeneratorTest {
  private final MappingGenerator generator = new MappingGenerator();

  @Test
  void snakeCaseMappingOfEveryColumnInLoadOrder() {
    MappingDocument doc =
        generator.generate(chinookLike(List.of("Artist", "Album")), spec("snake_case", null));

    assertEquals(
        List.of("Artist", "Album"), doc.tables().stream().map(TableMapping::source).toList());
    assertEquals("snake_case", doc.naming());
    assertEquals("postgresql", doc.sourceEngine());
    assertEquals("public", doc.sourceSchema());
    assertEquals("dst", doc.targetSchema());

    TableMapping album = doc.bySource("Album").orElseThrow();
    assertEquals("album", album.target());
    assertEquals(
        List.of("album_id", "title", "artist_id", "added_at"),
        album.columns().stream().map(ColumnMapping::target).toList());
    assertTrue(album.columns().stream().allMatch(c -> c.disposition() == Disposition.MAP));
    ColumnMapping title = album.bySource("Title").orElseThrow();
    assertEquals("character varying(160)", title.type());
    assertEquals(CanonicalType.VARCHAR, title.canonical());
    assertFalse(title.nullable());
    ColumnMapping albumId = album.bySource("AlbumId").orElseThrow();
    assertTrue(albumId.identity());
    assertNull(albumId.defaultValue(), "an identity is marked by identity: true alone");
    assertEquals("now()", album.bySource("AddedAt").orElseThrow().defaultValue());
    assertEquals("timestamp with time zone", album.bySource("AddedAt").orElseThrow().type());

    assertEquals(List.of("album_id"), album.primaryKey());
    assertEquals("uq_title", album.uniqueKeys().get(0).name());
    ForeignKey fk = album.foreignKeys().get(0);
    assertEquals("fk_album_artist_id", fk.name());
    assertEquals(List.of("artist_id"), fk.columns());
    assertEquals("artist", fk.refTable());
    assertEquals(List.of("artist_id"), fk.refColumns());
    assertEquals("CASCADE", fk.onDelete());
    // the plain index is translated; the expression index names source columns and is left out
    assertEquals(1, album.indexes().size());
    assertEquals("ifk_album_artist_id", album.indexes().get(0).name());
    assertEquals(List.of("artist_id"), album.indexes().get(0).columns());

    TableMapping artist = doc.bySource("Artist").orElseThrow();
    assertTrue(artist.bySource("ArtistId").orElseThrow().identity(), "serial");
    assertFalse(artist.bySource("Name").orElseThrow().identity());
    assertEquals(
        List.of(
            new SequenceMapping(
                "Artist_ArtistId_seq", "artist_artist_id_seq", "artist", "artist_id"),
            new SequenceMapping("Global Seq", "global_seq", null, null, Fixtures.GLOBAL_SEQ)),
        doc.sequences());
  }

  @Test
  void identityNamingKeepsNamesAndExpressionIndexes() {
    MappingDocument doc = generator.generate(chinookLike(List.of()), spec("identity", null));
    assertEquals(
        List.of("Album", "Artist"), doc.tables().stream().map(TableMapping::target).toList());
    TableMapping album = doc.bySource("Album").orElseThrow();
    assertEquals(2, album.indexes().size());
    assertTrue(album.indexes().stream().anyMatch(i -> i.name().equals("album_lower_title")));
    assertEquals("AlbumId", album.columns().get(0).target());
  }

  @Test
  void renderingIsByteStableAndRoundTrips() {
    Inventory inv = chinookLike(List.of("Artist", "Album"));
    byte[] first = MappingLoader.renderBytes(generator.generate(inv, spec("snake_case", null)));
    byte[] second = MappingLoader.renderBytes(generator.generate(inv, spec("snake_case", null)));
    assertArrayEquals(first, second);
    MappingDocument loaded = MappingLoader.load(first, inv);
    assertEquals(generator.generate(inv, spec("snake_case", null)), loaded);
    assertArrayEquals(first, MappingLoader.renderBytes(loaded));
    String yaml = new String(first, java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(yaml.endsWith("\n"));
    assertTrue(yaml.startsWith("version: 1\n"), yaml);
  }

  @Test
  void aNameTooLongForPostgresqlBlamesTheSourceNotAMissingOverridesFile() {
    String longName = "Quarterly_Revenue_By_Region_And_Product_Line_Including_Returns_2024";
    Inventory inv =
        new Inventory(
            "postgresql",
            "17",
            "db",
            "public",
            List.of(
                table(
                    longName,
                    List.of(col("id", 1, "integer", CanonicalType.INTEGER, false)),
                    List.of("id"))),
            null,
            null,
            null,
            null);
    MigrationException e =
        assertThrows(
            MigrationException.class, () -> generator.generate(inv, spec("identity", null)));
    assertEquals(ErrorCode.INVALID_SPEC, e.code());
    assertFalse(e.getMessage().contains("merged mapping"), e.getMessage());
    assertFalse(e.getMessage().startsWith("mapping.overrides"), e.getMessage());
    assertTrue(e.getMessage().contains(longName), e.getMessage());
    assertTrue(e.getMessage().contains("in a mapping.overrides file"), e.getMessage());
  }

  @Test
  void collisionsAreRefusedListingEveryOne() {
    Inventory inv =
        new Inventory(
            "postgresql",
            "17",
            "db",
            "public",
            List.of(
                table(
                    "OrderItems",
                    List.of(
                        col("AlbumId", 1, "integer", CanonicalType.INTEGER, false),
                        col("album_id", 2, "integer", CanonicalType.INTEGER, true),
                        col("Album Id", 3, "integer", CanonicalType.INTEGER, true)),
                    List.of("AlbumId")),
                table("order_items", List.of(col("x", 1, "text", CanonicalType.TEXT, true)), null)),
            null,
            null,
            null,
            null);
    MigrationException e =
        assertThrows(
            MigrationException.class, () -> generator.generate(inv, spec("snake_case", null)));
    assertEquals(ErrorCode.INVALID_SPEC, e.code());
    assertTrue(e.getMessage().contains("2 collision(s)"), e.getMessage());
    assertTrue(e.getMessage().contains("\"OrderItems\", \"order_items\""), e.getMessage());
    assertTrue(e.getMessage().contains("\"AlbumId\", \"album_id\", \"Album Id\""), e.getMessage());

    // identity naming has no collision; an override naming distinct targets resolves them
    generator.generate(inv, spec("identity", null));
    String overrides =
        """
        tables:
          - source: order_items
            target: order_items_legacy
          - source: OrderItems
            columns:
              - source: album_id
                target: album_id_old
              - source: Album Id
                disposition: drop
                reason: always equal to AlbumId
        """;
    MappingDocument doc =
        generator.generate(inv, spec("snake_case", "o.yaml"), Json.bytes(overrides));
    assertEquals("order_items_legacy", doc.bySource("order_items").orElseThrow().target());
    TableMapping items = doc.bySource("OrderItems").orElseThrow();
    assertEquals(
        List.of("album_id", "album_id_old"),
        items.copiedColumns().stream().map(ColumnMapping::target).toList());
    assertEquals(Disposition.DROP, items.bySource("Album Id").orElseThrow().disposition());
  }

  @Test
  void overridesWinFieldByFieldAndRenameFlowsIntoKeys() {
    String overrides =
        """
        tables:
          - source: Artist
            target: performer
            columns:
              - source: ArtistId
                target: performer_id
              - source: Name
                type: character varying(60)
                nullable: false
          - source: Album
            columns:
              - source: AddedAt
                type: timestamp without time zone
                disposition: cast
              - target: migrated
                type: boolean
                disposition: default
                default: "true"
        sequences:
          - source: Global Seq
            target: global_sequence
        """;
    MappingDocument doc =
        generator.generate(
            chinookLike(List.of("Artist", "Album")),
            spec("snake_case", "overrides.yaml"),
            Json.bytes(overrides));
    TableMapping artist = doc.bySource("Artist").orElseThrow();
    assertEquals("performer", artist.target());
    assertEquals(List.of("performer_id"), artist.primaryKey());
    ColumnMapping name = artist.bySource("Name").orElseThrow();
    assertEquals(Disposition.CAST, name.disposition(), "a changed type turns map into cast");
    assertEquals("character varying(60)", name.type());
    assertFalse(name.nullable());
    assertEquals("character varying(120)", name.sourceType());

    ForeignKey fk = doc.bySource("Album").orElseThrow().foreignKeys().get(0);
    assertEquals("performer", fk.refTable());
    assertEquals(List.of("performer_id"), fk.refColumns());
    ColumnMapping migrated = doc.bySource("Album").orElseThrow().byTarget("migrated").orElseThrow();
    assertEquals(Disposition.DEFAULT, migrated.disposition());
    assertEquals(CanonicalType.BOOLEAN, migrated.canonical());
    assertEquals(
        new SequenceMapping(
            "Artist_ArtistId_seq", "artist_artist_id_seq", "performer", "performer_id"),
        doc.sequences().get(0));
    assertEquals("global_sequence", doc.sequences().get(1).target());
    assertEquals(Fixtures.GLOBAL_SEQ, doc.sequences().get(1).options(), "kept under an override");
  }

  @Test
  void droppingAKeyColumnLeavesItsConstraintsOut() {
    String overrides =
        """
        tables:
          - source: Album
            columns:
              - source: ArtistId
                disposition: drop
                reason: artists are not migrated
        """;
    MappingDocument doc =
        generator.generate(
            chinookLike(List.of()), spec("snake_case", "o.yaml"), Json.bytes(overrides));
    TableMapping album = doc.bySource("Album").orElseThrow();
    assertTrue(album.foreignKeys().isEmpty());
    assertTrue(album.indexes().isEmpty());
    assertEquals(3, album.copiedColumns().size());
    assertEquals(4, album.columns().size(), "the dropped column keeps its disposition");
  }

  @Test
  void overridesNamingUnknownSourceObjectsAreListed() {
    String overrides =
        """
        tables:
          - source: Albums
            target: x
          - source: Album
            columns:
              - source: Titel
                target: title
              - source: Title
                disposition: squash
        sequences:
          - source: nope_seq
            target: x
        """;
    MigrationException e =
        assertThrows(
            MigrationException.class,
            () ->
                generator.generate(
                    chinookLike(List.of()), spec("identity", "o.yaml"), Json.bytes(overrides)));
    assertEquals(ErrorCode.INVALID_SPEC, e.code());
    assertTrue(e.getMessage().contains("\"Albums\""), e.getMessage());
    assertTrue(e.getMessage().contains("\"Titel\""), e.getMessage());
    assertTrue(e.getMessage().contains("squash"), e.getMessage());
    assertTrue(e.getMessage().contains("3 source object(s)"), e.getMessage());
  }

  @Test
  void unknownSourceEngineIsUnsupported() {
    Inventory inv = new Inventory("oracle", "19", "db", "s", List.of(), null, null, null, null);
    MigrationException e =
        assertThrows(MigrationException.class, () -> generator.generate(inv, spec(null, null)));
    assertEquals(ErrorCode.UNSUPPORTED_TYPE, e.code());
  }

  @Test
  void unreadableOverridesFileIsAnInvalidSpec() {
    MigrationException e =
        assertThrows(
            MigrationException.class,
            () ->
                generator.generate(
                    chinookLike(List.of()), spec("identity", "/nonexistent/overrides.yaml")));
    assertEquals(ErrorCode.INVALID_SPEC, e.code());
  }

  @Test
  void mariaDbFulltextAndSpatialIndexesAreLeftOutAndHashBecomesBtree() {
    TableInfo filmText =
        new TableInfo(
            "sakila",
            "film_text",
            List.of(
                col("film_id", 1, "smallint(6)", CanonicalType.SMALLINT, false),
                col("title", 2, "varchar(255)", CanonicalType.VARCHAR, false),
                col("code", 3, "char(3)", CanonicalType.CHAR, true)),
            new KeyConstraint("PRIMARY", List.of("film_id")),
            null,
            null,
            null,
            List.of(
                new IndexInfo("idx_title", List.of("title"), false, "fulltext", null, null),
                new IndexInfo("idx_code", List.of("code"), false, "hash", null, null),
                new IndexInfo("idx_both", List.of("code", "title"), false, "btree", null, null),
                new IndexInfo("idx_where", List.of("code"), false, "spatial", null, null)),
            1000,
            0,
            null,
            List.of(),
            null,
            List.of(),
            false,
            null,
            null);
    Inventory inv =
        new Inventory(
            "mariadb", "11.4", "sakila", "sakila", List.of(filmText), null, null, null, null);
    List<IndexInfo> indexes =
        generator
            .generate(inv, spec("snake_case", null))
            .bySource("film_text")
            .orElseThrow()
            .indexes();
    assertEquals(
        List.of("idx_code btree", "idx_both btree"),
        indexes.stream().map(i -> i.name() + " " + i.method()).toList(),
        "no PostgreSQL access method means what FULLTEXT or SPATIAL means; InnoDB's HASH is a B-tree");
  }

  @Test
  void typeRulesApplyInOrderFirstMatchWinsAndOverridesBeatThem() {
    TableInfo customer =
        new TableInfo(
            "sakila",
            "customer",
            List.of(
                col("customer_id", 1, "smallint(5) unsigned", CanonicalType.INTEGER, false),
                Fixtures.withDefault(
                    col("is_active", 2, "tinyint(1)", CanonicalType.BOOLEAN, false), "1"),
                col("has_card", 3, "tinyint(1)", CanonicalType.BOOLEAN, false),
                col("create_date", 4, "datetime", CanonicalType.TIMESTAMP, false),
                col("paid_at", 5, "datetime(3)", CanonicalType.TIMESTAMP, true),
                col("last_update", 6, "timestamp", CanonicalType.TIMESTAMPTZ, false),
                col("is_vip", 7, "tinyint(1)", CanonicalType.BOOLEAN, false)),
            new KeyConstraint("PRIMARY", List.of("customer_id")),
            null,
            null,
            null,
            null,
            599,
            0,
            null,
            List.of(),
            null,
            List.of(),
            false,
            null,
            null);
    Inventory inv =
        new Inventory(
            "mariadb", "11.4", "sakila", "sakila", List.of(customer), null, null, null, null);
    List<io.migrationstudio.contracts.spec.TypeRule> rules =
        List.of(
            new io.migrationstudio.contracts.spec.TypeRule(
                new io.migrationstudio.contracts.spec.TypeRule.Match("TINYINT(1)", "*", "is_*"),
                "smallint",
                null,
                null),
            new io.migrationstudio.contracts.spec.TypeRule(
                new io.migrationstudio.contracts.spec.TypeRule.Match(null, null, "is_active"),
                "text",
                null,
                null),
            new io.migrationstudio.contracts.spec.TypeRule(
                new io.migrationstudio.contracts.spec.TypeRule.Match("datetime", null, null),
                "timestamptz",
                "Europe/Berlin",
                "every writer ran in Berlin"),
            new io.migrationstudio.contracts.spec.TypeRule(
                new io.migrationstudio.contracts.spec.TypeRule.Match("timestamp", null, null),
                "timestamptz",
                "Europe/Berlin",
                null));
    io.migrationstudio.contracts.spec.MigrationSpec spec =
        new io.migrationstudio.contracts.spec.MigrationSpec(
            "test",
            null,
            new io.migrationstudio.contracts.spec.ConnectionSpec(
                "jdbc:mariadb://localhost/sakila", "u", null, null),
            new io.migrationstudio.contracts.spec.ConnectionSpec(
                "jdbc:postgresql://localhost/dst", "u", null, null),
            null,
            new io.migrationstudio.contracts.spec.MappingOptions("identity", "o.yaml", rules),
            null,
            null,
            null,
            null,
            null,
            null);
    String overrides =
        """
        tables:
          - source: customer
            columns:
              - source: is_vip
                type: boolean
        """;
    MappingDocument doc = generator.generate(inv, spec, Json.bytes(overrides));
    TableMapping t = doc.bySource("customer").orElseThrow();

    ColumnMapping active = t.bySource("is_active").orElseThrow();
    assertEquals("smallint", active.type(), "the first matching rule wins over the second");
    assertEquals(CanonicalType.SMALLINT, active.canonical());
    assertEquals(Disposition.CAST, active.disposition());
    assertEquals("1", active.defaultValue(), "the default is re-read for the new type");
    assertEquals(
        "mapping.type_rules[0] (source_type TINYINT(1), table *, column is_*) → smallint",
        active.rule());
    assertNull(t.bySource("has_card").orElseThrow().rule(), "no rule matches has_card");
    assertEquals("boolean", t.bySource("has_card").orElseThrow().type());

    ColumnMapping vip = t.bySource("is_vip").orElseThrow();
    assertEquals("boolean", vip.type(), "a per-column override beats the rule");
    assertNull(vip.rule());

    ColumnMapping created = t.bySource("create_date").orElseThrow();
    assertEquals("timestamptz", created.type());
    assertEquals(Disposition.CAST, created.disposition());
    assertEquals("Europe/Berlin", created.sourceTimeZone());
    assertEquals("every writer ran in Berlin", created.reason());
    assertTrue(created.rule().startsWith("mapping.type_rules[2] (source_type datetime)"));
    assertEquals("Europe/Berlin", t.bySource("paid_at").orElseThrow().sourceTimeZone());

    ColumnMapping updated = t.bySource("last_update").orElseThrow();
    assertEquals("timestamptz", updated.type(), "the rule's type, with PostgreSQL's 6 digits");
    assertEquals(
        Disposition.CAST,
        updated.disposition(),
        "the catalogue's timestamptz(0) (the source's digits) differs from the rule's timestamptz");
    assertNull(updated.sourceTimeZone(), "MySQL timestamps are instants: no zone to read them in");
    assertEquals("integer", t.bySource("customer_id").orElseThrow().type());

    String yaml =
        new String(MappingLoader.renderBytes(doc), java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(yaml.contains("rule: \"mapping.type_rules[0]"), yaml);
    assertTrue(yaml.contains("source_time_zone: Europe/Berlin"), yaml);
    assertEquals(
        "mapping.type_rules[3] (source_type timestamp) → timestamptz", updated.rule(), yaml);
    assertEquals(doc, MappingLoader.load(MappingLoader.renderBytes(doc), inv), "round trip");
  }

  @Test
  void typeRuleGlobsMatchTypesWithAndWithoutModifiers() {
    assertEquals("int unsigned", TypeRules.withoutModifiers("int(10) unsigned"));
    assertEquals("enum", TypeRules.withoutModifiers("enum('a(b','c)')"));
    assertEquals("int(10) unsigned", TypeRules.normalize(" INT( 10 )  Unsigned"));
    io.migrationstudio.contracts.spec.TypeRule.Match datetime =
        new io.migrationstudio.contracts.spec.TypeRule.Match("datetime", null, null);
    assertTrue(TypeRules.matches(datetime, "t", "c", "datetime(6)"));
    assertFalse(TypeRules.matches(datetime, "t", "c", "date"));
    io.migrationstudio.contracts.spec.TypeRule.Match full =
        new io.migrationstudio.contracts.spec.TypeRule.Match("tinyint(1)", null, null);
    assertTrue(TypeRules.matches(full, "t", "c", "tinyint(1)"));
    assertFalse(TypeRules.matches(full, "t", "c", "tinyint(4)"));
    io.migrationstudio.contracts.spec.TypeRule.Match unsigned =
        new io.migrationstudio.contracts.spec.TypeRule.Match("* unsigned", "ord?r", "*_id");
    assertTrue(TypeRules.matches(unsigned, "order", "customer_id", "int(10) unsigned"));
    assertFalse(TypeRules.matches(unsigned, "Order", "customer_id", "int(10) unsigned"));
    assertFalse(TypeRules.matches(unsigned, "order", "customer_id", "int(10)"));
    assertFalse(TypeRules.matches(unsigned, "order", "id", "int(10) unsigned"));
    io.migrationstudio.contracts.spec.TypeRule.Match varchar =
        new io.migrationstudio.contracts.spec.TypeRule.Match("varchar", null, null);
    assertTrue(
        TypeRules.matches(
            varchar, "t", "c", "varchar(40) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"));
    assertTrue(
        TypeRules.matches(
            new io.migrationstudio.contracts.spec.TypeRule.Match("varchar(40)", null, null),
            "t",
            "c",
            "varchar(40) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"));
  }

  /**
   * A MariaDB column's ON UPDATE CURRENT_TIMESTAMP stays in the mapping when an override renames
   * the column (before, any override of the column dropped it, and with it the target's trigger).
   */
  @Test
  void anOverrideOfAnOnUpdateColumnKeepsItsTrigger() {
    Inventory base = chinookLike(List.of("Artist", "Album"));
    com.fasterxml.jackson.databind.node.ObjectNode tree =
        (com.fasterxml.jackson.databind.node.ObjectNode)
            Json.read(
                Json.bytes(Json.write(base)), com.fasterxml.jackson.databind.JsonNode.class, "inv");
    for (var t : tree.withArray("tables")) {
      for (var c : t.withArray("columns")) {
        if (c.path("name").asText().equals("AddedAt")) {
          ((com.fasterxml.jackson.databind.node.ObjectNode) c)
              .put("onUpdate", "current_timestamp()");
        }
      }
    }
    Inventory inv = Json.read(Json.bytes(tree.toString()), Inventory.class, "inv");
    ColumnMapping plain =
        new MappingGenerator()
            .generate(inv, spec("snake_case", null))
            .bySource("Album")
            .orElseThrow()
            .bySource("AddedAt")
            .orElseThrow();
    assertEquals("CURRENT_TIMESTAMP", plain.onUpdate(), "the generated mapping has it");
    String overrides =
        """
        tables:
          - source: Album
            columns:
              - source: AddedAt
                target: added_on
        """;
    ColumnMapping renamed =
        new MappingGenerator()
            .generate(inv, spec("snake_case", "overrides.yaml"), Json.bytes(overrides))
            .bySource("Album")
            .orElseThrow()
            .bySource("AddedAt")
            .orElseThrow();
    assertEquals("added_on", renamed.target());
    assertEquals("CURRENT_TIMESTAMP", renamed.onUpdate(), "the override keeps it");
  }
}
