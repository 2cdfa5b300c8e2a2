package io.migrationstudio.core.assess;

import static io.migrationstudio.core.assess.ReportUnits.bytes;
import static io.migrationstudio.core.assess.ReportUnits.count;
import static io.migrationstudio.core.report.MarkdownTable.cell;
import static io.migrationstudio.core.report.MarkdownTable.code;
import static io.migrationstudio.core.report.MarkdownTable.codes;

import io.migrationstudio.core.schema.Column;
import io.migrationstudio.core.schema.ConsumerInfo;
import io.migrationstudio.core.schema.ForeignKey;
import io.migrationstudio.core.schema.IndexInfo;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.core.schema.KeyConstraint;
import io.migrationstudio.core.schema.LoadOrder;
import io.migrationstudio.core.schema.RoutineInfo;
import io.migrationstudio.core.schema.SequenceInfo;
import io.migrationstudio.core.schema.TableInfo;
import io.migrationstudio.core.schema.TriggerInfo;
import io.migrationstudio.core.schema.TypeInfo;
import io.migrationstudio.core.schema.ViewInfo;
import java.util.List;

/**
 * {@code inventory.md}: the inventory for people. Tables (rows, size, keys, FKs, indexes), each
 * table's columns, views, sequences, the load order with its waves and the FK cycles. Everything
 * comes from the inventory and its load-order plan, in their order, so the file is byte-stable.
 */
final class InventoryReport {
  private InventoryReport() {}

  static String render(Inventory inv, LoadOrder.Plan plan) {
    StringBuilder md = new StringBuilder();
    long rows = inv.tables().stream().mapToLong(TableInfo::rowCount).sum();
    long size = inv.tables().stream().mapToLong(TableInfo::sizeBytes).sum();
    long matviews = inv.views().stream().filter(ViewInfo::materialized).count();
    md.append("# Inventory of schema ").append(code(inv.schema())).append("\n\n");
    md.append("Source: ")
        .append(inv.engine())
        .append(' ')
        .append(inv.serverVersion())
        .append(", database ")
        .append(code(inv.database()))
        .append(".\n\n");
    md.append(
        String.format(
            java.util.Locale.ROOT,
            "%s tables in scope, %s rows, %s; %d views, %d materialized views, %d sequences;"
                + " %d FK cycles, %d self-references.%n%n",
            count(inv.tables().size()),
            count(rows),
            bytes(size),
            inv.views().size() - matviews,
            matviews,
            inv.sequences().size(),
            plan.cycles().size(),
            plan.selfReferences().size()));
    tables(md, inv);
    columns(md, inv);
    views(md, inv);
    sequences(md, inv);
    partitions(md, inv);
    triggers(md, inv);
    routines(md, inv);
    types(md, inv);
    consumers(md, inv);
    loadOrder(md, plan);
    return md.toString();
  }

  private static void tables(StringBuilder md, Inventory inv) {
    md.append("## Tables\n\n");
    if (inv.tables().isEmpty()) {
      md.append("No table is in scope.\n\n");
      return;
    }
    md.append("| table | rows | size | primary key | unique keys | foreign keys | indexes |\n");
    md.append("|---|---:|---:|---|---|---|---|\n");
    for (TableInfo t : inv.tables()) {
      md.append("| ")
          .append(code(t.name()))
          .append(" | ")
          .append(count(t.rowCount()))
          .append(" | ")
          .append(bytes(t.sizeBytes()))
          .append(" | ")
          .append(t.primaryKey() == null ? "**none**" : key(t.primaryKey()))
          .append(" | ")
          .append(String.join("<br>", t.uniqueKeys().stream().map(InventoryReport::key).toList()))
          .append(" | ")
          .append(String.join("<br>", t.foreignKeys().stream().map(InventoryReport::fk).toList()))
          .append(" | ")
          .append(String.join("<br>", t.indexes().stream().map(InventoryReport::index).toList()))
          .append(" |\n");
    }
    md.append('\n');
  }

  private static String key(KeyConstraint k) {
    return code(k.name()) + " (" + codes(k.columns()) + ")";
  }

  private static String fk(ForeignKey fk) {
    return code(fk.name())
        + " ("
        + codes(fk.columns())
        + ") → "
        + code(fk.refTable())
        + " ("
        + codes(fk.refColumns())
        + ")"
        + (fk.onDelete().equals("NO ACTION") ? "" : " ON DELETE " + fk.onDelete())
        + (fk.onUpdate().equals("NO ACTION") ? "" : " ON UPDATE " + fk.onUpdate());
  }

  private static String index(IndexInfo ix) {
    String what = ix.columns().isEmpty() ? "expression" : codes(ix.columns());
    return code(ix.name())
        + " ("
        + what
        + (ix.unique() ? ", unique" : "")
        + (ix.method() == null ? "" : ", " + ix.method())
        + (ix.predicate() == null ? "" : ", partial")
        + ")";
  }

