package io.migrationstudio.core.cutover;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.migrationstudio.core.mapping.ColumnMapping;
import io.migrationstudio.core.mapping.Disposition;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.schema.CanonicalType;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SchemaDriftTest {

  private static ColumnMapping column(String source, String target, Disposition d) {
    return ColumnMapping.builder()
        .source(source)
        .target(target)
        .disposition(d)
        .sourceType("integer")
        .type("integer")
        .canonical(CanonicalType.INTEGER)
        .nullable(true)
        .build();
  }

  private static Set<String> set(String... names) {
    return new LinkedHashSet<>(List.of(names));
  }

  /**
   * A dropped-by-mapping column is still a mapped source column; a column a transform adds has no
   * source; added, gone and vanished tables are each named.
   */
  @Test
  void namesEveryAddedAndMissingColumnAndTable() {
    TableMapping a =
        new TableMapping(
            "a",
            "a",
            null,
            List.of("id"),
            List.of(
                column("id", "id", Disposition.MAP),
                column("legacy", null, Disposition.DROP),
                column(null, "derived", Disposition.TRANSFORM)),
            null,
            null,
            null);
    TableMapping b =
        new TableMapping(
            "b",
            "b",
            null,
            List.of("id"),
            List.of(column("id", "id", Disposition.MAP), column("old", "old", Disposition.MAP)),
            null,
            null,
            null);
    TableMapping c =
        new TableMapping(
            "c",
            "c",
            null,
            List.of("id"),
            List.of(column("id", "id", Disposition.MAP)),
            null,
            null,
            null);
    MappingDocument mapping =
        new MappingDocument(
            1, "identity", "postgresql", "public", "public", List.of(a, b, c), null);

    assertEquals(
        List.of(),
        SchemaDrift.drift(
            mapping, Map.of("a", set("id", "legacy"), "b", set("id", "old"), "c", set("id"))));
    assertEquals(
        List.of(
            "a: columns x, y added (not in the mapping, not on the target)",
            "b: mapped column old no longer on the source (dropped or renamed)",
            "c: the table is gone (dropped or renamed)"),
        SchemaDrift.drift(
            mapping,
            Map.of("a", set("id", "legacy", "x", "y"), "b", set("id"), "other", set("id"))));
  }
}
