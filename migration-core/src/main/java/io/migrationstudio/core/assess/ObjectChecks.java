package io.migrationstudio.core.assess;

import com.fasterxml.jackson.databind.JsonNode;
import io.migrationstudio.core.assess.Risk.Category;
import io.migrationstudio.core.assess.Risk.Likelihood;
import io.migrationstudio.core.assess.Risk.Severity;
import io.migrationstudio.core.dialect.DataProbe;
import io.migrationstudio.core.schema.Column;
import io.migrationstudio.core.schema.SequenceInfo;
import io.migrationstudio.core.schema.TableInfo;
import io.migrationstudio.core.schema.ViewInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks of the objects besides tables that this version does not recreate: views, materialized
 * views, sequences, triggers and routines. Triggers and routines are read from {@code
 * inventory.json}'s {@code triggers} and {@code routines} lists when the inventory has them; until
 * then those checks are skipped with that reason.
 */
final class ObjectChecks {
  private ObjectChecks() {}

  static final RiskCheck VIEW_NOT_MIGRATED =
      CatalogCheck.of(
          "view-not-migrated",
          Category.COMPATIBILITY,
          "A view or materialized view is listed, not recreated (same engine on both sides).",
          "Recreate it on the target from its definition after Migrate, before cutover; add it to"
              + " the validation queries.",
          ObjectChecks::notMigrated);

  static final RiskCheck VIEW_NEEDS_REWRITE =
      CatalogCheck.of(
          "view-needs-rewrite",
          Category.COMPATIBILITY,
          "A view's definition is in the source engine's SQL and must be rewritten (cross-engine).",
          "Rewrite the definition for the target, create it after Migrate and compare its rows in"
              + " the validation query set.",
          ObjectChecks::rewrite);

  static final RiskCheck MATERIALIZED_VIEW_REFRESH =
      CatalogCheck.of(
          "materialized-view-refresh",
          Category.DOWNTIME,
          "A materialized view's rows are not copied: it must be refreshed on the target.",
          "Create it WITH NO DATA after Migrate and REFRESH it before cutover; time the refresh in"
              + " the runbook.",
          ObjectChecks::refresh);

  static final RiskCheck SEQUENCE_RESET =
      CatalogCheck.of(
          "sequence-reset",
          Category.OPERATIONAL,
          "Sequences and auto-increment columns must be set past the copied keys.",
          "Migrate sets them past max(key); set them again after the final drain and check"
              + " nextval > max(key).",
          ObjectChecks::sequences);

  static final RiskCheck TRIGGER_MANUAL_PORT =
      new CatalogCheck(
          "trigger-needs-manual-port",
          Category.COMPATIBILITY,
          "A trigger exists on the source (inventory list triggers); triggers are not recreated.",
          "Port the trigger body to the target's language and create it after the load so copied"
              + " rows do not fire it.",
          c -> listMissing(c, "triggers"),
          ObjectChecks::triggers);

  static final RiskCheck ROUTINE_MANUAL_PORT =
      new CatalogCheck(
          "routine-needs-manual-port",
          Category.COMPATIBILITY,
          "A stored procedure or function exists on the source (inventory list routines).",
          "Port each routine to the target's language, create it before cutover and test its"
              + " callers against the target.",
          c -> listMissing(c, "routines"),
          ObjectChecks::routines);

  static final RiskCheck EXTENSION_ON_TARGET =
      new CatalogCheck(
          "extension-missing-on-target",
          Category.COMPATIBILITY,
          "Data: a source extension the target server cannot create, or only in an older version.",
          "Install the extension's package on the target server (it must be listed in"
              + " pg_available_extensions), then CREATE EXTENSION it; for an older version,"
              + " install the newer package or check that the objects used exist in it.",
          ObjectChecks::extensionsUnknown,
          ObjectChecks::extensions);

  private static Optional<String> extensionsUnknown(RiskContext c) {
    if (c.probe().flatMap(DataProbe::extensions).isEmpty()) {
      return Optional.of(
          c.probe().isEmpty()
              ? "no source probe: " + c.sourceProbeMissing()
              : "the " + c.sourceEngine() + " source has no extensions");
    }
    if (c.target().flatMap(DataProbe::extensions).isEmpty()) {
      return Optional.of(
          c.target().isEmpty()
              ? "no target probe: " + c.targetProbeMissing()
              : "the " + c.targetEngine() + " target lists no extensions");
    }
    return Optional.empty();
  }