  private static void columns(StringBuilder md, Inventory inv) {
    if (inv.tables().isEmpty()) {
      return;
    }
    md.append("## Columns\n\n");
    for (TableInfo t : inv.tables()) {
      md.append("### ").append(code(t.name())).append("\n\n");
      md.append("| # | column | native type | canonical | nullable | default | identity |\n");
      md.append("|---:|---|---|---|---|---|---|\n");
      for (Column c : t.columns()) {
        md.append("| ")
            .append(c.position())
            .append(" | ")
            .append(code(c.name()))
            .append(" | ")
            .append(code(c.nativeType()))
            .append(" | ")
            .append(c.type())
            .append(" | ")
            .append(c.nullable() ? "yes" : "no")
            .append(" | ")
            .append(c.defaultExpression() == null ? "" : code(c.defaultExpression()))
            .append(c.onUpdate() == null ? "" : " ON UPDATE " + code(c.onUpdate()))
            .append(" | ")
            .append(c.identity() ? "yes" : "")
            .append(" |\n");
      }
      if (!t.checks().isEmpty()) {
        md.append("\nChecks: ");
        md.append(
            String.join(
                "; ",
                t.checks().stream()
                    .map(ch -> code(ch.name()) + " " + code(ch.expression()))
                    .toList()));
        md.append('\n');
      }
      md.append('\n');
    }
  }

  private static void views(StringBuilder md, Inventory inv) {
    md.append("## Views\n\n");
    if (inv.views().isEmpty()) {
      md.append("None.\n\n");
      return;
    }
    md.append("Listed, not recreated by this version: definitions are in `inventory.json`.\n\n");
    md.append("| view | kind | depends on |\n|---|---|---|\n");
    for (ViewInfo v : inv.views()) {
      md.append("| ")
          .append(code(v.name()))
          .append(" | ")
          .append(v.materialized() ? "materialized view" : "view")
          .append(" | ")
          .append(codes(v.dependsOn()))
          .append(" |\n");
    }
    md.append('\n');
  }

  private static void sequences(StringBuilder md, Inventory inv) {
    md.append("## Sequences\n\n");
    if (inv.sequences().isEmpty()) {
      md.append("None.\n\n");
      return;
    }
    md.append("| sequence | owned by | last value |\n|---|---|---:|\n");
    for (SequenceInfo s : inv.sequences()) {
      md.append("| ")
          .append(code(s.name()))
          .append(" | ")
          .append(
              s.ownedByTable() == null
                  ? ""
                  : code(s.ownedByTable()) + "." + code(s.ownedByColumn()))
          .append(" | ")
          .append(s.lastValue() == null ? "never used" : count(s.lastValue()))
          .append(" |\n");
    }
    md.append('\n');
  }

  /** Longest definition shown in inventory.md; the full text is in inventory.json. */
  static final int DEFINITION_CHARS = 80;

  /** A definition on one line, cut to {@link #DEFINITION_CHARS} with an ellipsis. */
  static String abbreviate(String definition) {
    if (definition == null) {
      return "(not readable)";
    }
    String oneLine = definition.replaceAll("\\s+", " ").trim();
    return oneLine.length() <= DEFINITION_CHARS
        ? oneLine
        : oneLine.substring(0, DEFINITION_CHARS - 1) + "…";
  }

  private static void partitions(StringBuilder md, Inventory inv) {
    md.append("## Partitions\n\n");
    List<TableInfo> partitioned =
        inv.tables().stream()
            .filter(t -> t.partitionKey() != null || !t.partitions().isEmpty())
            .toList();
    if (partitioned.isEmpty()) {
      md.append("None.\n\n");
      return;
    }
    md.append("| table | partition key | partitions |\n|---|---|---|\n");
    for (TableInfo t : partitioned) {
      md.append("| ")
          .append(code(t.name()))
          .append(" | ")
          .append(cell(t.partitionKey() == null ? "" : t.partitionKey()))
          .append(" | ")
          .append(t.partitions().size())
          .append(": ")
          .append(codes(t.partitions()))
          .append(" |\n");
    }
    md.append('\n');
  }

  private static void triggers(StringBuilder md, Inventory inv) {
    md.append("## Triggers\n\n");
    if (inv.triggers().isEmpty()) {
      md.append("None.\n\n");
      return;
    }
    md.append("Not recreated by this version: full definitions are in `inventory.json`.\n\n");
    md.append("| table | trigger | fires | definition |\n|---|---|---|---|\n");
    for (TriggerInfo t : inv.triggers()) {
      md.append("| ")
          .append(code(t.table()))
          .append(" | ")
          .append(code(t.name()))
          .append(" | ")
          .append(
              cell(
                  String.join(
                      " ",
                      java.util.stream.Stream.of(t.timing(), t.events(), "FOR EACH", t.level())
                          .filter(x -> x != null && !x.isEmpty())
                          .toList())))
          .append(" | ")
          .append(cell(abbreviate(t.definition())))
          .append(" |\n");
    }
    md.append('\n');
  }

