package io.migrationstudio.core.assess;

import static io.migrationstudio.core.assess.ReportUnits.bytes;
import static io.migrationstudio.core.assess.ReportUnits.count;

import com.fasterxml.jackson.databind.JsonNode;
import io.migrationstudio.core.assess.Risk.Category;
import io.migrationstudio.core.assess.Risk.Likelihood;
import io.migrationstudio.core.assess.Risk.Severity;
import io.migrationstudio.core.schema.CheckConstraint;
import io.migrationstudio.core.schema.Column;
import io.migrationstudio.core.schema.KeyConstraint;
import io.migrationstudio.core.schema.LoadOrder;
import io.migrationstudio.core.schema.TableInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Checks of tables and their keys: keys, size, partitions, LOBs, generated columns, checks, FKs.
 */
final class TableChecks {
  private TableChecks() {}

  static final RiskCheck WITHOUT_PRIMARY_KEY =
      CatalogCheck.of(
          "table-without-primary-key",
          Category.DATA_LOSS,
          "A table has no primary key (low when a unique key on NOT NULL columns can stand in).",
          "Add a primary key on the source, or accept a single-chunk copy, REPLICA IDENTITY FULL"
              + " and a full comparison.",
          c ->
              c.inventory().tables().stream().flatMap(t -> withoutPrimaryKey(t).stream()).toList());

  static final RiskCheck LARGE_TABLE =
      CatalogCheck.of(
          "large-table",
          Category.DOWNTIME,
          "A table has at least 10,000,000 rows or 1 GiB on disk: long copy and validation.",
          "Copy in parallel chunks online, catch up with change capture, size the window from"
              + " plan.md.",
          c -> c.inventory().tables().stream().flatMap(t -> large(t).stream()).toList());

  static final RiskCheck PARTITIONED_TABLE =
      CatalogCheck.of(
          "partitioned-table",
          Category.PERFORMANCE,
          "A table is partitioned (inventory fields partition_key or partitions).",
          "Create the partitioned table and every partition on the target before the load, or map"
              + " it to one table explicitly.",
          TableChecks::partitioned);

  static final RiskCheck LOB_COLUMN =
      CatalogCheck.of(
          "lob-column",
          Category.PERFORMANCE,
          "A table has large-object columns (unbounded text, bytes, JSON, XML): heavy chunks.",
          "Size their chunks by bytes (migrate.chunk_bytes, the default) rather than rows and give"
              + " the copy memory; validation compares them by checksum.",
          c -> c.inventory().tables().stream().flatMap(t -> lobs(t).stream()).toList());

  static final RiskCheck GENERATED_COLUMN =
      CatalogCheck.of(
          "generated-column",
          Category.COMPATIBILITY,
          "A column is generated from an expression (inventory column field generated).",
          "Create it as a generated column on the target with a ported expression and leave it out"
              + " of the copy (drop disposition).",
          TableChecks::generated);

  static final RiskCheck ON_UPDATE_CURRENT_TIMESTAMP =
      CatalogCheck.of(
          "on-update-current-timestamp",
          Category.COMPATIBILITY,
          "A MySQL column with ON UPDATE CURRENT_TIMESTAMP (inventory column field onUpdate):"
              + " PostgreSQL has no such clause.",
          "Migrate creates a BEFORE UPDATE trigger that sets the column after the load when the"
              + " mapping keeps it a timestamp (mapping.yaml on_update; the risk names the trigger"
              + " and its function); otherwise write it, or have the application set it.",
          TableChecks::onUpdate);

  static final RiskCheck CHECK_CONSTRAINT_PORT =
      CatalogCheck.of(
          "check-constraint-port",
          Category.COMPATIBILITY,
          "A check constraint's expression is in the source engine's SQL (cross-engine only).",
          "Rewrite each expression for the target, create it NOT VALID after the load and then"
              + " VALIDATE it.",
          TableChecks::checkConstraints);

