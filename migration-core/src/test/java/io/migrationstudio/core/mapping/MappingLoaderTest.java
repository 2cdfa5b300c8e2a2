package io.migrationstudio.core.mapping;

import static io.migrationstudio.core.mapping.Fixtures.chinookLike;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.schema.Inventory;
import java.util.List;
import org.junit.jupiter.api.Test;

class MappingLoaderTest {
  private final Inventory inventory = chinookLike(List.of("Artist", "Album"));

  /**
   * {@code inheritance_parent} and a column's {@code on_update} survive mapping.yaml (written only
   * when set), so Migrate reads the parent ONLY and creates the trigger from the file it loads.
   */
  @Test
  void inheritanceParentAndOnUpdateRoundTrip() {
    String yaml =
        """
        version: 1
        tables:
          - source: Album
            target: album
            inheritance_parent: true
            columns:
              - source: AlbumId
                target: id
                disposition: map
                type: integer
              - source: AddedAt
                target: added_at
                disposition: map
                type: timestamptz
                on_update: CURRENT_TIMESTAMP
              - source: Title
                disposition: drop
                reason: not needed
              - source: ArtistId
                disposition: drop
                reason: not needed
          - source: Artist
            target: artist
            columns:
              - source: ArtistId
                target: id
                disposition: map
                type: integer
              - source: Name
                disposition: drop
                reason: not needed
        """;
    MappingDocument doc = MappingLoader.load(Json.bytes(yaml), inventory);
    TableMapping album = doc.bySource("Album").orElseThrow();
    assertTrue(album.inheritanceParent());
    assertEquals("CURRENT_TIMESTAMP", album.bySource("AddedAt").orElseThrow().onUpdate());
    assertFalse(doc.bySource("Artist").orElseThrow().inheritanceParent());
    String rendered = MappingLoader.render(doc);
    assertEquals(1, rendered.split("inheritance_parent: true", -1).length - 1, rendered);
    assertTrue(rendered.contains("on_update: CURRENT_TIMESTAMP"), rendered);
    assertEquals(doc, MappingLoader.load(MappingLoader.renderBytes(doc), inventory));
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    String yaml =
        """
        version: 1
        tables:
          - source: Artist
            target: artist
            primary_key: [artist_id]
            columns:
              - source: ArtistId
                target: id
                disposition: map
                type: integer
              - source: Name
                disposition: drop
          - source: Album
            target: album
            columns:
              - source: AlbumId
                target: id
                disposition: map
                type: integer
              - source: Title
                target: id
                disposition: map
                type: text
              - source: ArtistId
                target: artist
                disposition: cast
              - source: Ghost
                target: ghost
                disposition: map
                type: text
              - source: AddedAt
                target: added_at
                disposition: teleport
                type: date
          - source: Missing
            target: missing
            columns: []
        """;
    MigrationException e =
        assertThrows(
            MigrationException.class, () -> MappingLoader.load(Json.bytes(yaml), inventory));
    assertEquals(ErrorCode.INVALID_ARTIFACT, e.code());
    // parse-level problems come first: cast without type, unknown disposition
    assertTrue(e.getMessage().contains("2 problem(s)"), e.getMessage());
    assertTrue(e.getMessage().contains("\"ArtistId\": a copied column needs"), e.getMessage());
    assertTrue(e.getMessage().contains("teleport"), e.getMessage());
  }

  @Test
  void sourceTimeZoneNeedsARegionAndATimestamptzReadFromTheColumn() {
    String yaml =
        """
        version: 1
        tables:
          - source: Album
            target: album
            columns:
              - source: AlbumId
                target: id
                disposition: map
                type: integer
                source_time_zone: UTC
              - source: Title
                target: title
                disposition: cast
                type: timestamptz
                source_time_zone: "+02:00"
              - source: ArtistId
                target: artist_id
                disposition: transform
                type: timestamptz
                expression: "timestamp('2024-01-01T00:00:00Z')"
                source_time_zone: Europe/Berlin
        """;
    MigrationException e =
        assertThrows(
            MigrationException.class, () -> MappingLoader.load(Json.bytes(yaml), inventory));
    assertEquals(ErrorCode.INVALID_ARTIFACT, e.code());
    assertTrue(e.getMessage().contains("3 problem(s)"), e.getMessage());
    assertTrue(e.getMessage().contains("source_time_zone applies only to a timestamptz"));
    assertTrue(e.getMessage().contains("'+02:00' is no time-zone region id"));
    assertTrue(e.getMessage().contains("source_time_zone applies only to a map or cast"));
  }

