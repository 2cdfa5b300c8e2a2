package io.migrationstudio.core.cdc.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.migrationstudio.core.cdc.SourceTransaction;
import io.migrationstudio.core.cdc.StreamPosition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StreamHoldTest {
  private static SourceTransaction tx(long lsn) {
    return new SourceTransaction(
        "x" + lsn, new StreamPosition.PgLsn(lsn), Instant.EPOCH, List.of());
  }

  private static List<Long> lsns(List<SourceTransaction> txs) {
    return txs.stream().map(t -> ((StreamPosition.PgLsn) t.commit()).value()).toList();
  }

  @Test
  void aHoldAppliesThePrefixAtOrBelowItsPositionAndKeepsTheRestInOrder() {
    for (long until = 0; until <= 50; until++) {
      List<SourceTransaction> batch = List.of(tx(10), tx(20), tx(30), tx(40));
      List<SourceTransaction> kept = new ArrayList<>();
      List<SourceTransaction> apply =
          StreamHold.split(batch, new StreamHold.Hold(new StreamPosition.PgLsn(until), null), kept);
      long u = until;
      assertEquals(List.of(10L, 20L, 30L, 40L).stream().filter(l -> l <= u).toList(), lsns(apply));
      assertEquals(List.of(10L, 20L, 30L, 40L).stream().filter(l -> l > u).toList(), lsns(kept));
    }
  }

  @Test
  void aHoldWithoutAPositionAppliesNothing() {
    List<SourceTransaction> kept = new ArrayList<>();
    List<SourceTransaction> apply =
        StreamHold.split(List.of(tx(10), tx(20)), new StreamHold.Hold(null, null), kept);
    assertEquals(List.of(), apply);
    assertEquals(List.of(10L, 20L), lsns(kept));
  }

  @Test
  void nothingAfterAKeptTransactionIsApplied() {
    List<SourceTransaction> kept = new ArrayList<>(List.of(tx(30)));
    List<SourceTransaction> apply =
        StreamHold.split(
            List.of(tx(10)), new StreamHold.Hold(new StreamPosition.PgLsn(50), null), kept);
    assertEquals(List.of(), apply, "order is kept: a kept transaction comes first");
    assertEquals(List.of(30L, 10L), lsns(kept));
  }
}