  /**
   * Each extension created on the source (but plpgsql) looked up on the target: not offered there
   * is a HIGH risk (the objects that need it cannot be created; Migrate names them), offered or
   * installed in an older version than the source's a LOW one.
   */
  private static List<Risk> extensions(RiskContext c) {
    java.util.Map<String, DataProbe.Extension> target = new java.util.HashMap<>();
    c.target().flatMap(DataProbe::extensions).orElseThrow().forEach(e -> target.put(e.name(), e));
    List<Risk> risks = new ArrayList<>();
    for (DataProbe.Extension e : c.probe().flatMap(DataProbe::extensions).orElseThrow()) {
      if (e.installed() == null || e.name().equals("plpgsql")) {
        continue;
      }
      DataProbe.Extension t = target.get(e.name());
      String there = t == null ? null : t.installed() != null ? t.installed() : t.available();
      if (there == null) {
        risks.add(
            Risk.of(
                "extension-missing-on-target",
                Category.COMPATIBILITY,
                Severity.HIGH,
                Likelihood.HIGH,
                "Extension " + e.name() + " is not available on the target",
                List.of("extension " + e.name()),
                "The source has extension "
                    + e.name()
                    + " "
                    + e.installed()
                    + "; the target server does not offer it (not in pg_available_extensions),"
                    + " so CREATE EXTENSION fails and every type, column, index and routine that"
                    + " needs it cannot be created.",
                "Install the package that provides "
                    + e.name()
                    + " on the target server (PostgreSQL contrib for contrib modules, or the"
                    + " extension's own package built for the target's major version), then run"
                    + " CREATE EXTENSION "
                    + e.name()
                    + " on the target (Migrate runs it for a PostgreSQL source)."));
      } else if (olderVersion(there, e.installed())) {
        risks.add(
            Risk.of(
                "extension-missing-on-target",
                Category.COMPATIBILITY,
                Severity.LOW,
                Likelihood.MEDIUM,
                "Extension " + e.name() + " is older on the target",
                List.of("extension " + e.name()),
                "The source has "
                    + e.name()
                    + " "
                    + e.installed()
                    + "; the target "
                    + (t.installed() != null ? "has " : "would create ")
                    + there
                    + ".",
                "Install "
                    + e.name()
                    + " "
                    + e.installed()
                    + " or newer on the target (then ALTER EXTENSION "
                    + e.name()
                    + " UPDATE), or check that every object the schema uses exists in "
                    + there
                    + "."));
      }
    }
    return risks;
  }

  /**
   * Whether version {@code a} is older than {@code b}, comparing their numbers one by one (1.9 is
   * older than 1.10); versions without numbers are never older.
   */
  static boolean olderVersion(String a, String b) {
    if (!a.matches(".*\\d.*") || !b.matches(".*\\d.*")) {
      return false;
    }
    String[] x = a.split("\\D+");
    String[] y = b.split("\\D+");
    for (int i = 0; i < Math.max(x.length, y.length); i++) {
      java.math.BigInteger p = number(x, i);
      java.math.BigInteger q = number(y, i);
      if (p.compareTo(q) != 0) {
        return p.compareTo(q) < 0;
      }
    }
    return false;
  }

  private static java.math.BigInteger number(String[] parts, int i) {
    return i < parts.length && !parts[i].isEmpty()
        ? new java.math.BigInteger(parts[i])
        : java.math.BigInteger.ZERO;
  }

  private static Optional<String> listMissing(RiskContext c, String field) {
    return InventoryJson.list(c.inventoryJson(), field).isPresent()
        ? Optional.empty()
        : Optional.of(
            "inventory.json has no "
                + field
                + " list: the "
                + c.sourceEngine()
                + " inventory does not catalogue "
                + field
                + " yet");
  }

  private static List<Risk> notMigrated(RiskContext c) {
    if (c.crossEngine()) {
      return List.of();
    }
    List<Risk> risks = new ArrayList<>();
    for (ViewInfo v : c.inventory().views()) {
      String kind = v.materialized() ? "materialized view" : "view";
      risks.add(
          Risk.of(
              "view-not-migrated",
              Category.COMPATIBILITY,
              Severity.MEDIUM,
              Likelihood.HIGH,
              (v.materialized() ? "Materialized view" : "View") + " is listed, not recreated",
              List.of(v.name()),
              "This version copies tables only; the "
                  + kind
                  + "'s definition is recorded in inventory.json. Applications using it fail on"
                  + " the target until it exists.",
              "Recreate it on the target from its definition after Migrate"
                  + (v.materialized() ? " and REFRESH it" : "")
                  + ", before cutover; add it to the validation query set."));
    }
    return risks;
  }

  private static List<Risk> rewrite(RiskContext c) {
    if (!c.crossEngine()) {
      return List.of();
    }
    List<Risk> risks = new ArrayList<>();
    for (ViewInfo v : c.inventory().views()) {
      risks.add(
          Risk.of(
              "view-needs-rewrite",
              Category.COMPATIBILITY,
              Severity.HIGH,
              Likelihood.HIGH,
              (v.materialized() ? "Materialized view" : "View")
                  + " must be rewritten for the target engine",
              List.of(v.name()),
              "Its definition is "
                  + c.sourceEngine()
                  + " SQL (functions, quoting, implicit casts, GROUP BY rules differ on "
                  + c.targetEngine()
                  + "): "
                  + (v.definition() == null ? "(definition not recorded)" : v.definition().trim()),
              "Rewrite the definition for "
                  + c.targetEngine()
                  + " against the target names from mapping.yaml, create it after Migrate, and"
                  + " add a query on it to the validation query set."));
    }
    return risks;
  }