  static final RiskCheck FK_CYCLE =
      CatalogCheck.of(
          "fk-cycle",
          Category.OPERATIONAL,
          "Foreign keys form a cycle, so no parent-first load order exists.",
          "Load without the named FKs and create them after the load; consider DEFERRABLE"
              + " constraints for change capture.",
          c -> c.plan().cycles().stream().map(TableChecks::cycle).toList());

  static final RiskCheck FK_SELF_REFERENCE =
      CatalogCheck.of(
          "fk-self-reference",
          Category.OPERATIONAL,
          "A foreign key references its own table.",
          "Nothing to do: the FK is created after the load and validation checks orphans.",
          c -> c.plan().selfReferences().stream().map(TableChecks::selfReference).toList());

  private static Optional<Risk> withoutPrimaryKey(TableInfo t) {
    if (t.primaryKey() != null) {
      return Optional.empty();
    }
    Optional<KeyConstraint> usable =
        t.uniqueKeys().stream()
            .filter(
                k ->
                    k.columns().stream()
                        .allMatch(c -> t.column(c).map(col -> !col.nullable()).orElse(false)))
            .findFirst();
    if (usable.isPresent()) {
      return Optional.of(
          Risk.of(
              "table-without-primary-key",
              Category.DATA_LOSS,
              Severity.LOW,
              Likelihood.LOW,
              "Table has no primary key but a usable unique key",
              List.of(t.name()),
              "Rows are identified by unique key "
                  + usable.get().name()
                  + " "
                  + usable.get().columns()
                  + " on NOT NULL columns.",
              "Nothing blocks the copy; consider promoting the unique key to a primary key on the"
                  + " target."));
    }
    return Optional.of(
        Risk.of(
            "table-without-primary-key",
            Category.DATA_LOSS,
            isLarge(t) ? Severity.HIGH : Severity.MEDIUM,
            Likelihood.MEDIUM,
            "Table has no primary key and no unique key on NOT NULL columns",
            List.of(t.name()),
            "Without a key the table is copied as one chunk ("
                + count(t.rowCount())
                + " rows), a retry redoes the whole table, validation can only compare row"
                + " multisets, and change capture cannot match UPDATE/DELETE to target rows, so"
                + " duplicate or stale rows are possible.",
            "Add a primary key on the source before migrating (ALTER TABLE ... ADD PRIMARY KEY),"
                + " or accept a single-chunk copy and set REPLICA IDENTITY FULL for change"
                + " capture; validate this table by full comparison."));
  }

  static boolean isLarge(TableInfo t) {
    return t.rowCount() >= RiskAnalyzer.LARGE_TABLE_ROWS
        || t.sizeBytes() >= RiskAnalyzer.LARGE_TABLE_BYTES;
  }

  private static Optional<Risk> large(TableInfo t) {
    if (!isLarge(t)) {
      return Optional.empty();
    }
    return Optional.of(
        Risk.of(
            "large-table",
            Category.DOWNTIME,
            Severity.MEDIUM,
            Likelihood.MEDIUM,
            "Large table: long copy and validation",
            List.of(t.name()),
            count(t.rowCount())
                + " rows, "
                + bytes(t.sizeBytes())
                + " (thresholds: "
                + count(RiskAnalyzer.LARGE_TABLE_ROWS)
                + " rows or "
                + bytes(RiskAnalyzer.LARGE_TABLE_BYTES)
                + "). See plan.md for its estimated copy time.",
            "Copy in parallel chunks while the source stays online and catch up with change"
                + " capture; size the cutover window from plan.md, not from the table count."));
  }

  private static List<Risk> partitioned(RiskContext c) {
    JsonNode inv = c.inventoryJson();
    List<Risk> risks = new ArrayList<>();
    for (TableInfo t : c.inventory().tables()) {
      JsonNode node = InventoryJson.table(inv, t.name());
      Optional<String> key = InventoryJson.firstText(node, "partition_key", "partitioning");
      Optional<String> parts = InventoryJson.text(node, "partitions");
      if (key.isEmpty() && parts.isEmpty()) {
        continue;
      }
      risks.add(
          Risk.of(
              "partitioned-table",
              Category.PERFORMANCE,
              Severity.MEDIUM,
              Likelihood.MEDIUM,
              "Partitioned table: partitions must exist on the target before the load",
              List.of(t.name()),
              "Partitioned by "
                  + key.orElse("(key not recorded)")
                  + "; partitions "
                  + parts.orElse("(not listed)")
                  + ". Rows route to partitions by key on the target; a missing partition rejects"
                  + " its rows, and copying through the parent locks every partition.",
              "Create the partitioned table and every partition (same bounds) on the target before"
                  + " Migrate, or map it to one table explicitly; copy and validate per partition"
                  + " range."));
    }
    return risks;
  }

