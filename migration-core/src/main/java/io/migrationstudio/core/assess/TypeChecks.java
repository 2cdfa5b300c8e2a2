package io.migrationstudio.core.assess;

import com.fasterxml.jackson.databind.JsonNode;
import io.migrationstudio.core.assess.Risk.Category;
import io.migrationstudio.core.assess.Risk.Likelihood;
import io.migrationstudio.core.assess.Risk.Severity;
import io.migrationstudio.core.dialect.DataProbe;
import io.migrationstudio.core.mapping.MappingDraft;
import io.migrationstudio.core.mapping.MappingGenerator;
import io.migrationstudio.core.mapping.TypeRules;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.schema.CanonicalType;
import io.migrationstudio.core.schema.Column;
import io.migrationstudio.core.schema.IndexInfo;
import io.migrationstudio.core.schema.TableInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** Checks of column types and their semantics across engines, and of special index kinds. */
final class TypeChecks {
  private TypeChecks() {}

  /** Spatial types that only PostGIS provides on PostgreSQL, whatever the source engine. */
  private static final Set<String> POSTGIS_ONLY =
      Set.of(
          "geometry",
          "geography",
          "geometrycollection",
          "geomcollection",
          "linestring",
          "multilinestring",
          "multipoint",
          "multipolygon");

  /** Spatial in MySQL/MariaDB, but built-in (and different) geometric types in PostgreSQL. */
  private static final Set<String> SPATIAL_ACROSS_ENGINES = Set.of("point", "polygon");

  static final RiskCheck UNSUPPORTED_TYPE =
      CatalogCheck.of(
          "unsupported-type",
          Category.DATA_LOSS,
          "A column type has no canonical type (critical across engines, low between equal"
              + " engines).",
          "Override the column in mapping.yaml: cast it to text, transform it, or drop it"
              + " explicitly.",
          TypeChecks::unsupported);

  static final RiskCheck ENUM_TO_TEXT =
      CatalogCheck.of(
          "enum-to-text",
          Category.COMPATIBILITY,
          "An enum column: cross-engine it becomes text plus a check (or a new enum type).",
          "Decide in mapping.yaml: text with a CHECK of the values, or a target enum type; review"
              + " ORDER BY on it.",
          TypeChecks::enums);

  static final RiskCheck SET_COLUMN =
      CatalogCheck.of(
          "set-column",
          Category.COMPATIBILITY,
          "A MySQL SET column: PostgreSQL has no SET type.",
          "The mapping makes it text[] (one element per member; override the type to keep the"
              + " comma list as text); port FIND_IN_SET queries to = ANY or @>.",
          TypeChecks::sets);

  static final RiskCheck SPATIAL_WITHOUT_POSTGIS =
      CatalogCheck.of(
          "spatial-column-without-postgis",
          Category.COMPATIBILITY,
          "A spatial column (geometry, point, polygon ...) needs PostGIS on a PostgreSQL target.",
          "CREATE EXTENSION postgis on the target and map the column to geometry with its SRID,"
              + " or drop it explicitly.",
          TypeChecks::spatial);

  static final RiskCheck TIMEZONE_SEMANTICS =
      CatalogCheck.of(
          "timezone-semantics",
          Category.DATA_LOSS,
          "Timestamps without time zone (MySQL datetime, PostgreSQL timestamp) have no zone.",
          "Decide the zone of these values in mapping.yaml (timestamp or timestamptz AT TIME"
              + " ZONE ...) and pin the session time zone.",
          TypeChecks::timezones);

  static final RiskCheck FLOAT_PRECISION =
      CatalogCheck.of(
          "float-precision",
          Category.DATA_LOSS,
          "Floating-point columns used in keys or comparisons, or crossing engines as text.",
          "Use numeric with an explicit scale for keys; compare floats with a tolerance in"
              + " mapping.yaml.",
          TypeChecks::floats);

