package io.migrationstudio.core.validate;

import io.migrationstudio.core.canonical.CanonicalEncoder;
import io.migrationstudio.core.canonical.ColumnCodec;
import io.migrationstudio.core.canonical.RowCodec;
import io.migrationstudio.core.canonical.XxHash64;
import io.migrationstudio.core.copy.SourceRows;
import io.migrationstudio.core.copy.TableSql;
import java.io.ByteArrayOutputStream;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The validation sample drawn inside the checksum pass, so that the sample costs no scan of its
 * own.
 *
 * <p>Algorithm (bottom-k by a seeded key hash): every source row the pass reads gets a 64-bit hash
 * of its key under the table's sample seed; the sample is the {@code n} rows with the smallest
 * hashes. That is a uniform random sample of the keys, and the same seed and the same keys give the
 * same rows. To keep only a few rows while the pass streams, a row is kept when its hash falls
 * under a threshold chosen from the source's row estimate so that about {@value #MARGIN}× the
 * largest sample is kept (every row when there is no estimate); the smallest {@code n} of the kept
 * rows are exactly the smallest {@code n} of the table as long as at least {@code n} were kept.
 * When fewer were kept (the estimate was too high, a row filter), or more than {@link #cap} (the
 * estimate was far too low), the sample is not usable and the validator falls back to drawing it
 * from a stream of the source keys.
 *
 * <p>Two ways to keep rows, after the checksum path ({@link ChunkComparer.Path}):
 *
 * <ul>
 *   <li>client path: both sides' rows are streamed; the hash is XXH64 over the key's canonical
 *       encoding, the same bytes on both sides for the same key, and both sides keep their rows
 *       under the threshold, so the target's row for a sampled key is in hand or missing;
 *   <li>SQL path (PostgreSQL on both sides): the chunk's checksum query also returns the keys (as
 *       text) and the seeded hash ({@link #sqlKeyHash}) of the source rows under the threshold; the
 *       sampled rows are then fetched by key in batches of {@value #FETCH_KEYS} on both sides.
 * </ul>
 *
 * Either way each sampled row is compared field by field as the validator itself reads the source
 * ({@link SourceRows}, not the copy's conversion) against the target's row, under the columns'
 * comparison rules.
 */
final class PassSample {
  /** Rows kept per side, as a multiple of the largest sample: room for an estimate too high. */
  static final int MARGIN = 4;

  /** Keys fetched per round trip on the SQL path. */
  static final int FETCH_KEYS = 500;

  private final long seed;
  private final boolean keepAll;
  private final long threshold;
  private final int cap;
  private final boolean sqlPath;
  final Side source = new Side();
  final Side target = new Side();

  private PassSample(long seed, boolean keepAll, long threshold, int cap, boolean sqlPath) {
    this.seed = seed;
    this.keepAll = keepAll;
    this.threshold = threshold;
    this.cap = cap;
    this.sqlPath = sqlPath;
  }

  /**
   * The sample of a table whose largest sample is {@code maxRows}, its threshold from the source's
   * row estimate, else the target's (MariaDB keeps none the studio reads; the target is meant to
   * hold the same rows); {@code sqlPath}: the checksum runs in SQL (then the server hashes the
   * keys).
   */
  static PassSample of(
      Connection src, Connection tgt, TableSql sql, long seed, int maxRows, boolean sqlPath)
      throws SQLException {
    Optional<Long> estimate = sql.sourceDialect().estimatedRows(src, sql.sourceTable());
    if (estimate.isEmpty()) {
      estimate = sql.targetDialect().estimatedRows(tgt, sql.targetTable());
    }
    long keep = (long) MARGIN * maxRows;
    int cap = (int) Math.max(25_000, 16L * keep);
    if (estimate.isEmpty() || estimate.get() <= keep) {
      return new PassSample(seed, true, Long.MAX_VALUE, cap, sqlPath);
    }
    double fraction = (double) keep / estimate.get();
    // hashes are uniform over the signed 64-bit range: keep those below MIN + fraction * 2^64
    long threshold = (long) (-0x1p63 + fraction * 0x1p64);
    return new PassSample(seed, false, threshold, cap, sqlPath);
  }

  /** The rows (client path) or keys (SQL path) one side kept, with their hashes. */
  static final class Side {
    final List<Entry> kept = new ArrayList<>();
    boolean truncated;

    void add(Entry e, int cap) {
      if (truncated) {
        return;
      }
      if (kept.size() >= cap) {
        truncated = true;
        kept.clear();
        return;
      }
      kept.add(e);
    }
  }

  /**
   * One kept row: its key hash, its key (canonical encoding on the client path, the key columns'
   * text on the SQL path) and its values (client path only).
   */
  record Entry(long hash, String key, List<String> keyTexts, Object[] row) {}

  /** The key hash of a client-side row: XXH64 over its key's canonical encoding, seeded. */
  long hash(RowCodec codec, Object[] row) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(32);
    List<ColumnCodec> columns = codec.columns();
    for (int p : codec.keyPositions()) {
      CanonicalEncoder.encode(columns.get(p), row[p], out);
    }
    byte[] b = out.toByteArray();
    return XxHash64.hash(b, 0, b.length, seed);
  }

  /** Offers a row the client path streamed on one side (called on that side's thread). */
  void offer(boolean sourceSide, RowCodec codec, Object[] row) {
    long h = hash(codec, row);
    if (keepAll || h < threshold) {
      (sourceSide ? source : target).add(new Entry(h, codec.keyEncoding(row), null, row), cap);
    }
  }

  /**
   * The SQL-path item the source's checksum query adds: one array of {@code [hash, key text...]} of
   * the rows under the threshold, at most {@code cap + 1} per chunk. The FILTER runs before the
   * argument, so the hash is computed once per row and the texts only for kept rows.
   */
  String sqlItems(TableSql sql) {
    List<String> keys = new ArrayList<>();
    for (String k : sql.table().primaryKey()) {
      keys.add(sql.sourceDialect().quote(sql.keyColumnOf(k).source()));
    }
    String hash = sqlKeyHash(sql, keys);
    StringBuilder sb = new StringBuilder(", (array_agg(ARRAY[CAST(").append(hash);
    sb.append(" AS text)");
    for (String k : keys) {
      sb.append(", CAST(").append(k).append(" AS text)");
    }
    sb.append("])");
    if (!keepAll) {
      sb.append(" FILTER (WHERE ").append(hash).append(" < CAST(").append(threshold);
      sb.append(" AS bigint))");
    }
    return sb.append(")[1:").append(cap + 1).append("]").toString();
  }

  /**
   * The seeded 64-bit key hash the SQL path samples by: {@code hashint8extended} of a single
   * integer key (a quarter of the CPU of hashing its text, which is most of the pass's sampling
   * cost), else {@code hashtextextended} of the key's row text. Either is uniform over the keys and
   * the same for the same seed and key.
   */
  private String sqlKeyHash(TableSql sql, List<String> keys) {
    List<String> pk = sql.table().primaryKey();
    io.migrationstudio.core.schema.CanonicalType type =
        pk.size() == 1 ? sql.keyColumnOf(pk.get(0)).canonical() : null;
    if (type != null && type.isInteger()) {
      return "hashint8extended(CAST(" + keys.get(0) + " AS bigint), CAST(" + seed + " AS bigint))";
    }
    return "hashtextextended(CAST(ROW("
        + String.join(", ", keys)
        + ") AS text), CAST("
        + seed
        + " AS bigint))";
  }

  /** Reads one chunk's {@link #sqlItems} from column {@code at} (the source side). */
  void addSql(ResultSet rs, int at) throws SQLException {
    Object[] rows = array(rs.getArray(at));
    if (rows.length > cap) {
      source.truncated = true;
      source.kept.clear();
    }
    for (int i = 0; i < rows.length && !source.truncated; i++) {
      Object[] r = (Object[]) rows[i];
      List<String> key = new ArrayList<>(r.length - 1);
      for (int k = 1; k < r.length; k++) {
        key.add((String) r[k]);
      }
      source.add(new Entry(Long.parseLong((String) r[0]), null, key, null), cap);
    }
  }

  private static Object[] array(Array a) throws SQLException {
    if (a == null) {
      return new Object[0];
    }
    try {
      return (Object[]) a.getArray();
    } finally {
      a.free();
    }
  }

  /**
   * Whether the kept rows hold the table's {@code wanted} smallest hashes: nothing was dropped at
   * the cap on either side, and either every row was kept or at least {@code wanted} were.
   */
  boolean usable(int wanted) {
    return !source.truncated && !target.truncated && (keepAll || source.kept.size() >= wanted);
  }

  /** The sampled source entries: the {@code wanted} smallest hashes (ties by key). */
  List<Entry> drawn(int wanted) {
    return source.kept.stream()
        .sorted(
            Comparator.comparingLong(Entry::hash)
                .thenComparing(
                    e -> e.key() != null ? e.key() : String.join("\u0000", e.keyTexts())))
        .limit(wanted)
        .toList();
  }

  /**
   * Compares the {@code wanted} sampled rows field by field; returns {sampled, mismatches}. A row
   * missing on either side is a mismatch.
   */
  int[] compare(Connection src, Connection tgt, TableSql sql, SourceRows reader, int wanted)
      throws SQLException {
    RowCodec codec = reader.codec();
    List<Entry> drawn = drawn(wanted);
    int mismatches = 0;
    if (!sqlPath) {
      Map<String, Object[]> targetRows = new HashMap<>();
      for (Entry e : target.kept) {
        targetRows.put(e.key(), e.row());
      }
      for (Entry e : drawn) {
        Object[] b = targetRows.get(e.key());
        if (b == null || !Validator.differingColumns(codec, e.row(), b).isEmpty()) {
          mismatches++;
        }
      }
      return new int[] {drawn.size(), mismatches};
    }
    List<List<String>> keys = drawn.stream().map(Entry::keyTexts).toList();
    for (int from = 0; from < keys.size(); from += FETCH_KEYS) {
      List<List<String>> batch = keys.subList(from, Math.min(keys.size(), from + FETCH_KEYS));
      mismatches += compareByKeys(src, tgt, sql, reader, batch);
    }
    return new int[] {drawn.size(), mismatches};
  }

  /**
   * Fetches the rows of {@code keys} (source key texts) on both sides, one query per side, and
   * returns how many of them are missing on a side or differ.
   */
  static int compareByKeys(
      Connection src, Connection tgt, TableSql sql, SourceRows reader, List<List<String>> keys)
      throws SQLException {
    RowCodec codec = reader.codec();
    Map<String, Object[]> a = new HashMap<>();
    try (PreparedStatement ps = src.prepareStatement(sql.sourceByKeys(null, keys.size()))) {
      sql.bindSourceKeys(ps, keys);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Object[] v = reader.read(rs);
          a.put(codec.keyEncoding(v), v);
        }
      }
    }
    Map<String, Object[]> b = new HashMap<>();
    try (PreparedStatement ps = tgt.prepareStatement(sql.targetByKeys(null, keys.size()))) {
      int i = 1;
      for (List<String> key : keys) {
        for (String k : key) {
          ps.setString(i++, k);
        }
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Object[] v = codec.read(rs);
          b.put(codec.keyEncoding(v), v);
        }
      }
    }
    // a key fetched on neither side (gone since it was drawn) counts as a mismatch too
    int matched = 0;
    for (Map.Entry<String, Object[]> e : a.entrySet()) {
      Object[] t = b.get(e.getKey());
      if (t != null && Validator.differingColumns(codec, e.getValue(), t).isEmpty()) {
        matched++;
      }
    }
    return keys.size() - matched;
  }
}
