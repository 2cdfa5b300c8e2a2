package io.migrationstudio.core.diff;

import io.migrationstudio.core.dialect.sqlite.SqliteForeignKeys;
import io.migrationstudio.core.schema.CheckConstraint;
import io.migrationstudio.core.schema.Column;
import io.migrationstudio.core.schema.ForeignKey;
import io.migrationstudio.core.schema.IndexInfo;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.core.schema.KeyConstraint;
import io.migrationstudio.core.schema.TableInfo;
import io.migrationstudio.core.schema.ViewInfo;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The part of a schema {@link SchemaDiff} compares, whatever it was read from ({@code
 * inventory.json}, a live database's inventory, or the seed toolkit's JSON schema format): tables
 * with their columns (PostgreSQL type spelling, nullability, default, identity, SQLite
 * AUTOINCREMENT, generation, collation), primary key, unique keys, CHECK expressions, foreign keys
 * (with both actions) and indexes (partial, on expressions), SQLite's WITHOUT ROWID and CREATE
 * TABLE text; views with their definitions (and the column list their DDL declares, if any) and
 * routines with theirs; triggers with their DDL, {@code null} when the input does not catalogue
 * them (the toolkit's format) — they are not compared, only re-created by a SQLite table rebuild;
 * the {@link Server} it was read from, null when unknown. Maps keep their source order.
 */
public record DiffSchema(
    String name,
    Map<String, Table> tables,
    Map<String, View> views,
    Map<String, String> routines,
    List<Trigger> triggers,
    Server server) {
  public DiffSchema {
    tables = copy(tables);
    views = copy(views);
    routines = copy(routines);
    triggers = triggers == null ? null : List.copyOf(triggers);
  }

  /** A schema whose triggers were not catalogued. */
  public DiffSchema(
      String name,
      Map<String, Table> tables,
      Map<String, View> views,
      Map<String, String> routines) {
    this(name, tables, views, routines, null, null);
  }

  /**
   * The server a schema was read from: its engine ({@code postgresql}, {@code mariadb}...) and
   * version ({@code 16.11}, {@code 11.4.5-MariaDB}); null when the input names none (the toolkit's
   * format). {@link DdlTarget#forChanging} writes the DDL for it.
   */
  public record Server(String engine, String version) {}

  private static <V> Map<String, V> copy(Map<String, V> m) {
    return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(m));
  }

  /**
   * A column; {@code autoincrement}: SQLite's INTEGER PRIMARY KEY AUTOINCREMENT (identity too);
   * {@code generated}: the expression of a generated column (null otherwise), {@code generatedKind}
   * its kind where the input names one ({@code VIRTUAL}, {@code STORED}; SQLite); {@code
   * collation}: its collation when it declares one, null for the default.
   */
  public record Col(
      String name,
      String type,
      boolean nullable,
      String defaultValue,
      boolean identity,
      boolean autoincrement,
      String generated,
      String generatedKind,
      String collation) {
    public Col {
      Objects.requireNonNull(name, "column name");
      Objects.requireNonNull(type, "column type of " + name);
      if (autoincrement && !identity) {
        throw new IllegalArgumentException(
            "column " + name + " is AUTOINCREMENT but not the identity (SQLite's rowid alias)");
      }
    }
  }

  /**
   * A foreign key; its actions are upper case, {@code NO ACTION} when the input names none; {@code
   * deferred} when it is {@code DEFERRABLE INITIALLY DEFERRED} (read from SQLite's CREATE TABLE
   * text; false where the input does not say).
   */
  public record Fk(
      List<String> columns,
      String refTable,
      List<String> refColumns,
      String onDelete,
      String onUpdate,
      boolean deferred) {
    public Fk {
      columns = List.copyOf(columns);
      refColumns = List.copyOf(refColumns);
      onDelete = onDelete == null ? "NO ACTION" : onDelete.toUpperCase(java.util.Locale.ROOT);
      onUpdate = onUpdate == null ? "NO ACTION" : onUpdate.toUpperCase(java.util.Locale.ROOT);
    }

    public Fk(
        List<String> columns,
        String refTable,
        List<String> refColumns,
        String onDelete,
        String onUpdate) {
      this(columns, refTable, refColumns, onDelete, onUpdate, false);
    }

    /** Same columns and parent: the same key (its name is derived from them), actions aside. */
    boolean sameKey(Fk other) {
      return columns.equals(other.columns)
          && refTable.equals(other.refTable)
          && refColumns.equals(other.refColumns);
    }
  }

  /**
   * An index: {@code columns} empty for an index on expressions; {@code predicate} the WHERE of a
   * partial index (null when none); {@code definition} the engine's own DDL when the input has it
   * (null otherwise): a SQLite diff re-creates the index from it, and an index on expressions is
   * compared by it.
   */
  public record Index(
      String name, List<String> columns, boolean unique, String predicate, String definition) {
    public Index {
      columns = List.copyOf(columns);
    }

    /**
     * Same columns, uniqueness, predicate and (on expressions) definition, spacing and the schema
     * and name of the table it names aside.
     */
    boolean sameAs(Index other) {
      return name.equals(other.name)
          && columns.equals(other.columns)
          && unique == other.unique
          && Objects.equals(normOrNull(predicate), normOrNull(other.predicate))
          && (!columns.isEmpty() || IndexDdl.sameIgnoringTable(definition, other.definition));
    }

    private static String normOrNull(String s) {
      return s == null ? null : SchemaDiff.norm(s);
    }
  }

  /**
   * A table; {@code collation} its default collation where the engine has one per table
   * (MariaDB/MySQL, null elsewhere); {@code names} the names its constraints have in the database
   * it was read from.
   */
  public record Table(
      String name,
      Map<String, Col> columns,
      List<String> primaryKey,
      List<List<String>> uniques,
      List<String> checks,
      List<Fk> foreignKeys,
      List<Index> indexes,
      boolean withoutRowid,
      String definition,
      String collation,
      Names names) {
    public Table {
      columns = copy(columns);
      primaryKey = List.copyOf(primaryKey);
      uniques = uniques.stream().map(List::copyOf).distinct().toList();
      checks = checks.stream().distinct().toList();
      foreignKeys = List.copyOf(foreignKeys);
      indexes = List.copyOf(indexes);
      names = names == null ? Names.NONE : names;
    }
  }

  /**
   * The names of a table's constraints as the database it was read from has them: the primary key
   * (null when unknown), unique keys and foreign keys by their columns, CHECKs by their normalised
   * expression; {@code catalogued} when the input catalogues names at all (an inventory read from
   * PostgreSQL or MariaDB/MySQL), so that a constraint missing here is one an older {@code
   * inventory.json} did not name. A constraint missing gets the name {@link SchemaDiff} derives.
   */
  public record Names(
      String primaryKey,
      Map<List<String>, String> uniques,
      Map<String, String> checks,
      Map<List<String>, String> foreignKeys,
      boolean catalogued) {
    public static final Names NONE = new Names(null, Map.of(), Map.of(), Map.of(), false);

    public Names {
      uniques = Map.copyOf(uniques);
      checks = Map.copyOf(checks);
      foreignKeys = Map.copyOf(foreignKeys);
    }
  }

  /**
   * A view: {@code columns} its output columns when the input names them (for the classification),
   * {@code columnList} the column list its DDL declares ({@code CREATE VIEW v (a, b) AS}), empty
   * when none: the DDL the diff writes re-creates it.
   */
  public record View(
      String name, String definition, List<String> columns, List<String> columnList) {
    public View {
      columns = columns == null ? List.of() : List.copyOf(columns);
      columnList = columnList == null ? List.of() : List.copyOf(columnList);
    }
  }

  /** A trigger on {@code table}; {@code definition} is the engine's DDL or body as catalogued. */
  public record Trigger(String name, String table, String definition) {
    public Trigger {
      Objects.requireNonNull(name, "trigger name");
      Objects.requireNonNull(table, "table of trigger " + name);
    }
  }

  /** The schema an inventory describes (inventory.json, or a live database's introspection). */
  public static DiffSchema of(Inventory inventory) {
    Map<String, Table> tables = new LinkedHashMap<>();
    for (TableInfo t : inventory.tables()) {
      Map<String, Col> cols = new LinkedHashMap<>();
      for (Column c : t.columns()) {
        cols.put(
            c.name(),
            new Col(
                c.name(),
                c.nativeType(),
                c.nullable(),
                c.defaultExpression(),
                c.identity(),
                c.autoincrement(),
                c.generated(),
                c.generatedKind(),
                c.collation()));
      }
      List<List<String>> uniques = t.uniqueKeys().stream().map(KeyConstraint::columns).toList();
      List<Fk> fks = new java.util.ArrayList<>();
      List<List<String>> deferred = SqliteForeignKeys.deferred(t.definition());
      for (ForeignKey fk : t.foreignKeys()) {
        fks.add(
            new Fk(
                fk.columns(),
                fk.refTable(),
                fk.refColumns(),
                fk.onDelete(),
                fk.onUpdate(),
                deferred.stream().anyMatch(d -> sameNames(d, fk.columns()))));
      }
      List<Index> indexes = new java.util.ArrayList<>();
      for (IndexInfo ix : t.indexes()) {
        indexes.add(
            new Index(ix.name(), ix.columns(), ix.unique(), ix.predicate(), ix.definition()));
      }
      tables.put(
          t.name(),
          new Table(
              t.name(),
              cols,
              t.primaryKey() == null ? List.of() : t.primaryKey().columns(),
              uniques,
              t.checks().stream().map(CheckConstraint::expression).toList(),
              fks,
              indexes,
              t.withoutRowid(),
              t.definition(),
              t.collation(),
              names(inventory.engine(), t)));
    }
    Map<String, View> views = new LinkedHashMap<>();
    for (ViewInfo v : inventory.views()) {
      views.put(v.name(), new View(v.name(), v.definition(), v.columnList(), v.columnList()));
    }
    Map<String, String> routines = new LinkedHashMap<>();
    if (inventory.routines() != null) {
      inventory.routines().forEach(r -> routines.put(r.name(), r.definition()));
    }
    List<Trigger> triggers =
        inventory.triggers().stream()
            .map(t -> new Trigger(t.name(), t.table(), t.definition()))
            .toList();
    return new DiffSchema(
        inventory.schema(),
        tables,
        views,
        routines,
        triggers,
        inventory.engine() == null
            ? null
            : new Server(inventory.engine(), inventory.serverVersion()));
  }

  /**
   * The constraint names the inventory catalogues ({@code pg_constraint.conname}; MariaDB's {@code
   * TABLE_CONSTRAINTS} and {@code CHECK_CONSTRAINTS}). SQLite's catalogue derives most of them and
   * SQLite drops no constraint by name (the diff rebuilds the table): none are taken.
   */
  private static Names names(String engine, TableInfo t) {
    if (engine == null || engine.equals("sqlite")) {
      return Names.NONE;
    }
    Map<List<String>, String> uniques = new java.util.HashMap<>();
    t.uniqueKeys().stream()
        .filter(k -> k.name() != null)
        .forEach(k -> uniques.putIfAbsent(k.columns(), k.name()));
    Map<String, String> checks = new java.util.HashMap<>();
    t.checks().stream()
        .filter(c -> c.name() != null && c.expression() != null)
        .forEach(c -> checks.putIfAbsent(SchemaDiff.norm(c.expression()), c.name()));
    Map<List<String>, String> fks = new java.util.HashMap<>();
    t.foreignKeys().stream()
        .filter(f -> f.name() != null)
        .forEach(f -> fks.putIfAbsent(f.columns(), f.name()));
    return new Names(
        t.primaryKey() == null ? null : t.primaryKey().name(), uniques, checks, fks, true);
  }

  /** The same names in the same order, case aside (SQLite's names are case-insensitive). */
  private static boolean sameNames(List<String> a, List<String> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (!a.get(i).equalsIgnoreCase(b.get(i))) {
        return false;
      }
    }
    return true;
  }
}