  static final RiskCheck COLLATION_DIFFERENCES =
      new CatalogCheck(
          "collation-differences",
          Category.COMPATIBILITY,
          "Text compares or sorts differently on the target (other engine or default collation).",
          "Pick the target collation deliberately (ICU or C), test ORDER BY and equality in the"
              + " validation query set.",
          TypeChecks::collationSkip,
          TypeChecks::collations);

  static final RiskCheck FULLTEXT_INDEX =
      CatalogCheck.of(
          "fulltext-index",
          Category.COMPATIBILITY,
          "A FULLTEXT index: PostgreSQL full-text search works differently.",
          "Create a tsvector expression with a GIN index on the target and rewrite MATCH ..."
              + " AGAINST queries.",
          TypeChecks::fulltext);

  private static List<Risk> unsupported(RiskContext c) {
    List<Risk> risks = new ArrayList<>();
    MappingDraft.Document overrides = null;
    for (TableInfo t : c.inventory().tables()) {
      for (Column col : t.columns()) {
        if (col.type() == CanonicalType.UNSUPPORTED) {
          if (overrides == null) {
            overrides = overrides(c);
          }
          risks.add(unsupportedType(c, t, col, overrides));
        }
      }
    }
    return risks;
  }

  /**
   * The spec's overrides file ({@code mapping.overrides}) as the Mapping stage will merge it; empty
   * when the spec names none or this machine cannot read or parse it (the Mapping stage then
   * reports the file; the assessment judges the columns as if there were no overrides).
   */
  private static MappingDraft.Document overrides(RiskContext c) {
    String path = c.spec().mapping().overrides();
    MappingDraft.Document none =
        new MappingDraft.Document(null, null, null, null, null, null, null, null);
    try {
      return MappingGenerator.readOverrides(path)
          .map(b -> Json.readYaml(b, MappingDraft.Document.class, "mapping.overrides file " + path))
          .orElse(none);
    } catch (RuntimeException unreadable) {
      return none;
    }
  }

  /**
   * The overrides file's entry for {@code table.column} that decides it (a type, a disposition).
   */
  private static Optional<MappingDraft.Column> decidingOverride(
      MappingDraft.Document overrides, TableInfo t, Column col) {
    return overrides.tables().stream()
        .filter(o -> t.name().equals(o.source()))
        .flatMap(o -> o.columns().stream())
        .filter(o -> col.name().equals(o.source()))
        .filter(o -> o.type() != null || o.disposition() != null)
        .findFirst();
  }

  private static Risk unsupportedType(
      RiskContext c, TableInfo t, Column col, MappingDraft.Document overrides) {
    String object = CheckSupport.object(t, col);
    if (!c.crossEngine()) {
      return Risk.of(
          "unsupported-type",
          Category.COMPATIBILITY,
          Severity.LOW,
          Likelihood.LOW,
          "Column type has no canonical equivalent (same engine: copied as text)",
          List.of(object),
          "Type "
              + col.nativeType()
              + " has no canonical type. Source and target are both "
              + c.targetEngine()
              + ", so the column is created with its native type and values travel in their"
              + " text form, which round-trips.",
          "No action needed for the copy; validation compares the text form of the values."
              + " Check that the type (or its extension) exists on the target.");
    }
    Optional<MappingDraft.Column> override = decidingOverride(overrides, t, col);
    if (override.isPresent()) {
      // overrides beat type rules in the Mapping stage, so they are asked first here too
      return decidedByOverride(c, col, object, override.get());
    }
    Optional<TypeRules.Indexed> rule =
        TypeRules.of(c.spec().mapping().typeRules()).first(t.name(), col);
    if (rule.isPresent()) {
      // the spec already decides the column (Sakila's geometry as bytea): Mapping reviews it
      return Risk.of(
          "unsupported-type",
          Category.COMPATIBILITY,
          Severity.MEDIUM,
          Likelihood.LOW,
          "Column type has no canonical equivalent; a type rule of the spec decides it",
          List.of(object),
          "Type "
              + col.nativeType()
              + " of "
              + c.sourceEngine()
              + " has no canonical type and no equivalent on "
              + c.targetEngine()
              + "; mapping.type_rules["
              + rule.get().index()
              + "] maps it to "
              + rule.get().rule().targetType()
              + ", so the copy and the change stream carry the source's value as that type.",
          "Check in the Mapping review that "
              + rule.get().rule().targetType()
              + " keeps what the application needs (the mapping's review measures the"
              + " conversion on the real data).");
    }
    return Risk.of(
        "unsupported-type",
        Category.DATA_LOSS,
        Severity.CRITICAL,
        Likelihood.HIGH,
        "Column type cannot be moved to the target engine",
        List.of(object),
        "Type "
            + col.nativeType()
            + " of "
            + c.sourceEngine()
            + " has no canonical type and no equivalent on "
            + c.targetEngine()
            + "; copying it as is would fail or lose data.",
        "Override the column in mapping.yaml: cast it to text, transform it, or drop it"
            + " explicitly, then re-run the assessment.");
  }

