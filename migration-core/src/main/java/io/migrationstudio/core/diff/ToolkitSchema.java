package io.migrationstudio.core.diff;

import com.fasterxml.jackson.databind.JsonNode;
import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the seed toolkit's JSON schema format ({@code migration-architect}'s {@code
 * database_schema_*.json}) as it is: {@code tables.NAME.columns.NAME} with {@code type}, {@code
 * length}, {@code nullable}, {@code default}, {@code primary_key}, {@code auto_increment}, {@code
 * unique}; {@code constraints} with {@code primary_key}, {@code unique} (a column, or a list of
 * columns), {@code foreign_key} ({@code columns}, {@code references: "table(col, ...)"}, {@code
 * on_delete}) and {@code check}; {@code indexes}; {@code views.NAME.definition/columns}; {@code
 * procedures[].name/definition}.
 *
 * <p>Types are spelled as PostgreSQL writes them ({@code varchar} with a length becomes {@code
 * character varying(n)}, {@code int} {@code integer}, {@code json} stays {@code json}); a default
 * is a literal unless it is a number, a boolean, NULL or a function ({@code CURRENT_TIMESTAMP}; its
 * MySQL {@code ON UPDATE CURRENT_TIMESTAMP} suffix has no PostgreSQL column equivalent and is
 * dropped from the default).
 */
public final class ToolkitSchema {
  private static final Pattern REFERENCES = Pattern.compile("\\s*([^()\\s]+)\\s*\\(([^)]*)\\)\\s*");

  private ToolkitSchema() {}

  /** Whether {@code root} looks like the toolkit's format (a {@code tables} object of objects). */
  public static boolean accepts(JsonNode root) {
    return root.path("tables").isObject() && !root.has("engine");
  }

  public static DiffSchema read(JsonNode root, String what) {
    Map<String, DiffSchema.Table> tables = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> t : root.path("tables").properties()) {
      tables.put(t.getKey(), table(t.getKey(), t.getValue(), what));
    }
    Map<String, DiffSchema.View> views = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> v : root.path("views").properties()) {
      List<String> cols = new ArrayList<>();
      v.getValue().path("columns").forEach(c -> cols.add(c.asText()));
      views.put(
          v.getKey(),
          new DiffSchema.View(
              v.getKey(), v.getValue().path("definition").asText(null), cols, List.of()));
    }
    Map<String, String> routines = new LinkedHashMap<>();
    for (JsonNode p : root.path("procedures")) {
      routines.put(p.path("name").asText(), p.path("definition").asText(""));
    }
    return new DiffSchema(root.path("database").asText(what), tables, views, routines);
  }

  private static DiffSchema.Table table(String name, JsonNode t, String what) {
    Map<String, DiffSchema.Col> cols = new LinkedHashMap<>();
    List<String> pk = new ArrayList<>();
    List<List<String>> uniques = new ArrayList<>();
    for (Map.Entry<String, JsonNode> e : t.path("columns").properties()) {
      JsonNode c = e.getValue();
      if (!c.path("type").isTextual()) {
        throw invalid(what, "column " + name + "." + e.getKey() + " has no type");
      }
      cols.put(
          e.getKey(),
          new DiffSchema.Col(
              e.getKey(),
              type(c.path("type").asText(), c.path("length")),
              c.path("nullable").asBoolean(true) && !c.path("primary_key").asBoolean(false),
              defaultOf(c.get("default")),
              c.path("auto_increment").asBoolean(false),
              false,
              null,
              null,
              null));
      if (c.path("primary_key").asBoolean(false)) {
        pk.add(e.getKey());
      }
      if (c.path("unique").asBoolean(false)) {
        uniques.add(List.of(e.getKey()));
      }
    }
    JsonNode k = t.path("constraints");
    if (k.path("primary_key").isArray()) {
      pk.clear();
      k.path("primary_key").forEach(c -> pk.add(c.asText()));
    }
    for (JsonNode u : k.path("unique")) {
      List<String> key = new ArrayList<>();
      if (u.isArray()) {
        u.forEach(c -> key.add(c.asText()));
      } else {
        key.add(u.asText());
      }
      uniques.add(key);
    }
    List<String> checks = new ArrayList<>();
    k.path("check").forEach(c -> checks.add(c.asText()));
    List<DiffSchema.Fk> fks = new ArrayList<>();
    for (JsonNode f : k.path("foreign_key")) {
      Matcher m = REFERENCES.matcher(f.path("references").asText(""));
      if (!m.matches()) {
        throw invalid(
            what,
            "foreign key of "
                + name
                + " references '"
                + f.path("references").asText("")
                + "', expected 'table(column, ...)'");
      }
      List<String> columns = new ArrayList<>();
      f.path("columns").forEach(c -> columns.add(c.asText()));
      List<String> refs = new ArrayList<>();
      for (String r : m.group(2).split(",")) {
        refs.add(r.trim());
      }
      fks.add(
          new DiffSchema.Fk(
              columns,
              m.group(1),
              refs,
              f.path("on_delete").asText("NO ACTION"),
              f.path("on_update").asText("NO ACTION")));
    }
    List<DiffSchema.Index> indexes = new ArrayList<>();
    for (JsonNode ix : t.path("indexes")) {
      List<String> columns = new ArrayList<>();
      ix.path("columns").forEach(c -> columns.add(c.asText()));
      indexes.add(
          new DiffSchema.Index(
              ix.path("name").asText(), columns, ix.path("unique").asBoolean(), null, null));
    }
    return new DiffSchema.Table(
        name, cols, pk, uniques, checks, fks, indexes, false, null, null, DiffSchema.Names.NONE);
  }

  static String type(String type, JsonNode length) {
    String t = type.trim().toLowerCase(Locale.ROOT);
    String base =
        switch (t) {
          case "varchar" -> "character varying";
          case "char" -> "character";
          case "int", "int4" -> "integer";
          case "int8" -> "bigint";
          case "int2" -> "smallint";
          case "bool" -> "boolean";
          case "datetime", "timestamp" -> "timestamp without time zone";
          case "timestamptz" -> "timestamp with time zone";
          case "double" -> "double precision";
          default -> t;
        };
    return length != null && length.canConvertToInt() ? base + "(" + length.asInt() + ")" : base;
  }

  static String defaultOf(JsonNode d) {
    if (d == null || d.isNull()) {
      return null;
    }
    if (d.isBoolean() || d.isNumber()) {
      return d.asText();
    }
    String s = d.asText().trim();
    String upper = s.toUpperCase(Locale.ROOT);
    if (upper.startsWith("CURRENT_TIMESTAMP")) {
      return "CURRENT_TIMESTAMP";
    }
    if (upper.equals("NULL") || upper.equals("TRUE") || upper.equals("FALSE") || s.endsWith(")")) {
      return s;
    }
    return "'" + s.replace("'", "''") + "'";
  }

  private static MigrationException invalid(String what, String problem) {
    return new MigrationException(
        ErrorCode.INVALID_SPEC, what + ": " + problem + "; fix the schema file");
  }
}
