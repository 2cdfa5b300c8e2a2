package io.migrationstudio.core.mapping;

import static io.migrationstudio.core.mapping.Fixtures.chinookLike;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.core.canonical.Unconvertible;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.schema.CanonicalType;
import io.migrationstudio.core.schema.Inventory;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ValueMapTest {
  private final Inventory inventory = chinookLike(List.of("Artist", "Album"));

  private static ColumnMapping column(
      CanonicalType target, String type, Map<String, Object> values, UnmappedPolicy unmapped) {
    return ColumnMapping.builder()
        .source("code")
        .target("code")
        .disposition(Disposition.CAST)
        .sourceType("x")
        .type(type)
        .canonical(target)
        .nullable(true)
        .values(values)
        .unmapped(unmapped)
        .build();
  }

  private static Map<String, Object> map(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  @Test
  void eachPolicyDecidesAnUnlistedValue() {
    Map<String, Object> yn = map("Y", true, "N", false);
    List<String> problems = new ArrayList<>();
    ValueMap reject =
        ValueMap.compile(
            "T", column(CanonicalType.BOOLEAN, "boolean", yn, null), CanonicalType.CHAR, problems);
    ValueMap keep =
        ValueMap.compile(
            "T",
            column(CanonicalType.TEXT, "text", map("A", "active"), UnmappedPolicy.KEEP),
            CanonicalType.CHAR,
            problems);
    ValueMap toNull =
        ValueMap.compile(
            "T",
            column(CanonicalType.BOOLEAN, "boolean", yn, UnmappedPolicy.NULL),
            CanonicalType.CHAR,
            problems);
    assertEquals(List.of(), problems);
    assertEquals(Boolean.TRUE, reject.apply("Y"));
    assertEquals(Boolean.FALSE, reject.apply("N"));
    assertNull(reject.apply(null), "NULL stays NULL");
    assertInstanceOf(Unconvertible.class, reject.apply("y"), "keys are compared exactly");
    assertInstanceOf(Unconvertible.class, reject.apply(""), "MySQL's '' for a bad enum input");
    assertEquals("active", keep.apply("A"));
    assertEquals("Z", keep.apply("Z"));
    assertNull(toNull.apply("?"));
    assertEquals(Boolean.TRUE, toNull.apply("Y"));
  }

  @Test
  void numericKeysCompareByValue() {
    List<String> problems = new ArrayList<>();
    ValueMap decimals =
        ValueMap.compile(
            "T",
            column(CanonicalType.TEXT, "text", map("1.50", "one and a half", "2", "two"), null),
            CanonicalType.DECIMAL,
            problems);
    ValueMap integers =
        ValueMap.compile(
            "T",
            column(CanonicalType.SMALLINT, "smallint", map("10", 1, "20", 2), null),
            CanonicalType.INTEGER,
            problems);
    assertEquals(List.of(), problems);
    assertEquals("one and a half", decimals.apply(new BigDecimal("1.5")));
    assertEquals("two", decimals.apply(new BigDecimal("2.000")));
    assertEquals(BigInteger.valueOf(2), integers.apply(BigInteger.valueOf(20)));
  }

  @Test
  void keysAndValuesThatDoNotConvertAreListedWithTableAndColumn() {
    List<String> problems = new ArrayList<>();
    ValueMap m =
        ValueMap.compile(
            "T",
            column(
                CanonicalType.BOOLEAN,
                "boolean",
                map("1", true, "x", false, "2", "maybe", "01", true),
                null),
            CanonicalType.INTEGER,
            problems);
    assertNull(m);
    assertEquals(3, problems.size(), problems.toString());
    assertTrue(problems.stream().allMatch(p -> p.startsWith("table \"T\" column \"code\"")));
    List<String> onTransform = new ArrayList<>();
    ValueMap.compile(
        "T",
        ColumnMapping.builder()
            .source("code")
            .target("code")
            .disposition(Disposition.TRANSFORM)
            .sourceType("x")
            .type("text")
            .canonical(CanonicalType.TEXT)
            .nullable(true)
            .expression("code")
            .values(map("a", "b"))
            .build(),
        CanonicalType.TEXT,
        onTransform);
    assertEquals(1, onTransform.size());
  }

  @Test
  void theLoaderChecksValueMapsAgainstTheInventoryAndRoundTripsThem() {
    String yaml =
        """
        version: 1
        tables:
          - source: Artist
            target: artist
            primary_key: [id]
            columns:
              - source: ArtistId
                target: id
                disposition: map
                type: integer
              - source: Name
                target: name
                disposition: map
                type: character varying(120)
                values: {'AC/DC': 'ACDC', 'Queen': 'QUEEN'}
                unmapped: keep
        """;
    MappingDocument doc = MappingLoader.load(Json.bytes(yaml), inventory);
    ColumnMapping name = doc.tables().get(0).byTarget("name").orElseThrow();
    assertEquals(Map.of("AC/DC", "ACDC", "Queen", "QUEEN"), name.values());
    assertEquals(UnmappedPolicy.KEEP, name.unmapped());
    assertTrue(
        MappingExpressions.computed(name), "a value-mapped column is read raw and looked up");
    String rendered = MappingLoader.render(doc);
    assertTrue(rendered.contains("unmapped: \"keep\"") || rendered.contains("unmapped: keep"));
    assertEquals(doc, MappingLoader.load(Json.bytes(rendered), inventory));
    MappingDocument bareNull =
        MappingLoader.load(Json.bytes(yaml.replace("unmapped: keep", "unmapped: null")), inventory);
    assertEquals(
        UnmappedPolicy.NULL, bareNull.tables().get(0).byTarget("name").orElseThrow().unmapped());
    assertEquals(
        null,
        bareNull.tables().get(0).byTarget("id").orElseThrow().unmapped(),
        "an absent unmapped is not stated");
    MappingDocument absent =
        MappingLoader.load(Json.bytes(yaml.replace("unmapped: keep", "")), inventory);
    assertEquals(
        UnmappedPolicy.REJECT,
        absent.tables().get(0).byTarget("name").orElseThrow().unmappedPolicy());

    String bad =
        yaml.replace("values: {'AC/DC': 'ACDC', 'Queen': 'QUEEN'}", "values: {'x': 'y'}")
            .replace("unmapped: keep", "unmapped: sometimes");
    MigrationException e =
        assertThrows(
            MigrationException.class, () -> MappingLoader.load(Json.bytes(bad), inventory));
    assertEquals(ErrorCode.INVALID_ARTIFACT, e.code());
    String wrongKey =
        """
        version: 1
        tables:
          - source: Artist
            target: artist
            columns:
              - source: ArtistId
                target: id
                disposition: cast
                type: boolean
                values: {'1': true, 'one': false, '2': 'perhaps'}
              - source: Name
                target: name
                disposition: transform
                type: text
                expression: Name
                values: {'a': 'b'}
        """;
    List<String> problems =
        MappingLoader.check(
            MappingLoader.toDocument(
                Json.readYaml(Json.bytes(wrongKey), MappingDraft.Document.class, "t"),
                new ArrayList<>()),
            inventory);
    assertEquals(3, problems.size(), problems.toString());
    assertTrue(problems.stream().anyMatch(p -> p.contains("\"ArtistId\": values: key 'one'")));
    assertTrue(problems.stream().anyMatch(p -> p.contains("key '2'")));
    assertTrue(problems.stream().anyMatch(p -> p.contains("\"Name\": values apply to a map")));
  }

  @Test
  void anOverrideFileCarriesAValueMapIntoTheGeneratedMapping() {
    String overrides =
        """
        tables:
          - source: Artist
            columns:
              - source: Name
                values: {'AC/DC': 'ACDC'}
                unmapped: null
        """;
    MappingDocument doc =
        new MappingGenerator()
            .generate(
                inventory, Fixtures.spec("snake_case", "overrides.yaml"), Json.bytes(overrides));
    ColumnMapping name = doc.bySource("Artist").orElseThrow().bySource("Name").orElseThrow();
    assertEquals(Map.of("AC/DC", "ACDC"), name.values());
    assertEquals(UnmappedPolicy.NULL, name.unmapped());
    assertEquals(doc, MappingLoader.load(MappingLoader.renderBytes(doc), inventory));
    MigrationException bad =
        assertThrows(
            MigrationException.class,
            () ->
                new MappingGenerator()
                    .generate(
                        inventory,
                        Fixtures.spec("snake_case", "overrides.yaml"),
                        Json.bytes(overrides.replace("unmapped: null", "unmapped: maybe"))));
    assertEquals(ErrorCode.INVALID_SPEC, bad.code());
  }
}
