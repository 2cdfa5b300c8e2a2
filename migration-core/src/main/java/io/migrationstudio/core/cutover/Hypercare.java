package io.migrationstudio.core.cutover;

import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.activity.HypercareRequest;
import io.migrationstudio.contracts.activity.ResidualSession;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.dialect.Secrets;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.report.StageOutput;
import io.migrationstudio.core.schema.ConsumerInfo;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The hypercare after the switch: while the migration stays open, who still connects to the old
 * source is sampled (the source's own session list: {@code pg_stat_activity} on PostgreSQL, {@code
 * information_schema.PROCESSLIST} on MariaDB, through {@link Dialect#sessionList()}), and whether
 * its write guards still hold; each sample becomes the day's note {@code
 * 06-hypercare/hypercare-YYYY-MM-DD.{md,json}}.
 *
 * <p>The studio's own sessions are left out: the sampling session itself, and every session whose
 * application name starts with {@link #STUDIO_APPLICATION} (a studio process that still talks to
 * the source after the switch, such as the reverse applier, sets it).
 */
public final class Hypercare {
  /**
   * The application-name prefix of the studio's own sessions; sampled sessions with it are ours.
   */
  public static final String STUDIO_APPLICATION = "migration-studio";

  /** What one sample found on the source. */
  public record Sample(List<ResidualSession> residual, List<String> guardedTables, String source) {
    public Sample {
      residual = List.copyOf(residual);
      guardedTables = List.copyOf(guardedTables);
    }

    /** One line for people. */
    public String describe() {
      String who =
          residual.isEmpty()
              ? "nobody else connects to the source"
              : residual.stream().mapToInt(ResidualSession::sessions).sum()
                  + " sessions still connect to the source: "
                  + String.join(", ", residual.stream().map(ResidualSession::describe).toList());
      String guards =
          guardedTables.isEmpty()
              ? "no table carries the write guard (the source takes writes)"
              : guardedTables.size() + " tables frozen";
      return who + "; " + guards;
    }
  }

  private final Secrets secrets;

  public Hypercare(Secrets secrets) {
    this.secrets = secrets;
  }

  /** Samples the source's sessions (the studio's left out) and its write guards. */
  public Sample sample(MigrationSpec spec) {
    String source = MigrationException.redact(spec.source().url());
    Dialect dialect = Dialects.forUrl(spec.source().url());
    try (Connection c = Dialects.open(spec.source(), secrets, "source")) {
      List<ResidualSession> residual = new ArrayList<>();
      if (dialect.sessionList().isPresent()) {
        for (ConsumerInfo s : dialect.sessionList().get().snapshot(c, spec.source().schema())) {
          if (!studio(s.application())) {
            residual.add(
                new ResidualSession(s.user(), s.application(), s.host(), s.sessions(), s.state()));
          }
        }
      }
      List<String> guarded =
          dialect.writeFreeze().isPresent()
              ? dialect.writeFreeze().get().guardedTables(c)
              : List.of();
      return new Sample(merge(residual), guarded, source);
    } catch (SQLException e) {
      throw dialect.classify(e, "sampling the sessions of " + source + " for the hypercare");
    }
  }

  /** Whether {@code application} names one of the studio's own sessions. */
  static boolean studio(String application) {
    return application != null
        && application.toLowerCase(Locale.ROOT).startsWith(STUDIO_APPLICATION);
  }

  /** One entry per user, application and client (the session list groups by state too). */
  static List<ResidualSession> merge(List<ResidualSession> sessions) {
    Map<List<String>, ResidualSession> out = new LinkedHashMap<>();
    for (ResidualSession s : sessions) {
      List<String> key = java.util.Arrays.asList(s.user(), s.application(), s.client());
      ResidualSession old = out.get(key);
      out.put(
          key,
          old == null
              ? s
              : new ResidualSession(
                  s.user(),
                  s.application(),
                  s.client(),
                  old.sessions() + s.sessions(),
                  joinStates(old.state(), s.state())));
    }
    return new ArrayList<>(out.values());
  }

  private static String joinStates(String a, String b) {
    java.util.TreeSet<String> states = new java.util.TreeSet<>();
    for (String s : new String[] {a, b}) {
      if (s != null && !s.isBlank()) {
        states.addAll(List.of(s.split(",")));
      }
    }
    return states.isEmpty() ? null : String.join(",", states);
  }

