package io.migrationstudio.core.schema;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Optional;

/**
 * What the source holds, as {@code inventory.json} records it. Lists are sorted by name so the file
 * is byte-stable; {@code loadOrder} is the FK-respecting order (parents first) and {@code cycles}
 * the FK cycles that break it, each named by the FK to defer.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Inventory(
    String engine,
    @JsonProperty("server_version") String serverVersion,
    String database,
    String schema,
    List<TableInfo> tables,
    List<ViewInfo> views,
    List<SequenceInfo> sequences,
    @JsonProperty("load_order") List<String> loadOrder,
    List<List<String>> cycles) {
  public Inventory {
    tables = List.copyOf(tables);
    views = views == null ? List.of() : List.copyOf(views);
    sequences = sequences == null ? List.of() : List.copyOf(sequences);
    loadOrder = loadOrder == null ? List.of() : List.copyOf(loadOrder);
    cycles = cycles == null ? List.of() : cycles.stream().map(List::copyOf).toList();
  }

  public Optional<TableInfo> table(String name) {
    return tables.stream().filter(t -> t.name().equals(name)).findFirst();
  }
}
