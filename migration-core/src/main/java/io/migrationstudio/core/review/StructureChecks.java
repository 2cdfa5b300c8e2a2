package io.migrationstudio.core.review;

import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.review.Finding.Level;
import io.migrationstudio.core.schema.CheckConstraint;
import io.migrationstudio.core.schema.ForeignKey;
import io.migrationstudio.core.schema.IndexInfo;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.core.schema.KeyConstraint;
import io.migrationstudio.core.schema.TableInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Structure the mapping leaves behind: source tables it does not map, and per table the missing
 * primary key and the unique keys, foreign keys, indexes and checks it does not carry (warnings).
 */
final class StructureChecks extends ReviewPart {
  private final Inventory inventory;
  private final MappingDocument mapping;
  private final boolean online;

  StructureChecks(
      List<Finding> findings, Inventory inventory, MappingDocument mapping, boolean online) {
    super(findings);
    this.inventory = inventory;
    this.mapping = mapping;
    this.online = online;
  }

  void structure() {
    for (TableInfo info :
        inventory.tables().stream().sorted(Comparator.comparing(TableInfo::name)).toList()) {
      if (mapping.bySource(info.name()).isEmpty()) {
        add(
            Level.WARNING,
            info.name(),
            null,
            CompatibilityCheck.TABLE_NOT_MAPPED,
            info.rowCount(),
            null,
            List.of(),
            "the source table is not in mapping.yaml, so its "
                + info.rowCount()
                + " rows stay behind; add it to the mapping if they must move");
      }
    }
  }

  void structure(TableMapping table, TableInfo info) {
    Map<String, String> names = new LinkedHashMap<>();
    table.copiedColumns().stream()
        .filter(c -> c.source() != null)
        .forEach(c -> names.put(c.source(), c.target()));
    if (table.primaryKey().isEmpty()) {
      add(
          Level.WARNING,
          table.source(),
          null,
          CompatibilityCheck.NO_PRIMARY_KEY,
          null,
          null,
          List.of(),
          "the target table gets no primary key: Migrate copies it as one chunk and validation"
              + " cannot compare it row by row; map a key if the source has one");
    }
    if (online) {
      replicaIdentity(table);
    }
    uniqueKeys(table, info, names);
    foreignKeys(table, info, names);
    indexes(table, info, names);
    checks(table, info);
  }

  /**
   * With {@code strategy: online} every table needs a replica identity on the target: the primary
   * key, else a declared unique key whose columns are all copied from source columns and NOT NULL
   * (a NULL never matches, so an update or delete by such a key could miss its row). A table
   * without one fails: a streamed update or delete could not find its row.
   */
  void replicaIdentity(TableMapping table) {
    if (!table.primaryKey().isEmpty() || replicaKey(table).isPresent()) {
      return;
    }
    String declared =
        table.uniqueKeys().isEmpty()
            ? "it declares no unique key either"
            : "none of its unique keys "
                + table.uniqueKeys().stream().map(k -> k.name() + " " + k.columns()).toList()
                + " has only NOT NULL columns copied from the source";
    add(
        Level.FAIL,
        table.source(),
        null,
        CompatibilityCheck.NO_REPLICA_IDENTITY,
        null,
        null,
        List.of(),
        "migrate.strategy is online and the target table "
            + table.target()
            + " has no primary key; "
            + declared
            + ". A streamed update or delete could not find its row. Declare primary_key or a"
            + " unique key of NOT NULL columns for it in mapping.yaml, exclude the table, or use"
            + " strategy bulk");
  }

  /** The first declared unique key usable as the replica identity, if any. */
  static java.util.Optional<KeyConstraint> replicaKey(TableMapping table) {
    return table.uniqueKeys().stream()
        .filter(
            k ->
                !k.columns().isEmpty()
                    && k.columns().stream()
                        .allMatch(
                            col ->
                                table
                                    .byTarget(col)
                                    .filter(
                                        c -> c.isCopied() && c.source() != null && !c.nullable())
                                    .isPresent()))
        .findFirst();
  }