  private static boolean isLob(Column col) {
    return switch (col.type()) {
      case BYTES, JSON, XML -> true;
      case TEXT -> col.length() == null;
      default -> false;
    };
  }

  private static Optional<Risk> lobs(TableInfo t) {
    List<String> cols =
        t.columns().stream().filter(TableChecks::isLob).map(Column::name).sorted().toList();
    if (cols.isEmpty()) {
      return Optional.empty();
    }
    boolean large = isLarge(t);
    return Optional.of(
        Risk.of(
            "lob-column",
            Category.PERFORMANCE,
            large ? Severity.MEDIUM : Severity.LOW,
            Likelihood.MEDIUM,
            "Large-object columns make chunks heavy",
            cols.stream().map(n -> t.name() + "." + n).toList(),
            "Columns "
                + cols
                + " hold unbounded values (text, bytes, JSON or XML); a chunk of "
                + "migrate.chunk_rows rows (chunks sized by rows) can weigh far more than its row"
                + " count suggests"
                + (large ? ", and the table is large (" + bytes(t.sizeBytes()) + ")" : "")
                + ".",
            "Size chunks by bytes (migrate.chunk_bytes, the default when chunk_rows is not set;"
                + " the size is measured per table) or lower migrate.chunk_rows, and give the copy"
                + " enough memory; validation compares these values by checksum, so no sample"
                + " needs them in full."));
  }

  private static List<Risk> generated(RiskContext c) {
    JsonNode inv = c.inventoryJson();
    List<Risk> risks = new ArrayList<>();
    for (TableInfo t : c.inventory().tables()) {
      JsonNode node = InventoryJson.table(inv, t.name());
      for (Column col : t.columns()) {
        Optional<String> expression =
            InventoryJson.firstText(
                InventoryJson.column(node, col.name()), "generated", "generation_expression");
        expression.ifPresent(
            e ->
                risks.add(
                    Risk.of(
                        "generated-column",
                        Category.COMPATIBILITY,
                        Severity.HIGH,
                        Likelihood.HIGH,
                        "Generated column: values cannot be copied into it",
                        List.of(CheckSupport.object(t, col)),
                        "Column "
                            + col.name()
                            + " is generated ("
                            + e
                            + "). Writing values into a generated column fails on the target,"
                            + " and a plain column would stop following its inputs.",
                        "Create it on the target as a generated column with the expression"
                            + " ported to the target's SQL, and give it a drop disposition in"
                            + " mapping.yaml so the copy leaves it out; validation then"
                            + " compares the computed values.")));
      }
    }
    return risks;
  }

  private static List<Risk> onUpdate(RiskContext c) {
    List<Risk> risks = new ArrayList<>();
    for (TableInfo t : c.inventory().tables()) {
      for (Column col : t.columns()) {
        if (col.onUpdate() == null) {
          continue;
        }
        String trigger = triggerName(t.name(), col.name());
        String now = "current_timestamp" + fsp(col.onUpdate());
        risks.add(
            Risk.of(
                "on-update-current-timestamp",
                Category.COMPATIBILITY,
                Severity.MEDIUM,
                Likelihood.HIGH,
                "Column set on every UPDATE by the source: no ON UPDATE clause on the target",
                List.of(CheckSupport.object(t, col)),
                "Column "
                    + col.name()
                    + " is declared ON UPDATE "
                    + col.onUpdate()
                    + ": the source writes the current time into it whenever a row changes. "
                    + c.targetEngine()
                    + " has no such clause, so after the cutover updates leave it stale.",
                "Migrate creates it after the load when the mapping keeps the column a timestamp"
                    + " (mapping.yaml on_update); otherwise, before the cutover, create on the"
                    + " target (in target names) the function "
                    + trigger
                    + "() RETURNS trigger AS $$ BEGIN NEW."
                    + col.name()
                    + " := "
                    + now
                    + "; RETURN NEW; END $$ LANGUAGE plpgsql; and the trigger "
                    + trigger
                    + " BEFORE UPDATE ON "
                    + t.name()
                    + " FOR EACH ROW EXECUTE FUNCTION "
                    + trigger
                    + "(). Create it after the load so copied values stay as they were."));
      }
    }
    return risks;
  }

