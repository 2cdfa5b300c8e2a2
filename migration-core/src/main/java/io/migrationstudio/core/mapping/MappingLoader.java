package io.migrationstudio.core.mapping;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.schema.CanonicalType;
import io.migrationstudio.core.schema.Column;
import io.migrationstudio.core.schema.ForeignKey;
import io.migrationstudio.core.schema.IndexInfo;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.core.schema.KeyConstraint;
import io.migrationstudio.core.schema.TableInfo;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Reads {@code mapping.yaml} (generated, or edited by an approver) and checks it against the source
 * inventory: every source column of every mapped table has exactly one disposition, every copied
 * column a target name and type, every DROP a reason, no two source names share a target name, and
 * keys, indexes, foreign keys and sequences name target columns that exist. All problems are
 * reported at once.
 */
public final class MappingLoader {

  private MappingLoader() {}

  /** Parses and checks {@code mapping.yaml}; any problem is INVALID_ARTIFACT listing them all. */
  public static MappingDocument load(byte[] yaml, Inventory inventory) {
    MappingDraft.Document draft =
        Json.readYaml(yaml, MappingDraft.Document.class, ArtifactPaths.MAPPING_YAML);
    List<String> problems = new ArrayList<>();
    MappingDocument document = toDocument(draft, problems);
    if (problems.isEmpty()) {
      problems.addAll(check(document, inventory));
    }
    if (!problems.isEmpty()) {
      throw new MigrationException(
          ErrorCode.INVALID_ARTIFACT,
          ArtifactPaths.MAPPING_YAML
              + " has "
              + problems.size()
              + " problem(s); fix them on the branch and request a re-check:\n- "
              + String.join("\n- ", problems));
    }
    return document;
  }

  /**
   * Parses {@code mapping.yaml} for the stages after Mapping (Migrate, Validation, Cutover), which
   * hold no inventory: the same lenient reading and defaults as {@link #load} (a column that does
   * not state {@code nullable} is nullable, {@code identity} is false unless stated), so every
   * stage sees the document the compatibility review approved. The checks against the source were
   * made on the approved commit; the structure is checked again here, every problem listed. {@code
   * where} names the file and commit for the message.
   */
  public static MappingDocument read(byte[] yaml, String where) {
    MappingDraft.Document draft = Json.readYaml(yaml, MappingDraft.Document.class, where);
    List<String> problems = new ArrayList<>();
    MappingDocument document = toDocument(draft, problems);
    if (problems.isEmpty()) {
      problems.addAll(collisions(document));
    }
    if (!problems.isEmpty()) {
      throw new MigrationException(
          ErrorCode.INVALID_ARTIFACT,
          where
              + " has "
              + problems.size()
              + " problem(s); fix them on the branch and re-run the Mapping review:\n- "
              + String.join("\n- ", problems));
    }
    return document;
  }

  /** The byte-stable YAML of a mapping (rendering the same document twice gives the same bytes). */
  public static String render(MappingDocument document) {
    return Json.writeYaml(document);
  }

