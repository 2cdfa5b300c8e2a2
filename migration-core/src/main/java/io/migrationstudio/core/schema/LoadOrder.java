package io.migrationstudio.core.schema;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The order in which tables can be loaded so that every parent is loaded before its children.
 *
 * <p>Algorithm: the tables and their foreign keys form a graph (child → parent; FKs to tables not
 * in the list are ignored). Strongly connected components of more than one table are FK cycles
 * (Tarjan, iterative so that long FK chains cannot overflow the stack). Each cycle is broken by
 * deferring FKs chosen greedily: repeatedly place the cycle's table with the fewest parents still
 * unplaced (ties by name) and defer its FKs to those unplaced parents; what remains is acyclic. A
 * self-reference (an FK from a table to itself) never blocks loading and is reported separately.
 * Then Kahn's algorithm with a name-ordered queue gives the load order, and the longest path from a
 * root gives each table its wave: all tables of one wave can load in parallel once the earlier
 * waves are done. Names compare by code point, so the result never depends on the locale.
 */
public final class LoadOrder {

  private LoadOrder() {}

  /** An FK of {@code table} named {@code constraint}, referencing {@code refTable}. */
  public record FkRef(String table, String constraint, String refTable) {
    public FkRef {
      Objects.requireNonNull(table, "table is required");
      Objects.requireNonNull(constraint, "constraint is required");
      Objects.requireNonNull(refTable, "refTable is required");
    }

    /** {@code table.constraint -> refTable}, as inventory and reports print it. */
    public String describe() {
      return table + "." + constraint + " -> " + refTable;
    }
  }

  /**
   * One FK cycle: its tables (sorted), every FK between them, and the FKs to defer (create after
   * the load) so that the rest can load parents first.
   */
  public record Cycle(List<String> tables, List<FkRef> foreignKeys, List<FkRef> deferred) {
    public Cycle {
      tables = List.copyOf(tables);
      foreignKeys = List.copyOf(foreignKeys);
      deferred = List.copyOf(deferred);
      if (tables.size() < 2 || deferred.isEmpty()) {
        throw new IllegalArgumentException(
            "a cycle needs at least two tables and one deferred FK, got " + tables);
      }
    }

    /**
     * The form stored in {@code inventory.json}: every FK of the cycle as {@code table.constraint
     * -> refTable}, the deferred ones first and marked {@code (deferred)}.
     */
    public List<String> describe() {
      List<String> out = new ArrayList<>();
      deferred.forEach(fk -> out.add(fk.describe() + " (deferred)"));
      foreignKeys.stream()
          .filter(fk -> !deferred.contains(fk))
          .forEach(fk -> out.add(fk.describe()));
      return out;
    }
  }

  /**
   * The computed order: {@code order} parents first, {@code waves} groups loadable in parallel (in
   * order, each sorted), the cycles with their deferred FKs, and the self-referencing FKs.
   */
  public record Plan(
      List<String> order,
      List<List<String>> waves,
      List<Cycle> cycles,
      List<FkRef> selfReferences) {
    public Plan {
      order = List.copyOf(order);
      waves = waves.stream().map(List::copyOf).toList();
      cycles = List.copyOf(cycles);
      selfReferences = List.copyOf(selfReferences);
    }

    /** The cycles as {@link Inventory#cycles()} stores them. */
    public List<List<String>> describedCycles() {
      return cycles.stream().map(Cycle::describe).toList();
    }

    /** The 0-based wave of a table. */
    public int waveOf(String table) {
      for (int i = 0; i < waves.size(); i++) {
        if (waves.get(i).contains(table)) {
          return i;
        }
      }
      throw new IllegalArgumentException("table " + table + " is not in the plan");
    }
  }

  /** The plan of an inventory's tables. */
  public static Plan of(Inventory inventory) {
    return compute(inventory.tables());
  }

  /** The inventory with {@code load_order} and {@code cycles} filled in. */
  public static Inventory fill(Inventory inventory) {
    Plan plan = of(inventory);
    return inventory.withLoadOrder(plan.order(), plan.describedCycles());
  }

