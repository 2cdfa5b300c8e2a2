package io.migrationstudio.core.assess;

import static io.migrationstudio.core.assess.Markdown.bytes;
import static io.migrationstudio.core.assess.Markdown.code;
import static io.migrationstudio.core.assess.Markdown.codes;
import static io.migrationstudio.core.assess.Markdown.count;

import io.migrationstudio.core.schema.Column;
import io.migrationstudio.core.schema.ForeignKey;
import io.migrationstudio.core.schema.IndexInfo;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.core.schema.KeyConstraint;
import io.migrationstudio.core.schema.LoadOrder;
import io.migrationstudio.core.schema.SequenceInfo;
import io.migrationstudio.core.schema.TableInfo;
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
    md.append("| view | kind |\n|---|---|\n");
    for (ViewInfo v : inv.views()) {
      md.append("| ")
          .append(code(v.name()))
          .append(" | ")
          .append(v.materialized() ? "materialized view" : "view")
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