  /** {@link #render} as UTF-8 bytes, ready to commit. */
  public static byte[] renderBytes(MappingDocument document) {
    return render(document).getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Builds a document from a draft, adding a problem for every entry a strict record would refuse
   * (missing table names, unknown dispositions, copied columns without target or type).
   */
  static MappingDocument toDocument(MappingDraft.Document draft, List<String> problems) {
    if (draft.version() == null || draft.version() != MappingDocument.CURRENT_VERSION) {
      problems.add(
          "version: expected "
              + MappingDocument.CURRENT_VERSION
              + ", found "
              + draft.version()
              + "; regenerate the mapping with this studio version");
    }
    List<TableMapping> tables = new ArrayList<>();
    for (int i = 0; i < draft.tables().size(); i++) {
      MappingDraft.Table t = draft.tables().get(i);
      String where = "tables[" + i + "]" + (t.source() == null ? "" : " " + q(t.source()));
      if (blank(t.source()) || blank(t.target())) {
        problems.add(where + ": both source and target table names are required");
        continue;
      }
      List<ColumnMapping> columns = new ArrayList<>();
      for (int j = 0; j < t.columns().size(); j++) {
        ColumnMapping c = toColumn(t.columns().get(j), where + " columns[" + j + "]", problems);
        if (c != null) {
          columns.add(c);
        }
      }
      TableMapping table =
          new TableMapping(
              t.source(),
              t.target(),
              t.filter(),
              t.primaryKey(),
              columns,
              t.uniqueKeys(),
              t.foreignKeys(),
              t.indexes(),
              Boolean.TRUE.equals(t.inheritanceParent()));
      problems.addAll(keyComparisonProblems(table, where));
      tables.add(table);
    }
    return new MappingDocument(
        MappingDocument.CURRENT_VERSION,
        draft.naming(),
        draft.sourceEngine(),
        draft.sourceSchema(),
        draft.targetSchema(),
        tables,
        draft.sequences(),
        Boolean.TRUE.equals(draft.carryPrivileges()));
  }

  private static ColumnMapping toColumn(
      MappingDraft.Column c, String where, List<String> problems) {
    String label = where + (c.source() == null ? "" : " " + q(c.source()));
    Disposition disposition;
    try {
      disposition = c.disposition() == null ? null : Disposition.fromKey(c.disposition());
    } catch (IllegalArgumentException e) {
      disposition = null;
    }
    if (disposition == null) {
      problems.add(
          label
              + ": disposition '"
              + c.disposition()
              + "' is not one of map, cast, transform, derive, default, drop");
      return null;
    }
    if (disposition != Disposition.DROP && (blank(c.target()) || blank(c.type()))) {
      problems.add(label + ": a copied column needs both a target name and a target type");
      return null;
    }
    CanonicalType canonical = null;
    if (c.canonical() != null) {
      try {
        canonical = CanonicalType.valueOf(c.canonical().trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        problems.add(label + ": canonical type '" + c.canonical() + "' is unknown");
        return null;
      }
    } else if (!blank(c.type())) {
      canonical = TargetType.parse(c.type()).canonical();
    }
    boolean identity = Boolean.TRUE.equals(c.identity());
    if (identity && (disposition == Disposition.DROP || c.defaultValue() != null)) {
      problems.add(
          label
              + ": identity: true needs a copied column without a default (an identity takes"
              + " new values from its sequence); remove one of them");
      return null;
    }
    if (c.sourceTimeZone() != null) {
      try {
        if (java.time.ZoneId.of(c.sourceTimeZone()) instanceof java.time.ZoneOffset) {
          throw new java.time.DateTimeException("an offset, not a zone region");
        }
      } catch (java.time.DateTimeException e) {
        problems.add(
            label
                + ": source_time_zone '"
                + c.sourceTimeZone()
                + "' is no time-zone region id (such as UTC or Europe/Berlin)");
        return null;
      }
      if (disposition != Disposition.MAP && disposition != Disposition.CAST) {
        problems.add(
            label
                + ": source_time_zone applies only to a map or cast column (an expression decides"
                + " its own values); remove it");
        return null;
      }
      if (canonical != CanonicalType.TIMESTAMPTZ) {
        problems.add(
            label
                + ": source_time_zone applies only to a timestamptz column, not "
                + c.type()
                + "; remove it or change the type");
        return null;
      }
    }
    UnmappedPolicy unmapped = null;
    if (c.unmapped() != null) {
      try {
        unmapped = UnmappedPolicy.fromKey(c.unmapped());
      } catch (IllegalArgumentException e) {
        problems.add(label + ": unmapped '" + c.unmapped() + "' is not one of reject, keep, null");
        return null;
      }
      if (c.values() == null || c.values().isEmpty()) {
        problems.add(label + ": unmapped is stated without values; add the value map or remove it");
        return null;
      }
    }
    if (c.compare() != null) {
      problems.addAll(c.compare().problems(label, comparisonKind(canonical)));
    }
    if (c.generated() != null
        && (disposition != Disposition.MAP || identity || c.defaultValue() != null)) {
      problems.add(
          label
              + ": generated applies only to a map column without identity or default (the"
              + " target computes its values); remove generated, or make the column map");
      return null;
    }
    if (blank(c.generated()) != (c.generated() == null)
        || blank(c.collation()) != (c.collation() == null)) {
      problems.add(label + ": generated and collation, when stated, must not be blank");
      return null;
    }
    return new ColumnMapping(
        c.source(),
        disposition == Disposition.DROP ? null : c.target(),
        disposition,
        c.sourceType(),
        disposition == Disposition.DROP ? null : c.type(),
        canonical,
        c.nullable() == null || c.nullable(),
        identity,
        c.defaultValue(),
        c.expression(),
        c.reason(),
        c.rule(),
        c.sourceTimeZone(),
        c.values(),
        unmapped,
        disposition == Disposition.DROP ? null : c.compare(),
        disposition == Disposition.DROP ? null : c.generated(),
        disposition == Disposition.DROP ? null : c.collation(),
        disposition == Disposition.DROP ? null : c.onUpdate());
  }

  /** What a comparison rule may hold for a canonical type: numeric, temporal, text or other. */
  static String comparisonKind(CanonicalType t) {
    if (t == null) {
      return "other";
    }
    if (t.isInteger()
        || t == CanonicalType.DECIMAL
        || t == CanonicalType.REAL
        || t == CanonicalType.DOUBLE) {
      return "numeric";
    }
    if (t == CanonicalType.TIME || t == CanonicalType.TIMESTAMP || t == CanonicalType.TIMESTAMPTZ) {
      return "temporal";
    }
    return t.isText() ? "text" : "other";
  }

  /**
   * Comparison rules on primary-key columns: rows are paired by their exact key, so a key column
   * cannot be compared loosely.
   */
  static List<String> keyComparisonProblems(TableMapping table, String where) {
    List<String> out = new ArrayList<>();
    for (String key : table.primaryKey()) {
      table
          .byTarget(key)
          .filter(c -> c.compare() != null)
          .ifPresent(
              c ->
                  out.add(
                      where
                          + " column "
                          + q(key)
                          + ": is part of the primary key, which pairs source and target rows"
                          + " exactly; remove its compare rules"));
    }
    return out;
  }

  /** Every problem of a mapping measured against the inventory it maps; empty when it is sound. */
  public static List<String> check(MappingDocument document, Inventory inventory) {
    List<String> problems = new ArrayList<>(collisions(document));
    Map<String, TableMapping> byTarget = new HashMap<>();
    document.tables().forEach(t -> byTarget.putIfAbsent(t.target(), t));
    Map<String, Long> sourceCounts =
        document.tables().stream()
            .collect(
                Collectors.groupingBy(TableMapping::source, TreeMap::new, Collectors.counting()));
    sourceCounts.forEach(
        (source, n) -> {
          if (n > 1) {
            problems.add("table " + q(source) + ": mapped " + n + " times; keep one entry");
          }
        });
    for (TableMapping table : document.tables()) {
      TableInfo info = inventory.table(table.source()).orElse(null);
      String where = "table " + q(table.source());
      if (info == null) {
        problems.add(
            where
                + ": not a table of the source inventory (schema "
                + q(inventory.schema())
                + "); remove it or fix its name");
        continue;
      }
      checkColumns(table, info, where, problems);
      Map<String, CanonicalType> sourceColumns = new TreeMap<>();
      info.columns().forEach(c -> sourceColumns.put(c.name(), c.type()));
      MappingExpressions.compile(table, sourceColumns, problems);
      MappingExpressions.valueMaps(table, sourceColumns, problems);
      checkIdentifier(where + " target", table.target(), problems);
      Set<String> copied =
          table.copiedColumns().stream().map(ColumnMapping::target).collect(Collectors.toSet());
      checkKey(where, "primary key", table.primaryKey(), copied, problems);
      for (KeyConstraint uk : table.uniqueKeys()) {
        checkKey(where, "unique key " + q(uk.name()), uk.columns(), copied, problems);
      }
      for (IndexInfo index : table.indexes()) {
        checkKey(where, "index " + q(index.name()), index.columns(), copied, problems);
      }
      for (ForeignKey fk : table.foreignKeys()) {
        checkKey(where, "foreign key " + q(fk.name()), fk.columns(), copied, problems);
        TableMapping ref = byTarget.get(fk.refTable());
        if (ref == null) {
          problems.add(
              where
                  + ": foreign key "
                  + q(fk.name())
                  + " references target table "
                  + q(fk.refTable())
                  + ", which the mapping does not create");
        } else {
          Set<String> refCopied =
              ref.copiedColumns().stream().map(ColumnMapping::target).collect(Collectors.toSet());
          checkKey(
              where,
              "foreign key " + q(fk.name()) + " reference",
              fk.refColumns(),
              refCopied,
              problems);
          if (fk.refColumns().size() != fk.columns().size()) {
            problems.add(
                where
                    + ": foreign key "
                    + q(fk.name())
                    + " has "
                    + fk.columns().size()
                    + " column(s) but references "
                    + fk.refColumns().size());
          }
        }
      }
    }
    for (SequenceMapping seq : document.sequences()) {
      if (seq.table() == null) {
        continue;
      }
      TableMapping owner = byTarget.get(seq.table());
      boolean ok =
          owner != null
              && seq.column() != null
              && owner.byTarget(seq.column()).filter(ColumnMapping::isCopied).isPresent();
      if (!ok) {
        problems.add(
            "sequence "
                + q(seq.source())
                + ": target column "
                + q(seq.table())
                + "."
                + q(seq.column())
                + " is not created by the mapping");
      }
    }
    return problems;
  }

  private static void checkColumns(
      TableMapping table, TableInfo info, String where, List<String> problems) {
    Map<String, Integer> dispositions = new LinkedHashMap<>();
    info.columns().forEach(c -> dispositions.put(c.name(), 0));
    for (ColumnMapping c : table.columns()) {
      String label = where + " column " + (c.source() == null ? q(c.target()) : q(c.source()));
      if (c.source() != null) {
        if (!dispositions.containsKey(c.source())) {
          problems.add(label + ": not a column of the source table");
        } else {
          dispositions.merge(c.source(), 1, Integer::sum);
        }
      } else if (c.disposition() != Disposition.DEFAULT && c.disposition() != Disposition.DERIVE) {
        problems.add(label + ": disposition " + c.disposition().key() + " needs a source column");
      }
      switch (c.disposition()) {
        case DROP -> {
          if (blank(c.reason())) {
            problems.add(label + ": dropped without a reason; say why the data may be left behind");
          }
        }
        case TRANSFORM, DERIVE -> {
          if (blank(c.expression())) {
            problems.add(label + ": disposition " + c.disposition().key() + " needs an expression");
          }
        }
        case DEFAULT -> {
          if (blank(c.defaultValue()) && blank(c.expression())) {
            problems.add(label + ": disposition default needs a default value or an expression");
          }
        }
        default -> {}
      }
      if (c.identity()) {
        boolean fromSource =
            c.source() != null
                && (c.disposition() == Disposition.MAP || c.disposition() == Disposition.CAST);
        CanonicalType type = c.type() == null ? null : TargetType.parse(c.type()).canonical();
        if (!fromSource || type == null || !type.isInteger() || c.nullable()) {
          problems.add(
              label
                  + ": identity: true needs a NOT NULL (nullable: false) integer column mapped"
                  + " or cast from a source column; found disposition "
                  + c.disposition().key()
                  + ", type "
                  + c.type()
                  + ", nullable "
                  + c.nullable());
        }
      }
      if (c.isCopied()) {
        if (blank(c.target()) || blank(c.type())) {
          problems.add(label + ": a copied column needs a target name and a type");
        } else {
          checkIdentifier(label + " target", c.target(), problems);
        }
      }
    }
    for (Column column : info.columns()) {
      int n = dispositions.get(column.name());
      if (n == 0) {
        problems.add(
            where
                + " column "
                + q(column.name())
                + ": has no disposition; add an entry (map, cast, transform, or drop with a reason)");
      } else if (n > 1) {
        problems.add(
            where + " column " + q(column.name()) + ": has " + n + " dispositions; keep one");
      }
    }
  }

  private static void checkKey(
      String where, String what, List<String> columns, Set<String> copied, List<String> problems) {
    List<String> missing = columns.stream().filter(c -> !copied.contains(c)).toList();
    if (!missing.isEmpty()) {
      problems.add(
          where
              + ": "
              + what
              + " names target column(s) "
              + missing.stream().map(MappingLoader::q).toList()
              + " that the mapping does not create");
    }
  }

  private static void checkIdentifier(String where, String name, List<String> problems) {
    if (name != null
        && name.getBytes(StandardCharsets.UTF_8).length > MappingConventions.MAX_IDENTIFIER_BYTES) {
      problems.add(
          where
              + " "
              + q(name)
              + ": longer than "
              + MappingConventions.MAX_IDENTIFIER_BYTES
              + " bytes; PostgreSQL would truncate it, choose a shorter target name");
    }
  }

  /**
   * Two source names mapped to one target name: tables in the document, or columns in one table.
   * Each entry names the target and every source that lands on it.
   */
  public static List<String> collisions(MappingDocument document) {
    List<String> found = new ArrayList<>();
    Map<String, List<String>> tables = new TreeMap<>();
    document
        .tables()
        .forEach(t -> tables.computeIfAbsent(t.target(), k -> new ArrayList<>()).add(t.source()));
    tables.forEach(
        (target, sources) -> {
          if (sources.size() > 1 && sources.stream().distinct().count() > 1) {
            found.add(
                "tables "
                    + sources.stream().map(MappingLoader::q).toList()
                    + " all map to target table "
                    + q(target));
          }
        });
    for (TableMapping table : document.tables()) {
      Map<String, List<String>> columns = new TreeMap<>();
      for (ColumnMapping c : table.copiedColumns()) {
        columns
            .computeIfAbsent(c.target(), k -> new ArrayList<>())
            .add(c.source() == null ? "(" + c.disposition().key() + ")" : c.source());
      }
      columns.forEach(
          (target, sources) -> {
            if (sources.size() > 1) {
              found.add(
                  "table "
                      + q(table.source())
                      + ": columns "
                      + sources.stream().map(MappingLoader::q).toList()
                      + " all map to target column "
                      + q(target));
            }
          });
    }
    return found;
  }

  static String q(String name) {
    return name == null ? "null" : '"' + name.replace("\"", "\"\"") + '"';
  }

  static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
