package io.migrationstudio.core.assess;

import static io.migrationstudio.core.assess.Markdown.bytes;
import static io.migrationstudio.core.assess.Markdown.count;

import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.report.StageOutput;
import io.migrationstudio.core.schema.CanonicalType;
import io.migrationstudio.core.schema.Column;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.core.schema.KeyConstraint;
import io.migrationstudio.core.schema.LoadOrder;
import io.migrationstudio.core.schema.SequenceInfo;
import io.migrationstudio.core.schema.TableInfo;
import io.migrationstudio.core.schema.ViewInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The Assessment checker: derives the migration's risks from the inventory (no database access) and
 * decides the verdict: FAIL when any risk is critical, PASS otherwise. Each rule below has a stable
 * key; one risk is raised per affected table, column, cycle or view, except the schema-wide rules
 * (sequences, identifiers), which raise one risk listing every object.
 */
public final class RiskAnalyzer {
  /** A table is large from 10 million rows: copy and validation take long, plan a window. */
  public static final long LARGE_TABLE_ROWS = 10_000_000L;

  /** ...or from 1 GiB on disk (total relation size). */
  public static final long LARGE_TABLE_BYTES = 1L << 30;

  /** Names PostgreSQL folds or rejects unquoted: lower-case letters, digits, _ and $ only. */
  private static final Pattern PLAIN_IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_$]*");

  /**
   * PostgreSQL's reserved key words and those reserved as table/column names (catcode R and T of
   * pg_get_keywords()), which fail unquoted in a table or column position.
   */
  private static final Set<String> RESERVED =
      Set.of(
          "all",
          "analyse",
          "analyze",
          "and",
          "any",
          "array",
          "as",
          "asc",
          "asymmetric",
          "authorization",
          "binary",
          "both",
          "case",
          "cast",
          "check",
          "collate",
          "collation",
          "column",
          "concurrently",
          "constraint",
          "create",
          "cross",
          "current_catalog",
          "current_date",
          "current_role",
          "current_schema",
          "current_time",
          "current_timestamp",
          "current_user",
          "default",
          "deferrable",
          "desc",
          "distinct",
          "do",
          "else",
          "end",
          "except",
          "false",
          "fetch",
          "for",
          "foreign",
          "freeze",
          "from",
          "full",
          "grant",
          "group",
          "having",
          "ilike",
          "in",
          "initially",
          "inner",
          "intersect",
          "into",
          "is",
          "isnull",
          "join",
          "lateral",
          "leading",
          "left",
          "like",
          "limit",
          "localtime",
          "localtimestamp",
          "natural",
          "not",
          "notnull",
          "null",
          "offset",
          "on",
          "only",
          "or",
          "order",
          "outer",
          "overlaps",
          "placing",
          "primary",
          "references",
          "returning",
          "right",
          "select",
          "session_user",
          "similar",
          "some",
          "symmetric",
          "system_user",
          "table",
          "tablesample",
          "then",
          "to",
          "trailing",
          "true",
          "union",
          "unique",
          "user",
          "using",
          "variadic",
          "verbose",
          "when",
          "where",
          "window",
          "with");

  /** The risks of an inventory for the spec's target, sorted (see {@link Risk#ORDER}). */
  public List<Risk> risks(Inventory inventory, MigrationSpec spec) {
    LoadOrder.Plan plan = LoadOrder.of(inventory);
    List<Risk> risks = new ArrayList<>();
    if (inventory.tables().isEmpty()) {
      risks.add(emptyScope(inventory, spec));
    }
    String targetEngine = targetEngine(spec);
    for (TableInfo t : inventory.tables()) {
      withoutPrimaryKey(t).ifPresent(risks::add);
      large(t).ifPresent(risks::add);
      for (Column c : t.columns()) {
        if (c.type() == CanonicalType.UNSUPPORTED) {
          risks.add(unsupportedType(inventory, targetEngine, t, c));
        }
      }
    }
    plan.cycles().forEach(c -> risks.add(cycle(c)));
    plan.selfReferences().forEach(fk -> risks.add(selfReference(fk)));
    inventory.views().forEach(v -> risks.add(viewNotMigrated(v)));
    sequenceReset(inventory).ifPresent(risks::add);
    identifiers(inventory).ifPresent(risks::add);
    risks.sort(Risk.ORDER);
    return risks;
  }

  /** {@code risks.json} and {@code risks.md} with the verdict. */
  public StageOutput analyze(Inventory inventory, MigrationSpec spec) {
    RiskReport report = RiskReport.of(risks(inventory, spec));
    Map<String, byte[]> files = new TreeMap<>();
    files.put(ArtifactPaths.RISKS_JSON, Json.bytes(Json.write(report)));
    files.put(ArtifactPaths.RISKS_MD, Json.bytes(RiskMarkdown.render(inventory, report)));
    String summary =
        String.format(
            Locale.ROOT,
            "%s: %d risks (%d critical, %d high, %d medium, %d low)",
            report.verdict(),
            report.risks().size(),
            report.counts().get("critical"),
            report.counts().get("high"),
            report.counts().get("medium"),
            report.counts().get("low"));
    return new StageOutput(files, report.verdict(), summary);
  }

  private static String targetEngine(MigrationSpec spec) {
    String url = spec.target().url();
    return Dialects.all().stream()
        .filter(d -> d.accepts(url))
        .map(Dialect::name)
        .findFirst()
        .orElse("unknown");
  }

  private static Risk emptyScope(Inventory inv, MigrationSpec spec) {
    return Risk.of(
        "empty-scope",
        Risk.Category.OPERATIONAL,
        Risk.Severity.CRITICAL,
        Risk.Likelihood.HIGH,
        "No table of the source is in scope",
        List.of(inv.schema()),
        "Schema "
            + inv.schema()
            + " has no table matching scope include "
            + spec.scope().include()
            + " exclude "
            + spec.scope().exclude()
            + " (patterns are case-sensitive). Migrating would copy nothing.",
        "Check source.schema and the scope patterns in the spec, then re-run the assessment.");
  }

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
              Risk.Category.DATA_LOSS,
              Risk.Severity.LOW,
              Risk.Likelihood.LOW,
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
    boolean large = isLarge(t);
    return Optional.of(
        Risk.of(
            "table-without-primary-key",
            Risk.Category.DATA_LOSS,
            large ? Risk.Severity.HIGH : Risk.Severity.MEDIUM,
            Risk.Likelihood.MEDIUM,
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

  private static boolean isLarge(TableInfo t) {
    return t.rowCount() >= LARGE_TABLE_ROWS || t.sizeBytes() >= LARGE_TABLE_BYTES;
  }

  private static Optional<Risk> large(TableInfo t) {
    if (!isLarge(t)) {
      return Optional.empty();
    }
    return Optional.of(
        Risk.of(
            "large-table",
            Risk.Category.DOWNTIME,
            Risk.Severity.MEDIUM,
            Risk.Likelihood.MEDIUM,
            "Large table: long copy and validation",
            List.of(t.name()),
            count(t.rowCount())
                + " rows, "
                + bytes(t.sizeBytes())
                + " (thresholds: "
                + count(LARGE_TABLE_ROWS)
                + " rows or "
                + bytes(LARGE_TABLE_BYTES)
                + "). See plan.md for its estimated copy time.",
            "Copy in parallel chunks while the source stays online and catch up with change"
                + " capture; size the cutover window from plan.md, not from the table count."));
  }

  private static Risk unsupportedType(Inventory inv, String targetEngine, TableInfo t, Column c) {
    String object = t.name() + "." + c.name();
    if (inv.engine().equals(targetEngine)) {
      return Risk.of(
          "unsupported-type",
          Risk.Category.COMPATIBILITY,
          Risk.Severity.LOW,
          Risk.Likelihood.LOW,
          "Column type has no canonical equivalent (same engine: copied as text)",
          List.of(object),
          "Type "
              + c.nativeType()
              + " has no canonical type. Source and target are both "
              + targetEngine
              + ", so the column is created with its native type and values travel in their"
              + " text form, which round-trips.",
          "No action needed for the copy; validation compares the text form of the values."
              + " Check that the type (or its extension) exists on the target.");
    }
    return Risk.of(
        "unsupported-type",
        Risk.Category.DATA_LOSS,
        Risk.Severity.CRITICAL,
        Risk.Likelihood.HIGH,
        "Column type cannot be moved to the target engine",
        List.of(object),
        "Type "
            + c.nativeType()
            + " of "
            + inv.engine()
            + " has no canonical type and no equivalent on "
            + targetEngine
            + "; copying it as is would fail or lose data.",
        "Override the column in mapping.yaml: cast it to text, transform it, or drop it"
            + " explicitly, then re-run the assessment.");
  }

  private static Risk cycle(LoadOrder.Cycle c) {
    List<String> deferred = c.deferred().stream().map(LoadOrder.FkRef::describe).toList();
    return Risk.of(
        "fk-cycle",
        Risk.Category.OPERATIONAL,
        Risk.Severity.MEDIUM,
        Risk.Likelihood.HIGH,
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
        Risk.Category.OPERATIONAL,
        Risk.Severity.LOW,
        Risk.Likelihood.LOW,
        "Foreign key references its own table",
        List.of(fk.table() + "." + fk.constraint()),
        "Rows of " + fk.table() + " reference other rows of the same table.",
        "Chunks load in key order without the constraint, which is created after the load;"
            + " validation checks for orphans.");
  }

  private static Risk viewNotMigrated(ViewInfo v) {
    return Risk.of(
        "view-not-migrated",
        Risk.Category.COMPATIBILITY,
        Risk.Severity.MEDIUM,
        Risk.Likelihood.HIGH,
        (v.materialized() ? "Materialized view" : "View") + " is listed, not recreated",
        List.of(v.name()),
        "This version copies tables only; the "
            + (v.materialized() ? "materialized view" : "view")
            + "'s definition is recorded in inventory.json. Applications using it fail on the"
            + " target until it exists.",
        "Recreate it on the target from its definition after Migrate"
            + (v.materialized() ? " and REFRESH it" : "")
            + ", before cutover; add it to the validation query set.");
  }

  private static Optional<Risk> sequenceReset(Inventory inv) {
    if (inv.sequences().isEmpty()) {
      return Optional.empty();
    }
    List<String> names = inv.sequences().stream().map(SequenceInfo::name).toList();
    return Optional.of(
        Risk.of(
            "sequence-reset",
            Risk.Category.OPERATIONAL,
            Risk.Severity.MEDIUM,
            Risk.Likelihood.LOW,
            "Sequences must be set past the copied keys",
            names,
            names.size()
                + " sequences. A sequence left at its start value makes the first inserts on the"
                + " target fail with duplicate keys after cutover.",
            "Migrate sets each sequence past the greatest copied key (and its source"
                + " last_value); set them again after the final change-capture drain at cutover and"
                + " check nextval > max(key) during validation."));
  }

  /** Whether PostgreSQL needs this name quoted (case, characters or a reserved word). */
  public static boolean needsQuoting(String identifier) {
    return !PLAIN_IDENTIFIER.matcher(identifier).matches() || RESERVED.contains(identifier);
  }

  private static Optional<Risk> identifiers(Inventory inv) {
    Set<String> hostile = new TreeSet<>();
    for (TableInfo t : inv.tables()) {
      if (needsQuoting(t.name())) {
        hostile.add(t.name());
      }
      for (Column c : t.columns()) {
        if (needsQuoting(c.name())) {
          hostile.add(t.name() + "." + c.name());
        }
      }
    }
    inv.views().stream()
        .map(ViewInfo::name)
        .filter(RiskAnalyzer::needsQuoting)
        .forEach(hostile::add);
    if (hostile.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        Risk.of(
            "identifier-needs-quoting",
            Risk.Category.COMPATIBILITY,
            Risk.Severity.LOW,
            Risk.Likelihood.MEDIUM,
            "Names need quoting (upper case, spaces, quotes, non-ASCII or reserved words)",
            List.copyOf(hostile),
            hostile.size()
                + " names only work quoted. The studio quotes every identifier, but hand-written"
                + " SQL, tools and applications that do not quote them break or hit a different"
                + " (case-folded) name.",
            "Keep them (the copy is safe) or rename them with mapping.naming: snake_case or"
                + " overrides in mapping.yaml; review application queries that use these names."));
  }
}