  private static List<Risk> refresh(RiskContext c) {
    List<Risk> risks = new ArrayList<>();
    for (ViewInfo v : c.inventory().views()) {
      if (v.materialized()) {
        risks.add(
            Risk.of(
                "materialized-view-refresh",
                Category.DOWNTIME,
                Severity.MEDIUM,
                Likelihood.MEDIUM,
                "Materialized view must be refreshed on the target",
                List.of(v.name()),
                "Its rows are derived, not copied: after creation it is empty until REFRESH, which"
                    + " reads all its inputs and can take as long as a copy of them.",
                "Create it WITH NO DATA after Migrate and REFRESH it (CONCURRENTLY needs a unique"
                    + " index) before the final validation; put the measured refresh time in the"
                    + " runbook."));
      }
    }
    return risks;
  }

  private static List<Risk> sequences(RiskContext c) {
    Set<String> owned = new TreeSet<>();
    List<String> names = new ArrayList<>();
    for (SequenceInfo s : c.inventory().sequences()) {
      names.add(s.name());
      if (s.ownedByTable() != null && s.ownedByColumn() != null) {
        owned.add(s.ownedByTable() + "." + s.ownedByColumn());
      }
    }
    names.sort(null);
    List<String> identity = new ArrayList<>();
    for (TableInfo t : c.inventory().tables()) {
      for (Column col : t.columns()) {
        String o = CheckSupport.object(t, col);
        if (col.identity() && !owned.contains(o)) {
          identity.add(o);
        }
      }
    }
    if (names.isEmpty() && identity.isEmpty()) {
      return List.of();
    }
    List<String> objects = new ArrayList<>(names);
    objects.addAll(identity);
    return List.of(
        Risk.of(
            "sequence-reset",
            Category.OPERATIONAL,
            Severity.MEDIUM,
            Likelihood.LOW,
            "Sequences must be set past the copied keys",
            objects,
            names.size()
                + " sequences"
                + (identity.isEmpty()
                    ? ""
                    : " and " + identity.size() + " auto-increment columns without a sequence")
                + ". A sequence left at its start value makes the first inserts on the"
                + " target fail with duplicate keys after cutover.",
            "Migrate sets each sequence past the greatest copied key (and its source"
                + " last_value); set them again after the final change-capture drain at cutover and"
                + " check nextval > max(key) during validation."));
  }

  private static String name(JsonNode node) {
    String name = InventoryJson.text(node, "name").orElse("(unnamed)");
    return InventoryJson.firstText(node, "table", "table_name")
        .map(t -> t + "." + name)
        .orElse(name);
  }

  private static String definition(JsonNode node) {
    return InventoryJson.firstText(node, "definition", "body", "statement")
        .map(String::trim)
        .orElse("(definition not recorded)");
  }

  private static List<Risk> triggers(RiskContext c) {
    List<Risk> risks = new ArrayList<>();
    for (JsonNode t : InventoryJson.list(c.inventoryJson(), "triggers").orElseThrow()) {
      String timing = InventoryJson.firstText(t, "timing", "action_timing").orElse("");
      String events = InventoryJson.firstText(t, "events", "event").orElse("");
      risks.add(
          Risk.of(
              "trigger-needs-manual-port",
              Category.COMPATIBILITY,
              Severity.HIGH,
              Likelihood.HIGH,
              "Trigger is not recreated on the target",
              List.of(name(t)),
              ("Trigger " + timing + " " + events).replaceAll("\\s+", " ").trim()
                  + ": behaviour the applications rely on stops at cutover until it is ported. "
                  + "Definition: "
                  + definition(t),
              "Port its body to the target's trigger language (PL/pgSQL on PostgreSQL), create"
                  + " it after the load so copied rows do not fire it, and test the write paths"
                  + " that depend on it before cutover."));
    }
    return risks;
  }

  private static List<Risk> routines(RiskContext c) {
    List<Risk> risks = new ArrayList<>();
    for (JsonNode r : InventoryJson.list(c.inventoryJson(), "routines").orElseThrow()) {
      String kind = InventoryJson.firstText(r, "kind", "type", "routine_type").orElse("routine");
      String language = InventoryJson.firstText(r, "language").orElse("");
      risks.add(
          Risk.of(
              "routine-needs-manual-port",
              Category.COMPATIBILITY,
              Severity.HIGH,
              Likelihood.HIGH,
              "Stored routine is not recreated on the target",
              List.of(name(r)),
              (kind + (language.isEmpty() ? "" : " in " + language)).trim()
                  + ": callers fail on the target until it is ported. Definition: "
                  + definition(r),
              "Port it to the target's language, create it before cutover, and replay its callers"
                  + " (add them to the validation query set)."));
    }
    return risks;
  }
}
