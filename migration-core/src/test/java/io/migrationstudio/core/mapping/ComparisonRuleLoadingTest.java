package io.migrationstudio.core.mapping;

import static io.migrationstudio.core.mapping.Fixtures.chinookLike;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.core.canonical.ComparisonRule;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.schema.Inventory;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

/** mapping.yaml {@code compare:} rules: written by overrides, kept by the loader, checked. */
class ComparisonRuleLoadingTest {
  private final Inventory inventory = chinookLike(List.of("Artist", "Album"));

  @Test
  void rulesFromOverridesSurviveTheRoundTrip() {
    String overrides =
        """
        tables:
          - source: Album
            columns:
              - source: Title
                compare: { trim: true, ignore_case: true }
              - source: AddedAt
                compare: { precision: ms, time_zone: Europe/Berlin }
              - source: ArtistId
                compare: { tolerance: 0.5, relative_tolerance: 1e-9 }
        """;
    MappingDocument doc =
        new MappingGenerator()
            .generate(inventory, Fixtures.spec("snake_case", "o.yaml"), Json.bytes(overrides));
    String yaml = MappingLoader.render(doc);
    MappingDocument back = MappingLoader.load(Json.bytes(yaml), inventory);
    assertEquals(doc, back);
    assertEquals(yaml, MappingLoader.render(back), "byte-identical after a round trip");
    TableMapping album = back.tables().get(1);
    ComparisonRule title = album.bySource("Title").orElseThrow().compare();
    assertEquals(Boolean.TRUE, title.trim());
    assertEquals(Boolean.TRUE, title.ignoreCase());
    ComparisonRule added = album.bySource("AddedAt").orElseThrow().compare();
    assertEquals(1_000L, added.precisionMicros());
    assertEquals("Europe/Berlin", added.zone().getId());
    assertEquals(
        0,
        new BigDecimal("0.5")
            .compareTo(album.bySource("ArtistId").orElseThrow().compare().tolerance()));
    assertNull(album.bySource("AlbumId").orElseThrow().compare(), "no rule unless stated");
    assertTrue(!yaml.contains("compare: {}") && yaml.split("compare:", -1).length - 1 == 3, yaml);
  }

  @Test
  void everyBadRuleIsListedByTableAndColumn() {
    String yaml =
        """
        version: 1
        tables:
          - source: Album
            target: album
            primary_key: [album_id]
            columns:
              - source: AlbumId
                target: album_id
                disposition: map
                type: integer
                compare: { tolerance: 1 }
              - source: Title
                target: title
                disposition: map
                type: character varying(160)
                compare: { tolerance: 0.1, precision: ms }
              - source: ArtistId
                target: artist_id
                disposition: map
                type: integer
                compare: { tolerance: -1, relative_tolerance: 2, trim: true }
              - source: AddedAt
                target: added_at
                disposition: map
                type: timestamp with time zone
                compare: { precision: ns, time_zone: Mars/Olympus }
        """;
    MigrationException e =
        assertThrows(
            MigrationException.class,
            () -> MappingLoader.load(Json.bytes(yaml), chinookLike(List.of("Album"))));
    assertEquals(ErrorCode.INVALID_ARTIFACT, e.code());
    String m = e.getMessage();
    List<String> expected =
        List.of(
            "\"album_id\": is part of the primary key",
            "\"Title\": compare.tolerance and compare.relative_tolerance apply to numeric",
            "\"Title\": compare.precision and compare.time_zone apply to time",
            "\"ArtistId\": compare.tolerance must be >= 0",
            "\"ArtistId\": compare.relative_tolerance must be >= 0 and < 1",
            "\"ArtistId\": compare.trim and compare.ignore_case apply to text",
            "\"AddedAt\": compare.precision 'ns' is not one of",
            "\"AddedAt\": compare.time_zone 'Mars/Olympus' is not a zone");
    for (String x : expected) {
      assertTrue(m.contains(x), "names " + x + " in:\n" + m);
    }
    assertTrue(m.contains(expected.size() + " problem(s)"), m);
  }
}