  /**
   * A column the spec's overrides file decides: dropped (low: nothing is copied, the reason is the
   * decision) or given a type or disposition (medium: the Mapping review measures the conversion).
   */
  private static Risk decidedByOverride(
      RiskContext c, Column col, String object, MappingDraft.Column o) {
    String file = "mapping.overrides (" + c.spec().mapping().overrides() + ")";
    String unsupported =
        "Type "
            + col.nativeType()
            + " of "
            + c.sourceEngine()
            + " has no canonical type and no equivalent on "
            + c.targetEngine()
            + "; ";
    if ("drop".equalsIgnoreCase(o.disposition())) {
      return Risk.of(
          "unsupported-type",
          Category.COMPATIBILITY,
          Severity.LOW,
          Likelihood.LOW,
          "Column type has no canonical equivalent; the overrides file drops the column",
          List.of(object),
          unsupported
              + file
              + " drops the column"
              + (o.reason() == null ? "" : " (" + o.reason() + ")")
              + ", so the target does not have it.",
          "Check that no consumer of the target needs the column.");
    }
    String decision =
        o.type() != null
            ? "maps it to " + o.type()
            : "gives it disposition " + o.disposition().toLowerCase(Locale.ROOT);
    return Risk.of(
        "unsupported-type",
        Category.COMPATIBILITY,
        Severity.MEDIUM,
        Likelihood.LOW,
        "Column type has no canonical equivalent; the overrides file decides it",
        List.of(object),
        unsupported + file + " " + decision + ".",
        "Check in the Mapping review that the column's new form keeps what the application needs"
            + " (the mapping's review measures the conversion on the real data).");
  }

  private static List<Risk> enums(RiskContext c) {
    List<Risk> risks = new ArrayList<>();
    for (TableInfo t : c.inventory().tables()) {
      for (Column col : t.columns()) {
        if (col.type() != CanonicalType.ENUM && !CheckSupport.baseType(col).equals("enum")) {
          continue;
        }
        if (c.crossEngine()) {
          risks.add(
              Risk.of(
                  "enum-to-text",
                  Category.COMPATIBILITY,
                  Severity.MEDIUM,
                  Likelihood.HIGH,
                  "Enum column changes type across engines",
                  List.of(CheckSupport.object(t, col)),
                  "Type "
                      + col.nativeType()
                      + " has no direct equivalent on "
                      + c.targetEngine()
                      + ": it becomes text with a CHECK of its values or a new enum type."
                      + " MySQL sorts enums by declaration position and may hold '' for invalid"
                      + " values; text sorts alphabetically.",
                  "Choose in mapping.yaml: text with a CHECK listing the values, or an enum type"
                      + " created on the target; review ORDER BY on this column and map ''"
                      + " explicitly."));
        } else {
          risks.add(
              Risk.of(
                  "enum-to-text",
                  Category.COMPATIBILITY,
                  Severity.LOW,
                  Likelihood.LOW,
                  "Enum column: its type must exist on the target",
                  List.of(CheckSupport.object(t, col)),
                  "Type " + col.nativeType() + " is a user-defined enum of the source database.",
                  "Create the enum type on the target with the same values in the same order"
                      + " before Migrate (or map the column to text)."));
        }
      }
    }
    return risks;
  }

