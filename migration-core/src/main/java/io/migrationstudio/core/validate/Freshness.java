package io.migrationstudio.core.validate;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.migrationstudio.core.copy.Ledger;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.report.StageOutput;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * When a validation report was made and against which state of the chunk ledger, so that Cutover
 * can tell whether the data it validated is still what is there.
 *
 * <p>{@code validation.json} gets two top-level fields: {@code generated_at} (an ISO-8601 instant
 * of <em>workflow</em> time passed in by the workflow, so a retried activity writes the same bytes)
 * and {@code ledger_state}: the number of chunk-ledger rows of the migration, how many are
 * committed, the latest {@code finished_at}, and a SHA-256 over every row's table, chunk, status,
 * attempt, rows and target hash. Any chunk re-copied, added or reset since the report changes the
 * digest. A target without a ledger (a validation-only run of a pair another tool loaded) has the
 * state {@link LedgerState#NONE}.
 */
public final class Freshness {
  public static final String GENERATED_AT = "generated_at";
  public static final String LEDGER_STATE = "ledger_state";

  private Freshness() {}

  /** The chunk ledger of one migration, summarised. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonPropertyOrder({"chunks", "committed", "max_finished_at", "digest"})
  public record LedgerState(
      int chunks,
      int committed,
      @JsonProperty("max_finished_at") String maxFinishedAt,
      String digest) {
    /** No ledger on the target (nothing the studio copied). */
    public static final LedgerState NONE = new LedgerState(0, 0, null, "none");

    public LedgerState {
      Objects.requireNonNull(digest, "ledger digest is required");
    }

    /** For messages: {@code 12 chunks (12 committed, last at ...), digest 1a2b3c4d5e6f}. */
    public String describe() {
      if (chunks == 0) {
        return "no chunk ledger";
      }
      return chunks
          + " chunks ("
          + committed
          + " committed, last at "
          + (maxFinishedAt == null ? "-" : maxFinishedAt)
          + "), digest "
          + digest.substring(0, Math.min(12, digest.length()));
    }
  }

  /** What a report records; {@code generatedAtMillis} and {@code ledger} are null when absent. */
  public record Stamp(Long generatedAtMillis, LedgerState ledger) {}

  /** The ledger state of {@code migrationId} on the target now. */
  public static LedgerState ledgerState(
      Connection tgt, Dialect target, String studioSchema, String migrationId) throws SQLException {
    Ledger ledger = new Ledger(target, studioSchema);
    if (!ledger.exists(tgt)) {
      return LedgerState.NONE;
    }
    return of(ledger.chunks(tgt, migrationId));
  }

  /** The state of these ledger rows (in the ledger's order: table, then chunk). */
  public static LedgerState of(List<Ledger.ChunkRow> rows) {
    if (rows.isEmpty()) {
      return LedgerState.NONE;
    }
    MessageDigest sha = sha256();
    int committed = 0;
    Instant last = null;
    for (Ledger.ChunkRow r : rows) {
      String line =
          r.table()
              + '\t'
              + r.chunk()
              + '\t'
              + r.status()
              + '\t'
              + r.attempt()
              + '\t'
              + r.rows()
              + '\t'
              + r.targetHash()
              + '\n';
      sha.update(line.getBytes(StandardCharsets.UTF_8));
      if (r.committed()) {
        committed++;
      }
      if (r.finishedAt() != null && (last == null || r.finishedAt().isAfter(last))) {
        last = r.finishedAt();
      }
    }
    return new LedgerState(
        rows.size(),
        committed,
        last == null ? null : last.toString(),
        HexFormat.of().formatHex(sha.digest()));
  }

  /**
   * The validator's output with {@code validation.json} stamped (fields {@value #GENERATED_AT} and
   * {@value #LEDGER_STATE} after {@code status}) and a freshness line under the heading of {@code
   * validation.md}.
   */
  public static StageOutput stamp(StageOutput out, long generatedAtMillis, LedgerState ledger) {
    byte[] json = out.files().get(ArtifactPaths.VALIDATION_JSON);
    if (json == null) {
      return out;
    }
    String generatedAt = Instant.ofEpochMilli(generatedAtMillis).toString();
    JsonNode tree = Json.read(json, JsonNode.class, ArtifactPaths.VALIDATION_JSON);
    ObjectNode stamped = Json.mapper().createObjectNode();
    boolean placed = false;
    for (Map.Entry<String, JsonNode> e : tree.properties()) {
      if (e.getKey().equals(GENERATED_AT) || e.getKey().equals(LEDGER_STATE)) {
        continue;
      }
      stamped.set(e.getKey(), e.getValue());
      if (e.getKey().equals("status")) {
        put(stamped, generatedAt, ledger);
        placed = true;
      }
    }
    if (!placed) {
      put(stamped, generatedAt, ledger);
    }
    Map<String, byte[]> files = new LinkedHashMap<>(out.files());
    files.put(ArtifactPaths.VALIDATION_JSON, Json.bytes(Json.write(stamped)));
    byte[] md = out.files().get(ArtifactPaths.VALIDATION_MD);
    if (md != null) {
      files.put(ArtifactPaths.VALIDATION_MD, Json.bytes(markdown(md, generatedAt, ledger)));
    }
    return new StageOutput(files, out.verdict(), out.summary());
  }

  private static void put(ObjectNode node, String generatedAt, LedgerState ledger) {
    node.put(GENERATED_AT, generatedAt);
    node.set(LEDGER_STATE, Json.mapper().valueToTree(ledger));
  }

  /** Inserts the freshness line after the first heading (or at the top). */
  private static String markdown(byte[] md, String generatedAt, LedgerState ledger) {
    String text = new String(md, StandardCharsets.UTF_8);
    String line =
        "Made at " + generatedAt + " (workflow time) against " + ledger.describe() + ".\n\n";
    int heading = text.startsWith("# ") ? text.indexOf("\n\n") : -1;
    return heading < 0
        ? line + text
        : text.substring(0, heading + 2) + line + text.substring(heading + 2);
  }

  /** The stamp of a {@code validation.json}; fields it does not carry are null. */
  public static Stamp read(byte[] validationJson) {
    JsonNode tree = Json.read(validationJson, JsonNode.class, ArtifactPaths.VALIDATION_JSON);
    Long at = null;
    JsonNode g = tree.get(GENERATED_AT);
    if (g != null && g.isTextual()) {
      try {
        at = Instant.parse(g.textValue()).toEpochMilli();
      } catch (DateTimeParseException e) {
        at = null; // an unreadable time proves nothing: treated as absent, so the report is stale
      }
    }
    LedgerState ledger = null;
    JsonNode l = tree.get(LEDGER_STATE);
    if (l != null && l.isObject()) {
      ledger = Json.mapper().convertValue(l, LedgerState.class);
    }
    return new Stamp(at, ledger);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }
}
