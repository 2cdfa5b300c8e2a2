package io.migrationstudio.core.cdc;

import java.util.Arrays;
import java.util.Objects;

/**
 * What one copied chunk already holds, recorded in the chunk ledger when the chunk's read began:
 * the rule that decides whether a streamed transaction's change to a row of that chunk is applied
 * ({@link #includes} false) or was copied already ({@code true}). A change is judged against the
 * chunk its row's key falls in; a key-changing update as a delete of the old key (old key's chunk)
 * and an insert of the new key (new key's chunk).
 */
public sealed interface ChunkSnapshot {
  /** Whether the chunk's copy already contains the effects of {@code tx}. */
  boolean includes(SourceTransaction tx);

  /** The form stored in the ledger, read back by {@link #parse}. */
  String text();

  static ChunkSnapshot parse(String text) {
    Objects.requireNonNull(text, "snapshot text is required");
    if (text.startsWith("pgsnap:")) {
      return PgSnapshot.parse(text.substring(7));
    }
    if (text.startsWith("binlog:")) {
      return new BinlogSnapshot(StreamPosition.BinlogPosition.parse(text.substring(7)));
    }
    throw new IllegalArgumentException("not a chunk snapshot: '" + text + "'");
  }

  /**
   * A PostgreSQL snapshot as {@code pg_current_snapshot()} gives it ({@code xmin:xmax:xip,...},
   * 64-bit xids with epoch). A transaction is visible (so copied) when its xid is below {@code
   * xmin}, or below {@code xmax} and not in progress ({@code xip}). pgoutput gives 32-bit xids:
   * they are widened to the 64-bit xid nearest {@code xmax} (PostgreSQL compares 32-bit xids within
   * 2^31 of each other), so one from just before a wrap belongs to the epoch before.
   */
  record PgSnapshot(long xmin, long xmax, long[] xip) implements ChunkSnapshot {
    public PgSnapshot {
      if (xmin > xmax) {
        throw new IllegalArgumentException("snapshot xmin " + xmin + " > xmax " + xmax);
      }
      xip = xip == null ? new long[0] : xip.clone();
      Arrays.sort(xip);
    }

    public static PgSnapshot parse(String text) {
      String[] parts = text.split(":", -1);
      if (parts.length != 3) {
        throw new IllegalArgumentException("not a PostgreSQL snapshot: '" + text + "'");
      }
      try {
        long[] xip =
            parts[2].isEmpty()
                ? new long[0]
                : Arrays.stream(parts[2].split(",")).mapToLong(Long::parseLong).toArray();
        return new PgSnapshot(Long.parseLong(parts[0]), Long.parseLong(parts[1]), xip);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("not a PostgreSQL snapshot: '" + text + "'", e);
      }
    }

    /** Whether the transaction with 64-bit id {@code xid} is visible in this snapshot. */
    public boolean sees(long xid) {
      if (xid < xmin) {
        return true;
      }
      return xid < xmax && Arrays.binarySearch(xip, xid) < 0;
    }

    /** A 32-bit xid as pgoutput sends it, widened with the epoch of {@link #xmax}. */
    public long widen(long xid32) {
      // PostgreSQL's own rule for 32-bit xids: within 2^31 either side of a reference
      int distance = (int) ((xid32 & 0xFFFFFFFFL) - (xmax & 0xFFFFFFFFL));
      return xmax + distance;
    }

    @Override
    public boolean includes(SourceTransaction tx) {
      return sees(widen(Long.parseLong(tx.xid())));
    }

    @Override
    public String text() {
      StringBuilder sb =
          new StringBuilder("pgsnap:").append(xmin).append(':').append(xmax).append(':');
      for (int i = 0; i < xip.length; i++) {
        sb.append(i == 0 ? "" : ",").append(xip[i]);
      }
      return sb.toString();
    }

    @Override
    public long[] xip() {
      return xip.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof PgSnapshot s
          && s.xmin == xmin
          && s.xmax == xmax
          && Arrays.equals(s.xip, xip);
    }

    @Override
    public int hashCode() {
      return Objects.hash(xmin, xmax, Arrays.hashCode(xip));
    }

    @Override
    public String toString() {
      return text();
    }
  }

  /**
   * A MariaDB/MySQL chunk read in {@code START TRANSACTION WITH CONSISTENT SNAPSHOT}: the binlog
   * position consistent with it ({@code binlog_snapshot_file}/{@code _position}): the end of the
   * last transaction the snapshot sees. A transaction's commit position is the end of its commit
   * event, so one whose commit position is at or before the snapshot's position is in the chunk
   * (measured on MariaDB 11.4: the last transaction a snapshot sees ends exactly there); one after
   * it is not.
   */
  record BinlogSnapshot(StreamPosition.BinlogPosition position) implements ChunkSnapshot {
    public BinlogSnapshot {
      Objects.requireNonNull(position, "binlog position is required");
    }

    @Override
    public boolean includes(SourceTransaction tx) {
      return tx.commit().compareTo(position) <= 0;
    }

    @Override
    public String text() {
      return position.text();
    }
  }
}
