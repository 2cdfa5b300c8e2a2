package io.migrationstudio.core.assess;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Defensive reads of {@code inventory.json} fields that the inventory records may not have yet.
 * Absent, null, {@code false} and empty values all read as "nothing"; nothing here throws on a
 * shape it does not expect, it ignores the value instead.
 */
final class InventoryJson {
  private InventoryJson() {}

  /** A top-level list such as {@code triggers}, or empty when the inventory has no such field. */
  static Optional<List<JsonNode>> list(JsonNode inventory, String field) {
    JsonNode node = inventory.get(field);
    if (node == null || !node.isArray()) {
      return Optional.empty();
    }
    List<JsonNode> out = new ArrayList<>();
    node.forEach(out::add);
    return Optional.of(out);
  }

  /** The table's node by name, or a missing node. */
  static JsonNode table(JsonNode inventory, String table) {
    for (JsonNode t : inventory.path("tables")) {
      if (table.equals(t.path("name").asText(null))) {
        return t;
      }
    }
    return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
  }

  /** The column's node by name within a table node, or a missing node. */
  static JsonNode column(JsonNode table, String column) {
    for (JsonNode c : table.path("columns")) {
      if (column.equals(c.path("name").asText(null))) {
        return c;
      }
    }
    return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
  }

  /** A field as text when it holds something: a non-blank string, a number, or {@code true}. */
  static Optional<String> text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull() || v.isMissingNode() || (v.isBoolean() && !v.asBoolean())) {
      return Optional.empty();
    }
    if (v.isContainerNode()) {
      return v.isEmpty() ? Optional.empty() : Optional.of(v.toString());
    }
    String s = v.asText();
    return s.isBlank() ? Optional.empty() : Optional.of(s);
  }

  /** The first of {@code fields} that holds something. */
  static Optional<String> firstText(JsonNode node, String... fields) {
    for (String f : fields) {
      Optional<String> v = text(node, f);
      if (v.isPresent()) {
        return v;
      }
    }
    return Optional.empty();
  }
}
