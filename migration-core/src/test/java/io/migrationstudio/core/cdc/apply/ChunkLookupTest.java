package io.migrationstudio.core.cdc.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.core.cdc.ChunkSnapshot;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChunkLookupTest {
  private static List<ChunkLookup.Chunk> chunks(String snapshot, String... bounds) {
    List<ChunkLookup.Chunk> out = new ArrayList<>();
    String lo = null;
    for (int i = 0; i <= bounds.length; i++) {
      String hi = i < bounds.length ? bounds[i] : null;
      out.add(
          new ChunkLookup.Chunk(i, lo, hi, "committed", snapshot == null ? null : snapshot + i));
      lo = hi;
    }
    return out;
  }

  @Test
  void numericKeysFindTheirRangeByValueNotByText() throws Exception {
    ChunkLookup l =
        new ChunkLookup("t", chunks("pgsnap:10:20:", "9", "100", "1000"), KeyOrder.NUMERIC);
    // every value from -5 to 1500 against the ranges [null,9) [9,100) [100,1000) [1000,null)
    for (int v = -5; v <= 1500; v++) {
      int expected = v < 9 ? 0 : v < 100 ? 1 : v < 1000 ? 2 : 3;
      assertEquals(expected, l.chunkOf(Integer.toString(v)).index(), "value " + v);
    }
    assertEquals(1, l.chunkOf("10.5").index());
    assertEquals(
        ChunkSnapshot.parse("pgsnap:10:20:2"), l.snapshotOf("500"), "the chunk's own snapshot");
  }

  @Test
  void textKeysByCodePoint() throws Exception {
    ChunkLookup l = new ChunkLookup("t", chunks("pgsnap:1:2:", "b", "m"), KeyOrder.CODE_POINT);
    assertEquals(0, l.chunkOf("a").index());
    assertEquals(0, l.chunkOf("B").index());
    assertEquals(1, l.chunkOf("b").index());
    assertEquals(1, l.chunkOf("lzz").index());
    assertEquals(2, l.chunkOf("m").index());
    assertEquals(2, l.chunkOf("zz").index());
  }

  @Test
  void aBulkLedgerHasNoSnapshotsAndEveryChangeApplies() throws Exception {
    ChunkLookup l = new ChunkLookup("t", chunks(null, "10"), KeyOrder.NUMERIC);
    assertNull(l.snapshotOf("3"));
  }

  @Test
  void anOnlineChunkWithoutSnapshotStopsTheStream() {
    List<ChunkLookup.Chunk> c = new ArrayList<>(chunks("pgsnap:1:2:", "10"));
    c.set(1, new ChunkLookup.Chunk(1, "10", null, "planned", null));
    ChunkLookup l = new ChunkLookup("t", c, KeyOrder.NUMERIC);
    MigrationException e = assertThrows(MigrationException.class, () -> l.snapshotOf("11"));
    assertEquals(ErrorCode.INVALID_ARTIFACT, e.code());
  }

  @Test
  void aLedgerWhoseRangesDoNotMeetIsRefused() {
    List<ChunkLookup.Chunk> c =
        List.of(
            new ChunkLookup.Chunk(0, null, "10", "committed", null),
            new ChunkLookup.Chunk(1, "11", null, "committed", null));
    assertThrows(MigrationException.class, () -> new ChunkLookup("t", c, KeyOrder.NUMERIC));
  }
}