  @Test
  void semanticProblemsAreListedTogether() {
    String yaml =
        """
        version: 1
        tables:
          - source: Artist
            target: artist
            primary_key: [artist_id]
            columns:
              - source: ArtistId
                target: id
                disposition: map
                type: integer
              - source: Name
                disposition: drop
          - source: Album
            target: album
            foreign_keys:
              - name: fk
                columns: [artist_id]
                ref_table: performer
                ref_columns: [id]
            columns:
              - source: AlbumId
                target: id
                disposition: map
                type: integer
              - source: Title
                target: id
                disposition: map
                type: text
              - source: Title
                target: title2
                disposition: map
                type: text
              - source: Ghost
                target: ghost
                disposition: map
                type: text
              - source: AddedAt
                target: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
                disposition: map
                type: timestamptz
          - source: Missing
            target: missing
            columns: []
        """;
    MigrationException e =
        assertThrows(
            MigrationException.class, () -> MappingLoader.load(Json.bytes(yaml), inventory));
    assertEquals(ErrorCode.INVALID_ARTIFACT, e.code());
    List<String> problems =
        MappingLoader.check(
            MappingLoader.toDocument(
                Json.readYaml(Json.bytes(yaml), MappingDraft.Document.class, "t"),
                new java.util.ArrayList<>()),
            inventory);
    String all = String.join("\n", problems);
    for (String expected :
        List.of(
            "columns [\"AlbumId\", \"Title\"] all map to target column \"id\"", // collision
            "\"Name\": dropped without a reason",
            "primary key names target column(s) [\"artist_id\"]",
            "\"Ghost\": not a column of the source table",
            "column \"ArtistId\": has no disposition",
            "column \"Title\": has 2 dispositions",
            "longer than 63 bytes",
            "references target table \"performer\"",
            "table \"Missing\": not a table of the source inventory")) {
      assertTrue(all.contains(expected), "missing problem: " + expected + "\nin:\n" + all);
    }
    assertTrue(e.getMessage().contains(problems.size() + " problem(s)"), e.getMessage());
  }

  @Test
  void expressionsAreTypeCheckedAgainstTheSourceColumnsAndEveryFailureIsListed() {
    String yaml =
        """
        version: 1
        tables:
          - source: Artist
            target: artist
            columns:
              - source: ArtistId
                target: artist_id
                disposition: map
                type: integer
              - source: Name
                target: name
                disposition: transform
                type: text
                expression: upper(Name) + 1
              - target: name_length
                disposition: derive
                type: integer
                expression: size(Nickname)
              - target: migrated
                disposition: default
                type: boolean
                default: "now()"
          - source: Album
            target: album
            columns:
              - source: AlbumId
                target: album_id
                disposition: map
                type: integer
              - source: Title
                target: title
                disposition: transform
                type: text
                expression: upper(Title)
              - source: ArtistId
                target: artist_id
                disposition: map
                type: integer
              - source: AddedAt
                target: added_year
                disposition: transform
                type: integer
                expression: AddedAt.getFullYear()
              - target: label
                disposition: derive
                type: text
                expression: 'Title + " / " + string(AlbumId)'
        """;
    MigrationException e =
        assertThrows(
            MigrationException.class, () -> MappingLoader.load(Json.bytes(yaml), inventory));
    assertEquals(ErrorCode.INVALID_ARTIFACT, e.code());
    String m = e.getMessage();
    assertTrue(m.contains("3 problem(s)"), m);
    assertTrue(
        m.contains(
            "table \"Artist\" column \"name\": expression 'upper(Name) + 1' does not"
                + " type-check"),
        m);
    assertTrue(
        m.contains("table \"Artist\" column \"name_length\": expression 'size(Nickname)'"), m);
    assertTrue(m.contains("undeclared reference to 'Nickname'"), m);
    // a DEFAULT value is CEL too: a PostgreSQL function is refused at load time
    assertTrue(m.contains("table \"Artist\" column \"migrated\": expression 'now()'"), m);
    assertTrue(!m.contains("\"Album\""), "the Album expressions type-check:\n" + m);
  }

  @Test
  void malformedYamlIsAnInvalidArtifact() {
    MigrationException e =
        assertThrows(
            MigrationException.class,
            () -> MappingLoader.load(Json.bytes("tables: [unclosed"), inventory));
    assertEquals(ErrorCode.INVALID_ARTIFACT, e.code());
  }

  @Test
  void wrongVersionIsReported() {
    MigrationException e =
        assertThrows(
            MigrationException.class,
            () -> MappingLoader.load(Json.bytes("version: 7\ntables: []\n"), inventory));
    assertTrue(e.getMessage().contains("version: expected 1, found 7"), e.getMessage());
  }

