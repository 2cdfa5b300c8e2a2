package io.migrationstudio.core.diff;

import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.mapping.ColumnMapping;
import io.migrationstudio.core.mapping.Disposition;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.schema.ConsumerInfo;
import io.migrationstudio.core.schema.ForeignKey;
import io.migrationstudio.core.schema.IndexInfo;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.core.schema.KeyConstraint;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Mapping stage's schema diff: the source schema (its inventory) against the target the mapping
 * plans, through {@link SchemaDiff} — every change classified breaking / potentially breaking /
 * compatible, with forward and rollback DDL — and the consumers it affects.
 *
 * <p>The planned target is {@code mapping.yaml}: each table under its target name with its columns
 * (target names and types; dropped columns left out), keys, foreign keys and indexes. CHECK
 * constraints, views and routines are carried as they are when source and target speak the same SQL
 * (PostgreSQL → PostgreSQL, {@code target-schema.sql} recreates them) and are absent otherwise
 * (cross-engine: reported for manual porting), so the diff shows them dropped.
 *
 * <p>Consumers: the inventory records the client sessions sampled on the source (application, user,
 * host) but not which objects each one reads, so every sampled consumer is listed as affected by
 * each breaking or potentially breaking change.
 */
public final class PlannedTargetDiff {
  private PlannedTargetDiff() {}

  /** The planned target as {@link SchemaDiff} compares it. */
  public static DiffSchema plannedTarget(
      Inventory source, MappingDocument mapping, Dialect target) {
    boolean sameSql = source.engine() != null && source.engine().equals(target.name());
    DiffSchema src = DiffSchema.of(source);
    Map<String, DiffSchema.Table> tables = new LinkedHashMap<>();
    for (TableMapping t : mapping.tables()) {
      Map<String, DiffSchema.Col> cols = new LinkedHashMap<>();
      for (ColumnMapping c : t.columns()) {
        if (c.disposition() == Disposition.DROP || c.target() == null) {
          continue;
        }
        cols.put(
            c.target(),
            new DiffSchema.Col(
                c.target(),
                c.type() == null ? String.valueOf(c.sourceType()) : c.type(),
                c.nullable(),
                c.defaultValue(),
                c.identity(),
                false,
                c.generated(),
                null,
                c.collation()));
      }
      List<DiffSchema.Fk> fks = new ArrayList<>();
      for (ForeignKey fk : t.foreignKeys()) {
        fks.add(
            new DiffSchema.Fk(
                fk.columns(), fk.refTable(), fk.refColumns(), fk.onDelete(), fk.onUpdate()));
      }
      List<DiffSchema.Index> indexes = new ArrayList<>();
      for (IndexInfo ix : t.indexes()) {
        indexes.add(
            new DiffSchema.Index(
                ix.name(), ix.columns(), ix.unique(), ix.predicate(), ix.definition()));
      }
      DiffSchema.Table sourceTable = src.tables().get(t.source());
      tables.put(
          t.target(),
          new DiffSchema.Table(
              t.target(),
              cols,
              t.primaryKey(),
              t.uniqueKeys().stream().map(KeyConstraint::columns).toList(),
              sameSql && sourceTable != null ? sourceTable.checks() : List.of(),
              fks,
              indexes,
              false,
              null,
              null,
              DiffSchema.Names.NONE));
    }
    return new DiffSchema(
        mapping.targetSchema() == null ? source.schema() : mapping.targetSchema(),
        tables,
        sameSql ? src.views() : Map.of(),
        sameSql ? src.routines() : Map.of());
  }

  /** The diff source → planned target, its DDL for a target of unknown server version. */
  public static DiffReport of(Inventory source, MappingDocument mapping, Dialect target) {
    return of(source, mapping, target, null);
  }

  /**
   * The diff source → planned target, its DDL for the target's server version {@code targetVersion}
   * (the Assessment records it in {@code throughput.json}; null: unknown, the DDL then works on
   * every version).
   */
  public static DiffReport of(
      Inventory source, MappingDocument mapping, Dialect target, String targetVersion) {
    return DiffReport.of(
        new DdlTarget(target, targetVersion),
        "source " + source.schema(),
        DiffSchema.of(source),
        "planned target " + (mapping.targetSchema() == null ? "" : mapping.targetSchema()),
        plannedTarget(source, mapping, target));
  }

  /** {@code schema-diff.md}: the diff, then the consumers the changes affect. */
  public static String markdown(DiffReport report, Inventory source) {
    StringBuilder md = new StringBuilder(report.markdown());
    md.append("\n## Consumers affected\n\n");
    long affecting =
        report.changes().stream().filter(c -> c.impact() != SchemaDiff.Impact.COMPATIBLE).count();
    if (affecting == 0) {
      md.append("None: no change is breaking or potentially breaking.\n");
    } else if (source.consumers().isEmpty()) {
      md.append(
          affecting
              + " changes are breaking or potentially breaking; no consumer was sampled on the"
              + " source (see `assessment.consumer_window`), so find their readers yourself.\n");
    } else {
      md.append(
          "The inventory sampled these client sessions on the source; it does not record which"
              + " objects each reads, so each may be affected by the "
              + affecting
              + " breaking or potentially breaking changes above:\n\n");
      for (ConsumerInfo c : source.consumers()) {
        md.append("- `")
            .append(c.application() == null || c.application().isBlank() ? "?" : c.application())
            .append("` as `")
            .append(c.user())
            .append("` from `")
            .append(c.host())
            .append("` (")
            .append(c.sessions())
            .append(" sessions)\n");
      }
    }
    return md.toString();
  }
}
