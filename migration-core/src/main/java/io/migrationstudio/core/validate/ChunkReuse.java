package io.migrationstudio.core.validate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.migrationstudio.contracts.activity.ChunkRange;
import io.migrationstudio.core.cdc.StreamPosition;
import io.migrationstudio.core.cdc.apply.ChunkChanges;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.report.StageOutput;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Re-validation of an online migration that reuses the earlier proof of every chunk the change
 * stream did not touch since, instead of hashing it again on both sides.
 *
 * <p><b>What marks a chunk changed.</b> The stream's applier counts every change it sees per ledger
 * chunk in {@code <studio>.chunk_changes}, in the same target transaction as the change ({@link
 * ChunkChanges}). A positioned validation reads those marks in its target snapshot, which holds
 * exactly the source transactions up to its position. A chunk is reused when the earlier report
 * proved it equal (its digests agreed) at an earlier position, its range is the same, and its mark
 * (change count and last change's position) has not moved: then no source change to its rows was
 * committed between the two positions, because every such change was applied, and marked, before
 * the second snapshot was taken. Everything else is hashed as usual.
 *
 * <p><b>What a reused proof trusts.</b> That the stream carries every change of the source (a
 * source write kept out of the log, such as MariaDB's {@code SET sql_log_bin = 0}, marks nothing)
 * and that nothing but the stream writes to the target (a row changed directly on the target, with
 * triggers or without, marks nothing). Counts are still taken with {@code count(*)} on both sides
 * and the random sample and integrity checks still run over the whole table, so a direct write may
 * still show there, but only a full validation ({@code validation.full: true}) re-hashes every
 * chunk.
 *
 * <p><b>Full by default when in doubt.</b> Every chunk is hashed when asked to, when there is no
 * earlier report with chunk proofs, when the capture, the chunk ledger (re-copied or re-planned
 * chunks) or the mapping changed, when the stream stands at a position older than the earlier
 * proof's (restarted from an older position) or its marks went back (the table was reset). A table
 * is hashed whole when the earlier report has no proof of it, when its chunks were planned without
 * a ledger, when the whole table was marked (a TRUNCATE), or when its chunk key is not an integer
 * and it has several chunks (the stream and the validator could order text keys differently).
 *
 * <p>{@code validation.json} gets {@value #SECTION}: the mode and why, and per chunk whether it was
 * {@code hashed} or {@code reused}, its mark, whether it was equal, and the position and report
 * commit that proved it.
 */
public final class ChunkReuse {
  static final String SECTION = "chunk_proofs";
  static final String HASHED = "hashed";
  static final String REUSED = "reused";

  /** The state of the target at this validation's position. */
  public record Current(
      String capture,
      String targetPosition,
      String ledgerDigest,
      String mappingDigest,
      Map<String, Map<Integer, ChunkChanges.Mark>> marks) {
    public Current {
      Objects.requireNonNull(capture, "capture");
      Objects.requireNonNull(ledgerDigest, "ledgerDigest");
      Objects.requireNonNull(mappingDigest, "mappingDigest");
      marks = Map.copyOf(marks);
    }

    long totalChanges() {
      return marks.values().stream()
          .flatMap(m -> m.values().stream())
          .mapToLong(ChunkChanges.Mark::changes)
          .sum();
    }

    ChunkChanges.Mark mark(String table, int chunk) {
      return marks.getOrDefault(table, Map.of()).get(chunk);
    }
  }

  private final Current current;
  private final boolean reuse;
  private final String reason;
  private final JsonNode previous;
  private final String previousCommit;
  private final Map<String, ObjectNode> tables = new LinkedHashMap<>();
  private int hashed;
  private int reused;

  private ChunkReuse(
      Current current, boolean reuse, String reason, JsonNode previous, String previousCommit) {
    this.current = current;
    this.reuse = reuse;
    this.reason = reason;
    this.previous = previous;
    this.previousCommit = previousCommit;
  }

  /**
   * Decides whether this validation may reuse the chunk proofs of {@code previousReport} (the last
   * {@code validation.json}, written by the commit {@code previousCommit}; both may be null).
   */
  public static ChunkReuse plan(
      boolean full, byte[] previousReport, String previousCommit, Current current) {
    Objects.requireNonNull(current, "current");
    if (full) {
      return fullRun(current, "full validation requested (validation.full)");
    }
    if (previousReport == null) {
      return fullRun(current, "no earlier validation report");
    }
    JsonNode p =
        Json.read(previousReport, JsonNode.class, ArtifactPaths.VALIDATION_JSON).path(SECTION);
    if (!p.isObject()) {
      return fullRun(current, "the earlier validation report has no chunk proofs");
    }
    String was = p.path("capture").asText(null);
    if (!current.capture().equals(was)) {
      return fullRun(current, "the earlier proofs are of capture " + was);
    }
    if (!current.ledgerDigest().equals(p.path("ledger_digest").asText(null))) {
      return fullRun(current, "the chunk ledger changed since the earlier proofs");
    }
    if (!current.mappingDigest().equals(p.path("mapping_digest").asText(null))) {
      return fullRun(current, "the mapping changed since the earlier proofs");
    }
    // null: the stream had applied nothing yet (the target held the copy alone)
    String before = p.path("target_position").asText(null);
    if (before != null && current.targetPosition() == null) {
      return fullRun(
          current, "the stream's position on the target is gone since the earlier proofs (reset)");
    }
    if (before != null
        && StreamPosition.parse(current.targetPosition()).compareTo(StreamPosition.parse(before))
            < 0) {
      return fullRun(
          current,
          "the stream stands at "
              + current.targetPosition()
              + ", before the earlier proofs' "
              + before
              + " (restarted from an older position)");
    }
    if (current.totalChanges() < p.path("changes_total").asLong(0)) {
      return fullRun(current, "the chunk marks went back since the earlier proofs (reset)");
    }
    return new ChunkReuse(
        current,
        true,
        "chunks without a streamed change since the proofs of "
            + (previousCommit == null ? "the earlier report" : previousCommit)
            + " reused",
        p,
        previousCommit);
  }

  /** Hashes every chunk (and records the proofs for the next validation). */
  public static ChunkReuse fullRun(Current current, String reason) {
    return new ChunkReuse(current, false, reason, null, null);
  }

  /** Whether this validation may reuse proofs at all. */
  public boolean reusing() {
    return reuse;
  }

  public String reason() {
    return reason;
  }

  /**
   * The chunks of {@code table} to hash ({@code ranges} itself when all of them); the others are
   * reused. {@code chunkSource} is {@code ledger} or {@code planned}; {@code integerKey}: whether
   * the chunk key is an integer.
   */
  List<ChunkRange> toHash(
      String table, String chunkSource, List<ChunkRange> ranges, boolean integerKey) {
    ObjectNode t = Json.mapper().createObjectNode();
    t.put("table", table);
    t.put("chunk_source", chunkSource);
    putMark(t, "table_mark", current.mark(table, ChunkChanges.WHOLE_TABLE));
    tables.put(table, t);
    JsonNode before = reuse ? previousTable(table) : null;
    String why = null;
    if (!reuse) {
      why = reason;
    } else if (before == null) {
      why = "no earlier proof of this table";
    } else if (!"ledger".equals(chunkSource)) {
      why = "chunks planned without a ledger";
    } else if (ranges.size() > 1 && !integerKey) {
      why = "the chunk key is not an integer";
    } else if (!sameMark(before.path("table_mark"), t.path("table_mark"))) {
      why = "the whole table was marked (a TRUNCATE) since the earlier proof";
    }
    if (why != null) {
      t.put("note", why);
      return ranges;
    }
    Map<Integer, JsonNode> proofs = new HashMap<>();
    for (JsonNode c : before.path("chunks")) {
      proofs.put(c.path("chunk").asInt(), c);
    }
    List<ChunkRange> out = new ArrayList<>();
    for (ChunkRange r : ranges) {
      JsonNode c = proofs.get(r.index());
      ObjectNode now = Json.mapper().createObjectNode();
      putMark(now, "mark", current.mark(table, r.index()));
      boolean same =
          c != null
              && c.path("equal").asBoolean(false)
              && Objects.equals(c.path("lo").asText(null), r.lo())
              && Objects.equals(c.path("hi").asText(null), r.hi())
              && sameMark(c.path("mark"), now.path("mark"));
      if (!same) {
        out.add(r);
      }
    }
    return out.size() == ranges.size() ? ranges : out;
  }

  /**
   * Records the outcome of {@code table}: {@code hashedChunks} were hashed now ({@code differing}
   * of them differed), every other chunk of {@code ranges} reused its earlier proof.
   */
  void record(
      String table,
      List<ChunkRange> ranges,
      List<ChunkRange> hashedChunks,
      Set<Integer> differing) {
    ObjectNode t = tables.get(table);
    Set<Integer> now = new java.util.HashSet<>();
    hashedChunks.forEach(r -> now.add(r.index()));
    Map<Integer, JsonNode> proofs = new HashMap<>();
    JsonNode before = previousTable(table);
    if (before != null) {
      for (JsonNode c : before.path("chunks")) {
        proofs.put(c.path("chunk").asInt(), c);
      }
    }
    ArrayNode chunks = t.putArray("chunks");
    for (ChunkRange r : ranges) {
      ObjectNode c = chunks.addObject();
      c.put("chunk", r.index());
      c.put("lo", r.lo());
      c.put("hi", r.hi());
      putMark(c, "mark", current.mark(table, r.index()));
      if (now.contains(r.index())) {
        hashed++;
        c.put("check", HASHED);
        c.put("equal", !differing.contains(r.index()));
        c.putNull("proved_at"); // this validation's position, filled in by stamp
        c.putNull("proved_in");
      } else {
        reused++;
        JsonNode p = proofs.get(r.index());
        c.put("check", REUSED);
        c.put("equal", true);
        c.put("proved_at", p.path("proved_at").asText(null));
        c.put(
            "proved_in",
            HASHED.equals(p.path("check").asText())
                ? previousCommit
                : p.path("proved_in").asText(null));
      }
    }
  }

  /** Chunks hashed so far. */
  int hashed() {
    return hashed;
  }

  /** Chunks whose earlier proof was reused so far. */
  int reused() {
    return reused;
  }

  /**
   * The report with {@value #SECTION} in {@code validation.json} (chunks hashed now proved at
   * {@code sourcePosition}) and a line in {@code validation.md}.
   */
  public StageOutput stamp(StageOutput out, String sourcePosition) {
    byte[] json = out.files().get(ArtifactPaths.VALIDATION_JSON);
    if (json == null) {
      return out;
    }
    ObjectNode tree = (ObjectNode) Json.read(json, JsonNode.class, ArtifactPaths.VALIDATION_JSON);
    ObjectNode s = tree.putObject(SECTION);
    s.put("mode", reuse ? "incremental" : "full");
    s.put("reason", reason);
    s.put("capture", current.capture());
    s.put("source_position", sourcePosition);
    s.put("target_position", current.targetPosition());
    s.put("ledger_digest", current.ledgerDigest());
    s.put("mapping_digest", current.mappingDigest());
    s.put("changes_total", current.totalChanges());
    s.put("hashed", hashed);
    s.put("reused", reused);
    ArrayNode list = s.putArray("tables");
    for (ObjectNode t : tables.values()) {
      for (JsonNode c : t.path("chunks")) {
        if (HASHED.equals(c.path("check").asText())) {
          ((ObjectNode) c).put("proved_at", sourcePosition);
        }
      }
      list.add(t);
    }
    String line =
        "Chunk checksums: "
            + hashed
            + " chunk(s) hashed, "
            + reused
            + " reused from earlier proofs ("
            + (reuse ? "incremental" : "full")
            + ": "
            + reason
            + "). A reused proof trusts the change stream to carry every source change and"
            + " nothing else to write to the target; set `validation.full: true` to hash every"
            + " chunk.\n\n";
    return PositionedValidation.withReport(out, Json.write(tree), line);
  }

  /** A digest of the mapping: a proof made through another mapping proves nothing now. */
  public static String mappingDigest(MappingDocument mapping) {
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-256")
              .digest(Json.writeCompact(mapping).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  private JsonNode previousTable(String table) {
    if (previous == null) {
      return null;
    }
    for (JsonNode t : previous.path("tables")) {
      if (table.equals(t.path("table").asText())) {
        return t;
      }
    }
    return null;
  }

  private static void putMark(ObjectNode node, String field, ChunkChanges.Mark m) {
    ObjectNode o = node.putObject(field);
    o.put("changes", m == null ? 0 : m.changes());
    o.put("last_change", m == null ? null : m.lastPosition());
  }

  private static boolean sameMark(JsonNode a, JsonNode b) {
    return a.path("changes").asLong(-1) == b.path("changes").asLong(-2)
        && Objects.equals(a.path("last_change").asText(null), b.path("last_change").asText(null));
  }
}
