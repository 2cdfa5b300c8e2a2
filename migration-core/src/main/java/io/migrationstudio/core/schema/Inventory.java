package io.migrationstudio.core.schema;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Optional;

/**
 * What the source holds, as {@code inventory.json} records it. Lists are sorted by name so the file
 * is byte-stable; {@code loadOrder} is the FK-respecting order (parents first) and {@code cycles}
 * the FK cycles that break it, each named by the FK to defer. {@code triggers} (sorted by table,
 * name), {@code routines} (by name, arguments), {@code types} (by name) are empty where the engine
 * has none; {@code consumers} (by application, user, host) are the client sessions sampled from the
 * live source, empty when the engine has no session list or the inventory was not sampled.
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
    List<List<String>> cycles,
    List<TriggerInfo> triggers,
    List<RoutineInfo> routines,
    List<TypeInfo> types,
    List<ConsumerInfo> consumers) {
  @JsonCreator
  public Inventory {
    tables = List.copyOf(tables);
    views = views == null ? List.of() : List.copyOf(views);
    sequences = sequences == null ? List.of() : List.copyOf(sequences);
    loadOrder = loadOrder == null ? List.of() : List.copyOf(loadOrder);
    cycles = cycles == null ? List.of() : cycles.stream().map(List::copyOf).toList();
    triggers = triggers == null ? List.of() : List.copyOf(triggers);
    routines = routines == null ? List.of() : List.copyOf(routines);
    types = types == null ? List.of() : List.copyOf(types);
    consumers = consumers == null ? List.of() : List.copyOf(consumers);
  }

  /** The inventory before triggers, routines, types and consumers were catalogued: all empty. */
  public Inventory(
      String engine,
      String serverVersion,
      String database,
      String schema,
      List<TableInfo> tables,
      List<ViewInfo> views,
      List<SequenceInfo> sequences,
      List<String> loadOrder,
      List<List<String>> cycles) {
    this(
        engine,
        serverVersion,
        database,
        schema,
        tables,
        views,
        sequences,
        loadOrder,
        cycles,
        List.of(),
        List.of(),
        List.of(),
        List.of());
  }

  /** This inventory with its load order and cycles replaced. */
  public Inventory withLoadOrder(List<String> loadOrder, List<List<String>> cycles) {
    return new Inventory(
        engine,
        serverVersion,
        database,
        schema,
        tables,
        views,
        sequences,
        loadOrder,
        cycles,
        triggers,
        routines,
        types,
        consumers);
  }

  /** This inventory with the sampled consumers replaced. */
  public Inventory withConsumers(List<ConsumerInfo> consumers) {
    return new Inventory(
        engine,
        serverVersion,
        database,
        schema,
        tables,
        views,
        sequences,
        loadOrder,
        cycles,
        triggers,
        routines,
        types,
        consumers);
  }

  public Optional<TableInfo> table(String name) {
    return tables.stream().filter(t -> t.name().equals(name)).findFirst();
  }
}