  private static void routines(StringBuilder md, Inventory inv) {
    md.append("## Routines\n\n");
    if (inv.routines().isEmpty()) {
      md.append("None.\n\n");
      return;
    }
    md.append("Not recreated by this version: full definitions are in `inventory.json`.\n\n");
    md.append("| routine | kind | language | returns | definition |\n|---|---|---|---|---|\n");
    for (RoutineInfo r : inv.routines()) {
      md.append("| ")
          .append(code(r.name()))
          .append(cell("(" + r.arguments() + ")"))
          .append(" | ")
          .append(r.kind())
          .append(" | ")
          .append(cell(r.language() == null ? "" : r.language()))
          .append(" | ")
          .append(cell(r.returns() == null ? "" : r.returns()))
          .append(" | ")
          .append(cell(abbreviate(r.definition())))
          .append(" |\n");
    }
    md.append('\n');
  }

  private static void types(StringBuilder md, Inventory inv) {
    md.append("## Types\n\n");
    if (inv.types().isEmpty()) {
      md.append("None.\n\n");
      return;
    }
    md.append("| type | kind | values or base type | constraint |\n|---|---|---|---|\n");
    for (TypeInfo t : inv.types()) {
      String shape =
          t.baseType() != null ? t.baseType() : abbreviate(String.join(", ", t.values()));
      md.append("| ")
          .append(code(t.name()))
          .append(" | ")
          .append(t.kind())
          .append(" | ")
          .append(cell(shape))
          .append(" | ")
          .append(cell(t.constraint() == null ? "" : abbreviate(t.constraint())))
          .append(" |\n");
    }
    md.append('\n');
  }

  private static void consumers(StringBuilder md, Inventory inv) {
    md.append("## Consumers\n\n");
    if (inv.consumers().isEmpty()) {
      md.append("No other session was seen connected to the source while sampling.\n\n");
      return;
    }
    md.append(
        "Sessions connected to the source while it was sampled: its readers and writers.\n\n");
    md.append("| application | user | host | sessions | state |\n|---|---|---|---:|---|\n");
    for (ConsumerInfo c : inv.consumers()) {
      md.append("| ")
          .append(cell(c.application() == null ? "" : c.application()))
          .append(" | ")
          .append(cell(c.user() == null ? "" : c.user()))
          .append(" | ")
          .append(cell(c.host() == null ? "local" : c.host()))
          .append(" | ")
          .append(c.sessions())
          .append(" | ")
          .append(cell(c.state() == null ? "" : c.state()))
          .append(" |\n");
    }
    md.append('\n');
  }

  private static void loadOrder(StringBuilder md, LoadOrder.Plan plan) {
    md.append("## Load order\n\n");
    if (plan.order().isEmpty()) {
      md.append("Nothing to load.\n\n");
    } else {
      md.append("Parents before children; ties broken by name.\n\n");
      for (int i = 0; i < plan.order().size(); i++) {
        String t = plan.order().get(i);
        md.append(i + 1)
            .append(". ")
            .append(code(t))
            .append(" (wave ")
            .append(plan.waveOf(t) + 1)
            .append(")\n");
      }
      md.append(
          "\n### Waves\n\nTables of one wave can load in parallel once earlier waves are"
              + " done.\n\n| wave | tables |\n|---:|---|\n");
      List<List<String>> waves = plan.waves();
      for (int i = 0; i < waves.size(); i++) {
        md.append("| ").append(i + 1).append(" | ").append(codes(waves.get(i))).append(" |\n");
      }
      md.append('\n');
    }
    md.append("## FK cycles\n\n");
    if (plan.cycles().isEmpty()) {
      md.append("None.\n\n");
    } else {
      for (LoadOrder.Cycle c : plan.cycles()) {
        md.append("- ")
            .append(codes(c.tables()))
            .append(": defer ")
            .append(String.join(", ", c.deferred().stream().map(InventoryReport::fkRef).toList()))
            .append('\n');
      }
      md.append('\n');
    }
    md.append("## Self-references\n\n");
    if (plan.selfReferences().isEmpty()) {
      md.append("None.\n");
    } else {
      md.append("They do not constrain the table order; the FK is created after the load.\n\n");
      plan.selfReferences().forEach(fk -> md.append("- ").append(fkRef(fk)).append('\n'));
    }
  }

  private static String fkRef(LoadOrder.FkRef fk) {
    return code(fk.table()) + "." + code(fk.constraint()) + " → " + code(fk.refTable());
  }
}
