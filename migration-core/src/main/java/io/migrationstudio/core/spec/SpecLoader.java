package io.migrationstudio.core.spec;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.spec.AssessmentOptions;
import io.migrationstudio.contracts.spec.ConnectionSpec;
import io.migrationstudio.contracts.spec.ConsumerWindow;
import io.migrationstudio.contracts.spec.CutoverOptions;
import io.migrationstudio.contracts.spec.CutoverWindow;
import io.migrationstudio.contracts.spec.EvidenceOptions;
import io.migrationstudio.contracts.spec.GateMode;
import io.migrationstudio.contracts.spec.MappingOptions;
import io.migrationstudio.contracts.spec.MigrateOptions;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.spec.QuerySpec;
import io.migrationstudio.contracts.spec.ReviewIdentity;
import io.migrationstudio.contracts.spec.ReviewPolicy;
import io.migrationstudio.contracts.spec.ScopeSpec;
import io.migrationstudio.contracts.spec.SwitchSpec;
import io.migrationstudio.contracts.spec.TypeRule;
import io.migrationstudio.contracts.spec.ValidationOptions;
import io.migrationstudio.core.assess.RiskCatalog;
import io.migrationstudio.core.canonical.ComparisonRule;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.identity.AllowedSigners;
import io.migrationstudio.core.identity.ApproverKeys;
import io.migrationstudio.core.mapping.TypeRules;
import io.migrationstudio.core.report.Json;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads {@code migration.yaml} (or the same document as JSON) and refuses it, listing every problem
 * at once, when it breaks a rule: unknown keys at any level, missing required keys, values out of
 * range or not among the allowed ones, literal passwords (the spec goes to git and to Temporal
 * history, so passwords must be {@code ${env:NAME}} or {@code ${file:/path}} references). Each
 * problem names the key path, the value and the rule.
 */
public final class SpecLoader {
  /** Migration ids: lower-case letters, digits and dashes, at most 63 characters. */
  public static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

  public static final int MAX_PARALLELISM = 64;
  public static final int MAX_CHUNK_ROWS = 1_000_000_000;

  /** The smallest {@code migrate.chunk_bytes}: below a few rows' worth, chunks are all overhead. */
  public static final long MIN_CHUNK_BYTES = 1024;

  /** The longest consumer sampling window: the assessment waits it out, so keep it a stage step. */
  public static final Duration MAX_CONSUMER_WINDOW = Duration.ofMinutes(10);

  /** The most looks in one consumer sampling window. */
  public static final int MAX_CONSUMER_SAMPLES = 100;

  static final List<String> NAMINGS = List.of("identity", "lower", "snake_case");
  static final List<String> STRATEGIES =
      List.of(MigrateOptions.STRATEGY_BULK, MigrateOptions.STRATEGY_ONLINE);
  static final List<String> FREEZES = List.of("source-read-only", "none");
  static final List<String> AFTER_DECOMMISSION =
      List.of(CutoverOptions.KEEP_FROZEN, CutoverOptions.RELEASE);
  static final List<String> ROLLBACKS =
      List.of(CutoverOptions.ROLLBACK_NONE, CutoverOptions.ROLLBACK_REVERSE);
  static final List<String> DRILLS =
      List.of(
          CutoverOptions.DRILL_AFTER_APPROVAL,
          CutoverOptions.DRILL_SEPARATE_GATE,
          CutoverOptions.DRILL_SKIP);
  static final List<String> FINAL_CHECKS =
      List.of(CutoverOptions.FINAL_CHECK_CHANGED, CutoverOptions.FINAL_CHECK_FULL);
  static final List<String> SWITCHES =
      List.of(SwitchSpec.NONE, SwitchSpec.CONFIG_FILE, SwitchSpec.COMMAND, SwitchSpec.PGBOUNCER);
  static final List<String> GATES = List.of("auto", "ask", "external");
  static final List<String> IDENTITIES = List.of("ssh", "none");
  static final List<String> TARGET_NOT_EMPTY =
      List.of(MigrateOptions.TARGET_NOT_EMPTY_FAIL, MigrateOptions.TARGET_NOT_EMPTY_REPLACE);
  private static final int MAX_SHOWN = 80;

  private SpecLoader() {}

  /**
   * Parses and validates a spec. Throws {@link SpecException} (code INVALID_SPEC) listing every
   * problem; gate/approver coherence is checked separately by {@link #problemsForGates}.
   */
  public static MigrationSpec parse(String text) {
    return parse(text, Dialects.all());
  }

  /** As {@link #parse(String)} with the given dialects deciding which JDBC URLs are supported. */
  static MigrationSpec parse(String text, List<Dialect> dialects) {
    JsonNode root = readTree(text);
    List<SpecProblem> problems = new Checker(dialects).check(root);
    if (!problems.isEmpty()) {
      throw new SpecException(problems);
    }
    try {
      return Json.yamlMapper().treeToValue(root, MigrationSpec.class);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new SpecException(
          List.of(
              new SpecProblem(
                  "",
                  "(document)",
                  "cannot be bound to a migration spec: "
                      + MigrationException.redact(shorten(e.getMessage())))));
    }
  }

