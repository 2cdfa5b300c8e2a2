package io.migrationstudio.core.mapping;

import static io.migrationstudio.core.mapping.Fixtures.chinookLike;
import static io.migrationstudio.core.mapping.Fixtures.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.migrationstudio.core.report.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * docs/mapping.schema.json describes what the studio writes: a generated mapping (every
 * disposition, keys, foreign keys, indexes, sequences) validates, and the schema refuses what the
 * loader refuses (unknown disposition, drop without reason, transform without expression).
 */
class MappingSchemaTest {
  private static final JsonSchema SCHEMA = schema();

  private static JsonSchema schema() {
    Path path = Path.of("..", "docs", "mapping.schema.json");
    try {
      return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
          .getSchema(Files.readString(path));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + path.toAbsolutePath(), e);
    }
  }

  /** A generated mapping with map, cast, transform, derive, default and drop, as mapping.yaml. */
  private static JsonNode generated() throws IOException {
    String overrides =
        """
        tables:
          - source: Artist
            columns:
              - source: Name
                disposition: transform
                expression: upper(Name)
          - source: Album
            columns:
              - source: AddedAt
                type: timestamp without time zone
                disposition: cast
                reason: the source's time zone is UTC
              - source: Title
                disposition: drop
                reason: titles move to the catalogue service
              - target: title_length
                type: integer
                disposition: derive
                expression: int(size(row['Title']))
              - target: migrated
                type: boolean
                disposition: default
                default: "true"
        """;
    MappingDocument doc =
        new MappingGenerator()
            .generate(
                chinookLike(List.of("Artist", "Album")),
                spec("snake_case", "overrides.yaml"),
                Json.bytes(overrides));
    String yaml = MappingLoader.render(doc);
    return Json.yamlMapper().readTree(yaml);
  }

  private static Set<ValidationMessage> validate(JsonNode mapping) {
    return SCHEMA.validate(mapping);
  }

  private static Set<ValidationMessage> validateEdited(Consumer<ObjectNode> edit)
      throws IOException {
    JsonNode mapping = generated();
    edit.accept((ObjectNode) mapping.at("/tables/0/columns/0"));
    return validate(mapping);
  }

  @Test
  void aGeneratedMappingWithEveryDispositionIsValid() throws IOException {
    JsonNode mapping = generated();
    List<String> dispositions = mapping.findValuesAsText("disposition");
    for (String d : List.of("map", "cast", "transform", "derive", "default", "drop")) {
      assertTrue(dispositions.contains(d), "the fixture has a " + d + " column: " + dispositions);
    }
    assertTrue(mapping.at("/tables/1/foreign_keys/0/ref_table").isTextual());
    assertTrue(mapping.at("/tables/1/indexes/0/name").isTextual());
    assertTrue(mapping.at("/sequences/0/source").isTextual());
    assertEquals(Set.of(), validate(mapping));
  }

  @Test
  void anUnknownDispositionIsRefused() throws IOException {
    Set<ValidationMessage> errors = validateEdited(c -> c.put("disposition", "rename"));
    assertFalse(errors.isEmpty());
    assertTrue(
        errors.stream().anyMatch(e -> e.getInstanceLocation().toString().contains("disposition")),
        errors.toString());
  }

  @Test
  void aDropWithoutReasonIsRefused() throws IOException {
    Set<ValidationMessage> errors =
        validateEdited(
            c -> {
              c.put("disposition", "drop");
              c.remove("reason");
            });
    assertTrue(errors.stream().anyMatch(e -> e.getMessage().contains("reason")), errors.toString());
    Set<ValidationMessage> blank =
        validateEdited(
            c -> {
              c.put("disposition", "drop");
              c.put("reason", "  ");
            });
    assertFalse(blank.isEmpty(), "a blank reason is no reason");
  }

  @Test
  void aTransformWithoutExpressionAndAMisspeltKeyAreRefused() throws IOException {
    Set<ValidationMessage> noExpression =
        validateEdited(
            c -> {
              c.put("disposition", "transform");
              c.remove("expression");
            });
    assertTrue(
        noExpression.stream().anyMatch(e -> e.getMessage().contains("expression")),
        noExpression.toString());
    Set<ValidationMessage> misspelt = validateEdited(c -> c.put("expresion", "upper(Name)"));
    assertTrue(
        misspelt.stream().anyMatch(e -> e.getMessage().contains("expresion")), misspelt.toString());
    JsonNode wrongVersion = generated();
    ((ObjectNode) wrongVersion).put("version", 2);
    assertFalse(validate(wrongVersion).isEmpty());
    JsonNode emptyKey = generated();
    ((ArrayNode) emptyKey.at("/tables/1/foreign_keys/0/columns")).removeAll();
    assertFalse(validate(emptyKey).isEmpty(), "a foreign key needs columns");
  }

  @Test
  void aValueMapWithItsPolicyIsValidAndUnmappedAloneIsRefused() throws IOException {
    Set<ValidationMessage> ok =
        validateEdited(
            c -> {
              c.put("disposition", "map");
              c.putObject("values").put("1", "one").put("2", "two");
              c.put("unmapped", "null");
            });
    assertEquals(Set.of(), ok);
    Set<ValidationMessage> alone = validateEdited(c -> c.put("unmapped", "keep"));
    assertTrue(alone.stream().anyMatch(e -> e.getMessage().contains("values")), alone.toString());
    Set<ValidationMessage> badPolicy =
        validateEdited(
            c -> {
              c.putObject("values").put("1", "one");
              c.put("unmapped", "ignore");
            });
    assertFalse(badPolicy.isEmpty());
    Set<ValidationMessage> onTransform =
        validateEdited(
            c -> {
              c.put("disposition", "transform");
              c.put("expression", "x");
              c.putObject("values").put("1", "one");
            });
    assertFalse(onTransform.isEmpty(), "values belong to map and cast columns");
  }

  @Test
  void comparisonRulesAreDescribedAndCheckedBySchema() throws IOException {
    assertEquals(
        Set.of(),
        validateEdited(
            c -> {
              ObjectNode rule = c.putObject("compare");
              rule.put("tolerance", 0.001);
              rule.put("relative_tolerance", 1e-9);
              rule.put("precision", "ms");
              rule.put("time_zone", "Europe/Berlin");
              rule.put("trim", true);
              rule.put("ignore_case", true);
            }));
    assertFalse(validateEdited(c -> c.putObject("compare").put("precision", "ns")).isEmpty());
    assertFalse(validateEdited(c -> c.putObject("compare").put("tolerance", -1)).isEmpty());
    Set<ValidationMessage> misspelt =
        validateEdited(c -> c.putObject("compare").put("ignorecase", true));
    assertTrue(
        misspelt.stream().anyMatch(e -> e.getMessage().contains("ignorecase")),
        misspelt.toString());
  }
}
