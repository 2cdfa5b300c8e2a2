package io.migrationstudio.core.cdc.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.migrationstudio.core.cdc.StreamPosition;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The record's position text sorts as positions do, so the final check can select the rows changed
 * after a proof in SQL ({@code position_key > ?}, byte order).
 */
class RowChangesTest {
  @Test
  void positionTextSortsAsPositions() {
    SplittableRandom r = new SplittableRandom(15);
    for (int i = 0; i < 20_000; i++) {
      StreamPosition a = pg(r);
      StreamPosition b = i % 3 == 0 ? a : pg(r);
      assertEquals(
          Integer.signum(a.compareTo(b)),
          Integer.signum(RowChanges.order(a).compareTo(RowChanges.order(b))),
          a.text() + " vs " + b.text());
      StreamPosition c = binlog(r);
      StreamPosition d = binlog(r);
      assertEquals(
          Integer.signum(c.compareTo(d)),
          Integer.signum(RowChanges.order(c).compareTo(RowChanges.order(d))),
          c.text() + " vs " + d.text());
    }
    assertEquals(-1, Integer.signum("".compareTo(RowChanges.order(new StreamPosition.PgLsn(0)))));
    assertEquals("", RowChanges.order(null));
  }

  private static StreamPosition pg(SplittableRandom r) {
    // high values too: the order is unsigned
    return new StreamPosition.PgLsn(r.nextBoolean() ? r.nextLong() : r.nextLong(1 << 20));
  }

  private static StreamPosition binlog(SplittableRandom r) {
    return new StreamPosition.BinlogPosition(
        "mysql-bin.00000" + r.nextInt(3), r.nextLong(1L << 40), null);
  }
}
