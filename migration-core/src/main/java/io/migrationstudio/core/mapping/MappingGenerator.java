package io.migrationstudio.core.mapping;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.schema.CanonicalType;
import io.migrationstudio.core.schema.Column;
import io.migrationstudio.core.schema.ForeignKey;
import io.migrationstudio.core.schema.IndexInfo;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.core.schema.KeyConstraint;
import io.migrationstudio.core.schema.SequenceInfo;
import io.migrationstudio.core.schema.TableInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Proposes {@code mapping.yaml} from the source inventory and the spec.
 *
 * <ol>
 *   <li>Tables in inventory load order (tables missing from it follow in name order), columns in
 *       source position order; a column mapping for every source column, typed by the source
 *       engine's {@link SourceTypeMapper}; names by the spec's {@link NamingRule}.
 *   <li>The overrides file, when the spec names one, is merged over the proposal: entries are
 *       matched by source table and source column, and every field an override states wins. An
 *       override that changes a column's type without stating a disposition turns MAP into CAST.
 *       Override entries naming source objects the inventory does not hold are an error listing
 *       them all.
 *   <li>Keys, foreign keys and indexes are then translated to the final target names; objects that
 *       lose a column (dropped) or a referenced table (out of scope) are left out, and so are
 *       expression and partial indexes unless naming is identity. The compatibility review lists
 *       everything left out.
 *   <li>Name collisions (two source names → one target name) are refused, not disambiguated: a
 *       silent rename would surprise every consumer of the target. The INVALID_SPEC error lists
 *       every collision; resolve them with an override that names distinct targets.
 * </ol>
 */
public final class MappingGenerator {

  /** Generates the mapping, reading the overrides file the spec names from this machine. */
  public MappingDocument generate(Inventory inventory, MigrationSpec spec) {
    return generate(inventory, spec, readOverrides(spec.mapping().overrides()).orElse(null));
  }