  /** Computes the plan of {@code tables}; names must be unique. */
  public static Plan compute(List<TableInfo> tables) {
    // parents.get(child): parent table -> FKs of child to it, for tables in the list only
    Map<String, TreeMap<String, List<FkRef>>> parents = new TreeMap<>();
    for (TableInfo t : tables) {
      if (parents.put(t.name(), new TreeMap<>()) != null) {
        throw new IllegalArgumentException("table " + t.name() + " appears twice");
      }
    }
    List<FkRef> selfReferences = new ArrayList<>();
    for (TableInfo t : tables) {
      for (ForeignKey fk : t.foreignKeys()) {
        FkRef ref = new FkRef(t.name(), fk.name(), fk.refTable());
        if (fk.refTable().equals(t.name())) {
          selfReferences.add(ref);
        } else if (parents.containsKey(fk.refTable())) {
          parents.get(t.name()).computeIfAbsent(fk.refTable(), k -> new ArrayList<>()).add(ref);
        }
      }
    }
    selfReferences.sort(FK_ORDER);

    List<Cycle> cycles = new ArrayList<>();
    Map<String, Set<String>> kept = new TreeMap<>();
    parents.forEach((child, ps) -> kept.put(child, new TreeSet<>(ps.keySet())));
    for (List<String> component : stronglyConnected(parents)) {
      if (component.size() > 1) {
        Cycle cycle = breakCycle(component, parents);
        cycles.add(cycle);
        cycle.deferred().forEach(fk -> removeIfNoOtherFk(kept, parents, cycle, fk));
      }
    }
    cycles.sort(Comparator.comparing(c -> c.tables().get(0)));
    return order(kept, cycles, selfReferences);
  }

  private static final Comparator<FkRef> FK_ORDER =
      Comparator.comparing(FkRef::table)
          .thenComparing(FkRef::constraint)
          .thenComparing(FkRef::refTable);

  /** Drops the child→parent edge once all FKs along it are deferred. */
  private static void removeIfNoOtherFk(
      Map<String, Set<String>> kept,
      Map<String, TreeMap<String, List<FkRef>>> parents,
      Cycle cycle,
      FkRef fk) {
    boolean allDeferred =
        parents.get(fk.table()).get(fk.refTable()).stream().allMatch(cycle.deferred()::contains);
    if (allDeferred) {
      kept.get(fk.table()).remove(fk.refTable());
    }
  }

  /** Greedy feedback-arc choice inside one strongly connected component (see class comment). */
  private static Cycle breakCycle(
      List<String> component, Map<String, TreeMap<String, List<FkRef>>> parents) {
    TreeSet<String> unplaced = new TreeSet<>(component);
    List<FkRef> all = new ArrayList<>();
    List<FkRef> deferred = new ArrayList<>();
    for (String t : component) {
      parents
          .get(t)
          .forEach(
              (p, fks) -> {
                if (unplaced.contains(p)) {
                  all.addAll(fks);
                }
              });
    }
    // open.get(t): parents of t inside the component not placed yet; queue ordered by (open, name)
    Map<String, Integer> open = new HashMap<>();
    Map<String, List<String>> childrenInside = new HashMap<>();
    for (String t : component) {
      int n = 0;
      for (String p : parents.get(t).keySet()) {
        if (unplaced.contains(p)) {
          n++;
          childrenInside.computeIfAbsent(p, k -> new ArrayList<>()).add(t);
        }
      }
      open.put(t, n);
    }
    TreeSet<String> queue =
        new TreeSet<>(Comparator.comparing((String t) -> open.get(t)).thenComparing(t -> t));
    queue.addAll(component);
    while (!queue.isEmpty()) {
      String next = queue.pollFirst();
      unplaced.remove(next);
      for (Map.Entry<String, List<FkRef>> e : parents.get(next).entrySet()) {
        if (unplaced.contains(e.getKey())) {
          deferred.addAll(e.getValue());
        }
      }
      for (String child : childrenInside.getOrDefault(next, List.of())) {
        if (unplaced.contains(child)) {
          queue.remove(child); // re-insert under its new key
          open.merge(child, -1, Integer::sum);
          queue.add(child);
        }
      }
    }
    all.sort(FK_ORDER);
    deferred.sort(FK_ORDER);
    return new Cycle(component, all, deferred);
  }

