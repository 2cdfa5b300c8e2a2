package io.migrationstudio.core.mapping;

import io.migrationstudio.contracts.spec.ConnectionSpec;
import io.migrationstudio.contracts.spec.MappingOptions;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.core.schema.CanonicalType;
import io.migrationstudio.core.schema.CheckConstraint;
import io.migrationstudio.core.schema.Column;
import io.migrationstudio.core.schema.ForeignKey;
import io.migrationstudio.core.schema.IndexInfo;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.core.schema.KeyConstraint;
import io.migrationstudio.core.schema.SequenceInfo;
import io.migrationstudio.core.schema.SequenceOptions;
import io.migrationstudio.core.schema.TableInfo;
import java.util.List;

/** Hand-built inventories and specs for the mapping unit tests. */
public final class Fixtures {
  private Fixtures() {}

  static Column col(String name, int pos, String nativeType, CanonicalType type, boolean nullable) {
    return Column.builder(name, nativeType, type).position(pos).nullable(nullable).build();
  }

  static Column withDefault(Column c, String def) {
    return Column.builder(c.name(), c.nativeType(), c.type())
        .position(c.position())
        .nullable(c.nullable())
        .defaultExpression(def)
        .length(c.length())
        .precision(c.precision())
        .scale(c.scale())
        .identity(c.identity())
        .build();
  }

  static Column identity(Column c) {
    return Column.builder(c.name(), c.nativeType(), c.type())
        .position(c.position())
        .nullable(c.nullable())
        .length(c.length())
        .precision(c.precision())
        .scale(c.scale())
        .identity(true)
        .build();
  }

  static TableInfo table(String name, List<Column> columns, List<String> pk) {
    return new TableInfo(
        "public",
        name,
        columns,
        pk == null ? null : new KeyConstraint(name + "_pkey", pk),
        null,
        null,
        null,
        null,
        0,
        0,
        null,
        List.of(),
        null,
        List.of(),
        false,
        null,
        null);
  }

  /** Artist (serial key) ← Album (identity key, FK, plain + expression index, unique, check). */
  public static Inventory chinookLike(List<String> loadOrder) {
    TableInfo artist =
        table(
            "Artist",
            List.of(
                withDefault(
                    col("ArtistId", 1, "integer", CanonicalType.INTEGER, false),
                    "nextval('\"Artist_ArtistId_seq\"'::regclass)"),
                col("Name", 2, "character varying(120)", CanonicalType.VARCHAR, true)),
            List.of("ArtistId"));
    TableInfo album =
        new TableInfo(
            "public",
            "Album",
            List.of(
                identity(col("AlbumId", 1, "integer", CanonicalType.INTEGER, false)),
                col("Title", 2, "character varying(160)", CanonicalType.VARCHAR, false),
                col("ArtistId", 3, "integer", CanonicalType.INTEGER, false),
                withDefault(
                    col("AddedAt", 4, "timestamp with time zone", CanonicalType.TIMESTAMPTZ, true),
                    "now()")),
            new KeyConstraint("PK_Album", List.of("AlbumId")),
            List.of(new KeyConstraint("UQ_Title", List.of("Title"))),
            List.of(
                new ForeignKey(
                    "FK_AlbumArtistId",
                    List.of("ArtistId"),
                    "Artist",
                    List.of("ArtistId"),
                    "CASCADE",
                    null)),
            List.of(new CheckConstraint("title_not_blank", "(\"Title\" <> ''::text)")),
            List.of(
                new IndexInfo(
                    "IFK_AlbumArtistId",
                    List.of("ArtistId"),
                    false,
                    "btree",
                    null,
                    "CREATE INDEX \"IFK_AlbumArtistId\" ON public.\"Album\" USING btree (\"ArtistId\")"),
                new IndexInfo(
                    "album_lower_title",
                    List.of(),
                    false,
                    "btree",
                    null,
                    "CREATE INDEX album_lower_title ON public.\"Album\" USING btree (lower((\"Title\")::text))")),
            347,
            8192,
            null,
            List.of(),
            null,
            List.of(),
            false,
            null,
            null);
    return new Inventory(
        "postgresql",
        "17.7",
        "chinook",
        "public",
        List.of(album, artist),
        null,
        List.of(
            new SequenceInfo("public", "Artist_ArtistId_seq", "Artist", "ArtistId", 275L),
            new SequenceInfo("public", "Global Seq", null, null, 10L, GLOBAL_SEQ)),
        loadOrder,
        null);
  }

  /** The parameters of the free-standing "Global Seq": a descending integer sequence. */
  static final SequenceOptions GLOBAL_SEQ =
      new SequenceOptions("integer", -1, -2, -1000, -1, 20, true);

  public static MigrationSpec spec(String naming, String overrides) {
    return new MigrationSpec(
        "test",
        null,
        new ConnectionSpec("jdbc:postgresql://localhost/src", "u", null, null),
        new ConnectionSpec("jdbc:postgresql://localhost/dst", "u", null, "dst"),
        null,
        new MappingOptions(naming, overrides),
        null,
        null,
        null,
        null,
        null,
        null);
  }
}