  /** Generates the mapping with the given overrides YAML (null when there are none). */
  public MappingDocument generate(Inventory inventory, MigrationSpec spec, byte[] overridesYaml) {
    NamingRule naming = NamingRule.parse(spec.mapping().naming());
    SourceTypeMapper types = SourceTypeMapper.forEngine(inventory.engine());
    TypeRules rules = TypeRules.of(spec.mapping().typeRules());
    MappingDraft.Document overrides =
        overridesYaml == null
            ? null
            : Json.readYaml(
                overridesYaml,
                MappingDraft.Document.class,
                "mapping.overrides file " + spec.mapping().overrides());
    String targetSchema =
        overrides != null && overrides.targetSchema() != null
            ? overrides.targetSchema()
            : Dialects.schemaOf(spec.target());

    List<TableInfo> ordered = loadOrder(inventory);
    List<String> unknown = new ArrayList<>();
    if (overrides != null) {
      for (MappingDraft.Table t : overrides.tables()) {
        if (t.source() == null || inventory.table(t.source()).isEmpty()) {
          unknown.add("table " + MappingLoader.q(t.source()));
        }
      }
    }

    // pass 1: table targets and columns, overrides applied
    Map<String, TableMapping> draft = new LinkedHashMap<>();
    for (TableInfo table : ordered) {
      MappingDraft.Table override = overrideFor(overrides, table.name());
      List<ColumnMapping> columns = new ArrayList<>();
      // generation expressions name the source columns: kept only when no name changes
      boolean namesKept =
          table.columns().stream().allMatch(col -> naming.apply(col.name()).equals(col.name()));
      for (Column column : sortedColumns(table)) {
        boolean owns =
            inventory.sequences().stream()
                .anyMatch(
                    s ->
                        table.name().equals(s.ownedByTable())
                            && column.name().equals(s.ownedByColumn()));
        SourceTypeMapper.Target t = types.map(column, owns);
        ColumnMapping c =
            ColumnMapping.builder()
                .source(column.name())
                .target(naming.apply(column.name()))
                .disposition(t.disposition())
                .sourceType(column.nativeType())
                .type(t.type())
                .canonical(t.canonical())
                .nullable(column.nullable())
                .identity(t.identity())
                .defaultValue(t.defaultValue())
                .build();
        Optional<TypeRules.Indexed> rule = rules.first(table.name(), column);
        // a key column stays written by the copy: chunks and the change stream find rows by it
        boolean key =
            table.primaryKey() != null && table.primaryKey().columns().contains(column.name());
        ColumnMapping mapped =
            rule.isPresent()
                ? applyRule(c, column, rule.get())
                : namesKept && !key ? types.carried(column, c) : c;
        columns.add(onUpdate(column, mapped));
      }
      String target = naming.apply(table.name());
      String filter = null;
      if (override != null) {
        target = override.target() != null ? override.target() : target;
        filter = override.filter();
        columns = mergeColumns(table, columns, override, unknown);
      }
      draft.put(
          table.name(),
          new TableMapping(table.name(), target, filter, null, columns, null, null, null));
    }
    if (!unknown.isEmpty()) {
      throw new MigrationException(
          ErrorCode.INVALID_SPEC,
          "mapping.overrides: "
              + spec.mapping().overrides()
              + " names "
              + unknown.size()
              + " source object(s) the inventory of schema "
              + MappingLoader.q(inventory.schema())
              + " does not hold: "
              + String.join(", ", unknown)
              + ". Fix the names (they are source names, case-sensitive) or remove the entries.");
    }

    // pass 2: keys, foreign keys and indexes in final target names
    List<TableMapping> tables = new ArrayList<>();
    java.util.Set<String> indexNames = new java.util.HashSet<>();
    for (TableInfo table : ordered) {
      TableMapping t = draft.get(table.name());
      MappingDraft.Table override = overrideFor(overrides, table.name());
      Map<String, String> names = copiedNames(t);
      List<String> pk =
          table.primaryKey() == null ? List.of() : translate(table.primaryKey().columns(), names);
      List<KeyConstraint> uks = new ArrayList<>();
      for (KeyConstraint uk : table.uniqueKeys()) {
        List<String> cols = translate(uk.columns(), names);
        if (cols != null) {
          uks.add(new KeyConstraint(naming.apply(uk.name()), cols));
        }
      }
      List<ForeignKey> fks = new ArrayList<>();
      for (ForeignKey fk : table.foreignKeys()) {
        TableMapping ref = draft.get(fk.refTable());
        List<String> cols = translate(fk.columns(), names);
        List<String> refCols = ref == null ? null : translate(fk.refColumns(), copiedNames(ref));
        if (cols != null && refCols != null) {
          fks.add(
              new ForeignKey(
                  naming.apply(fk.name()),
                  cols,
                  ref.target(),
                  refCols,
                  fk.onDelete(),
                  fk.onUpdate()));
        }
      }
      List<IndexInfo> indexes = new ArrayList<>();
      for (IndexInfo index : table.indexes()) {
        boolean textual = index.columns().isEmpty() || index.predicate() != null;
        if (textual) {
          if (naming == NamingRule.IDENTITY) {
            indexes.add(index);
          }
          continue;
        }
        List<String> cols = translate(index.columns(), names);
        Optional<String> method =
            index.method() == null ? Optional.empty() : types.indexMethod(index.method());
        if (cols != null && (index.method() == null || method.isPresent())) {
          indexes.add(
              new IndexInfo(
                  uniqueIndexName(indexNames, t.target(), naming.apply(index.name())),
                  cols,
                  index.unique(),
                  method.orElse(null),
                  null,
                  naming == NamingRule.IDENTITY ? index.definition() : null));
        }
      }
      if (override != null) {
        pk = override.primaryKey() != null ? override.primaryKey() : pk;
        uks = override.uniqueKeys() != null ? override.uniqueKeys() : uks;
        fks = override.foreignKeys() != null ? override.foreignKeys() : fks;
        indexes = override.indexes() != null ? override.indexes() : indexes;
      }
      tables.add(
          new TableMapping(
              t.source(),
              t.target(),
              t.filter(),
              pk == null ? List.of() : pk,
              t.columns(),
              uks,
              fks,
              indexes,
              !table.inheritanceChildren().isEmpty()));
    }

    List<SequenceMapping> sequences = sequences(inventory, draft, naming, overrides, unknown);
    if (!unknown.isEmpty()) {
      throw new MigrationException(
          ErrorCode.INVALID_SPEC,
          "mapping.overrides: "
              + spec.mapping().overrides()
              + " names sequence(s) the inventory does not hold: "
              + String.join(", ", unknown)
              + ". Fix or remove the entries.");
    }
    MappingDocument document =
        new MappingDocument(
            MappingDocument.CURRENT_VERSION,
            naming.key(),
            inventory.engine(),
            inventory.schema(),
            targetSchema,
            tables,
            sequences,
            spec.mapping().carriesPrivileges());

    List<String> collisions = MappingLoader.collisions(document);
    if (!collisions.isEmpty()) {
      throw new MigrationException(
          ErrorCode.INVALID_SPEC,
          "mapping.naming: "
              + naming.key()
              + " maps different source names to the same target name ("
              + collisions.size()
              + " collision(s)): "
              + String.join("; ", collisions)
              + ". Give one of each pair a distinct target in the mapping.overrides file, or use"
              + " naming identity.");
    }
    List<String> problems = MappingLoader.check(document, inventory);
    if (!problems.isEmpty()) {
      // blame the overrides file only when there is one: a generated name too long for
      // PostgreSQL is the source's, and an overrides file is how to give it another
      throw new MigrationException(
          ErrorCode.INVALID_SPEC,
          (overrides == null
                  ? "mapping: the mapping generated from schema "
                      + MappingLoader.q(inventory.schema())
                      + " (naming "
                      + naming.key()
                      + ") is not valid for the target ("
                  : "mapping.overrides: the mapping merged with "
                      + spec.mapping().overrides()
                      + " is not valid for the target (")
              + problems.size()
              + " problem(s)): "
              + String.join("; ", problems)
              + (overrides == null
                  ? ". Give these objects valid target names in a mapping.overrides file (tables:"
                      + " [{source: <source name>, target: <new name>}], see docs/mapping.md), or"
                      + " leave them out with scope.exclude."
                  : ". Fix the entries of " + spec.mapping().overrides() + "."));
    }
    return document;
  }