  /** The UTC day of a workflow instant: it names the note. */
  public static LocalDate day(long epochMillis) {
    return Instant.ofEpochMilli(epochMillis).atZone(ZoneOffset.UTC).toLocalDate();
  }

  /**
   * The day's note ({@code .md} and {@code .json}) and the hypercare's record {@code
   * hypercare.json} for {@code request} and what it sampled.
   */
  public static StageOutput note(HypercareRequest r, Sample sample) {
    LocalDate day = day(r.sampledAtMillis());
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("migration", r.migrationId());
    json.put("day", day.toString());
    json.put("sampled_at", Instant.ofEpochMilli(r.sampledAtMillis()).toString());
    json.put("hypercare_started_at", Instant.ofEpochMilli(r.startedAtMillis()).toString());
    json.put("hypercare_ends_at", Instant.ofEpochMilli(r.endsAtMillis()).toString());
    json.put("source", sample.source());
    json.put("residual_access", sample.residual());
    json.put("guarded_tables", sample.guardedTables());
    json.put("frozen", !sample.guardedTables().isEmpty());
    json.put("reverse_lag_ms", r.reverseLagMillis());
    json.put("summary", sample.describe());
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put(ArtifactPaths.hypercareNote(day, "json"), Json.bytes(Json.write(json)));
    files.put(ArtifactPaths.hypercareNote(day, "md"), Json.bytes(markdown(r, sample, day)));
    files.put(ArtifactPaths.HYPERCARE_JSON, Json.bytes(Json.write(record(r))));
    return new StageOutput(files, null, day + ": " + sample.describe());
  }

  /** {@code hypercare.json}: the start and end a re-created migration goes on with. */
  static Map<String, Object> record(HypercareRequest r) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("migration", r.migrationId());
    json.put("started_at_ms", r.startedAtMillis());
    json.put("ends_at_ms", r.endsAtMillis());
    json.put("started_at", Instant.ofEpochMilli(r.startedAtMillis()).toString());
    json.put("ends_at", Instant.ofEpochMilli(r.endsAtMillis()).toString());
    return json;
  }

  /** The start recorded in {@code hypercare.json} content; null when it records none. */
  public static Long startedAt(byte[] hypercareJson) {
    try {
      com.fasterxml.jackson.databind.JsonNode n = Json.mapper().readTree(hypercareJson);
      return n.path("started_at_ms").canConvertToLong() && n.has("started_at_ms")
          ? n.get("started_at_ms").asLong()
          : null;
    } catch (java.io.IOException e) {
      return null;
    }
  }

  private static String markdown(HypercareRequest r, Sample sample, LocalDate day) {
    StringBuilder md = new StringBuilder();
    md.append("# Hypercare ").append(day).append(": ").append(r.migrationId()).append("\n\n");
    md.append("- Sampled at: ").append(Instant.ofEpochMilli(r.sampledAtMillis())).append('\n');
    md.append("- Hypercare: ")
        .append(Instant.ofEpochMilli(r.startedAtMillis()))
        .append(" to ")
        .append(Instant.ofEpochMilli(r.endsAtMillis()))
        .append('\n');
    md.append("- Source: ").append(sample.source()).append('\n');
    md.append("- Write freeze: ")
        .append(
            sample.guardedTables().isEmpty()
                ? "NONE: no table carries the studio's write guard, the source takes writes"
                : sample.guardedTables().size() + " tables guarded")
        .append('\n');
    md.append("- Reverse stream lag: ")
        .append(r.reverseLagMillis() == null ? "no reverse stream" : r.reverseLagMillis() + " ms")
        .append("\n\n");
    md.append("## Residual access to the source\n\n");
    if (sample.residual().isEmpty()) {
      md.append("Nobody but the studio connects to the source.\n");
    } else {
      md.append("| user | application | client | sessions | state |\n|---|---|---|---|---|\n");
      for (ResidualSession s : sample.residual()) {
        md.append("| ")
            .append(cell(s.user()))
            .append(" | ")
            .append(cell(s.application()))
            .append(" | ")
            .append(s.client() == null ? "local socket" : cell(s.client()))
            .append(" | ")
            .append(s.sessions())
            .append(" | ")
            .append(cell(s.state()))
            .append(" |\n");
      }
      md.append(
          "\nThese clients still talk to the old source after the switch: repoint them before the"
              + " decommission.\n");
    }
    return md.toString();
  }

  private static String cell(String s) {
    return s == null ? "" : s.replace("|", "\\|").replace("\n", " ");
  }
}
