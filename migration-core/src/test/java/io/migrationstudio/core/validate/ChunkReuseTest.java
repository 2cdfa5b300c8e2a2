package io.migrationstudio.core.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.migrationstudio.contracts.activity.ChunkRange;
import io.migrationstudio.core.cdc.apply.ChunkChanges;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.report.StageOutput;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * When a re-validation may reuse a chunk's earlier proof ({@link ChunkReuse}) and when it must hash
 * again: every rule that sends it back to a full validation, one case each, against a proof of
 * three chunks of {@code t} (integer key) made at {@code pg:0/100}.
 */
class ChunkReuseTest {
  private static final List<ChunkRange> RANGES =
      List.of(
          new ChunkRange(0, null, "10"),
          new ChunkRange(1, "10", "20"),
          new ChunkRange(2, "20", null));

  private static ChunkReuse.Current current(
      String position, Map<Integer, ChunkChanges.Mark> marks) {
    return new ChunkReuse.Current(
        "studio_m", position, "ledger-1", "mapping-1", Map.of("t", marks));
  }

  private static Map<Integer, ChunkChanges.Mark> marks(long changesIn1) {
    Map<Integer, ChunkChanges.Mark> m = new HashMap<>();
    m.put(0, new ChunkChanges.Mark(3, "pg:0/50"));
    if (changesIn1 > 0) {
      m.put(1, new ChunkChanges.Mark(changesIn1, "pg:0/90"));
    }
    return m;
  }

  /** The report of a full validation at pg:0/100 where {@code differing} chunks differed. */
  private static byte[] earlier(Set<Integer> differing) {
    ChunkReuse full = ChunkReuse.fullRun(current("pg:0/100", marks(1)), "first");
    assertSame(RANGES, full.toHash("t", "ledger", RANGES, true));
    full.record("t", RANGES, RANGES, differing);
    StageOutput out =
        new StageOutput(
            Map.of(ArtifactPaths.VALIDATION_JSON, Json.bytes("{\"status\":\"PASS\"}")), null, "");
    return full.stamp(out, "pg:0/120").files().get(ArtifactPaths.VALIDATION_JSON);
  }

  private static List<Integer> hashed(ChunkReuse r, List<ChunkRange> ranges, boolean integerKey) {
    return r.toHash("t", "ledger", ranges, integerKey).stream().map(ChunkRange::index).toList();
  }

  @Test
  void chunksWhoseMarkDidNotMoveAreReusedWithTheReportThatProvedThem() {
    ChunkReuse r = ChunkReuse.plan(false, earlier(Set.of()), "c1", current("pg:0/200", marks(2)));
    assertTrue(r.reusing(), r.reason());
    assertEquals(List.of(1), hashed(r, RANGES, true), "only chunk 1 had a change since");
    r.record("t", RANGES, List.of(RANGES.get(1)), Set.of());
    StageOutput out =
        r.stamp(
            new StageOutput(Map.of(ArtifactPaths.VALIDATION_JSON, Json.bytes("{}")), null, ""),
            "pg:0/210");
    JsonNode proofs =
        Json.read(out.files().get(ArtifactPaths.VALIDATION_JSON), JsonNode.class, "v")
            .get(ChunkReuse.SECTION);
    assertEquals("incremental", proofs.get("mode").asText());
    assertEquals(1, proofs.get("hashed").asInt());
    assertEquals(2, proofs.get("reused").asInt());
    JsonNode c0 = proofs.get("tables").get(0).get("chunks").get(0);
    assertEquals("reused", c0.get("check").asText());
    assertEquals("c1", c0.get("proved_in").asText(), "hashed by the earlier report's commit");
    assertEquals("pg:0/120", c0.get("proved_at").asText());
    JsonNode c1 = proofs.get("tables").get(0).get("chunks").get(1);
    assertEquals("hashed", c1.get("check").asText());
    assertEquals("pg:0/210", c1.get("proved_at").asText());
  }

  @Test
  void aChunkThatDifferedOrMovedIsHashedAgain() {
    ChunkReuse r = ChunkReuse.plan(false, earlier(Set.of(2)), "c1", current("pg:0/200", marks(1)));
    assertEquals(List.of(2), hashed(r, RANGES, true), "chunk 2 was not proved equal");
    List<ChunkRange> replanned =
        List.of(
            new ChunkRange(0, null, "10"),
            new ChunkRange(1, "10", "15"),
            new ChunkRange(2, "15", null));
    r = ChunkReuse.plan(false, earlier(Set.of()), "c1", current("pg:0/200", marks(1)));
    assertEquals(List.of(1, 2), hashed(r, replanned, true), "another range is another chunk");
  }