  /**
   * A generated column retyped by the first matching {@code mapping.type_rules} entry: the rule's
   * type (MAP becomes CAST when the spelling changes), an identity only while the type stays an
   * integer, the source default re-read as a literal of the new type when the canonical type
   * changes, the rule's time zone when zone-less source timestamps become timestamptz, and the
   * rule's description in {@code rule} so reviewers see where the type came from.
   */
  static ColumnMapping applyRule(ColumnMapping g, Column column, TypeRules.Indexed r) {
    String type = r.rule().targetType().trim();
    TargetType target = TargetType.parse(type);
    boolean sameType = TargetType.sameSpelling(type, g.type());
    Disposition disposition =
        g.disposition() == Disposition.MAP && !sameType ? Disposition.CAST : g.disposition();
    boolean identity = g.identity() && target.canonical().isInteger();
    String defaultValue =
        identity
            ? null
            : target.canonical() == g.canonical()
                ? g.defaultValue()
                : SourceDefaults.literal(column.defaultExpression(), target.canonical());
    String zone =
        r.rule().timeZone() != null
                && column.type() == CanonicalType.TIMESTAMP
                && target.canonical() == CanonicalType.TIMESTAMPTZ
            ? r.rule().timeZone()
            : null;
    return ColumnMapping.builder()
        .source(g.source())
        .target(g.target())
        .disposition(disposition)
        .sourceType(g.sourceType())
        .type(type)
        .canonical(target.canonical())
        .nullable(g.nullable())
        .identity(identity)
        .defaultValue(defaultValue)
        .expression(g.expression())
        .reason(r.rule().reason() != null ? r.rule().reason() : g.reason())
        .rule(TypeRules.describe(r) + (zone == null ? "" : ", read in " + zone))
        .sourceTimeZone(zone)
        .build();
  }

