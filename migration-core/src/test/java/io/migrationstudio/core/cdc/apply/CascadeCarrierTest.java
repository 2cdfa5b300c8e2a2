package io.migrationstudio.core.cdc.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.migrationstudio.core.cdc.SourceTransaction;
import io.migrationstudio.core.cdc.StreamPosition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which child chunks a carried cascade may touch: those whose copy does not include the change. */
class CascadeCarrierTest {
  private static final SourceTransaction TX =
      new SourceTransaction(
          "0-1-9",
          new StreamPosition.BinlogPosition("bin.000001", 500, null),
          Instant.EPOCH,
          List.of());

  /** Chunks cut at 10, 20, 30 (four), read at the given binlog offsets (null: no snapshot). */
  private static ChunkLookup read(Long... offsets) {
    String[] cuts = {null, "10", "20", "30", null};
    List<ChunkLookup.Chunk> out = new ArrayList<>();
    for (int i = 0; i < offsets.length; i++) {
      out.add(
          new ChunkLookup.Chunk(
              i,
              cuts[i],
              i == offsets.length - 1 ? null : cuts[i + 1],
              "committed",
              offsets[i] == null ? null : "binlog:bin.000001:" + offsets[i]));
    }
    return new ChunkLookup("kid", out, KeyOrder.NUMERIC);
  }

  @Test
  void onlyChunksReadBeforeTheChangeAreBehindItAndNeighboursMerge() {
    // read before (400), after (500 includes the commit at 500), before, before
    assertEquals(
        List.of(new CascadeCarrier.Range(null, "10"), new CascadeCarrier.Range("20", null)),
        CascadeCarrier.behind(read(400L, 500L, 100L, 499L), TX));
    assertEquals(List.of(), CascadeCarrier.behind(read(500L, 600L, 700L, 800L), TX));
    assertEquals(
        List.of(new CascadeCarrier.Range("10", "30")),
        CascadeCarrier.behind(read(600L, 1L, 2L, 900L), TX));
  }

  @Test
  void aTableCopiedInBulkIsBehindEveryChangeWhole() {
    assertEquals(
        List.of(new CascadeCarrier.Range(null, null)),
        CascadeCarrier.behind(read(null, null, null, null), TX));
    assertEquals(
        List.of(new CascadeCarrier.Range(null, null)),
        CascadeCarrier.behind(new ChunkLookup("kid", List.of(), KeyOrder.NUMERIC), TX));
  }
}