  @Test
  void aTableIsHashedWholeWhenItsKeyIsNotAnIntegerItWasTruncatedOrHasNoLedger() {
    ChunkReuse r = ChunkReuse.plan(false, earlier(Set.of()), "c1", current("pg:0/200", marks(1)));
    assertEquals(List.of(0, 1, 2), hashed(r, RANGES, false));
    Map<Integer, ChunkChanges.Mark> truncated = marks(1);
    truncated.put(ChunkChanges.WHOLE_TABLE, new ChunkChanges.Mark(1, "pg:0/150"));
    r = ChunkReuse.plan(false, earlier(Set.of()), "c1", current("pg:0/200", truncated));
    assertEquals(List.of(0, 1, 2), hashed(r, RANGES, true));
    r = ChunkReuse.plan(false, earlier(Set.of()), "c1", current("pg:0/200", marks(1)));
    assertEquals(
        List.of(0, 1, 2),
        r.toHash("t", "planned", RANGES, true).stream().map(ChunkRange::index).toList(),
        "chunks planned without a ledger");
    assertEquals(
        List.of(0),
        r.toHash("u", "ledger", List.of(RANGES.get(0)), true).stream()
            .map(ChunkRange::index)
            .toList(),
        "a table the earlier report did not prove");
  }

  @Test
  void everyDoubtFallsBackToAFullValidation() {
    byte[] proof = earlier(Set.of());
    Map<String, ChunkReuse> cases = new java.util.LinkedHashMap<>();
    cases.put("requested", ChunkReuse.plan(true, proof, "c1", current("pg:0/200", marks(1))));
    cases.put("no report", ChunkReuse.plan(false, null, null, current("pg:0/200", marks(1))));
    cases.put(
        "no proofs",
        ChunkReuse.plan(
            false, Json.bytes("{\"status\":\"PASS\"}"), "c1", current("pg:0/200", marks(1))));
    cases.put(
        "capture",
        ChunkReuse.plan(
            false,
            proof,
            "c1",
            new ChunkReuse.Current(
                "studio_other", "pg:0/200", "ledger-1", "mapping-1", Map.of("t", marks(1)))));
    cases.put(
        "ledger",
        ChunkReuse.plan(
            false,
            proof,
            "c1",
            new ChunkReuse.Current(
                "studio_m", "pg:0/200", "ledger-2", "mapping-1", Map.of("t", marks(1)))));
    cases.put(
        "mapping",
        ChunkReuse.plan(
            false,
            proof,
            "c1",
            new ChunkReuse.Current(
                "studio_m", "pg:0/200", "ledger-1", "mapping-2", Map.of("t", marks(1)))));
    cases.put("rewound", ChunkReuse.plan(false, proof, "c1", current("pg:0/99", marks(1))));
    cases.put("position gone", ChunkReuse.plan(false, proof, "c1", current(null, marks(1))));
    cases.put("marks reset", ChunkReuse.plan(false, proof, "c1", current("pg:0/200", Map.of())));
    for (Map.Entry<String, ChunkReuse> c : cases.entrySet()) {
      ChunkReuse r = c.getValue();
      assertFalse(r.reusing(), c.getKey() + ": " + r.reason());
      assertSame(RANGES, r.toHash("t", "ledger", RANGES, true), c.getKey());
    }
    assertTrue(cases.get("rewound").reason().contains("older position"));
    ChunkReuse same = ChunkReuse.plan(false, proof, "c1", current("pg:0/100", marks(1)));
    assertTrue(same.reusing(), "the stream at the proof's own position: " + same.reason());
    assertEquals(List.of(), hashed(same, RANGES, true));
  }

  /** A proof made before the stream applied anything holds until a chunk is marked. */
  @Test
  void aProofMadeBeforeTheStreamAppliedAnythingIsReused() {
    ChunkReuse first = ChunkReuse.fullRun(current(null, Map.of()), "first");
    first.toHash("t", "ledger", RANGES, true);
    first.record("t", RANGES, RANGES, Set.of());
    byte[] proof =
        first
            .stamp(
                new StageOutput(Map.of(ArtifactPaths.VALIDATION_JSON, Json.bytes("{}")), null, ""),
                "pg:0/80")
            .files()
            .get(ArtifactPaths.VALIDATION_JSON);
    ChunkReuse r = ChunkReuse.plan(false, proof, "c1", current("pg:0/90", marks(1)));
    assertTrue(r.reusing(), r.reason());
    assertEquals(List.of(0, 1), hashed(r, RANGES, true), "the chunks the stream marked since");
  }
}
