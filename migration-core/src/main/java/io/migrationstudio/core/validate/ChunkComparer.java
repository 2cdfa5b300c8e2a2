package io.migrationstudio.core.validate;

import io.migrationstudio.contracts.activity.ChunkRange;
import io.migrationstudio.core.canonical.RowCodec;
import io.migrationstudio.core.canonical.RowHasher;
import io.migrationstudio.core.copy.SourceRows;
import io.migrationstudio.core.copy.TableSql;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.mapping.ColumnMapping;
import io.migrationstudio.core.mapping.Disposition;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * Compares one table chunk by chunk and narrows a differing chunk down to its differing rows.
 *
 * <p><b>Hashes.</b> A range's digest is its row count and the sum modulo 2^64 of its 64-bit row
 * hashes. Two paths compute it, both additive over disjoint ranges:
 *
 * <ul>
 *   <li>{@link Path#SQL}: same engine, every copied column MAP (an identity mapping; a row filter
 *       applies on the source as usual), no comparison rule, and the dialect can hash rows ({@link
 *       Dialect#rowHashSum}): count and hash sum are computed by the servers and no row travels;
 *   <li>{@link Path#CLIENT}: everything else: both sides' rows are streamed, the source rows
 *       transformed by the mapping ({@link SourceRows}), and hashed over the canonical encoding
 *       ({@link RowHasher}) with the columns' comparison rules.
 * </ul>
 *
 * The source side of a digest runs on a second thread while the target side runs on the caller's,
 * so the two servers work at the same time; over a table's chunks ({@link #compareAll}) each side
 * walks all chunks on its own before any bisection, so neither waits for the other per chunk.
 *
 * <p><b>Bisection.</b> A chunk whose digests differ is split at a key (the midpoint of the keys
 * present for an integer key, else the source's — or, when the source range is empty, the target's
 * — median key), and only the left half is hashed on both sides; the right half's digest is the
 * parent's minus the left's (sums of disjoint ranges add up), so each level reads half of the
 * previous one and a whole bisection reads about one chunk per side. Halves whose digests agree are
 * dropped; a range of at most {@code leafRows} rows on either side (or one that cannot be split:
 * one key value, or {@value #MAX_DEPTH} levels deep) is a leaf, diffed row by row by key ({@link
 * Validator.Diff}), always client-side, so the comparison rules decide what differs. A hash
 * mismatch that the rules explain (a tolerance bucket boundary) therefore ends as no difference.
 */
final class ChunkComparer {
  /** Largest range diffed row by row; smaller leaves mean more round trips, larger more rows. */
  static final int DEFAULT_LEAF_ROWS = 256;

  /** Deepest bisection: 2^64 splits exhaust any 64-bit key range. */
  static final int MAX_DEPTH = 64;

  /** How a table's chunk digests are computed. */
  enum Path {
    SQL,
    CLIENT;

    String key() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** A range's row count and sum of row hashes (mod 2^64). */
  record Digest(long rows, long sum) {
    Digest minus(Digest o) {
      return new Digest(rows - o.rows, sum - o.sum);
    }
  }

  private final TableSql sql;
  private final SourceRows reader;
  private final RowCodec codec;
  private final Validator.Diff diff;
  private final Path path;
  private final int leafRows;
  private final ExecutorService sourceThread;
  private final String sourceHash;
  private final String targetHash;

  /** Both sides' aggregates from the checksum pass (client path across engines), else null. */
  private final StreamedAggregates sourceAggregates;

  private final StreamedAggregates targetAggregates;

  /** Whether the checksum pass covered every row (its chunks tile the key space). */
  private boolean passTiled;

  /** Whether every chunk of the last pass had equal digests on both sides. */
  private boolean passAgreed;

  /** The sample drawn by the checksum pass ({@link PassSample}); null: none. */
  private PassSample sample;

  /** Rows hashed or read while bisecting (both sides, leaves included). */
  long bisectionRowsRead;

  /** Ranges hashed while bisecting (each on both sides). */
  int bisectionSteps;

  /** Rows counted by the chunks' own digests (not bisection), per side. */
  long sourceRowsHashed;

  long targetRowsHashed;

  /** The chunk numbers whose digests differed in {@link #compareAll}. */
  final java.util.Set<Integer> differingChunks = new java.util.TreeSet<>();

  ChunkComparer(
      TableSql sql,
      SourceRows reader,
      Validator.Diff diff,
      int leafRows,
      boolean sqlHashing,
      ExecutorService sourceThread,
      boolean aggregates) {
    if (leafRows < 1) {
      throw new IllegalArgumentException("bisection leaf rows must be >= 1, was " + leafRows);
    }
    this.sql = sql;
    this.reader = reader;
    this.codec = reader.codec();
    this.diff = diff;
    this.leafRows = leafRows;
    this.sourceThread = sourceThread;
    Optional<String> s = Optional.empty();
    Optional<String> t = Optional.empty();
    if (sqlHashing && sqlEligible(sql)) {
      List<ColumnMapping> cols = sql.copiedColumns();
      s =
          sql.sourceDialect()
              .rowHashSum(cols.stream().map(c -> sql.sourceDialect().quote(c.source())).toList());
      t =
          sql.targetDialect()
              .rowHashSum(cols.stream().map(c -> sql.targetDialect().quote(c.target())).toList());
    }
    this.path = s.isPresent() && t.isPresent() ? Path.SQL : Path.CLIENT;
    this.sourceHash = s.orElse(null);
    this.targetHash = t.orElse(null);
    boolean aggregate = aggregates && path == Path.CLIENT && sql.crossEngine();
    this.sourceAggregates = aggregate ? new StreamedAggregates(codec.columns()) : null;
    this.targetAggregates = aggregate ? new StreamedAggregates(codec.columns()) : null;
  }

  /**
   * Whether the last {@link #compareAll} proved the table's per-column aggregates equal without
   * computing them: SQL path (each side's server hashed the text of every copied column), a pass
   * that covered every row, and no chunk whose digests differed. Equal row texts on both sides make
   * every aggregate of them equal; a 64-bit hash sum per chunk lets a difference hide only by
   * collision.
   */
  boolean provesAggregates() {
    return path == Path.SQL && passTiled && passAgreed;
  }

  /**
   * Whether the mapping of {@code sql}'s table is identity on one engine: every copied column read
   * as it is (MAP) and compared exactly (no rule), so both servers' text forms of a row agree.
   */
  static boolean sqlEligible(TableSql sql) {
    if (sql.crossEngine() || sql.sourceDialect().getClass() != sql.targetDialect().getClass()) {
      return false;
    }
    List<ColumnMapping> cols = sql.copiedColumns();
    return !cols.isEmpty()
        && cols.stream()
            .allMatch(
                c ->
                    c.disposition() == Disposition.MAP
                        && c.source() != null
                        && c.compare() == null);
  }

  Path path() {
    return path;
  }

  /** Draws {@code sample} in the next {@link #compareAll} pass (null: no sample in the pass). */
  void drawSample(PassSample sample) {
    this.sample = sample;
  }

  /** Whether the last {@link #compareAll} read every row, so its sample covers the table. */
  boolean passTiled() {
    return passTiled;
  }

  /**
   * The per-column aggregates of both sides from the checksum pass, compared under the columns'
   * rules; empty unless the table was hashed client-side across engines.
   */
  List<ValidationReport.ColumnAggregate> streamedAggregates() {
    if (sourceAggregates == null) {
      return List.of();
    }
    List<ValidationReport.Aggregate> s = sourceAggregates.result();
    List<ValidationReport.Aggregate> t = targetAggregates.result();
    List<ValidationReport.ColumnAggregate> out = new java.util.ArrayList<>();
    for (int i = 0; i < s.size(); i++) {
      io.migrationstudio.core.canonical.ColumnCodec c = codec.columns().get(i);
      out.add(
          new ValidationReport.ColumnAggregate(
              c.name(),
              s.get(i),
              t.get(i),
              ColumnAggregates.differing(s.get(i), t.get(i), c.rule())));
    }
    return out;
  }

  /** Compares one chunk; differing rows go to the diff. Returns whether the chunk differed. */
  boolean compare(Connection src, Connection tgt, ChunkRange r) throws SQLException {
    passTiled = Validator.tiles(List.of(r));
    boolean differed = compare(src, tgt, r, digests(src, tgt, r, true));
    passAgreed = !differed;
    return differed;
  }

  /**
   * Compares every chunk; returns how many differed. The two sides' digests of all chunks are
   * computed first, each side walking the chunks on its own thread without waiting for the other at
   * every chunk (the faster side runs ahead instead of idling at each chunk's end); then the
   * differing chunks are bisected, both connections free again.
   */
  int compareAll(Connection src, Connection tgt, List<ChunkRange> ranges) throws SQLException {
    // rows whose chunk key is NULL lie in no range: the pass covers every row only without them
    passTiled =
        Validator.tiles(ranges) && (ranges.size() == 1 || sql.table().primaryKey().size() > 0);
    java.util.concurrent.atomic.AtomicBoolean stop =
        new java.util.concurrent.atomic.AtomicBoolean();
    Future<List<Digest>> s =
        sourceThread.submit(
            () -> {
              List<Digest> out = new java.util.ArrayList<>(ranges.size());
              for (ChunkRange r : ranges) {
                if (stop.get()) {
                  break;
                }
                out.add(digest(src, r, true, true));
              }
              return out;
            });
    List<Digest> t = new java.util.ArrayList<>(ranges.size());
    try {
      for (ChunkRange r : ranges) {
        t.add(digest(tgt, r, false, true));
      }
    } catch (SQLException | RuntimeException e) {
      // the source stops at its next chunk; its connection is free once this returns
      stop.set(true);
      try {
        await(s);
      } catch (SQLException | RuntimeException ignored) {
        // the target's failure is the one reported
      }
      throw e;
    }
    List<Digest> sd = await(s);
    int differing = 0;
    for (int i = 0; i < ranges.size(); i++) {
      if (compare(src, tgt, ranges.get(i), new Digest[] {sd.get(i), t.get(i)})) {
        differing++;
        differingChunks.add(ranges.get(i).index());
      }
    }
    passAgreed = differing == 0;
    return differing;
  }

  private boolean compare(Connection src, Connection tgt, ChunkRange r, Digest[] d)
      throws SQLException {
    sourceRowsHashed += d[0].rows();
    targetRowsHashed += d[1].rows();
    if (d[0].equals(d[1])) {
      return false;
    }
    bisect(src, tgt, r, d[0], d[1], 0);
    return true;
  }

  private void bisect(Connection src, Connection tgt, ChunkRange r, Digest s, Digest t, int depth)
      throws SQLException {
    if (Math.max(s.rows(), t.rows()) <= leafRows || depth >= MAX_DEPTH) {
      bisectionRowsRead += diff.compare(src, tgt, sql, reader, r);
      return;
    }
    String split = split(src, tgt, r, s, t);
    if (split == null) {
      bisectionRowsRead += diff.compare(src, tgt, sql, reader, r);
      return;
    }
    ChunkRange left = new ChunkRange(r.index(), r.lo(), split);
    ChunkRange right = new ChunkRange(r.index(), split, r.hi());
    Digest[] l = digests(src, tgt, left, false);
    bisectionSteps++;
    bisectionRowsRead += l[0].rows() + l[1].rows();
    boolean leftEmpty = l[0].rows() == 0 && l[1].rows() == 0;
    boolean leftAll = l[0].rows() == s.rows() && l[1].rows() == t.rows();
    if (leftEmpty || leftAll) {
      // the split key did not divide the rows (a leading key value shared by many rows)
      bisectionRowsRead += diff.compare(src, tgt, sql, reader, r);
      return;
    }
    if (!l[0].equals(l[1])) {
      bisect(src, tgt, left, l[0], l[1], depth + 1);
    }
    Digest rs = s.minus(l[0]);
    Digest rt = t.minus(l[1]);
    if (!rs.equals(rt)) {
      bisect(src, tgt, right, rs, rt, depth + 1);
    }
  }

  /** A key strictly inside the range's keys (both halves non-empty on some side), or null. */
  private String split(Connection src, Connection tgt, ChunkRange r, Digest s, Digest t)
      throws SQLException {
    Optional<ColumnMapping> key = sql.chunkKey();
    if (key.isEmpty()) {
      return null;
    }
    ColumnMapping k = key.get();
    Dialect sd = sql.sourceDialect();
    Dialect td = sql.targetDialect();
    if (k.canonical() != null && k.canonical().isInteger()) {
      String items = "min(%s), max(%s)";
      BigInteger[] a =
          minMax(
              src,
              sql.sourceAggregate(items.formatted(sd.quote(k.source()), sd.quote(k.source())), r),
              true,
              r);
      BigInteger[] b =
          minMax(
              tgt,
              sql.targetAggregate(items.formatted(td.quote(k.target()), td.quote(k.target())), r),
              false,
              r);
      BigInteger min = least(a[0], b[0]);
      BigInteger max = greatest(a[1], b[1]);
      if (min == null || min.equals(max)) {
        return null;
      }
      // min < mid <= max: the left half holds min, the right half max
      return min.add(max).shiftRight(1).add(BigInteger.ONE).toString();
    }
    boolean fromSource = s.rows() >= 2;
    long n = fromSource ? s.rows() : t.rows();
    String q =
        fromSource
            ? sql.sourceAggregate(sql.sourceKeyValue(k), r)
                + " ORDER BY "
                + sd.quote(k.source())
                + " LIMIT 1 OFFSET ?"
            : sql.targetAggregate(td.quote(k.target()), r)
                + " ORDER BY "
                + td.quote(k.target())
                + " LIMIT 1 OFFSET ?";
    Connection c = fromSource ? src : tgt;
    try (PreparedStatement ps = c.prepareStatement(q)) {
      int next = bind(ps, r, fromSource);
      ps.setLong(next, n / 2);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        String mid = rs.getString(1);
        // a split at the range's lower bound would leave the left half empty forever
        return mid == null || mid.equals(r.lo()) ? null : mid;
      }
    }
  }

  private BigInteger[] minMax(Connection c, String q, boolean source, ChunkRange r)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(q)) {
      bind(ps, r, source);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        String lo = rs.getString(1);
        String hi = rs.getString(2);
        return new BigInteger[] {
          lo == null ? null : new BigInteger(lo.trim()),
          hi == null ? null : new BigInteger(hi.trim())
        };
      }
    }
  }

  /** Binds the range; returns the next free parameter index. */
  private int bind(PreparedStatement ps, ChunkRange r, boolean source) throws SQLException {
    if (source) {
      sql.bindSourceRange(ps, r);
    } else {
      TableSql.bindRange(ps, r);
    }
    return 1 + (r.lo() == null ? 0 : 1) + (r.hi() == null ? 0 : 1);
  }

  private static BigInteger least(BigInteger a, BigInteger b) {
    return a == null ? b : b == null ? a : a.min(b);
  }

  private static BigInteger greatest(BigInteger a, BigInteger b) {
    return a == null ? b : b == null ? a : a.max(b);
  }

  /** {source, target} digests of a range, the source computed on the second thread. */
  Digest[] digests(Connection src, Connection tgt, ChunkRange r, boolean pass) throws SQLException {
    Future<Digest> s = sourceThread.submit(() -> digest(src, r, true, pass));
    Digest t;
    try {
      t = digest(tgt, r, false, pass);
    } catch (SQLException | RuntimeException e) {
      await(s);
      throw e;
    }
    return new Digest[] {await(s), t};
  }

  static <T> T await(Future<T> f) throws SQLException {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading the source", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof SQLException s) {
        throw s;
      }
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  /**
   * One range's digest on one side; {@code pass}: part of the checksum pass, whose rows also feed
   * the streamed per-column aggregates (client path across engines).
   */
  private Digest digest(Connection c, ChunkRange r, boolean source, boolean pass)
      throws SQLException {
    StreamedAggregates aggregates = pass ? (source ? sourceAggregates : targetAggregates) : null;
    if (path == Path.SQL) {
      PassSample drawn = pass && source ? sample : null;
      String items =
          (source ? sourceHash : targetHash) + (drawn == null ? "" : drawn.sqlItems(sql));
      String q = source ? sql.sourceAggregate(items, r) : sql.targetAggregate(items, r);
      try (PreparedStatement ps = c.prepareStatement(q)) {
        bind(ps, r, source);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          // the low 64 bits of the exact sum: the sum modulo 2^64
          Digest d = new Digest(rs.getLong(1), rs.getBigDecimal(2).toBigInteger().longValue());
          if (drawn != null) {
            drawn.addSql(rs, 3);
          }
          return d;
        }
      }
    }
    RowHasher hasher = new RowHasher();
    long[] acc = new long[2];
    PassSample drawn = pass ? sample : null;
    List<io.migrationstudio.core.canonical.ColumnCodec> codecs = codec.columns();
    if (source) {
      Validator.forEachRow(
          c,
          sql.sourceDialect(),
          sql.sourceSelect(r),
          ps -> sql.bindSourceRange(ps, r),
          reader::read,
          v -> {
            acc[0]++;
            acc[1] += hasher.hashRow(codecs, v);
            if (aggregates != null) {
              aggregates.add(v);
            }
            if (drawn != null) {
              drawn.offer(true, codec, v);
            }
          });
    } else {
      Validator.forEachRow(
          c,
          sql.targetDialect(),
          sql.targetSelect(r),
          ps -> TableSql.bindRange(ps, r),
          codec::read,
          v -> {
            acc[0]++;
            acc[1] += hasher.hashRow(codecs, v);
            if (aggregates != null) {
              aggregates.add(v);
            }
            if (drawn != null) {
              drawn.offer(false, codec, v);
            }
          });
    }
    return new Digest(acc[0], acc[1]);
  }
}
