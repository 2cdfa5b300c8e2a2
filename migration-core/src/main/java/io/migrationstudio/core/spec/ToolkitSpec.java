package io.migrationstudio.core.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.migrationstudio.contracts.spec.ConnectionSpec;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.core.report.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Translates the seed toolkit's migration spec ({@code migration-architect}'s {@code
 * sample_database_migration.json}: {@code type}, {@code pattern}, {@code source}, {@code target},
 * {@code constraints}, {@code tables_to_migrate}, {@code schema_changes}, {@code
 * business_continuity}, ...) into a studio spec for {@code studio plan}, and names every field it
 * cannot carry.
 *
 * <p>The toolkit's {@code source} and {@code target} are descriptions, not connections: the JDBC
 * connections are given separately. What is carried: {@code tables_to_migrate[].name} → {@code
 * scope.include}; {@code business_continuity.preferred_migration_window} → a daily {@code
 * cutover.window}; {@code constraints.max_downtime_minutes} → the strategy ({@code online} when the
 * downtime limit is 0; otherwise {@code bulk}, and the plan compares its estimate with the limit);
 * {@code constraints.dependencies} → the services informed before the freeze and after the switch;
 * {@code description} → the title. Everything else is listed as not translated, with the reason.
 */
public final class ToolkitSpec {
  private ToolkitSpec() {}

  /** The translated spec and what was and was not carried over. */
  public record Translation(
      MigrationSpec spec,
      List<String> translated,
      List<String> notTranslated,
      List<String> dependents,
      Long maxDowntimeMinutes) {
    public Translation {
      translated = List.copyOf(translated);
      notTranslated = List.copyOf(notTranslated);
      dependents = List.copyOf(dependents);
    }

    /** The translation as a Markdown section for {@code plan.md}. */
    public String markdown() {
      StringBuilder md = new StringBuilder("## Translated from the seed toolkit's spec\n\n");
      md.append("Carried over:\n\n");
      translated.forEach(t -> md.append("- ").append(t).append('\n'));
      md.append("\nNot translated:\n\n");
      if (notTranslated.isEmpty()) {
        md.append("- nothing\n");
      }
      notTranslated.forEach(t -> md.append("- ").append(t).append('\n'));
      return md.append('\n').toString();
    }
  }

  /** Whether {@code root} is the toolkit's migration spec (not a studio spec). */
  public static boolean accepts(JsonNode root) {
    return root != null
        && root.isObject()
        && root.path("type").isTextual()
        && (root.has("tables_to_migrate") || root.has("constraints") || root.has("pattern"))
        && !root.has("id");
  }

  /**
   * The studio spec for {@code root} with the given connections; a toolkit spec that is not a
   * database move is refused ({@link SpecException}, exit 2).
   */
  public static Translation translate(JsonNode root, ConnectionSpec source, ConnectionSpec target) {
    String type = root.path("type").asText();
    if (!"database".equals(type)) {
      throw new SpecException(
          List.of(
              new SpecProblem(
                  "type",
                  type,
                  "the toolkit spec is a '"
                      + type
                      + "' migration; studio plans database moves only (type: database)")));
    }
    List<String> done = new ArrayList<>();
    List<String> not = new ArrayList<>();
    ObjectNode spec = JsonNodeFactory.instance.objectNode();
    String title = root.path("description").asText(root.path("source").asText("toolkit plan"));
    spec.put("id", id(root));
    spec.put("title", title);
    spec.set("source", connection(source));
    spec.set("target", connection(target));
    done.add(
        "`source` / `target` (\""
            + root.path("source").asText("?")
            + "\" → \""
            + root.path("target").asText("?")
            + "\"): descriptions only; the connections come from --source / --target");
    ArrayNode include = JsonNodeFactory.instance.arrayNode();
    for (JsonNode t : root.path("tables_to_migrate")) {
      include.add(t.path("name").asText());
    }
    if (!include.isEmpty()) {
      spec.putObject("scope").set("include", include);
      done.add(
          "`tables_to_migrate[].name` → `scope.include` ("
              + include.size()
              + " tables); their `row_count` and `size_mb` are replaced by the live inventory's"
              + " figures, `critical` is not used");
    }
    JsonNode constraints = root.path("constraints");
    Long downtime =
        constraints.path("max_downtime_minutes").isNumber()
            ? constraints.path("max_downtime_minutes").asLong()
            : null;
    String strategy = downtime != null && downtime == 0 ? "online" : "bulk";
    spec.putObject("migrate").put("strategy", strategy);
    done.add(
        downtime == null
            ? "no `constraints.max_downtime_minutes`: `migrate.strategy: bulk`"
            : "`constraints.max_downtime_minutes` = "
                + downtime
                + " → `migrate.strategy: "
                + strategy
                + "`"
                + (downtime == 0
                    ? " (no downtime: the source keeps writing, a change stream follows)"
                    : " (the plan compares the Migrate estimate with the limit)"));
    JsonNode window = root.path("business_continuity").path("preferred_migration_window");
    if (window.path("start").isTextual() && window.path("end").isTextual()) {
      ObjectNode w = spec.putObject("cutover").putObject("window");
      w.put("start", window.path("start").asText());
      w.put("end", window.path("end").asText());
      w.put("zone", window.path("timezone").asText("UTC"));
      done.add(
          "`business_continuity.preferred_migration_window` → daily `cutover.window` "
              + window.path("start").asText()
              + "-"
              + window.path("end").asText()
              + " "
              + window.path("timezone").asText("UTC"));
    }
    List<String> dependents = new ArrayList<>();
    constraints.path("dependencies").forEach(d -> dependents.add(d.asText()));
    if (!dependents.isEmpty()) {
      done.add(
          "`constraints.dependencies` → informed before the freeze and after the switch ("
              + String.join(", ", dependents)
              + ")");
    }
    untranslated(root, constraints, not);
    MigrationSpec parsed = SpecLoader.parse(Json.write(spec));
    return new Translation(parsed, done, not, dependents, downtime);
  }