  private static List<Risk> sets(RiskContext c) {
    List<Risk> risks = new ArrayList<>();
    for (TableInfo t : c.inventory().tables()) {
      for (Column col : t.columns()) {
        if (CheckSupport.baseType(col).equals("set") && c.crossEngine()) {
          risks.add(
              Risk.of(
                  "set-column",
                  Category.COMPATIBILITY,
                  Severity.MEDIUM,
                  Likelihood.HIGH,
                  "SET column has no equivalent on the target",
                  List.of(CheckSupport.object(t, col)),
                  "Type "
                      + col.nativeType()
                      + " stores any combination of its members as one comma-separated value;"
                      + " "
                      + c.targetEngine()
                      + " has no SET type, and FIND_IN_SET or bit arithmetic on it will not"
                      + " work.",
                  "The generated mapping makes it text[] (one element per member, the empty set"
                      + " an empty array); add a CHECK (col <@ ARRAY[members]) if the target must"
                      + " refuse other members, and port FIND_IN_SET queries to = ANY or @>."));
        }
      }
    }
    return risks;
  }

  private static boolean spatial(RiskContext c, Column col) {
    String base = CheckSupport.baseType(col);
    return POSTGIS_ONLY.contains(base)
        || (c.crossEngine() && SPATIAL_ACROSS_ENGINES.contains(base));
  }

  private static List<Risk> spatial(RiskContext c) {
    List<String> cols = new ArrayList<>();
    for (TableInfo t : c.inventory().tables()) {
      for (Column col : t.columns()) {
        if (spatial(c, col)) {
          cols.add(CheckSupport.object(t, col));
        }
      }
    }
    if (cols.isEmpty()) {
      return List.of();
    }
    Optional<Boolean> installed = c.target().flatMap(p -> p.hasExtension("postgis"));
    if (installed.orElse(false)) {
      return List.of(
          Risk.of(
              "spatial-column-without-postgis",
              Category.COMPATIBILITY,
              Severity.LOW,
              Likelihood.LOW,
              "Spatial columns: PostGIS is installed on the target",
              cols,
              cols.size() + " spatial columns; the target has the postgis extension.",
              "Map them to geometry with their SRID in mapping.yaml and compare them by their"
                  + " WKB in validation."));
    }
    String known =
        installed.isPresent()
            ? "The target has no postgis extension (checked)."
            : "Whether the target has PostGIS is unknown ("
                + Optional.ofNullable(c.targetProbeMissing()).orElse("no probe")
                + ").";
    return List.of(
        Risk.of(
            "spatial-column-without-postgis",
            Category.COMPATIBILITY,
            Severity.HIGH,
            installed.isPresent() ? Likelihood.HIGH : Likelihood.MEDIUM,
            "Spatial columns need PostGIS on the target",
            cols,
            cols.size()
                + " spatial columns of "
                + c.sourceEngine()
                + " have no built-in equivalent on "
                + c.targetEngine()
                + ". "
                + known,
            "CREATE EXTENSION postgis on the target, map each column to geometry(<type>, <srid>)"
                + " with a WKB transform, or drop it explicitly in mapping.yaml."));
  }