  @Test
  void identityIsWrittenOnlyWhenTrueAndSurvivesTheRoundTrip() {
    MappingDocument doc =
        new MappingGenerator()
            .generate(chinookLike(List.of("Artist", "Album")), Fixtures.spec("snake_case", null));
    String yaml = MappingLoader.render(doc);
    // one identity key per table, and no column states identity: false
    assertEquals(2, yaml.split("identity: true", -1).length - 1, yaml);
    assertFalse(yaml.contains("identity: false"), yaml);
    assertFalse(yaml.contains("GENERATED BY DEFAULT AS IDENTITY"), yaml);
    MappingDocument back = MappingLoader.load(Json.bytes(yaml), inventory);
    assertEquals(doc, back);
    assertEquals(yaml, MappingLoader.render(back), "byte-identical after a round trip");
  }

  @Test
  void anIdentityMustBeANotNullIntegerFromTheSourceWithoutDefault() {
    String withDefault =
        """
        version: 1
        tables:
          - source: Artist
            target: artist
            columns:
              - source: ArtistId
                target: artist_id
                disposition: map
                type: integer
                nullable: false
                identity: true
                default: "nextval('s'::regclass)"
              - source: Name
                target: name
                disposition: map
                type: character varying(120)
        """;
    MigrationException e =
        assertThrows(
            MigrationException.class, () -> MappingLoader.load(Json.bytes(withDefault), inventory));
    assertEquals(ErrorCode.INVALID_ARTIFACT, e.code());
    assertTrue(e.getMessage().contains("\"ArtistId\": identity: true needs"), e.getMessage());

    String onText =
        withDefault
            .replace("        default: \"nextval('s'::regclass)\"\n", "")
            .replace(
                "character varying(120)\n", "character varying(120)\n        identity: true\n");
    MigrationException text =
        assertThrows(
            MigrationException.class, () -> MappingLoader.load(Json.bytes(onText), inventory));
    assertTrue(text.getMessage().contains("1 problem(s)"), text.getMessage());
    assertTrue(text.getMessage().contains("\"Name\": identity: true needs"), text.getMessage());
  }

  @Test
  void laterStagesReadTheMappingWithTheSameDefaultsAsTheReview() {
    String yaml =
        """
        version: 1
        tables:
          - source: Artist
            target: artist
            primary_key: [artist_id]
            columns:
              - source: ArtistId
                target: artist_id
                disposition: map
                type: integer
                nullable: false
                identity: true
              - source: Name
                target: name
                disposition: map
                type: character varying(120)
        """;
    MappingDocument read = MappingLoader.read(Json.bytes(yaml), "mapping.yaml at c1");
    TableMapping artist = read.tables().get(0);
    // an approver's edit that leaves nullable out means nullable, as the reviewer read it
    assertTrue(artist.bySource("Name").orElseThrow().nullable());
    assertFalse(artist.bySource("Name").orElseThrow().identity());
    assertTrue(artist.bySource("ArtistId").orElseThrow().identity());
    TableMapping reviewed =
        MappingLoader.load(Json.bytes(yaml), chinookLike(List.of("Artist"))).tables().get(0);
    assertEquals(reviewed, artist);

    MigrationException e =
        assertThrows(
            MigrationException.class,
            () ->
                MappingLoader.read(
                    Json.bytes(yaml.replace("disposition: map\n        type: char", "type: char")),
                    "mapping.yaml at c2"));
    assertEquals(ErrorCode.INVALID_ARTIFACT, e.code());
    assertTrue(e.getMessage().startsWith("mapping.yaml at c2 has 1 problem(s)"), e.getMessage());
  }

  @Test
  void generatedAndCollationRoundTripAndGeneratedNeedsAPlainMapColumn() {
    String yaml =
        """
        version: 1
        carry_privileges: true
        tables:
          - source: Artist
            target: Artist
            columns:
              - source: ArtistId
                target: ArtistId
                disposition: map
                type: integer
                nullable: false
              - source: Name
                target: Name
                disposition: map
                type: character varying(120)
                generated: "('#'::text || (\\"ArtistId\\")::text)"
                collation: "\\"C\\""
        """;
    MappingDocument doc = MappingLoader.load(Json.bytes(yaml), inventory);
    assertTrue(doc.carryPrivileges());
    ColumnMapping name = doc.tables().get(0).columns().get(1);
    assertEquals("('#'::text || (\"ArtistId\")::text)", name.generated());
    assertEquals("\"C\"", name.collation());
    assertEquals(1, doc.tables().get(0).written().columns().size(), "the copy leaves it out");
    assertEquals(doc, MappingLoader.load(Json.bytes(MappingLoader.render(doc)), inventory));

    MigrationException cast =
        assertThrows(
            MigrationException.class,
            () ->
                MappingLoader.load(
                    Json.bytes(
                        yaml.replace(
                            "disposition: map\n        type: character",
                            "disposition: cast\n        type: character")),
                    inventory));
    assertTrue(
        cast.getMessage().contains("\"Name\": generated applies only to a map column"),
        cast.getMessage());
  }
}
