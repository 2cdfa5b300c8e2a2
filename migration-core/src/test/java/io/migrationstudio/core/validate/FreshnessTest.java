package io.migrationstudio.core.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.core.copy.Ledger;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.report.StageOutput;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FreshnessTest {
  private static Ledger.ChunkRow row(String table, int chunk, int attempt, String hash) {
    return new Ledger.ChunkRow(
        table,
        chunk,
        null,
        null,
        10,
        0,
        "s",
        hash,
        attempt,
        Ledger.COMMITTED,
        Instant.parse("2026-11-01T00:00:00Z"),
        Instant.parse("2026-11-01T00:00:0" + chunk + "Z"));
  }

  @Test
  void everyChangeOfALedgerRowChangesTheState() {
    List<Ledger.ChunkRow> rows = List.of(row("a", 0, 1, "h0"), row("a", 1, 1, "h1"));
    Freshness.LedgerState state = Freshness.of(rows);
    assertEquals(2, state.chunks());
    assertEquals(2, state.committed());
    assertEquals("2026-11-01T00:00:01Z", state.maxFinishedAt());
    assertEquals(state, Freshness.of(List.copyOf(rows)), "the same rows, the same state");
    List<List<Ledger.ChunkRow>> changed = new ArrayList<>();
    changed.add(List.of(row("a", 0, 2, "h0"), row("a", 1, 1, "h1"))); // re-copied
    changed.add(List.of(row("a", 0, 1, "hX"), row("a", 1, 1, "h1"))); // other target rows
    changed.add(List.of(row("a", 0, 1, "h0"))); // a chunk gone
    changed.add(List.of(row("a", 0, 1, "h0"), row("b", 1, 1, "h1"))); // another table
    for (List<Ledger.ChunkRow> c : changed) {
      assertNotEquals(state.digest(), Freshness.of(c).digest(), c.toString());
    }
    assertEquals(Freshness.LedgerState.NONE, Freshness.of(List.of()));
  }

  @Test
  void theStampGoesAfterStatusAndReadsBack() {
    String json = "{\n  \"migration\" : \"m\",\n  \"status\" : \"PASS\",\n  \"tables\" : [ ]\n}\n";
    StageOutput out =
        new StageOutput(
            Map.of(
                ArtifactPaths.VALIDATION_JSON, Json.bytes(json),
                ArtifactPaths.VALIDATION_MD, Json.bytes("# Validation: m\n\nOverall: PASS\n")),
            null,
            "PASS");
    Freshness.LedgerState ledger = Freshness.of(List.of(row("a", 0, 1, "h0")));
    long at = Instant.parse("2026-11-22T06:00:00Z").toEpochMilli();
    StageOutput stamped = Freshness.stamp(out, at, ledger);
    String text =
        new String(stamped.files().get(ArtifactPaths.VALIDATION_JSON), StandardCharsets.UTF_8);
    assertTrue(
        text.indexOf("\"status\"") < text.indexOf("\"generated_at\" : \"2026-11-22T06:00:00Z\"")
            && text.indexOf("\"generated_at\"") < text.indexOf("\"ledger_state\"")
            && text.indexOf("\"ledger_state\"") < text.indexOf("\"tables\""),
        text);
    Freshness.Stamp read = Freshness.read(stamped.files().get(ArtifactPaths.VALIDATION_JSON));
    assertEquals(at, read.generatedAtMillis());
    assertEquals(ledger, read.ledger());
    String md =
        new String(stamped.files().get(ArtifactPaths.VALIDATION_MD), StandardCharsets.UTF_8);
    assertTrue(
        md.startsWith("# Validation: m\n\nMade at 2026-11-22T06:00:00Z (workflow time) against 1"),
        md);
    assertEquals(
        stamped.files().get(ArtifactPaths.VALIDATION_JSON).length,
        Freshness.stamp(stamped, at, ledger).files().get(ArtifactPaths.VALIDATION_JSON).length,
        "stamping again replaces the stamp");

    Freshness.Stamp none = Freshness.read(Json.bytes(json));
    assertNull(none.generatedAtMillis(), "a report from before the stamp records no time");
    assertNull(none.ledger());
  }
}