  /**
   * Gates that could never open: an {@code external} gate accepts only approvers listed for that
   * very stage, so one with an empty list would wait forever. The CLI skips stages its {@code
   * --auto-approve} covers.
   */
  public static List<SpecProblem> problemsForGates(MigrationSpec spec, Set<Stage> autoApproved) {
    List<SpecProblem> problems = new ArrayList<>();
    for (Stage stage : Stage.values()) {
      if (spec.reviews().gate(stage) == GateMode.EXTERNAL
          && !autoApproved.contains(stage)
          && spec.approvers().forStage(stage).isEmpty()) {
        problems.add(
            new SpecProblem(
                "reviews." + stage.key(),
                "external",
                "an external gate opens only for approvers listed under approvers."
                    + stage.key()
                    + " and none is listed; list one, choose ask or auto, or auto-approve the"
                    + " stage"));
      }
    }
    return List.copyOf(problems);
  }

  /** {@link #problemsForGates(MigrationSpec, Set)} with no stage auto-approved. */
  public static List<SpecProblem> problemsForGates(MigrationSpec spec) {
    return problemsForGates(spec, Set.of());
  }

  /**
   * Reads a spec file as UTF-8, refusing (INVALID_SPEC) a file that is not: the problem names the
   * first invalid byte, its offset, line and column, and what to do. A relative {@code
   * mapping.overrides} that names a file next to the spec is made absolute (see {@link
   * #withOverridesRelativeTo}), so it means the same in every process that reads the spec.
   */
  public static String read(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new SpecException(
          List.of(
              new SpecProblem(
                  "",
                  file.toString(),
                  "cannot be read ("
                      + e.getClass().getSimpleName()
                      + (e.getMessage() == null ? "" : ": " + e.getMessage())
                      + "); check the path and its permissions")));
    }
    Path dir = file.toAbsolutePath().getParent();
    String text = decode(bytes, file.toString());
    return dir == null
        ? text
        : withPathRelativeTo(withOverridesRelativeTo(text, dir), dir, "reviews", "allowed_signers");
  }

  /**
   * The spec text with a relative {@code mapping.overrides} replaced by the absolute path of the
   * file it names in {@code specDir}, when that file exists; otherwise (absolute, missing, a path
   * on the migration branch, a value written more than once) the text unchanged. Only that one
   * value changes: the rest of the file stays as written.
   */
  public static String withOverridesRelativeTo(String text, Path specDir) {
    return withPathRelativeTo(text, specDir, "mapping", "overrides");
  }

  /**
   * As {@link #withOverridesRelativeTo} for the path at {@code section.key} (also {@code
   * reviews.allowed_signers}).
   */
  static String withPathRelativeTo(String text, Path specDir, String section, String key) {
    JsonNode root;
    try {
      root = readTree(text);
    } catch (SpecException e) {
      return text; // refused with every problem when it is parsed
    }
    JsonNode o = root.path(section).path(key);
    if (!o.isTextual() || o.textValue().isBlank()) {
      return text;
    }
    String value = o.textValue();
    Path given;
    try {
      given = Path.of(value);
    } catch (java.nio.file.InvalidPathException e) {
      return text;
    }
    Path resolved = specDir.resolve(given).normalize();
    if (given.isAbsolute() || !Files.isRegularFile(resolved)) {
      return text;
    }
    String q = Pattern.quote(value);
    java.util.regex.Matcher m =
        Pattern.compile(
                "(\"?"
                    + Pattern.quote(key)
                    + "\"?\\s*:\\s*)(\""
                    + q
                    + "\"|'"
                    + q
                    + "'|"
                    + q
                    + ")(?=\\s*(?:[,}#\\r\\n]|$))")
            .matcher(text);
    if (!m.find()) {
      return text;
    }
    int start = m.start(2);
    int end = m.end(2);
    if (m.find()) {
      return text;
    }
    String quoted = "\"" + resolved.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    return text.substring(0, start) + quoted + text.substring(end);
  }

  /** {@link #read(Path)} for bytes already read; {@code name} names the file in problems. */
  public static String decode(byte[] bytes, String name) {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length + 1);
    CoderResult result = decoder.decode(in, out, true);
    if (!result.isError()) {
      result = decoder.flush(out);
    }
    if (result.isError()) {
      int offset = in.position();
      int line = 1;
      int lineStart = 0;
      for (int i = 0; i < offset; i++) {
        if (bytes[i] == '\n') {
          line++;
          lineStart = i + 1;
        }
      }
      throw new SpecException(
          List.of(
              new SpecProblem(
                  "",
                  name,
                  String.format(
                      Locale.ROOT,
                      "is not valid UTF-8: byte 0x%02X at byte offset %d (line %d, byte %d of"
                          + " the line) %s; save the file as UTF-8",
                      bytes[offset] & 0xff,
                      offset,
                      line,
                      offset - lineStart + 1,
                      result.isMalformed()
                          ? "does not start or continue a UTF-8 sequence"
                          : "is not a character"))));
    }
    out.flip();
    return out.toString();
  }

  /** The spec as canonical YAML (every default spelled out, byte-stable). */
  public static String render(MigrationSpec spec) {
    return Json.writeYaml(spec);
  }

  private static JsonNode readTree(String text) {
    if (text == null || text.isBlank()) {
      throw new SpecException(
          List.of(new SpecProblem("", "(empty)", "the spec is empty; expected a YAML document")));
    }
    // JSON is read as JSON: a YAML parser would refuse tab indentation that JSON allows
    ObjectMapper mapper = text.strip().startsWith("{") ? Json.mapper() : Json.yamlMapper();
    try {
      JsonNode root =
          mapper.reader().with(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY).readTree(text);
      if (root == null || !root.isObject()) {
        throw new SpecException(
            List.of(
                new SpecProblem(
                    "", shown(root), "the spec must be a mapping of keys (id, source, ...)")));
      }
      return root;
    } catch (JsonProcessingException e) {
      String where =
          e.getLocation() == null
              ? ""
              : " at line "
                  + e.getLocation().getLineNr()
                  + ", column "
                  + e.getLocation().getColumnNr();
      throw new SpecException(
          List.of(
              new SpecProblem(
                  "",
                  "(document)",
                  "is not valid YAML or JSON"
                      + where
                      + ": "
                      + MigrationException.redact(shorten(e.getOriginalMessage())))));
    }
  }

  /** The keys a record accepts: its components, renamed by {@code @JsonProperty}. */
  static Set<String> knownKeys(Class<? extends Record> type) {
    Set<String> keys = new LinkedHashSet<>();
    for (RecordComponent c : type.getRecordComponents()) {
      JsonProperty p = c.getAccessor().getAnnotation(JsonProperty.class);
      keys.add(p != null && !p.value().isEmpty() ? p.value() : c.getName());
    }
    return keys;
  }

  private static String shown(JsonNode node) {
    if (node == null || node.isMissingNode()) {
      return "(missing)";
    }
    return shorten(node.isTextual() ? node.textValue() : node.toString());
  }

  private static String shorten(String s) {
    if (s == null) {
      return "";
    }
    String one = s.replace('\n', ' ').replace('\r', ' ');
    return one.length() <= MAX_SHOWN ? one : one.substring(0, MAX_SHOWN) + "...";
  }

  /** Walks the tree once, collecting problems; never stops at the first. */
  private static final class Checker {
    private final List<Dialect> dialects;
    private final List<SpecProblem> problems = new ArrayList<>();

    Checker(List<Dialect> dialects) {
      this.dialects = dialects;
    }

    List<SpecProblem> check(JsonNode root) {
      keys(root, "", knownKeys(MigrationSpec.class));
      String id = text(root, "id", true);
      if (id != null && !ID.matcher(id).matches()) {
        problem(
            "id",
            id,
            "must be 1-63 lower-case letters, digits or dashes, starting with a letter or digit");
      }
      text(root, "title", false);
      connection(root, "source");
      connection(root, "target");
      scope(section(root, "scope", ScopeSpec.class));
      assessment(section(root, "assessment", AssessmentOptions.class));
      mapping(section(root, "mapping", MappingOptions.class));
      migrate(section(root, "migrate", MigrateOptions.class));
      onlineSource(root);
      validation(section(root, "validation", ValidationOptions.class));
      cutover(section(root, "cutover", CutoverOptions.class));
      rollback(root);
      reviews(section(root, "reviews", ReviewPolicy.class));
      approvers(root);
      identity(root.get("reviews"), root.get("approvers"));
      return List.copyOf(problems);
    }

    private void assessment(JsonNode a) {
      if (a == null) {
        return;
      }
      for (String key : List.of("checks", "skip_checks")) {
        JsonNode list = a.get(key);
        if (absent(list)) {
          continue;
        }
        if (!list.isArray()) {
          problem("assessment." + key, shown(list), "must be a list of risk check keys");
          continue;
        }
        for (JsonNode k : list) {
          if (!k.isTextual() || !RiskCatalog.keys().contains(k.asText())) {
            problem(
                "assessment." + key,
                shown(k),
                "is not a risk check key; known keys are listed in docs/risk-checks.md");
          }
        }
      }
      consumerWindow(section(a, "assessment", "consumer_window", ConsumerWindow.class));
    }

    private void consumerWindow(JsonNode w) {
      if (w == null) {
        return;
      }
      String path = "assessment.consumer_window";
      range(w, path, "samples", 1, MAX_CONSUMER_SAMPLES);
      String value = text(w, path, "duration", false);
      if (value == null) {
        return;
      }
      try {
        Duration d = Duration.parse(value);
        if (d.isNegative() || d.compareTo(MAX_CONSUMER_WINDOW) > 0) {
          problem(
              path + ".duration",
              value,
              "must be a duration from PT0S (a single look) to " + MAX_CONSUMER_WINDOW);
        } else if (d.isZero()
            && w.has("samples")
            && w.get("samples").canConvertToInt()
            && w.get("samples").intValue() > 1) {
          problem(
              path + ".samples",
              shown(w.get("samples")),
              "a window of PT0S takes a single look; set samples: 1 or a duration > PT0S");
        }
      } catch (DateTimeParseException e) {
        problem(path + ".duration", value, "must be an ISO-8601 duration such as PT2S or PT1M");
      }
    }

    private void connection(JsonNode root, String key) {
      JsonNode node = root.get(key);
      if (absent(node)) {
        problem(key + ".url", "(missing)", "is required: the JDBC URL of the " + key);
        return;
      }
      JsonNode c = section(root, key, ConnectionSpec.class);
      if (c == null) {
        return;
      }
      String url = text(c, key, "url", true);
      if (url != null) {
        String redacted = MigrationException.redact(url);
        if (!url.startsWith("jdbc:")) {
          problem(key + ".url", redacted, "must be a JDBC URL starting with jdbc:");
        } else if (dialects.stream().noneMatch(d -> d.accepts(url))) {
          problem(
              key + ".url",
              redacted,
              "no dialect accepts this URL; supported: "
                  + dialects.stream().map(Dialect::name).toList());
        } else if (key.equals("target")
            && dialects.stream().filter(d -> d.accepts(url)).noneMatch(Dialect::canBeTarget)) {
          problem(
              key + ".url",
              redacted,
              "the target must be PostgreSQL (jdbc:postgresql://host:port/database); "
                  + dialects.stream()
                      .filter(d -> d.accepts(url))
                      .map(Dialect::name)
                      .findFirst()
                      .orElse("this engine")
                  + " is supported as a source only. Migrate into a PostgreSQL database, or use"
                  + " this database as the source");
        }
        List<String> credentials = UrlCredentials.find(url);
        if (!credentials.isEmpty()) {
          problem(
              key + ".url",
              MigrationException.redact(url),
              "must not carry a credential (found "
                  + String.join(", ", credentials)
                  + "; it would be committed to git and logged); remove it and use the password"
                  + " key with a ${env:NAME} or ${file:/path} reference");
        }
      }
      text(c, key, "user", false);
      text(c, key, "schema", false);
      JsonNode password = c.get("password");
      // an empty password (trust authentication) is no secret; anything else must be a reference
      if (!absent(password)
          && !(password.isTextual()
              && (password.textValue().isEmpty()
                  || SecretResolver.isReference(password.textValue())))) {
        problem(
            key + ".password",
            "***",
            "must be a ${env:NAME} or ${file:/path} reference: a literal password would enter"
                + " git and Temporal history");
      }
    }

    private void scope(JsonNode scope) {
      if (scope != null) {
        stringList(scope.get("include"), "scope.include");
        stringList(scope.get("exclude"), "scope.exclude");
      }
    }

    private void mapping(JsonNode m) {
      if (m != null) {
        oneOf(m, "mapping", "naming", NAMINGS);
        text(m, "mapping", "overrides", false);
        typeRules(m.get("type_rules"));
        JsonNode privileges = m.get("carry_privileges");
        if (!absent(privileges) && !privileges.isBoolean()) {
          problem("mapping.carry_privileges", shown(privileges), "must be true or false");
        }
        JsonNode evidence = section(m, "mapping", "evidence", EvidenceOptions.class);
        if (evidence != null) {
          stringList(evidence.get("plain"), "mapping.evidence.plain");
        }
      }
    }

    /**
     * {@code mapping.type_rules}: see {@link TypeRule}; every entry checked, every problem kept.
     */
    private void typeRules(JsonNode rules) {
      if (absent(rules)) {
        return;
      }
      if (!rules.isArray()) {
        problem(
            "mapping.type_rules",
            shown(rules),
            "must be a list of {match: {source_type, table, column}, target_type} entries");
        return;
      }
      for (int i = 0; i < rules.size(); i++) {
        String path = "mapping.type_rules[" + i + "]";
        JsonNode r = rules.get(i);
        if (!r.isObject()) {
          problem(path, shown(r), "must be a mapping with match and target_type");
          continue;
        }
        keys(r, path, knownKeys(TypeRule.class));
        JsonNode match = section(r, path, "match", TypeRule.Match.class);
        if (absent(r.get("match"))) {
          problem(
              path + ".match",
              "(missing)",
              "is required: which columns the rule covers (source_type, table, column globs)");
        } else if (match != null) {
          int stated = 0;
          for (String key : knownKeys(TypeRule.Match.class)) {
            String glob = text(match, path + ".match", key, false);
            if (glob != null) {
              stated++;
              if (glob.isBlank()) {
                problem(path + ".match." + key, "\"\"", "must be a non-empty glob (* matches all)");
              }
            }
          }
          if (stated == 0) {
            problem(
                path + ".match",
                "{}",
                "must state at least one of source_type, table, column (a rule for every column"
                    + " would replace the whole catalogue)");
          }
        }
        String type = text(r, path, "target_type", true);
        boolean timestamptz = false;
        if (type != null && !type.isBlank()) {
          String canonical = TypeRules.canonicalOf(type);
          if (canonical == null) {
            problem(
                path + ".target_type",
                type,
                "is not a PostgreSQL type the studio can write (e.g. smallint, text,"
                    + " character varying(40), numeric(10,2), timestamptz, text[])");
          }
          timestamptz = "TIMESTAMPTZ".equals(canonical);
        }
        String zone = text(r, path, "time_zone", false);
        if (zone != null) {
          try {
            if (java.time.ZoneId.of(zone) instanceof java.time.ZoneOffset) {
              throw new java.time.DateTimeException("an offset, not a zone");
            }
            if (type != null && !timestamptz) {
              problem(
                  path + ".time_zone",
                  zone,
                  "applies only to a timestamptz target_type (the zone zone-less source"
                      + " timestamps were written in); remove it or change target_type");
            }
          } catch (java.time.DateTimeException e) {
            problem(
                path + ".time_zone",
                zone,
                "must be a time-zone region id such as UTC or Europe/Berlin (not an offset)");
          }
        }
        text(r, path, "reason", false);
      }
    }

    private void migrate(JsonNode m) {
      if (m != null) {
        oneOf(m, "migrate", "strategy", STRATEGIES);
        range(m, "migrate", "parallelism", 1, MAX_PARALLELISM);
        range(m, "migrate", "chunk_rows", 1, MAX_CHUNK_ROWS);
        range(m, "migrate", "chunk_bytes", MIN_CHUNK_BYTES, Long.MAX_VALUE);
        range(m, "migrate", "reject_limit", 0, Long.MAX_VALUE);
        JsonNode dry = m.get("dry_run");
        if (!absent(dry) && !dry.isBoolean()) {
          problem("migrate.dry_run", shown(dry), "must be true or false");
        }
        range(m, "migrate", "max_rows_per_second", 1, Long.MAX_VALUE);
        oneOf(m, "migrate", "target_not_empty", TARGET_NOT_EMPTY);
        duration(m, "migrate", "max_lag");
        range(m, "migrate", "max_retained_wal_bytes", 1, Long.MAX_VALUE);
        JsonNode guard =
            section(
                m,
                "migrate",
                "source_load_guard",
                io.migrationstudio.contracts.spec.SourceLoadGuard.class);
        if (guard != null) {
          if (absent(guard.get("max_active_sessions"))) {
            problem("migrate.source_load_guard.max_active_sessions", "(missing)", "is required");
          }
          range(guard, "migrate.source_load_guard", "max_active_sessions", 0, Integer.MAX_VALUE);
          duration(guard, "migrate.source_load_guard", "backoff");
        }
      }
    }

    /**
     * {@code strategy: online} follows the source's change log, so the source's dialect must offer
     * change capture ({@link Dialect#changeCapture()}); otherwise the problem names the engine and
     * the alternatives.
     */
    private void onlineSource(JsonNode root) {
      JsonNode strategy = root.path("migrate").path("strategy");
      JsonNode url = root.path("source").path("url");
      if (!strategy.isTextual()
          || !MigrateOptions.STRATEGY_ONLINE.equals(strategy.textValue())
          || !url.isTextual()) {
        return;
      }
      Dialect source =
          dialects.stream().filter(d -> d.accepts(url.textValue())).findFirst().orElse(null);
      if (source == null || source.changeCapture().isPresent()) {
        return; // an unknown URL is a problem of its own
      }
      List<String> capturing =
          dialects.stream().filter(d -> d.changeCapture().isPresent()).map(Dialect::name).toList();
      problem(
          "migrate.strategy",
          MigrateOptions.STRATEGY_ONLINE,
          "needs change capture from the source, and the source engine "
              + source.name()
              + " offers none (it has no change log the studio can follow). Use strategy bulk"
              + " and stop writes to the source before Migrate starts"
              + (capturing.isEmpty()
                  ? ""
                  : ", or migrate from an engine with change capture: "
                      + String.join(", ", capturing)));
    }

    private void validation(JsonNode v) {
      if (v == null) {
        return;
      }
      range(v, "validation", "sample_rows", 0, Integer.MAX_VALUE);
      JsonNode repair = v.get("repair");
      if (!absent(repair) && !repair.isBoolean()) {
        problem("validation.repair", shown(repair), "must be true or false");
      }
      JsonNode full = v.get("full");
      if (!absent(full) && !full.isBoolean()) {
        problem("validation.full", shown(full), "must be true or false");
      }
      JsonNode tolerance = v.get("latency_tolerance");
      if (!absent(tolerance) && (!tolerance.isNumber() || tolerance.doubleValue() < 0)) {
        problem(
            "validation.latency_tolerance",
            shown(tolerance),
            "must be a number >= 0 (0.10 = the target may be 10 % slower)");
      }
      JsonNode queries = v.get("queries");
      if (absent(queries)) {
        return;
      }
      if (!queries.isArray()) {
        problem("validation.queries", shown(queries), "must be a list of {name, sql} entries");
        return;
      }
      for (int i = 0; i < queries.size(); i++) {
        String path = "validation.queries[" + i + "]";
        JsonNode q = queries.get(i);
        if (!q.isObject()) {
          problem(path, shown(q), "must be a mapping with name and sql");
          continue;
        }
        keys(q, path, knownKeys(QuerySpec.class));
        text(q, path, "name", true);
        String sql = text(q, path, "sql", false);
        String sourceSql = text(q, path, "source_sql", false);
        String targetSql = text(q, path, "target_sql", false);
        if (sql == null && (sourceSql == null || targetSql == null)) {
          problem(
              path + ".sql",
              "(missing)",
              "is required unless both source_sql and target_sql are given");
        }
        compareRules(q.get("compare"), path + ".compare");
        readOnly(path, "sql", sql);
        readOnly(path, "source_sql", sourceSql);
        readOnly(path, "target_sql", targetSql);
      }
    }

    /** A validation query must only read: refused here, before anything runs. */
    private void readOnly(String path, String key, String sql) {
      if (sql != null) {
        io.migrationstudio.core.dialect.ReadOnlySql.refusal(sql)
            .ifPresent(why -> problem(path + "." + key, shorten(sql), "must only read: " + why));
      }
    }

    /** A query's {@code compare}: result column → comparison rule (the mapping's rule keys). */
    private void compareRules(JsonNode compare, String path) {
      if (absent(compare)) {
        return;
      }
      if (!compare.isObject()) {
        problem(path, shown(compare), "must map result column names to comparison rules");
        return;
      }
      for (var it = compare.fields(); it.hasNext(); ) {
        var e = it.next();
        String where = path + "." + e.getKey();
        if (!e.getValue().isObject()) {
          problem(where, shown(e.getValue()), "must be a rule such as {tolerance: 0.01}");
          continue;
        }
        keys(e.getValue(), where, knownKeys(ComparisonRule.class));
        ComparisonRule rule;
        try {
          rule = Json.mapper().convertValue(e.getValue(), ComparisonRule.class);
        } catch (IllegalArgumentException ex) {
          problem(where, shown(e.getValue()), "is not a comparison rule (numbers, text, booleans)");
          continue;
        }
        for (String p : rule.problems(where, rule.impliedKind())) {
          problem(where, shown(e.getValue()), p.substring(where.length() + 2));
        }
      }
    }

    private void cutover(JsonNode c) {
      if (c == null) {
        return;
      }
      window(c.get("window"));
      duration(c, "cutover", "rto");
      duration(c, "cutover", "max_validation_age");
      duration(c, "cutover", "max_lag");
      hypercare(c);
      oneOf(c, "cutover", "after_decommission", AFTER_DECOMMISSION);
      oneOf(c, "cutover", "freeze", FREEZES);
      oneOf(c, "cutover", "rollback", ROLLBACKS);
      oneOf(c, "cutover", "drill", DRILLS);
      oneOf(c, "cutover", "final_check", FINAL_CHECKS);
      switchTo(section(c, "cutover", "switch", SwitchSpec.class));
    }

    /**
     * {@code cutover.rollback: reverse} starts the reverse stream at a live cutover's switch, so it
     * needs {@code migrate.strategy: online} (a bulk cutover has no stream to switch from).
     */
    private void rollback(JsonNode root) {
      JsonNode rollback = root.path("cutover").path("rollback");
      if (rollback.isTextual()
          && CutoverOptions.ROLLBACK_REVERSE.equals(rollback.textValue())
          && !MigrateOptions.STRATEGY_ONLINE.equals(
              root.path("migrate").path("strategy").asText())) {
        problem(
            "cutover.rollback",
            CutoverOptions.ROLLBACK_REVERSE,
            "needs migrate.strategy: online (the reverse stream starts at the live cutover's"
                + " switch); use rollback: none, or strategy online");
      }
    }

    /**
     * {@code cutover.window}: an instant, or {@code { start, end, zone, after_end }} (daily with
     * times of day, once with date-times); every broken rule listed with its key.
     */
    private void window(JsonNode w) {
      if (absent(w)) {
        return;
      }
      CutoverWindow window;
      if (w.isTextual()) {
        window = CutoverWindow.at(w.textValue());
        if (window == null) {
          return;
        }
      } else if (w.isObject()) {
        keys(w, "cutover.window", Set.of("start", "end", "zone", "after_end"));
        for (Map.Entry<String, JsonNode> e : w.properties()) {
          if (!e.getValue().isTextual() && !e.getValue().isNull()) {
            problem(
                "cutover.window." + e.getKey(),
                shown(e.getValue()),
                "must be text; quote times and dates (start: \"02:00\")");
            return;
          }
        }
        if (text(w, "cutover.window", "start", true) == null) {
          return;
        }
        window =
            new CutoverWindow(
                w.get("start").textValue(),
                textOrNull(w.get("end")),
                textOrNull(w.get("zone")),
                textOrNull(w.get("after_end")));
      } else {
        problem(
            "cutover.window",
            shown(w),
            "must be null, an ISO-8601 instant such as 2026-12-05T22:00:00Z, or a mapping"
                + " { start, end, zone, after_end }");
        return;
      }
      for (String p : window.problems()) {
        int colon = p.indexOf(": ");
        String key = p.substring(0, colon);
        JsonNode value = w.isObject() ? w.get(key.substring(key.lastIndexOf('.') + 1)) : w;
        problem(
            key,
            value == null || value.isNull()
                ? "(missing)"
                : value.isTextual() ? value.textValue() : shown(value),
            p.substring(colon + 2));
      }
    }

    private static String textOrNull(JsonNode n) {
      return n == null || n.isNull() ? null : n.textValue();
    }

    /** {@code cutover.switch}: what each type needs; secrets never on a command line. */
    private void switchTo(JsonNode sw) {
      if (sw == null) {
        return;
      }
      String p = "cutover.switch";
      String type = oneOf(sw, p, "type", SWITCHES);
      String path = text(sw, p, "path", false);
      duration(sw, p, "timeout");
      List<String> command = argv(sw, "command");
      argv(sw, "rollback_command");
      if (SwitchSpec.CONFIG_FILE.equals(type) && (path == null || path.isBlank())) {
        problem(
            p + ".path",
            "(missing)",
            "is required when switch type is config-file: the file the target's connection"
                + " settings are written to");
      }
      if (SwitchSpec.COMMAND.equals(type) && command == null && absent(sw.get("command"))) {
        problem(
            p + ".command",
            "(missing)",
            "is required when switch type is command: the hook to run, as a list such as"
                + " [/usr/local/bin/repoint-app, --wait]; it gets the old and new connection in"
                + " STUDIO_OLD_*/STUDIO_NEW_* environment variables");
      }
      if (SwitchSpec.PGBOUNCER.equals(type)) {
        pgbouncer(sw, p);
      }
    }

    private void pgbouncer(JsonNode sw, String p) {
      for (String key : List.of("database", "ini")) {
        if (text(sw, p, key, false) == null) {
          problem(
              p + "." + key,
              "(missing)",
              "is required when switch type is pgbouncer: "
                  + (key.equals("database")
                      ? "the database name the applications use in PgBouncer's [databases]"
                      : "the path of the pgbouncer.ini whose [databases] entry is repointed"));
        }
      }
      String entry = text(sw, p, "entry", false);
      if (entry != null && !UrlCredentials.find(entry).isEmpty()) {
        problem(
            p + ".entry",
            "***",
            "must not carry a password: PgBouncer takes it from its auth_file or auth_query");
      }
      JsonNode admin = section(sw, p, "admin", ConnectionSpec.class);
      if (admin == null) {
        problem(
            p + ".admin",
            "(missing)",
            "is required when switch type is pgbouncer: { url:"
                + " jdbc:postgresql://HOST:PORT/pgbouncer, user: <one of PgBouncer's admin_users>,"
                + " password: ${env:NAME} }");
        return;
      }
      String url = text(admin, p + ".admin", "url", true);
      if (url != null) {
        if (!url.startsWith("jdbc:postgresql:")) {
          problem(
              p + ".admin.url",
              MigrationException.redact(url),
              "must be a PostgreSQL JDBC URL of PgBouncer's admin database, such as"
                  + " jdbc:postgresql://127.0.0.1:6432/pgbouncer");
        } else if (!url.matches("jdbc:postgresql://[^/?]*/pgbouncer([?].*)?")) {
          problem(
              p + ".admin.url",
              MigrationException.redact(url),
              "must name PgBouncer's admin database pgbouncer (…:6432/pgbouncer)");
        }
        if (!UrlCredentials.find(url).isEmpty()) {
          problem(
              p + ".admin.url",
              MigrationException.redact(url),
              "must not carry a credential; use the password key with a ${env:NAME} or"
                  + " ${file:/path} reference");
        }
      }
      text(admin, p + ".admin", "user", true);
      JsonNode password = admin.get("password");
      if (!absent(password)
          && !(password.isTextual()
              && (password.textValue().isEmpty()
                  || SecretResolver.isReference(password.textValue())))) {
        problem(
            p + ".admin.password",
            "***",
            "must be a ${env:NAME} or ${file:/path} reference: a literal password would enter"
                + " git and Temporal history");
      }
    }

    /**
     * A hook's argv: a non-empty list of non-empty strings, none of them a secret (passwords reach
     * the hook through its environment only: a command line is visible to every user of the host);
     * null when absent or invalid.
     */
    private List<String> argv(JsonNode sw, String key) {
      String path = "cutover.switch." + key;
      JsonNode node = sw.get(key);
      if (absent(node)) {
        return null;
      }
      if (!node.isArray() || node.isEmpty()) {
        problem(
            path,
            shown(node),
            "must be a non-empty list: the program and its arguments, run without a shell");
        return null;
      }
      List<String> out = new ArrayList<>();
      for (int i = 0; i < node.size(); i++) {
        JsonNode item = node.get(i);
        if (!item.isTextual() || item.textValue().isBlank()) {
          problem(path + "[" + i + "]", shown(item), "must be a non-empty string");
          return null;
        }
        String arg = item.textValue();
        if (arg.contains("${env:")
            || arg.contains("${file:")
            || !UrlCredentials.find(arg).isEmpty()) {
          problem(
              path + "[" + i + "]",
              "***",
              "must not carry a secret: a command line is visible to every user of the host; the"
                  + " hook gets the passwords in STUDIO_OLD_PASSWORD and STUDIO_NEW_PASSWORD");
          return null;
        }
        out.add(arg);
      }
      return out;
    }

    private void reviews(JsonNode r) {
      if (r == null) {
        return;
      }
      for (Stage stage : Stage.values()) {
        oneOf(r, "reviews", stage.key(), GATES);
      }
      oneOf(r, "reviews", "identity", IDENTITIES);
      stringList(r.get("signers"), "reviews.signers");
      text(r, "reviews", "allowed_signers", false);
    }

    /**
     * The approvers' keys ({@code reviews.signers}, {@code reviews.allowed_signers}): every line
     * parses, a principal is listed once, and with {@code identity: ssh} (the default) every
     * approver has a key.
     */
    private void identity(JsonNode r, JsonNode approvers) {
      // read leniently: a value of the wrong shape is reported by reviews()
      JsonNode reviews = r == null || !r.isObject() ? Json.mapper().createObjectNode() : r;
      List<String> signers = new ArrayList<>();
      if (reviews.path("signers").isArray()) {
        reviews.path("signers").forEach(n -> signers.add(n.isTextual() ? n.textValue() : ""));
      }
      JsonNode file = reviews.path("allowed_signers");
      ReviewPolicy policy =
          new ReviewPolicy(
              null,
              null,
              null,
              null,
              null,
              "none".equals(reviews.path("identity").asText()) ? ReviewIdentity.NONE : null,
              signers,
              file.isTextual() && !file.textValue().isBlank() ? file.textValue() : null,
              null);
      AllowedSigners.Parsed keys = ApproverKeys.of(policy);
      for (String p : keys.problems()) {
        boolean inline = p.startsWith("reviews.signers[");
        problem(
            inline ? p.substring(0, p.indexOf(':')) : "reviews.allowed_signers",
            inline ? "(line)" : policy.allowedSigners(),
            inline ? p.substring(p.indexOf(':') + 2) : p);
      }
      keys.duplicates()
          .forEach(
              (who, where) ->
                  problem(
                      "reviews.signers",
                      who,
                      "principal listed on more than one line ("
                          + String.join(", ", where)
                          + "); list each approver once, with the one key that signs"));
      if (!policy.signed() || approvers == null || !approvers.isObject()) {
        return;
      }
      Set<String> reported = new LinkedHashSet<>();
      for (Map.Entry<String, JsonNode> e : approvers.properties()) {
        boolean known =
            e.getKey().equals("default")
                || Arrays.stream(Stage.values()).anyMatch(st -> st.key().equals(e.getKey()));
        if (!known || !e.getValue().isArray()) {
          continue; // reported by approvers()
        }
        for (JsonNode who : e.getValue()) {
          String name = who.asText();
          if (who.isTextual() && keys.forPrincipal(name).isEmpty() && reported.add(name)) {
            problem(
                "approvers." + e.getKey(),
                name,
                "has no key: reviews.identity is ssh (the default), so every approver signs"
                    + " reviews with a key listed under reviews.signers or in"
                    + " reviews.allowed_signers; add the line '"
                    + name
                    + " ssh-ed25519 AAAA...' (the content of their .pub file) there, or set"
                    + " reviews.identity: none where unsigned reviews are acceptable (a demo)");
          }
        }
      }
    }

    private void approvers(JsonNode root) {
      JsonNode a = root.get("approvers");
      if (absent(a)) {
        return;
      }
      if (!a.isObject()) {
        problem("approvers", shown(a), "must be a mapping of default or a stage to reviewer lists");
        return;
      }
      Set<String> allowed = new LinkedHashSet<>();
      allowed.add("default");
      Arrays.stream(Stage.values()).map(Stage::key).forEach(allowed::add);
      for (Map.Entry<String, JsonNode> e : a.properties()) {
        String path = "approvers." + e.getKey();
        if (!allowed.contains(e.getKey())) {
          problem(path, shown(e.getValue()), "unknown key; expected one of " + allowed);
        } else {
          stringList(e.getValue(), path);
        }
      }
    }

    // ------------------------------------------------------------ generic rules

    private void keys(JsonNode node, String path, Set<String> known) {
      Iterator<String> names = node.fieldNames();
      while (names.hasNext()) {
        String name = names.next();
        if (!known.contains(name)) {
          String full = path.isEmpty() ? name : path + "." + name;
          JsonNode value = node.get(name);
          problem(
              full,
              name.toLowerCase(java.util.Locale.ROOT).contains("password") ? "***" : shown(value),
              "unknown key; expected one of " + known);
        }
      }
    }

    /** A nested record section: checked for unknown keys; null when absent or not a mapping. */
    private JsonNode section(JsonNode parent, String key, Class<? extends Record> type) {
      return section(parent, "", key, type);
    }

    private JsonNode section(
        JsonNode parent, String parentPath, String key, Class<? extends Record> type) {
      String path = parentPath.isEmpty() ? key : parentPath + "." + key;
      JsonNode node = parent.get(key);
      if (absent(node)) {
        return null;
      }
      if (!node.isObject()) {
        problem(path, shown(node), "must be a mapping with keys " + knownKeys(type));
        return null;
      }
      keys(node, path, knownKeys(type));
      return node;
    }

    private String text(JsonNode parent, String key, boolean required) {
      return text(parent, "", key, required);
    }

    private String text(JsonNode parent, String parentPath, String key, boolean required) {
      String path = parentPath.isEmpty() ? key : parentPath + "." + key;
      JsonNode node = parent.get(key);
      if (absent(node)) {
        if (required) {
          problem(path, "(missing)", "is required");
        }
        return null;
      }
      if (!node.isValueNode()) {
        problem(path, shown(node), "must be a single value, not a list or mapping");
        return null;
      }
      String value = node.asText();
      if (required && value.isBlank()) {
        problem(path, "\"\"", "is required and must not be empty");
        return null;
      }
      return value;
    }

    private String oneOf(JsonNode parent, String parentPath, String key, List<String> allowed) {
      String value = text(parent, parentPath, key, false);
      if (value != null && !allowed.contains(value)) {
        problem(parentPath + "." + key, value, "must be one of " + allowed);
        return null;
      }
      return value;
    }

    private void range(JsonNode parent, String parentPath, String key, long min, long max) {
      JsonNode node = parent.get(key);
      if (absent(node)) {
        return;
      }
      String bounds =
          max == Long.MAX_VALUE || max == Integer.MAX_VALUE ? ">= " + min : min + ".." + max;
      if (!node.isIntegralNumber() || !node.canConvertToLong()) {
        problem(parentPath + "." + key, shown(node), "must be a whole number " + bounds);
      } else if (node.longValue() < min || node.longValue() > max) {
        problem(parentPath + "." + key, shown(node), "must be " + bounds);
      }
    }

    /** {@code cutover.hypercare}: an ISO-8601 duration, zero (none) allowed. */
    private void hypercare(JsonNode c) {
      String value = text(c, "cutover", "hypercare", false);
      if (value == null) {
        return;
      }
      try {
        if (Duration.parse(value).isNegative()) {
          problem("cutover.hypercare", value, "must be a duration >= 0 (PT0S: no hypercare)");
        }
      } catch (DateTimeParseException e) {
        problem(
            "cutover.hypercare",
            value,
            "must be an ISO-8601 duration such as P7D, PT12H or PT0S (no hypercare)");
      }
    }

    private void duration(JsonNode parent, String parentPath, String key) {
      String value = text(parent, parentPath, key, false);
      if (value == null) {
        return;
      }
      try {
        Duration d = Duration.parse(value);
        if (d.isNegative() || d.isZero()) {
          problem(parentPath + "." + key, value, "must be a duration > 0");
        }
      } catch (DateTimeParseException e) {
        problem(
            parentPath + "." + key, value, "must be an ISO-8601 duration such as PT15M or PT1H30M");
      }
    }

    private void stringList(JsonNode node, String path) {
      if (absent(node)) {
        return;
      }
      if (!node.isArray()) {
        problem(path, shown(node), "must be a list of strings");
        return;
      }
      for (int i = 0; i < node.size(); i++) {
        JsonNode item = node.get(i);
        if (!item.isTextual() || item.textValue().isBlank()) {
          problem(path + "[" + i + "]", shown(item), "must be a non-empty string");
        }
      }
    }

    private static boolean absent(JsonNode node) {
      return node == null || node.isNull() || node.isMissingNode();
    }

    private void problem(String key, String value, String rule) {
      problems.add(new SpecProblem(key, value, rule));
    }
  }
}
