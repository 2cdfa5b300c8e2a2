package io.migrationstudio.core.cdc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.core.cdc.ChunkSnapshot.BinlogSnapshot;
import io.migrationstudio.core.cdc.ChunkSnapshot.PgSnapshot;
import io.migrationstudio.core.cdc.StreamPosition.BinlogPosition;
import io.migrationstudio.core.cdc.StreamPosition.PgLsn;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChangeModelTest {
  @Test
  void positionsRoundTripAndOrder() {
    PgLsn a = PgLsn.parse("0/16B3748");
    assertEquals("pg:0/16B3748", a.text());
    assertEquals(a, StreamPosition.parse(a.text()));
    assertTrue(PgLsn.parse("1/0").compareTo(PgLsn.parse("0/FFFFFFFF")) > 0);
    BinlogPosition b = new BinlogPosition("mysql-bin.000002", 4, "0-1-42");
    assertEquals(b, StreamPosition.parse(b.text()));
    assertTrue(b.compareTo(new BinlogPosition("mysql-bin.000001", 900, null)) > 0);
    assertTrue(b.compareTo(new BinlogPosition("mysql-bin.000002", 5, null)) < 0);
    assertThrows(IllegalArgumentException.class, () -> a.compareTo(b));
    assertThrows(IllegalArgumentException.class, () -> StreamPosition.parse("lsn:0/1"));
  }

  @Test
  void aPostgresSnapshotSeesWhatCommittedBeforeIt() {
    PgSnapshot s = PgSnapshot.parse("100:105:101,103");
    assertEquals("pgsnap:100:105:101,103", s.text());
    assertEquals(s, ChunkSnapshot.parse(s.text()));
    assertTrue(s.sees(99));
    assertFalse(s.sees(101)); // in progress when the chunk read
    assertTrue(s.sees(102));
    assertFalse(s.sees(103));
    assertTrue(s.sees(104));
    assertFalse(s.sees(105)); // started after
    assertTrue(s.includes(tx("102")));
    assertFalse(s.includes(tx("103")));
  }

  @Test
  void pgoutputXidsAreWidenedWithTheSnapshotsEpoch() {
    long epoch = 3L << 32;
    PgSnapshot s = new PgSnapshot(epoch + 10, epoch + 20, null);
    assertEquals(epoch + 15, s.widen(15));
    // an xid from just before the wrap belongs to the previous epoch: committed long ago
    assertEquals(epoch - 5, s.widen(0xFFFFFFFBL));
    assertTrue(s.includes(tx(Long.toString(0xFFFFFFFBL))));
    assertFalse(s.includes(tx("25")));
  }

  @Test
  void aBinlogChunkHoldsWhatCommittedUpToItsPosition() {
    BinlogSnapshot s = new BinlogSnapshot(new BinlogPosition("bin.000003", 500, null));
    assertEquals(s, ChunkSnapshot.parse(s.text()));
    assertTrue(s.includes(binlogTx("bin.000003", 499)));
    // a commit position is the end of the commit event: the snapshot's own position is the end
    // of the last transaction it sees (MariaDbChangeCaptureIT proves it on a real server)
    assertTrue(s.includes(binlogTx("bin.000003", 500)));
    assertFalse(s.includes(binlogTx("bin.000003", 501)));
    assertFalse(s.includes(binlogTx("bin.000004", 4)));
  }

  @Test
  void rowChangesCheckTheirShape() {
    assertThrows(IllegalArgumentException.class, () -> RowChange.insert("t", Map.of()));
    assertThrows(IllegalArgumentException.class, () -> RowChange.delete("t", Map.of()));
    java.util.Map<String, Object> withNull = new java.util.LinkedHashMap<>();
    withNull.put("id", "1");
    withNull.put("note", null);
    assertEquals(
        List.of("id", "note"), List.copyOf(RowChange.insert("t", withNull).row().keySet()));
  }

  private static SourceTransaction tx(String xid) {
    return new SourceTransaction(xid, new PgLsn(1), Instant.EPOCH, List.of());
  }

  private static SourceTransaction binlogTx(String file, long offset) {
    return new SourceTransaction(
        "0-1-1", new BinlogPosition(file, offset, null), Instant.EPOCH, List.of());
  }
}