  /** Tables in inventory load order; tables it does not list follow in name order. */
  /**
   * A MySQL/MariaDB {@code ON UPDATE CURRENT_TIMESTAMP} column ({@link Column#onUpdate}) copied to
   * a PostgreSQL timestamp keeps that behaviour as {@code on_update: CURRENT_TIMESTAMP}, which the
   * target schema turns into a trigger; a column mapped to anything else (dropped, a text) is left
   * as it is and the assessment's risk still names it.
   */
  private static ColumnMapping onUpdate(Column column, ColumnMapping c) {
    boolean timestamp =
        c.canonical() == CanonicalType.TIMESTAMP || c.canonical() == CanonicalType.TIMESTAMPTZ;
    return column.onUpdate() != null && c.isCopied() && c.source() != null && timestamp
        ? c.withOnUpdate("CURRENT_TIMESTAMP")
        : c;
  }

  static List<TableInfo> loadOrder(Inventory inventory) {
    Set<String> names = new LinkedHashSet<>();
    for (String name : inventory.loadOrder()) {
      if (inventory.table(name).isPresent()) {
        names.add(name);
      }
    }
    inventory.tables().stream().map(TableInfo::name).sorted().forEach(names::add);
    return names.stream().map(n -> inventory.table(n).orElseThrow()).toList();
  }

  private static List<Column> sortedColumns(TableInfo table) {
    return table.columns().stream()
        .sorted(Comparator.comparingInt(Column::position).thenComparing(Column::name))
        .toList();
  }

  private static MappingDraft.Table overrideFor(MappingDraft.Document overrides, String table) {
    if (overrides == null) {
      return null;
    }
    return overrides.tables().stream()
        .filter(t -> table.equals(t.source()))
        .reduce((a, b) -> b)
        .orElse(null);
  }

  /** The {@code unmapped} policy an override column states (null when it states none). */
  private static UnmappedPolicy unmappedPolicy(TableInfo table, MappingDraft.Column o) {
    if (o.unmapped() == null) {
      return null;
    }
    try {
      return UnmappedPolicy.fromKey(o.unmapped());
    } catch (IllegalArgumentException e) {
      throw new MigrationException(
          ErrorCode.INVALID_SPEC,
          "mapping.overrides: column "
              + MappingLoader.q(table.name())
              + "."
              + MappingLoader.q(o.source())
              + ": unmapped '"
              + o.unmapped()
              + "' is not one of reject, keep, null; fix the override");
    }
  }

  /** Field-wise merge: every field an override column states wins. */
  private static List<ColumnMapping> mergeColumns(
      TableInfo table,
      List<ColumnMapping> generated,
      MappingDraft.Table override,
      List<String> unknown) {
    Map<String, ColumnMapping> bySource = new LinkedHashMap<>();
    generated.forEach(c -> bySource.put(c.source(), c));
    List<ColumnMapping> added = new ArrayList<>();
    for (MappingDraft.Column o : override.columns()) {
      if (o.source() == null) {
        ColumnMapping fresh = newColumn(table, o, unknown);
        if (fresh != null) {
          added.add(fresh);
        }
        continue;
      }
      ColumnMapping g = bySource.get(o.source());
      if (g == null) {
        unknown.add("column " + MappingLoader.q(table.name()) + "." + MappingLoader.q(o.source()));
        continue;
      }
      ColumnMapping merged = merge(table, g, o, unknown);
      bySource.put(
          o.source(),
          o.values() == null || o.values().isEmpty() || !merged.isCopied()
              ? merged
              : merged.withValueMap(o.values(), unmappedPolicy(table, o)));
    }
    List<ColumnMapping> merged = new ArrayList<>(bySource.values());
    merged.addAll(added);
    return merged;
  }