  private static List<Risk> timezones(RiskContext c) {
    List<String> naive = new ArrayList<>();
    List<String> zoned = new ArrayList<>();
    for (TableInfo t : c.inventory().tables()) {
      for (Column col : t.columns()) {
        if (col.type() == CanonicalType.TIMESTAMP) {
          naive.add(CheckSupport.object(t, col));
        } else if (col.type() == CanonicalType.TIMESTAMPTZ && c.crossEngine()) {
          zoned.add(CheckSupport.object(t, col));
        }
      }
    }
    List<Risk> risks = new ArrayList<>();
    if (!naive.isEmpty()) {
      boolean cross = c.crossEngine();
      risks.add(
          Risk.of(
              "timezone-semantics",
              Category.DATA_LOSS,
              cross ? Severity.MEDIUM : Severity.LOW,
              cross ? Likelihood.MEDIUM : Likelihood.LOW,
              "Timestamps without time zone",
              naive,
              naive.size()
                  + " columns hold local date-times with no zone. They copy verbatim, but their"
                  + " meaning depends on the zone of the writers; "
                  + (cross
                      ? "defaults such as CURRENT_TIMESTAMP and NOW() use the session zone, which"
                          + " differs between "
                          + c.sourceEngine()
                          + " and "
                          + c.targetEngine()
                          + " connections."
                      : "a target server or application in another zone writes different"
                          + " values for the same instant."),
              "Decide per column whether values are UTC or local: keep timestamp and pin the"
                  + " time zone of every session, or convert to timestamptz with AT TIME ZONE in"
                  + " mapping.yaml; compare them in validation at microsecond precision."));
    }
    if (!zoned.isEmpty()) {
      risks.add(
          Risk.of(
              "timezone-semantics",
              Category.DATA_LOSS,
              Severity.MEDIUM,
              Likelihood.MEDIUM,
              "Zoned timestamps are read in the session time zone",
              zoned,
              zoned.size()
                  + " columns convert to the session time zone when read from "
                  + c.sourceEngine()
                  + " (MySQL TIMESTAMP also ends in 2038); a reader in a zone other than the"
                  + " writers' shifts them. The studio reads them in UTC (its MySQL/MariaDB"
                  + " sessions are pinned to +00:00) and validation compares the instants the"
                  + " source server computes (UNIX_TIMESTAMP).",
              "Map the columns to timestamptz; point applications that read the target at"
                  + " timestamptz too, and check values near DST changes in validation."));
    }
    return risks;
  }

  private static boolean isFloat(Column col) {
    return col.type() == CanonicalType.REAL || col.type() == CanonicalType.DOUBLE;
  }

  private static List<Risk> floats(RiskContext c) {
    List<String> keyed = new ArrayList<>();
    List<String> plain = new ArrayList<>();
    for (TableInfo t : c.inventory().tables()) {
      Set<String> compared = CheckSupport.comparedColumns(t);
      for (Column col : t.columns()) {
        if (isFloat(col)) {
          (compared.contains(col.name()) ? keyed : plain).add(CheckSupport.object(t, col));
        }
      }
    }
    List<Risk> risks = new ArrayList<>();
    if (!keyed.isEmpty()) {
      risks.add(
          Risk.of(
              "float-precision",
              Category.DATA_LOSS,
              Severity.MEDIUM,
              Likelihood.MEDIUM,
              "Floating-point columns in keys or indexes",
              keyed,
              keyed.size()
                  + " float columns are compared for equality (keys, foreign keys or indexes)."
                  + " Binary floats have no exact decimal form: a value that round-trips through"
                  + " text or another engine can differ in its last bit and stop matching.",
              "Map key columns to numeric with an explicit scale (cast in mapping.yaml) or move"
                  + " the key to an integer; validate these tables by canonical checksum."));
    }
    if (!plain.isEmpty() && c.crossEngine()) {
      risks.add(
          Risk.of(
              "float-precision",
              Category.DATA_LOSS,
              Severity.LOW,
              Likelihood.MEDIUM,
              "Floating-point values crossing engines",
              plain,
              plain.size()
                  + " float columns: "
                  + c.sourceEngine()
                  + " and "
                  + c.targetEngine()
                  + " print and round floats differently (MySQL FLOAT shows 6 digits), so"
                  + " comparisons of printed values differ.",
              "Copy them in binary form, and give them a numeric tolerance in mapping.yaml for"
                  + " validation."));
    }
    return risks;
  }

  private static Optional<String> collationSkip(RiskContext c) {
    if (c.crossEngine()) {
      return Optional.empty();
    }
    if (c.probe().isEmpty()) {
      return Optional.of(
          "comparing default collations needs the source probe: " + c.sourceProbeMissing());
    }
    if (c.target().isEmpty()) {
      return Optional.of(
          "comparing default collations needs the target probe: " + c.targetProbeMissing());
    }
    return Optional.empty();
  }

