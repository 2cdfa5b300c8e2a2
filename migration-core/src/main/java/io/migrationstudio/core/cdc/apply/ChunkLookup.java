package io.migrationstudio.core.cdc.apply;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.core.cdc.ChunkSnapshot;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Which chunk of the copy holds a row, and what that chunk's copy already holds.
 *
 * <p>The chunk ledger keeps a table's plan as consecutive ranges {@code [lo, hi)} of its chunk key
 * ({@code null} unbounded), as text, cut by the {@code ChunkPlanner} in the source's order. A row's
 * chunk is found by binary search over the upper bounds with the key's {@link KeyOrder} (the number
 * of bounds at or below the value is the chunk's position). Each chunk of an online copy recorded
 * the {@link ChunkSnapshot} its read saw; a table whose chunks recorded none was copied in bulk,
 * and {@link #snapshotOf} is then null for every row (apply everything).
 */
final class ChunkLookup {
  /** Keys remembered per table: a row changed again skips the search. */
  static final int CACHED_KEYS = 10_000;

  private final String table;
  private final List<Chunk> chunks;
  private final KeyOrder order;
  private final boolean online;
  private final Map<String, Chunk> cache =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Chunk> eldest) {
          return size() > CACHED_KEYS;
        }
      };

  /** One ledger row: its range, status and snapshot text (null when none was recorded). */
  record Chunk(int index, String lo, String hi, String status, String snapshot) {}

  ChunkLookup(String table, List<Chunk> chunks, KeyOrder order) {
    this.table = table;
    this.chunks = List.copyOf(chunks);
    this.order = Objects.requireNonNull(order);
    this.online = chunks.stream().anyMatch(c -> c.snapshot() != null);
    for (int i = 1; i < this.chunks.size(); i++) {
      if (!Objects.equals(this.chunks.get(i - 1).hi(), this.chunks.get(i).lo())) {
        throw new MigrationException(
            ErrorCode.INVALID_ARTIFACT,
            "the chunk ledger of table "
                + table
                + " is not a partition: chunk "
                + this.chunks.get(i - 1).index()
                + " ends at "
                + this.chunks.get(i - 1).hi()
                + " but chunk "
                + this.chunks.get(i).index()
                + " starts at "
                + this.chunks.get(i).lo()
                + "; re-run prepareTarget");
      }
    }
  }

  /** The ledger's chunks of {@code table} in {@code chunkTable}, in key order. */
  static ChunkLookup load(
      Connection target, String chunkTable, String migration, String table, KeyOrder order)
      throws SQLException {
    List<Chunk> chunks = new ArrayList<>();
    try (PreparedStatement ps =
        target.prepareStatement(
            "SELECT chunk, lo, hi, status, snapshot FROM "
                + chunkTable
                + " WHERE migration = ? AND table_name = ? ORDER BY chunk")) {
      ps.setString(1, migration);
      ps.setString(2, table);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          chunks.add(
              new Chunk(
                  rs.getInt(1),
                  rs.getString(2),
                  rs.getString(3),
                  rs.getString(4),
                  rs.getString(5)));
        }
      }
    }
    return new ChunkLookup(table, chunks, order);
  }

  List<Chunk> chunks() {
    return chunks;
  }

  /** Whether the table was copied online (its chunks recorded snapshots). */
  boolean online() {
    return online;
  }

  /**
   * The snapshot of the chunk holding the row whose chunk key is {@code key} (the source's text of
   * the value), or null when the table was copied in bulk.
   */
  ChunkSnapshot snapshotOf(String key) throws SQLException {
    if (!online) {
      return null;
    }
    Chunk c = chunkOf(key);
    if (c.snapshot() == null) {
      throw new MigrationException(
          ErrorCode.INVALID_ARTIFACT,
          "chunk "
              + c.index()
              + " of table "
              + table
              + " (status "
              + c.status()
              + ") recorded no read snapshot, so the stream cannot tell which changes its copy"
              + " holds; copy every chunk of the table online before the stream applies to it");
    }
    return ChunkSnapshot.parse(c.snapshot());
  }

  /** The chunk whose range holds {@code key}. */
  Chunk chunkOf(String key) throws SQLException {
    if (chunks.size() == 1) {
      return chunks.get(0);
    }
    Chunk hit = cache.get(key);
    if (hit != null) {
      return hit;
    }
    // bounds at or below the key: chunk i holds [hi(i-1), hi(i))
    int lo = 0;
    int hi = chunks.size() - 1; // the last chunk's hi is unbounded
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (order.compare(chunks.get(mid).hi(), key) <= 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    Chunk found = chunks.get(lo);
    cache.put(key, found);
    return found;
  }
}
