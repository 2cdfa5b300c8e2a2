package io.migrationstudio.core.review;

import static io.migrationstudio.core.mapping.Fixtures.chinookLike;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.core.mapping.ColumnMapping;
import io.migrationstudio.core.mapping.Disposition;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.mapping.UnmappedPolicy;
import io.migrationstudio.core.schema.CanonicalType;
import io.migrationstudio.core.schema.KeyConstraint;
import io.migrationstudio.core.schema.TableInfo;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which target keys the review measures for duplicates (Album: PK AlbumId, unique Title). */
class KeyProbeTest {
  private final TableInfo album =
      chinookLike(List.of("Artist", "Album")).table("Album").orElseThrow();

  private static ColumnMapping map(String source, String target, String type, CanonicalType c) {
    return ColumnMapping.builder()
        .source(source)
        .target(target)
        .disposition(Disposition.MAP)
        .sourceType("x")
        .type(type)
        .canonical(c)
        .build();
  }

  private static TableMapping table(ColumnMapping title, KeyConstraint... uniques) {
    return new TableMapping(
        "Album",
        "album",
        null,
        List.of("id"),
        List.of(
            map("AlbumId", "id", "integer", CanonicalType.INTEGER),
            title,
            map("ArtistId", "artist_id", "integer", CanonicalType.INTEGER),
            map("AddedAt", "added_at", "timestamp with time zone", CanonicalType.TIMESTAMPTZ)),
        List.of(uniques),
        null,
        null);
  }

  private static final KeyConstraint TITLE = new KeyConstraint("uq_title", List.of("title"));

  @Test
  void keysTheSourceGuaranteesAsTheyAreAreNotMeasured() {
    ColumnMapping title = map("Title", "title", "character varying(160)", CanonicalType.VARCHAR);
    assertEquals(List.of(), KeyProbe.keys(table(title, TITLE), album));
  }

  @Test
  void aTransformedValueMappedOrCaseInsensitiveKeyColumnIsMeasured() {
    ColumnMapping lower =
        ColumnMapping.builder()
            .source("Title")
            .target("title")
            .disposition(Disposition.TRANSFORM)
            .sourceType("x")
            .type("text")
            .canonical(CanonicalType.TEXT)
            .expression("lower(Title)")
            .build();
    ColumnMapping mapped =
        map("Title", "title", "text", CanonicalType.TEXT)
            .withValueMap(Map.of("a", "b"), UnmappedPolicy.KEEP);
    ColumnMapping citext = map("Title", "title", "citext", CanonicalType.TEXT);
    for (ColumnMapping c : List.of(lower, mapped, citext)) {
      List<KeyProbe.Key> keys = KeyProbe.keys(table(c, TITLE), album);
      assertEquals(1, keys.size(), c.toString());
      assertEquals(List.of("title"), keys.get(0).columns());
    }
    assertTrue(KeyProbe.keys(table(citext, TITLE), album).get(0).why().contains("citext"));
  }

  @Test
  void aKeyNewInTheMappingIsMeasuredAndAMergingCastToo() {
    ColumnMapping title = map("Title", "title", "character varying(160)", CanonicalType.VARCHAR);
    KeyConstraint artist = new KeyConstraint("uq_artist", List.of("artist_id"));
    List<KeyProbe.Key> keys = KeyProbe.keys(table(title, TITLE, artist), album);
    assertEquals(1, keys.size());
    assertEquals("uq_artist", keys.get(0).name());
    assertTrue(keys.get(0).why().contains("no unique key"));
    KeyConstraint withId = new KeyConstraint("uq_artist_id", List.of("artist_id", "id"));
    assertEquals(List.of(), KeyProbe.keys(table(title, withId), album), "a superset of the PK");

    TableInfo withAddedAtKey = album;
    ColumnMapping toDate =
        ColumnMapping.builder()
            .source("AddedAt")
            .target("added_at")
            .disposition(Disposition.CAST)
            .sourceType("x")
            .type("date")
            .canonical(CanonicalType.DATE)
            .nullable(true)
            .build();
    assertTrue(
        KeyProbe.mayMerge(withAddedAtKey.column("AddedAt").orElseThrow(), toDate),
        "a timestamp cast to a date merges the times of a day");
    ColumnMapping widen =
        ColumnMapping.builder()
            .source("AlbumId")
            .target("id")
            .disposition(Disposition.CAST)
            .sourceType("x")
            .type("bigint")
            .canonical(CanonicalType.BIGINT)
            .build();
    assertEquals(false, KeyProbe.mayMerge(album.column("AlbumId").orElseThrow(), widen));
  }
}