  private static List<Risk> collations(RiskContext c) {
    JsonNode inv = c.inventoryJson();
    Set<String> compared = new TreeSet<>();
    Set<String> explicit = new TreeSet<>();
    for (TableInfo t : c.inventory().tables()) {
      Set<String> keyCols = CheckSupport.comparedColumns(t);
      JsonNode node = InventoryJson.table(inv, t.name());
      for (Column col : t.columns()) {
        if (!col.type().isText()) {
          continue;
        }
        if (keyCols.contains(col.name())) {
          compared.add(CheckSupport.object(t, col));
        }
        InventoryJson.text(InventoryJson.column(node, col.name()), "collation")
            .ifPresent(coll -> explicit.add(CheckSupport.object(t, col) + " (" + coll + ")"));
      }
    }
    if (c.crossEngine()) {
      if (compared.isEmpty() && explicit.isEmpty()) {
        return List.of();
      }
      List<String> objects = new ArrayList<>(compared);
      explicit.forEach(e -> objects.add(e.substring(0, e.lastIndexOf(" ("))));
      return List.of(
          Risk.of(
              "collation-differences",
              Category.COMPATIBILITY,
              Severity.MEDIUM,
              Likelihood.MEDIUM,
              "Text compares and sorts differently on the target engine",
              objects.stream().distinct().sorted().toList(),
              "Text columns in keys and indexes"
                  + (explicit.isEmpty() ? "" : " and columns with explicit collations " + explicit)
                  + ": "
                  + c.sourceEngine()
                  + " collations (MySQL *_ci) ignore case and trailing spaces, "
                  + c.targetEngine()
                  + " compares deterministically, so lookups, uniqueness and ORDER BY can change.",
              "Choose the target collation per column (a nondeterministic ICU collation or"
                  + " citext where case-insensitivity is relied on), and replay ORDER BY and"
                  + " lookup queries in validation."));
    }
    DataProbe source = c.probe().orElseThrow();
    DataProbe target = c.target().orElseThrow();
    Optional<String> from = source.defaultCollation();
    Optional<String> to = target.defaultCollation();
    if (from.isEmpty() || to.isEmpty() || from.equals(to)) {
      return List.of();
    }
    List<String> objects =
        compared.isEmpty() ? List.of(c.inventory().database()) : List.copyOf(compared);
    return List.of(
        Risk.of(
            "collation-differences",
            Category.COMPATIBILITY,
            Severity.MEDIUM,
            Likelihood.HIGH,
            "Source and target databases have different default collations",
            objects,
            "Default collation "
                + from.get()
                + " on the source, "
                + to.get()
                + " on the target: ORDER BY results, range queries on text and the order of text"
                + " indexes differ, and queries relying on the sort order return rows in another"
                + " order.",
            "Create the target database with collation "
                + from.get()
                + " (or set COLLATE on the text columns), then replay ordered queries in"
                + " validation."));
  }

  private static List<Risk> fulltext(RiskContext c) {
    List<Risk> risks = new ArrayList<>();
    for (TableInfo t : c.inventory().tables()) {
      for (IndexInfo i : t.indexes()) {
        boolean fulltext =
            "fulltext".equalsIgnoreCase(i.method())
                || (i.definition() != null
                    && i.definition().toUpperCase(Locale.ROOT).contains("FULLTEXT"));
        if (fulltext) {
          risks.add(
              Risk.of(
                  "fulltext-index",
                  Category.COMPATIBILITY,
                  Severity.MEDIUM,
                  Likelihood.HIGH,
                  "FULLTEXT index has no direct equivalent",
                  List.of(CheckSupport.object(t, i.name())),
                  "Index "
                      + i.name()
                      + " on "
                      + i.columns()
                      + " serves MATCH ... AGAINST queries; "
                      + c.targetEngine()
                      + " full-text search uses tsvector/tsquery with other parsing, stop words"
                      + " and ranking.",
                  "Create a generated tsvector column (or expression) with a GIN index on the"
                      + " target, rewrite MATCH ... AGAINST as @@ to_tsquery, and compare search"
                      + " results in the validation query set."));
        }
      }
    }
    return risks;
  }
}