  private static ColumnMapping merge(
      TableInfo table, ColumnMapping g, MappingDraft.Column o, List<String> unknown) {
    Disposition disposition = g.disposition();
    if (o.disposition() != null) {
      disposition = disposition(table, o, unknown);
    } else if (o.type() != null
        && g.disposition() == Disposition.MAP
        && !TargetType.sameSpelling(o.type(), g.type())) {
      disposition = Disposition.CAST;
    }
    if (disposition == null) {
      return g;
    }
    if (disposition == Disposition.DROP) {
      return ColumnMapping.builder()
          .source(g.source())
          .disposition(disposition)
          .sourceType(g.sourceType())
          .nullable(g.nullable())
          .reason(o.reason() != null ? o.reason() : g.reason())
          .build();
    }
    // an override that states the type replaces a rule's choice (per column beats by rule)
    boolean ruled = o.type() == null;
    boolean readsColumn = disposition == Disposition.MAP || disposition == Disposition.CAST;
    String type = o.type() != null ? o.type() : g.type();
    // an override that states a default replaces a generated identity unless it says identity
    boolean identity =
        o.identity() != null ? o.identity() : o.defaultValue() == null && g.identity();
    CanonicalType canonical = o.type() != null ? TargetType.parse(type).canonical() : g.canonical();
    // the source's ON UPDATE CURRENT_TIMESTAMP stays while the column is still a copied time
    boolean time = canonical == CanonicalType.TIMESTAMP || canonical == CanonicalType.TIMESTAMPTZ;
    return new ColumnMapping(
        g.source(),
        o.target() != null ? o.target() : g.target() != null ? g.target() : g.source(),
        disposition,
        g.sourceType(),
        type,
        canonical,
        o.nullable() != null ? o.nullable() : g.nullable(),
        identity,
        identity ? null : o.defaultValue() != null ? o.defaultValue() : g.defaultValue(),
        o.expression() != null ? o.expression() : g.expression(),
        o.reason() != null ? o.reason() : g.reason(),
        ruled ? g.rule() : o.rule(),
        !readsColumn
            ? null
            : o.sourceTimeZone() != null ? o.sourceTimeZone() : ruled ? g.sourceTimeZone() : null,
        null,
        null,
        o.compare() != null ? o.compare() : g.compare(),
        // kept while the override leaves the column's type, disposition and default alone
        disposition == Disposition.MAP && o.type() == null && !identity && o.defaultValue() == null
            ? g.generated()
            : null,
        o.type() == null ? g.collation() : null,
        readsColumn && time ? g.onUpdate() : null);
  }

  /** An override column without a source: a new DEFAULT or DERIVE column. */
  private static ColumnMapping newColumn(
      TableInfo table, MappingDraft.Column o, List<String> unknown) {
    Disposition d = disposition(table, o, unknown);
    if (d == null || o.target() == null || o.type() == null) {
      unknown.add(
          "column without source in "
              + MappingLoader.q(table.name())
              + " (a new column needs target, type and disposition default or derive)");
      return null;
    }
    return ColumnMapping.builder()
        .target(o.target())
        .disposition(d)
        .type(o.type())
        .canonical(TargetType.parse(o.type()).canonical())
        .nullable(o.nullable() == null || o.nullable())
        .defaultValue(o.defaultValue())
        .expression(o.expression())
        .reason(o.reason())
        .compare(o.compare())
        .build();
  }

  private static Disposition disposition(TableInfo table, MappingDraft.Column o, List<String> bad) {
    try {
      return Disposition.fromKey(o.disposition());
    } catch (IllegalArgumentException | NullPointerException e) {
      bad.add(
          "disposition '"
              + o.disposition()
              + "' of "
              + MappingLoader.q(table.name())
              + "."
              + MappingLoader.q(o.source())
              + " (expected map, cast, transform, derive, default or drop)");
      return null;
    }
  }