  /** Kahn's algorithm over the acyclic remainder; waves by longest path from a root. */
  private static Plan order(
      Map<String, Set<String>> kept, List<Cycle> cycles, List<FkRef> selfReferences) {
    Map<String, Integer> waiting = new HashMap<>();
    Map<String, List<String>> children = new HashMap<>();
    kept.forEach(
        (child, ps) -> {
          waiting.put(child, ps.size());
          ps.forEach(p -> children.computeIfAbsent(p, k -> new ArrayList<>()).add(child));
        });
    TreeSet<String> ready = new TreeSet<>();
    waiting.forEach(
        (t, n) -> {
          if (n == 0) {
            ready.add(t);
          }
        });
    Map<String, Integer> wave = new HashMap<>();
    List<String> order = new ArrayList<>();
    while (!ready.isEmpty()) {
      String t = ready.pollFirst();
      order.add(t);
      int w = kept.get(t).stream().mapToInt(p -> wave.get(p) + 1).max().orElse(0);
      wave.put(t, w);
      for (String c : children.getOrDefault(t, List.of())) {
        if (waiting.merge(c, -1, Integer::sum) == 0) {
          ready.add(c);
        }
      }
    }
    if (order.size() != kept.size()) {
      throw new IllegalStateException("cycle left after breaking cycles: " + kept);
    }
    List<List<String>> waves = new ArrayList<>();
    for (String t : new TreeSet<>(order)) {
      int w = wave.get(t);
      while (waves.size() <= w) {
        waves.add(new ArrayList<>());
      }
      waves.get(w).add(t);
    }
    return new Plan(order, waves, cycles, selfReferences);
  }

  /** Tarjan's strongly connected components, iterative; each component sorted by name. */
  static List<List<String>> stronglyConnected(Map<String, ? extends Map<String, ?>> parents) {
    Map<String, Integer> index = new HashMap<>();
    Map<String, Integer> low = new HashMap<>();
    Deque<String> stack = new ArrayDeque<>();
    Set<String> onStack = new java.util.HashSet<>();
    List<List<String>> components = new ArrayList<>();
    int counter = 0;
    for (String root : parents.keySet()) {
      if (index.containsKey(root)) {
        continue;
      }
      // frame: node and an iterator over its successors
      Deque<Map.Entry<String, java.util.Iterator<String>>> frames = new ArrayDeque<>();
      index.put(root, counter);
      low.put(root, counter++);
      stack.push(root);
      onStack.add(root);
      frames.push(Map.entry(root, parents.get(root).keySet().iterator()));
      while (!frames.isEmpty()) {
        Map.Entry<String, java.util.Iterator<String>> frame = frames.peek();
        String v = frame.getKey();
        if (frame.getValue().hasNext()) {
          String w = frame.getValue().next();
          if (!index.containsKey(w)) {
            index.put(w, counter);
            low.put(w, counter++);
            stack.push(w);
            onStack.add(w);
            frames.push(Map.entry(w, parents.get(w).keySet().iterator()));
          } else if (onStack.contains(w)) {
            low.put(v, Math.min(low.get(v), index.get(w)));
          }
        } else {
          frames.pop();
          if (!frames.isEmpty()) {
            String parent = frames.peek().getKey();
            low.put(parent, Math.min(low.get(parent), low.get(v)));
          }
          if (low.get(v).equals(index.get(v))) {
            List<String> component = new ArrayList<>();
            String w;
            do {
              w = stack.pop();
              onStack.remove(w);
              component.add(w);
            } while (!w.equals(v));
            component.sort(Comparator.naturalOrder());
            components.add(component);
          }
        }
      }
    }
    return components;
  }
}