  private static void untranslated(JsonNode root, JsonNode constraints, List<String> not) {
    if (root.path("pattern").isTextual()) {
      not.add(
          "`pattern` ("
              + root.path("pattern").asText()
              + "): studio's phases are fixed (assessment, mapping, migrate, "
              + "[catch-up,] validation, cutover)");
    }
    if (constraints.has("data_volume_gb")) {
      not.add(
          "`constraints.data_volume_gb` ("
              + constraints.path("data_volume_gb").asText()
              + "): the plan uses the sizes the inventory measures");
    }
    if (constraints.has("compliance_requirements")) {
      not.add(
          "`constraints.compliance_requirements` ("
              + join(constraints.path("compliance_requirements"))
              + "): no studio setting; review the evidence branch for them");
    }
    if (constraints.has("special_requirements")) {
      not.add(
          "`constraints.special_requirements` ("
              + join(constraints.path("special_requirements"))
              + "): no studio setting (Validation checks that every row arrived; foreign keys"
              + " are validated after the load)");
    }
    if (root.has("schema_changes")) {
      int n = 0;
      for (JsonNode t : root.path("schema_changes")) {
        n += t.path("changes").size();
      }
      not.add(
          "`schema_changes` ("
              + n
              + " changes): studio carries the source schema as it is; make the changes after"
              + " the cutover (`studio diff` gives their forward and rollback DDL)");
    }
    if (root.has("performance_requirements")) {
      not.add(
          "`performance_requirements`: no studio setting; `validation.queries` can time"
              + " queries on both sides");
    }
    if (root.path("business_continuity").has("critical_business_hours")) {
      not.add(
          "`business_continuity.critical_business_hours`: studio has no blackout setting; the"
              + " cutover window is where writes stop");
    }
    List<String> known =
        List.of(
            "type",
            "pattern",
            "source",
            "target",
            "description",
            "constraints",
            "tables_to_migrate",
            "schema_changes",
            "performance_requirements",
            "business_continuity");
    root.fieldNames()
        .forEachRemaining(
            f -> {
              if (!known.contains(f)) {
                not.add("`" + f + "`: unknown to the translation");
              }
            });
  }

  private static String join(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(a -> out.add(a.asText()));
    return String.join(", ", out);
  }

  private static ObjectNode connection(ConnectionSpec c) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("url", c.url());
    if (c.user() != null) {
      n.put("user", c.user());
    }
    if (c.password() != null) {
      n.put("password", c.password());
    }
    if (c.schema() != null) {
      n.put("schema", c.schema());
    }
    return n;
  }

  /** A spec id from the toolkit's source description: lower-case, dashes, at most 63. */
  static String id(JsonNode root) {
    String base =
        root.path("source")
            .asText("toolkit")
            .toLowerCase(Locale.ROOT)
            .replaceAll("[^a-z0-9]+", "-");
    base = base.replaceAll("^-+|-+$", "");
    if (base.isEmpty()) {
      base = "toolkit";
    }
    base = "plan-" + base;
    return base.length() > 63 ? base.substring(0, 63).replaceAll("-+$", "") : base;
  }
}