  /** Source column → target column of the copied columns of a table. */
  private static Map<String, String> copiedNames(TableMapping table) {
    Map<String, String> names = new LinkedHashMap<>();
    table.columns().stream()
        .filter(c -> c.isCopied() && c.source() != null)
        .forEach(c -> names.put(c.source(), c.target()));
    return names;
  }

  /** The target names of source columns, or null when one of them is not copied. */
  private static List<String> translate(List<String> sourceColumns, Map<String, String> names) {
    List<String> out = new ArrayList<>();
    for (String c : sourceColumns) {
      String t = names.get(c);
      if (t == null) {
        return null;
      }
      out.add(t);
    }
    return out;
  }

  /**
   * Sequences owned by a copied column become identity sequences of the target column; sequences
   * owned by no column are created as they are; sequences of tables out of scope are left out.
   */
  private static List<SequenceMapping> sequences(
      Inventory inventory,
      Map<String, TableMapping> tables,
      NamingRule naming,
      MappingDraft.Document overrides,
      List<String> unknown) {
    List<SequenceMapping> out = new ArrayList<>();
    for (SequenceInfo seq :
        inventory.sequences().stream().sorted(Comparator.comparing(SequenceInfo::name)).toList()) {
      if (seq.ownedByTable() == null) {
        out.add(
            new SequenceMapping(seq.name(), naming.apply(seq.name()), null, null, seq.options()));
        continue;
      }
      TableMapping owner = tables.get(seq.ownedByTable());
      Optional<ColumnMapping> column =
          owner == null || seq.ownedByColumn() == null
              ? Optional.empty()
              : owner.bySource(seq.ownedByColumn()).filter(ColumnMapping::isCopied);
      column.ifPresent(
          c ->
              out.add(
                  new SequenceMapping(
                      seq.name(),
                      naming.apply(seq.name()),
                      owner.target(),
                      c.target(),
                      c.identity() ? null : seq.options())));
    }
    if (overrides != null) {
      for (SequenceMapping o : overrides.sequences()) {
        int i = indexOf(out, o.source());
        if (i < 0) {
          unknown.add("sequence " + MappingLoader.q(o.source()));
        } else {
          SequenceMapping g = out.get(i);
          out.set(
              i,
              new SequenceMapping(
                  g.source(),
                  o.target() != null ? o.target() : g.target(),
                  o.table() != null ? o.table() : g.table(),
                  o.column() != null ? o.column() : g.column(),
                  o.options() != null ? o.options() : g.options()));
        }
      }
    }
    return out;
  }

  private static int indexOf(List<SequenceMapping> list, String source) {
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i).source().equals(source)) {
        return i;
      }
    }
    return -1;
  }

  /** Reads the overrides file a spec names, or empty when it names none. */
  public static Optional<byte[]> readOverrides(String path) {
    if (path == null || path.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Files.readAllBytes(Path.of(path)));
    } catch (IOException e) {
      throw new MigrationException(
          ErrorCode.INVALID_SPEC,
          "mapping.overrides: file "
              + path
              + " cannot be read ("
              + e.getClass().getSimpleName()
              + "); fix the path or commit the file to the migration branch",
          e);
    }
  }

  /**
   * An index name free in the target schema: MariaDB/MySQL index names are per table (Sakila has
   * {@code idx_fk_address_id} on three tables) while PostgreSQL's share the schema, where {@code
   * CREATE INDEX IF NOT EXISTS} would silently skip the second one. A taken name is prefixed with
   * the target table (then numbered if still taken); names already unique stay as they are.
   */
  static String uniqueIndexName(java.util.Set<String> taken, String table, String name) {
    String candidate = name;
    if (taken.contains(candidate)) {
      candidate = table + "_" + name;
      for (int i = 2; taken.contains(candidate); i++) {
        candidate = table + "_" + name + "_" + i;
      }
    }
    taken.add(candidate);
    return candidate;
  }
}