  /** {@code <table>_<column>_on_update}, cut to PostgreSQL's 63 bytes. */
  static String triggerName(String table, String column) {
    String name = table + "_" + column + "_on_update";
    byte[] utf8 = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    if (utf8.length <= 63) {
      return name;
    }
    String suffix = "_on_update";
    StringBuilder cut = new StringBuilder();
    int budget = 63 - suffix.length();
    for (int i = 0; i < name.length() - suffix.length(); ) {
      int cp = name.codePointAt(i);
      int len =
          new String(Character.toChars(cp))
              .getBytes(java.nio.charset.StandardCharsets.UTF_8)
              .length;
      if (len > budget) {
        break;
      }
      budget -= len;
      cut.appendCodePoint(cp);
      i += Character.charCount(cp);
    }
    return cut + suffix;
  }

  /** {@code current_timestamp(3)} → {@code (3)}; no precision → "". */
  private static String fsp(String expression) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\((\\d+)\\)").matcher(expression);
    return m.find() ? "(" + m.group(1) + ")" : "";
  }

  private static List<Risk> checkConstraints(RiskContext c) {
    if (!c.crossEngine()) {
      return List.of();
    }
    List<Risk> risks = new ArrayList<>();
    for (TableInfo t : c.inventory().tables()) {
      for (CheckConstraint check : t.checks()) {
        risks.add(
            Risk.of(
                "check-constraint-port",
                Category.COMPATIBILITY,
                Severity.MEDIUM,
                Likelihood.HIGH,
                "Check constraint written in the source engine's SQL",
                List.of(CheckSupport.object(t, check.name())),
                "Expression "
                    + check.expression()
                    + " is "
                    + c.sourceEngine()
                    + " SQL; on "
                    + c.targetEngine()
                    + " functions, operators, quoting and casts differ, and some source engines"
                    + " did not enforce checks at all, so existing rows may violate it.",
                "Rewrite the expression for "
                    + c.targetEngine()
                    + ", create it NOT VALID after the load, then VALIDATE it; rows that fail"
                    + " are the ones the source never checked."));
      }
    }
    return risks;
  }

  private static Risk cycle(LoadOrder.Cycle c) {
    List<String> deferred = c.deferred().stream().map(LoadOrder.FkRef::describe).toList();
    return Risk.of(
        "fk-cycle",
        Category.OPERATIONAL,
        Severity.MEDIUM,
        Likelihood.HIGH,
        "Foreign keys form a cycle: no parent-first load order exists",
        c.tables(),
        "Tables " + c.tables() + " reference each other; the load order defers " + deferred + ".",
        "Load the data without these foreign keys and create them after the load (Migrate"
            + " builds all foreign keys after the copy), then validate orphans. Deletes and"
            + " change capture must apply in transaction order; consider DEFERRABLE constraints.");
  }

  private static Risk selfReference(LoadOrder.FkRef fk) {
    return Risk.of(
        "fk-self-reference",
        Category.OPERATIONAL,
        Severity.LOW,
        Likelihood.LOW,
        "Foreign key references its own table",
        List.of(fk.table() + "." + fk.constraint()),
        "Rows of " + fk.table() + " reference other rows of the same table.",
        "Chunks load in key order without the constraint, which is created after the load;"
            + " validation checks for orphans.");
  }
}
