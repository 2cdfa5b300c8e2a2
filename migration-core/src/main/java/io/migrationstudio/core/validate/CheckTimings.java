package io.migrationstudio.core.validate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.report.StageOutput;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How long a validation took, and where: {@code started_at} (an instant of the worker's clock),
 * {@code duration_ms} (the whole report, both sides' connections already open) and per table {@code
 * timings_ms}, the milliseconds of each check ({@code checksums} with the counts and any bisection,
 * {@code partitions}, {@code sample}, {@code orphans}, {@code aggregates}, {@code integrity}).
 *
 * <p>These are the only run-specific fields of {@code validation.json}: the validator's own output
 * stays deterministic (a re-run on unchanged data writes the same report), and they are stamped
 * onto it afterwards, like {@link Freshness}'s {@code generated_at}; comparisons of reports ignore
 * {@link #STARTED_AT}, {@link #DURATION_MS} and {@link #TIMINGS_MS}.
 */
public final class CheckTimings {
  public static final String STARTED_AT = "started_at";
  public static final String DURATION_MS = "duration_ms";
  public static final String TIMINGS_MS = "timings_ms";

  private final Clock clock;
  private Instant startedAt;
  private long startedNanos;
  private long durationMs = -1;
  private final Map<String, Map<String, Long>> byTable = new LinkedHashMap<>();

  public CheckTimings(Clock clock) {
    this.clock = clock;
  }

  /** A check's work, timed. */
  interface Check<T> {
    T run() throws SQLException;
  }

  void start() {
    startedAt = clock.instant();
    startedNanos = System.nanoTime();
  }

  void finish() {
    durationMs = (System.nanoTime() - startedNanos) / 1_000_000;
  }

  <T> T time(String table, String check, Check<T> work) throws SQLException {
    long t0 = System.nanoTime();
    try {
      return work.run();
    } finally {
      byTable
          .computeIfAbsent(table, k -> new LinkedHashMap<>())
          .merge(check, (System.nanoTime() - t0) / 1_000_000, Long::sum);
    }
  }

  /** The milliseconds of each check of {@code table} (empty when it was not timed). */
  public Map<String, Long> of(String table) {
    return Map.copyOf(byTable.getOrDefault(table, Map.of()));
  }

  public long durationMs() {
    return durationMs;
  }

  /**
   * {@code out} with {@code validation.json} stamped: {@code started_at} and {@code duration_ms}
   * after {@code status} (after the freshness stamp when there is one), {@code timings_ms} at the
   * end of each table; and a line under the heading of {@code validation.md} saying how long it
   * took. Unchanged when nothing was timed.
   */
  public StageOutput stamp(StageOutput out) {
    byte[] json = out.files().get(ArtifactPaths.VALIDATION_JSON);
    if (json == null || startedAt == null) {
      return out;
    }
    JsonNode tree = Json.read(json, JsonNode.class, ArtifactPaths.VALIDATION_JSON);
    ObjectNode stamped = Json.mapper().createObjectNode();
    String after =
        tree.has(Freshness.LEDGER_STATE)
            ? Freshness.LEDGER_STATE
            : tree.has("status") ? "status" : null;
    for (Map.Entry<String, JsonNode> e : tree.properties()) {
      String key = e.getKey();
      if (key.equals(STARTED_AT) || key.equals(DURATION_MS)) {
        continue;
      }
      stamped.set(key, key.equals("tables") ? tables(e.getValue()) : e.getValue());
      if (key.equals(after)) {
        put(stamped);
      }
    }
    if (after == null) {
      put(stamped);
    }
    Map<String, byte[]> files = new LinkedHashMap<>(out.files());
    files.put(ArtifactPaths.VALIDATION_JSON, Json.bytes(Json.write(stamped)));
    byte[] md = out.files().get(ArtifactPaths.VALIDATION_MD);
    if (md != null) {
      files.put(ArtifactPaths.VALIDATION_MD, Json.bytes(markdown(md)));
    }
    return new StageOutput(files, out.verdict(), out.summary());
  }

  private void put(ObjectNode node) {
    node.put(STARTED_AT, startedAt.toString());
    node.put(DURATION_MS, durationMs);
  }

  private JsonNode tables(JsonNode tables) {
    for (JsonNode t : tables) {
      if (t instanceof ObjectNode o) {
        o.remove(TIMINGS_MS);
        Map<String, Long> checks = byTable.get(o.path("table").asText());
        if (checks != null) {
          ObjectNode n = o.putObject(TIMINGS_MS);
          checks.forEach(n::put);
        }
      }
    }
    return tables;
  }

  /** The total time per check over all tables, after the first heading. */
  private String markdown(byte[] md) {
    String text = new String(md, StandardCharsets.UTF_8);
    Map<String, Long> total = new LinkedHashMap<>();
    byTable.values().forEach(m -> m.forEach((k, v) -> total.merge(k, v, Long::sum)));
    StringBuilder line = new StringBuilder("Validated in ").append(seconds(durationMs));
    line.append(" (started ").append(startedAt).append(")");
    if (!total.isEmpty()) {
      line.append("; per check over all tables: ");
      line.append(
          String.join(
              ", ",
              total.entrySet().stream()
                  .map(e -> e.getKey() + " " + seconds(e.getValue()))
                  .toList()));
    }
    line.append(".\n\n");
    int heading = text.startsWith("# ") ? text.indexOf("\n\n") : -1;
    return heading < 0
        ? line + text
        : text.substring(0, heading + 2) + line + text.substring(heading + 2);
  }

  private static String seconds(long ms) {
    return String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0);
  }
}