  /** Unique keys of the source the mapping does not carry. */
  private void uniqueKeys(TableMapping table, TableInfo info, Map<String, String> names) {
    for (KeyConstraint uk : info.uniqueKeys()) {
      List<String> cols = translate(uk.columns(), names);
      boolean carried =
          cols != null && table.uniqueKeys().stream().anyMatch(k -> k.columns().equals(cols));
      if (!carried) {
        notCarried(
            table,
            CompatibilityCheck.UNIQUE_NOT_CARRIED,
            "unique key " + uk.name() + " " + uk.columns(),
            "; the target will accept duplicates");
      }
    }
  }

  /** Foreign keys of the source the mapping does not carry. */
  private void foreignKeys(TableMapping table, TableInfo info, Map<String, String> names) {
    for (ForeignKey fk : info.foreignKeys()) {
      List<String> cols = translate(fk.columns(), names);
      String refTarget = mapping.bySource(fk.refTable()).map(TableMapping::target).orElse(null);
      boolean carried =
          cols != null
              && table.foreignKeys().stream()
                  .anyMatch(f -> f.columns().equals(cols) && f.refTable().equals(refTarget));
      if (!carried) {
        notCarried(
            table,
            CompatibilityCheck.FOREIGN_KEY_NOT_CARRIED,
            "foreign key " + fk.name() + " " + fk.columns() + " → " + fk.refTable(),
            " (a column or the referenced table is not migrated); the target will not enforce"
                + " it");
      }
    }
  }

  /** Indexes of the source the mapping does not carry. */
  private void indexes(TableMapping table, TableInfo info, Map<String, String> names) {
    for (IndexInfo index : info.indexes()) {
      boolean carried;
      if (index.columns().isEmpty() || index.predicate() != null) {
        carried =
            table.indexes().stream()
                .anyMatch(i -> Objects.equals(i.definition(), index.definition()));
      } else {
        List<String> cols = translate(index.columns(), names);
        carried =
            cols != null
                && table.indexes().stream()
                    .anyMatch(i -> i.columns().equals(cols) && i.unique() == index.unique());
      }
      if (!carried) {
        notCarried(
            table,
            CompatibilityCheck.INDEX_NOT_CARRIED,
            "index " + index.name(),
            (index.columns().isEmpty() || index.predicate() != null
                    ? " (an expression or partial index names source columns and is carried only"
                        + " under identity naming)"
                    : translate(index.columns(), names) == null
                        ? " (one of its columns is dropped)"
                        : " (its method "
                            + index.method()
                            + " has no PostgreSQL equivalent, or an override left it out)")
                + "; recreate it on the target if queries need it: "
                + index.definition());
      }
    }
  }

  /** Check constraints, which mapping.yaml cannot carry. */
  private void checks(TableMapping table, TableInfo info) {
    for (CheckConstraint check : info.checks()) {
      add(
          Level.WARNING,
          table.source(),
          null,
          CompatibilityCheck.CHECK_NOT_CARRIED,
          null,
          null,
          List.of(),
          "check constraint "
              + check.name()
              + " ("
              + check.expression()
              + ") has no place in"
              + " mapping.yaml; the target will not enforce it unless it is recreated");
    }
  }

  private static List<String> translate(List<String> columns, Map<String, String> names) {
    List<String> out = new ArrayList<>();
    for (String c : columns) {
      if (!names.containsKey(c)) {
        return null;
      }
      out.add(names.get(c));
    }
    return out;
  }

  /**
   * A warning that {@code table}'s mapping does not carry {@code what} of the source; {@code
   * consequence} follows "is not in the mapping".
   */
  private void notCarried(
      TableMapping table, CompatibilityCheck check, String what, String consequence) {
    add(
        Level.WARNING,
        table.source(),
        null,
        check,
        null,
        null,
        List.of(),
        what + " is not in the mapping" + consequence);
  }
}
