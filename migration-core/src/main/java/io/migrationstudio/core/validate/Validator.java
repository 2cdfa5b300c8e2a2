package io.migrationstudio.core.validate;

import io.migrationstudio.contracts.activity.ChunkRange;
import io.migrationstudio.contracts.spec.MigrateOptions;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.canonical.CanonicalEncoder;
import io.migrationstudio.core.canonical.ColumnCodec;
import io.migrationstudio.core.canonical.ComparisonRules;
import io.migrationstudio.core.canonical.RowCodec;
import io.migrationstudio.core.canonical.RowHasher;
import io.migrationstudio.core.copy.Ledger;
import io.migrationstudio.core.copy.SourceRows;
import io.migrationstudio.core.copy.TableSql;
import io.migrationstudio.core.copy.TargetSchema;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.mapping.ColumnMapping;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.EvidenceMask;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.report.MarkdownTable;
import io.migrationstudio.core.report.StageOutput;
import io.migrationstudio.core.schema.ForeignKey;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The validator: for every mapped table, numbers that show the target holds exactly the source as
 * the mapping transforms it.
 *
 * <ol>
 *   <li>row counts on both sides (from the chunk digests when the chunks tile the key space);
 *   <li>per chunk (the ledger's ranges, or a fresh plan when there is no ledger), the
 *       order-independent hash of the source rows as projected by the mapping and of the target
 *       rows, in SQL for same-engine identity tables, else over the canonical encoding with the
 *       columns' comparison rules; a chunk whose hashes or counts differ is bisected down to small
 *       key ranges diffed row by row ({@link ChunkComparer}) and every differing row named:
 *       missing, extra, or changed with its columns and values;
 *   <li>a seeded random sample per table, its size from the 95 %/5 % formula ({@link SampleSize},
 *       at least {@value #MIN_SAMPLE_ROWS} rows or the whole table, raised to {@code sample_rows}
 *       when that is larger), drawn inside the checksum pass by a seeded key hash ({@link
 *       PassSample}; by reservoir over a stream of the source keys when the pass cannot hold it),
 *       each row compared field by field under the comparison rules;
 *   <li>foreign-key orphans on the target;
 *   <li>per-column aggregates: in SQL on both sides for same-engine PostgreSQL tables ({@link
 *       ColumnAggregates}; on the SQL hash path proved by the row-text checksums when every chunk
 *       agrees, {@link ChunkComparer#provesAggregates}), across engines from the rows the checksum
 *       pass streams ({@link StreamedAggregates}) and, for temporal columns, from numbers each
 *       server computes itself ({@link ServerComputedTimes});
 *   <li>integrity of the target against the mapping: duplicate keys, NULLs in NOT NULL columns,
 *       constraints not validated, missing indexes ({@link TargetIntegrity}).
 * </ol>
 *
 * A table passes when none of them shows a difference. The seed derives from the migration id, so a
 * re-run on unchanged data writes the same bytes. A re-validation of an online migration may skip
 * the chunks whose earlier proof still holds ({@link ChunkReuse}); their table is then counted with
 * {@code count(*)} and its column aggregates are skipped.
 */
public final class Validator {
  public static final int MIN_SAMPLE_ROWS = 100;

  /** Differences listed per table (counts stay exact beyond it). */
  public static final int MAX_LISTED_DIFFERENCES = 100;

  /** Examples listed per integrity check (counts stay exact beyond it). */
  public static final int MAX_INTEGRITY_EXAMPLES = 5;

  private final Dialect source;
  private final Dialect target;
  private final String studioSchema;
  private final int leafRows;
  private final boolean sqlHashing;

  public Validator(Dialect source, Dialect target) {
    this(source, target, TargetSchema.DEFAULT_STUDIO_SCHEMA);
  }

  public Validator(Dialect source, Dialect target, String studioSchema) {
    this(source, target, studioSchema, ChunkComparer.DEFAULT_LEAF_ROWS);
  }

  /**
   * {@code leafRows}: the largest key range the bisection diffs row by row (at least 1; default
   * {@value ChunkComparer#DEFAULT_LEAF_ROWS}).
   */
  public Validator(Dialect source, Dialect target, String studioSchema, int leafRows) {
    this(source, target, studioSchema, leafRows, true);
  }

  /**
   * {@code sqlHashing} false forces the client-side path everywhere (to compare the two paths, in
   * tests and benchmarks).
   */
  public Validator(
      Dialect source, Dialect target, String studioSchema, int leafRows, boolean sqlHashing) {
    this.sqlHashing = sqlHashing;
    this.source = Objects.requireNonNull(source);
    this.target = Objects.requireNonNull(target);
    this.studioSchema = Objects.requireNonNull(studioSchema);
    if (leafRows < 1) {
      throw new IllegalArgumentException("bisection leaf rows must be >= 1, was " + leafRows);
    }
    this.leafRows = leafRows;
  }

  /**
   * The most rows a chunk planned without a ledger holds, whatever {@code migrate.chunk_rows} or
   * {@code chunk_bytes} say: bisecting a differing row reads about twice its chunk on each side.
   */
  public static final int MAX_LEDGERLESS_CHUNK_ROWS = 10_000_000;

  /**
   * The rows per chunk of a validation without a ledger: the spec's {@code chunk_rows} when it
   * gives one (capped at {@link #MAX_LEDGERLESS_CHUNK_ROWS}), else {@link
   * MigrateOptions#DEFAULT_CHUNK_ROWS} (the copy sizes its chunks by bytes then; validation cuts by
   * rows).
   */
  public static int ledgerlessChunkRows(MigrateOptions migrate) {
    int rows = migrate.chunkRows();
    return rows >= MigrateOptions.CHUNK_ROWS_WHEN_SIZED_BY_BYTES
        ? MigrateOptions.DEFAULT_CHUNK_ROWS
        : Math.min(rows, MAX_LEDGERLESS_CHUNK_ROWS);
  }

  /** Validates every table of the mapping; {@code chunkRows} is used only without a ledger. */
  public StageOutput validate(
      Connection src,
      Connection tgt,
      MappingDocument mapping,
      String migrationId,
      int sampleRows,
      int chunkRows) {
    return validate(src, tgt, mapping, migrationId, sampleRows, chunkRows, EvidenceMask.masked());
  }

  /**
   * As above; the row values the committed report quotes (values of changed rows, min/max
   * aggregates) go through {@code mask} ({@link MaskedReport}).
   */
  public StageOutput validate(
      Connection src,
      Connection tgt,
      MappingDocument mapping,
      String migrationId,
      int sampleRows,
      int chunkRows,
      EvidenceMask mask) {
    return validate(src, tgt, mapping, migrationId, sampleRows, chunkRows, mask, null);
  }

  /**
   * As above, each table's checks timed into {@code timings} (null: not timed); the report itself
   * stays deterministic ({@link CheckTimings#stamp} adds the times).
   */
  public StageOutput validate(
      Connection src,
      Connection tgt,
      MappingDocument mapping,
      String migrationId,
      int sampleRows,
      int chunkRows,
      EvidenceMask mask,
      CheckTimings timings) {
    return validate(src, tgt, mapping, migrationId, sampleRows, chunkRows, mask, timings, null);
  }

  /**
   * As above; with {@code reuse} (null: hash every chunk) a chunk whose earlier proof still holds
   * is not hashed again ({@link ChunkReuse}), and every chunk's outcome is recorded into it.
   */
  public StageOutput validate(
      Connection src,
      Connection tgt,
      MappingDocument mapping,
      String migrationId,
      int sampleRows,
      int chunkRows,
      EvidenceMask mask,
      CheckTimings timings,
      ChunkReuse reuse) {
    ValidationReport report =
        MaskedReport.of(
            run(src, tgt, mapping, migrationId, sampleRows, chunkRows, true, timings, reuse),
            mapping,
            mask);
    long failed = report.tables().stream().filter(t -> t.status() == Verdict.FAIL).count();
    return new StageOutput(
        Map.of(
            ArtifactPaths.VALIDATION_JSON, Json.bytes(Json.write(report)),
            ArtifactPaths.VALIDATION_MD, Json.bytes(markdown(report))),
        null,
        report.status()
            + ": "
            + (report.tables().size() - failed)
            + "/"
            + report.tables().size()
            + " tables identical");
  }

  public ValidationReport report(
      Connection src,
      Connection tgt,
      MappingDocument mapping,
      String migrationId,
      int sampleRows,
      int chunkRows) {
    return run(src, tgt, mapping, migrationId, sampleRows, chunkRows, true, null, null);
  }

  /**
   * Counts and chunk checksums only (with bisection of differing chunks), no sample, aggregates or
   * integrity checks: what {@code bench/validate.sh} measures against the engines' own hashing.
   */
  public ValidationReport checksums(
      Connection src, Connection tgt, MappingDocument mapping, String migrationId, int chunkRows) {
    return run(src, tgt, mapping, migrationId, 0, chunkRows, false, null, null);
  }

  /** {@link #checksums} with the row values and keys it quotes masked through {@code mask}. */
  public ValidationReport checksums(
      Connection src,
      Connection tgt,
      MappingDocument mapping,
      String migrationId,
      int chunkRows,
      EvidenceMask mask) {
    return MaskedReport.of(checksums(src, tgt, mapping, migrationId, chunkRows), mapping, mask);
  }

  private ValidationReport run(
      Connection src,
      Connection tgt,
      MappingDocument mapping,
      String migrationId,
      int sampleRows,
      int chunkRows,
      boolean full,
      CheckTimings timings,
      ChunkReuse reuse) {
    if (timings != null) {
      timings.start();
    }
    long seed = seed(migrationId);
    int n = Math.max(MIN_SAMPLE_ROWS, sampleRows);
    List<ValidationReport.TableValidation> tables = new ArrayList<>();
    ExecutorService sourceThread =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread th = new Thread(r, "validation-source");
              th.setDaemon(true);
              return th;
            });
    try {
      for (TableMapping t : mapping.tables()) {
        TableSql sql = new TableSql(source, target, mapping, t);
        try {
          tables.add(
              table(
                  src,
                  tgt,
                  mapping,
                  sql,
                  migrationId,
                  seed,
                  n,
                  chunkRows,
                  sourceThread,
                  full,
                  timings,
                  reuse));
        } catch (SQLException e) {
          throw target.classify(e, "validating table " + t.source() + " → " + t.target());
        }
      }
    } finally {
      sourceThread.shutdownNow();
    }
    if (timings != null) {
      timings.finish();
    }
    boolean ok = tables.stream().allMatch(t -> t.status() == Verdict.PASS);
    return new ValidationReport(
        migrationId, ok ? Verdict.PASS : Verdict.FAIL, RowHasher.toHex(seed), n, tables);
  }

  private static <T> T timed(
      CheckTimings timings, String table, String check, CheckTimings.Check<T> work)
      throws SQLException {
    return timings == null ? work.run() : timings.time(table, check, work);
  }

  /** The sample seed of a migration: the first 64 bits of SHA-256 of its id. */
  public static long seed(String migrationId) {
    return sha64("migration-studio/validation/" + migrationId);
  }

  private ValidationReport.TableValidation table(
      Connection src,
      Connection tgt,
      MappingDocument mapping,
      TableSql sql,
      String migrationId,
      long seed,
      int sampleRows,
      int chunkRows,
      ExecutorService sourceThread,
      boolean full,
      CheckTimings timings,
      ChunkReuse reuse)
      throws SQLException {
    TableMapping t = sql.table();
    String name = t.source();
    SourceRows reader = SourceRows.of(sql);
    RowCodec codec = reader.codec();
    PartitionCounts.Result partitions =
        timed(
            timings,
            name,
            "partitions",
            () -> PartitionCounts.of(src, tgt, mapping.sourceSchema(), sql));
    List<ChunkRange> ledger = ledgerRanges(tgt, migrationId, t.source());
    String chunkSource = ledger.isEmpty() ? "planned" : "ledger";
    List<ChunkRange> ranges =
        ledger.isEmpty()
            ? timed(
                timings, name, "chunk_plan", () -> ValidationChunks.plan(src, tgt, sql, chunkRows))
            : ledger;
    Diff diff = new Diff(codec, t);
    ChunkComparer comparer =
        new ChunkComparer(sql, reader, diff, leafRows, sqlHashing, sourceThread, full);
    // chunks whose earlier proof still holds are not hashed again; then the counts are count(*)
    List<ChunkRange> hashed =
        reuse == null ? ranges : reuse.toHash(name, chunkSource, ranges, integerKey(sql));
    boolean partial = hashed.size() < ranges.size();
    long tableSeed = sha64(Long.toHexString(seed) + "/" + t.source());
    // the sample is drawn by the checksum pass when it reads every row ({@link PassSample})
    PassSample drawn =
        full
                && !partial
                && !t.primaryKey().isEmpty()
                && (comparer.path() == ChunkComparer.Path.CLIENT
                    || (sql.sourceDialect().speaksPostgres()
                        && sql.targetDialect().speaksPostgres()))
            ? PassSample.of(
                src,
                tgt,
                sql,
                tableSeed,
                (int) Math.max(SampleSize.of(Long.MAX_VALUE), sampleRows),
                comparer.path() == ChunkComparer.Path.SQL)
            : null;
    comparer.drawSample(drawn);
    int differing = timed(timings, name, "checksums", () -> comparer.compareAll(src, tgt, hashed));
    if (reuse != null) {
      reuse.record(name, ranges, hashed, comparer.differingChunks);
    }
    long[] counts =
        timed(timings, name, "counts", () -> counts(src, tgt, sql, hashed, comparer, sourceThread));
    long sourceRows = counts[0];
    long targetRows = counts[1];
    // a quick validation (not full) samples, counts orphans and aggregates nothing
    int[] sample = {0, 0};
    List<ValidationReport.OrphanCount> fks = List.of();
    long orphans = 0;
    List<ValidationReport.ColumnAggregate> aggregates = List.of();
    List<ValidationReport.IntegrityCheck> integrity = List.of();
    String sampleSeed = null;
    boolean ok;
    if (!full) {
      ok =
          sourceRows == targetRows
              && diff.missing + diff.extra + diff.changed == 0
              && !partitions.differs();
    } else {
      int wanted =
          (int) Math.max(SampleSize.of(sourceRows), Math.min((long) sampleRows, sourceRows));
      // drawn by the pass when its rows hold the sample; else from a scan of the source keys,
      // timed apart ("sample_scan") so the second scan shows in timings_ms
      sample =
          drawn != null && comparer.passTiled() && drawn.usable(wanted)
              ? timed(timings, name, "sample", () -> drawn.compare(src, tgt, sql, reader, wanted))
              : timed(
                  timings,
                  name,
                  "sample_scan",
                  () -> sample(src, tgt, sql, reader, tableSeed, wanted));
      List<ValidationReport.OrphanCount> counted = new ArrayList<>();
      for (ForeignKey fk : t.foreignKeys()) {
        long o = timed(timings, name, "orphans", () -> orphans(tgt, mapping, t, fk));
        counted.add(new ValidationReport.OrphanCount(fk.name(), o));
        orphans += o;
      }
      fks = counted;
      aggregates =
          timed(
              timings,
              name,
              "aggregates",
              () -> {
                if (partial) {
                  // a whole-table aggregate would read every reused chunk again: only what the
                  // re-hashed chunks streamed (across engines) is compared
                  return comparer.streamedAggregates();
                }
                // the SQL path's agreeing row-text checksums prove them; else their own query
                List<ValidationReport.ColumnAggregate> compared =
                    new ArrayList<>(
                        ColumnAggregates.applies(sql)
                            ? comparer.provesAggregates()
                                ? ColumnAggregates.provedByChecksums(sql)
                                : ColumnAggregates.compare(src, tgt, sql)
                            : comparer.streamedAggregates());
                compared.addAll(ServerComputedTimes.compare(src, tgt, sql));
                return compared;
              });
      integrity =
          target.speaksPostgres()
              ? timed(
                  timings,
                  name,
                  "integrity",
                  () -> new TargetIntegrity(target, mapping, t).check(tgt))
              : List.of();
      ok =
          sourceRows == targetRows
              && diff.missing == 0
              && diff.extra == 0
              && diff.changed == 0
              && sample[1] == 0
              && orphans == 0
              && aggregates.stream().allMatch(a -> a.differing().isEmpty())
              && integrity.stream().allMatch(i -> i.count() == 0)
              && !partitions.differs();
      sampleSeed = RowHasher.toHex(tableSeed);
    }
    return new ValidationReport.TableValidation(
        t.source(),
        t.target(),
        sourceRows,
        targetRows,
        diff.missing,
        diff.extra,
        diff.changed,
        ranges.size(),
        differing,
        chunkSource,
        sample[0],
        sample[1],
        orphans,
        fks,
        List.copyOf(diff.listed),
        aggregates,
        integrity,
        ok ? Verdict.PASS : Verdict.FAIL,
        comparer.path().key(),
        comparer.bisectionSteps,
        comparer.bisectionRowsRead,
        sampleSeed,
        filter(t),
        unfiltered(src, sql),
        partitions.partitions(),
        partitions.note());
  }

  /**
   * {source, target} row counts. When the chunks tile the key space (the first unbounded below, the
   * last above, each starting where the previous ends) every row with a non-NULL chunk key lies in
   * exactly one chunk, whose digest counted it with {@code count(*)}: the table's count is the sum
   * of its chunks' counts plus its rows whose key is NULL, a query a primary key or an index on the
   * key answers without reading the table. So the counts cost no second scan of either table.
   * Chunks that do not tile (a ledger of another shape) are counted with {@code count(*)} over the
   * table, both sides at once.
   */
  private static long[] counts(
      Connection src,
      Connection tgt,
      TableSql sql,
      List<ChunkRange> ranges,
      ChunkComparer comparer,
      ExecutorService sourceThread)
      throws SQLException {
    java.util.Optional<ColumnMapping> key = sql.chunkKey();
    if (!tiles(ranges) || (key.isEmpty() && ranges.size() != 1)) {
      java.util.concurrent.Future<Long> s =
          sourceThread.submit(() -> count(src, sql.sourceCount()));
      long t = count(tgt, sql.targetCount());
      return new long[] {ChunkComparer.await(s), t};
    }
    long s = comparer.sourceRowsHashed;
    long t = comparer.targetRowsHashed;
    if (key.isPresent()) {
      String filter = filter(sql.table());
      s +=
          count(
              src,
              "SELECT count(*) FROM "
                  + sql.sourceFrom()
                  + " WHERE "
                  + (filter == null ? "" : "(" + filter + ") AND ")
                  + sql.sourceDialect().quote(key.get().source())
                  + " IS NULL");
      t +=
          count(
              tgt,
              "SELECT count(*) FROM "
                  + sql.targetFrom()
                  + " WHERE "
                  + sql.targetDialect().quote(key.get().target())
                  + " IS NULL");
    }
    return new long[] {s, t};
  }

  /** Whether the ranges cover every key exactly once: unbounded at both ends, contiguous. */
  static boolean tiles(List<ChunkRange> ranges) {
    if (ranges.isEmpty()
        || ranges.get(0).lo() != null
        || ranges.get(ranges.size() - 1).hi() != null) {
      return false;
    }
    for (int i = 1; i < ranges.size(); i++) {
      String hi = ranges.get(i - 1).hi();
      if (hi == null || !hi.equals(ranges.get(i).lo())) {
        return false;
      }
    }
    return true;
  }

  private static String filter(TableMapping t) {
    return t.filter() == null || t.filter().isBlank() ? null : t.filter();
  }

  /** The source rows before the mapping's row filter; null without a filter. */
  private static Long unfiltered(Connection src, TableSql sql) throws SQLException {
    return filter(sql.table()) == null
        ? null
        : count(src, sql.sourceDialect().countRows(sql.sourceFrom()));
  }

  /** Whether the table's chunk key is an integer (ordered alike by the stream and the servers). */
  private static boolean integerKey(TableSql sql) {
    return sql.chunkKey()
        .map(k -> k.canonical() != null && k.canonical().isInteger())
        .orElse(false);
  }

  private List<ChunkRange> ledgerRanges(Connection tgt, String migrationId, String table)
      throws SQLException {
    Ledger ledger = new Ledger(target, studioSchema);
    if (!ledger.exists(tgt)) {
      return List.of();
    }
    return ledger.plannedRanges(tgt, migrationId, table).orElse(List.of());
  }

  interface RowConsumer {
    void accept(Object[] values) throws SQLException;
  }

  /** Reads the current row of a result set as values (the target codecs, or {@link SourceRows}). */
  interface RowReader {
    Object[] read(ResultSet rs) throws SQLException;
  }

  /** Binds a query's parameters. */
  interface Binder {
    void bind(PreparedStatement ps) throws SQLException;
  }

  static void forEachRow(
      Connection c, Dialect d, String sql, Binder binder, RowReader reader, RowConsumer consumer)
      throws SQLException {
    boolean auto = c.getAutoCommit();
    try (PreparedStatement ps = d.streamingQuery(c, sql, 2000)) {
      binder.bind(ps);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          consumer.accept(reader.read(rs));
        }
      }
    } finally {
      // end only the read transaction streamingQuery began: a caller's (a positioned validation's
      // snapshot) stays open
      if (auto && !c.getAutoCommit()) {
        c.rollback();
        c.setAutoCommit(auto);
      }
    }
  }

  /** Row-by-row comparison of differing chunks; counts exact, the first differences listed. */
  static final class Diff {
    private final RowCodec codec;
    private final TableMapping table;
    private final boolean keyless;
    long missing;
    long extra;
    long changed;
    final TreeSet<ValidationReport.Difference> listed = new TreeSet<>();

    Diff(RowCodec codec, TableMapping table) {
      this.codec = codec;
      this.table = table;
      this.keyless = table.primaryKey().isEmpty();
    }

    /** Diffs one range row by row; returns the rows read (both sides). */
    long compare(Connection src, Connection tgt, TableSql sql, SourceRows reader, ChunkRange r)
        throws SQLException {
      long[] read = new long[1];
      Map<String, ArrayDeque<Object[]>> sourceRows = new HashMap<>();
      forEachRow(
          src,
          sql.sourceDialect(),
          sql.sourceSelect(r),
          ps -> sql.bindSourceRange(ps, r),
          reader::read,
          v -> {
            read[0]++;
            sourceRows.computeIfAbsent(key(v), k -> new ArrayDeque<>()).add(v);
          });
      forEachRow(
          tgt,
          sql.targetDialect(),
          sql.targetSelect(r),
          ps -> TableSql.bindRange(ps, r),
          codec::read,
          v -> {
            read[0]++;
            String k = key(v);
            ArrayDeque<Object[]> q = sourceRows.get(k);
            Object[] s = q == null ? null : q.poll();
            if (q != null && q.isEmpty()) {
              sourceRows.remove(k);
            }
            if (s == null) {
              extra++;
              add("extra", v, List.of(), List.of());
            } else {
              List<ValidationReport.ValueDifference> values = differingValues(codec, s, v);
              if (!values.isEmpty()) {
                changed++;
                add(
                    "changed",
                    v,
                    values.stream().map(ValidationReport.ValueDifference::column).toList(),
                    values);
              }
            }
          });
      for (ArrayDeque<Object[]> q : sourceRows.values()) {
        for (Object[] v : q) {
          missing++;
          add("missing", v, List.of(), List.of());
        }
      }
      return read[0];
    }

    private String key(Object[] v) {
      if (!keyless) {
        return codec.keyEncoding(v);
      }
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      for (int i = 0; i < v.length; i++) {
        CanonicalEncoder.encode(codec.columns().get(i), v[i], out);
      }
      return java.util.HexFormat.of().formatHex(out.toByteArray());
    }

    private void add(
        String kind, Object[] v, List<String> cols, List<ValidationReport.ValueDifference> values) {
      String key;
      if (keyless) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < v.length; i++) {
          sb.append(i == 0 ? "" : ", ")
              .append(CanonicalEncoder.display(codec.columns().get(i), v[i]));
        }
        key = sb.append(")").toString();
      } else {
        key = codec.keyText(v);
      }
      listed.add(new ValidationReport.Difference(kind, key, cols, values));
      if (listed.size() > MAX_LISTED_DIFFERENCES) {
        listed.pollLast();
      }
    }
  }

  /**
   * The columns whose values differ between a source row {@code a} and a target row {@code b} under
   * the columns' comparison rules, with both values in display form.
   */
  static List<ValidationReport.ValueDifference> differingValues(
      RowCodec codec, Object[] a, Object[] b) {
    List<ValidationReport.ValueDifference> out = new ArrayList<>();
    for (int i = 0; i < a.length; i++) {
      ColumnCodec c = codec.columns().get(i);
      if (!ComparisonRules.equal(c, a[i], b[i])) {
        out.add(
            new ValidationReport.ValueDifference(
                c.name(), CanonicalEncoder.display(c, a[i]), CanonicalEncoder.display(c, b[i])));
      }
    }
    return out;
  }

  /** The target column names whose values differ between two rows (comparison rules applied). */
  static List<String> differingColumns(RowCodec codec, Object[] a, Object[] b) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < a.length; i++) {
      if (!ComparisonRules.equal(codec.columns().get(i), a[i], b[i])) {
        out.add(codec.columns().get(i).name());
      }
    }
    return out;
  }

  /**
   * The sample when the checksum pass could not draw it ({@link PassSample#usable}): draws up to
   * {@code n} source keys uniformly (reservoir sampling over the keys in key order with a seeded
   * generator, so the draw is reproducible) and compares the rows by key on both sides. Returns
   * {sampled, mismatches}. A keyless table cannot be fetched by key: its sample is empty and its
   * chunk (the whole table) is compared in full above.
   */
  private int[] sample(
      Connection src, Connection tgt, TableSql sql, SourceRows sourceRows, long seed, int n)
      throws SQLException {
    TableMapping t = sql.table();
    if (t.primaryKey().isEmpty()) {
      return new int[] {0, 0};
    }
    int k = t.primaryKey().size();
    List<String[]> reservoir = new ArrayList<>(n);
    SplittableRandom random = new SplittableRandom(seed);
    boolean auto = src.getAutoCommit();
    long seen = 0;
    try (PreparedStatement ps = source.streamingQuery(src, sql.sourceKeys(), 5000);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        String[] key = new String[k];
        for (int i = 0; i < k; i++) {
          key[i] = rs.getString(i + 1);
        }
        if (seen < n) {
          reservoir.add(key);
        } else {
          long j = random.nextLong(seen + 1);
          if (j < n) {
            reservoir.set((int) j, key);
          }
        }
        seen++;
      }
    } finally {
      if (auto && !src.getAutoCommit()) {
        src.rollback();
        src.setAutoCommit(auto);
      }
    }
    // fetched by key in batches, one query per side each (was one round trip per key and side)
    int mismatches = 0;
    List<List<String>> keys = reservoir.stream().map(List::of).toList();
    for (int from = 0; from < keys.size(); from += PassSample.FETCH_KEYS) {
      mismatches +=
          PassSample.compareByKeys(
              src,
              tgt,
              sql,
              sourceRows,
              keys.subList(from, Math.min(keys.size(), from + PassSample.FETCH_KEYS)));
    }
    return new int[] {reservoir.size(), mismatches};
  }

  /** {@code qualified} as a read of {@code t}'s own rows names it ({@link TableSql#targetFrom}). */
  private String onlyIfParent(TableMapping t, String qualified) {
    return t.inheritanceParent() ? target.only(qualified) : qualified;
  }

  private long orphans(Connection tgt, MappingDocument mapping, TableMapping t, ForeignKey fk)
      throws SQLException {
    String schema = TableSql.targetSchema(mapping, target);
    StringBuilder sb = new StringBuilder("SELECT count(*) FROM ");
    sb.append(onlyIfParent(t, target.qualify(schema, t.target()))).append(" c WHERE ");
    for (String col : fk.columns()) {
      sb.append("c.").append(target.quote(col)).append(" IS NOT NULL AND ");
    }
    // a foreign key holds in (and looks up) exactly the named tables, never their children
    String ref = target.qualify(schema, fk.refTable());
    Optional<TableMapping> refTable =
        mapping.tables().stream().filter(r -> r.target().equals(fk.refTable())).findFirst();
    sb.append("NOT EXISTS (SELECT 1 FROM ");
    sb.append(refTable.isPresent() ? onlyIfParent(refTable.get(), ref) : ref);
    sb.append(" p WHERE ");
    for (int i = 0; i < fk.columns().size(); i++) {
      sb.append(i == 0 ? "" : " AND ").append("p.").append(target.quote(fk.refColumns().get(i)));
      sb.append(" = c.").append(target.quote(fk.columns().get(i)));
    }
    sb.append(")");
    return count(tgt, sb.toString());
  }

  private static long count(Connection c, String sql) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql);
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  static long sha64(String s) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      long h = 0;
      for (int i = 0; i < 8; i++) {
        h = (h << 8) | (d[i] & 0xff);
      }
      return h;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  static String markdown(ValidationReport r) {
    StringBuilder sb = new StringBuilder();
    sb.append("# Validation: ").append(r.migration()).append("\n\n");
    sb.append("Overall: **").append(r.status()).append("**. Sample seed ").append(r.seed());
    sb.append(", per table the 95 %/5 % sample size or ").append(r.sampleRows());
    sb.append(" rows, whichever is larger (never more than the table).\n\n");
    sb.append(
        "| table | source rows | target rows | missing | extra | changed | chunks differing |");
    sb.append(" sampled | sample mismatches | orphans | aggregates differing |");
    sb.append(" integrity violations | status |\n");
    sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
    for (ValidationReport.TableValidation t : r.tables()) {
      sb.append("| ").append(cell(t.table())).append(" | ").append(t.sourceRows());
      sb.append(" | ").append(t.targetRows()).append(" | ").append(t.missing());
      sb.append(" | ").append(t.extra()).append(" | ").append(t.changed());
      sb.append(" | ").append(t.chunksDiffering()).append("/").append(t.chunks());
      sb.append(" | ").append(t.sampled()).append(" | ").append(t.sampleMismatches());
      sb.append(" | ").append(t.orphans());
      sb.append(" | ")
          .append(t.aggregates().stream().filter(a -> !a.differing().isEmpty()).count());
      sb.append(" | ")
          .append(t.integrity().stream().mapToLong(ValidationReport.IntegrityCheck::count).sum());
      sb.append(" | ").append(t.status()).append(" |\n");
    }
    for (String path : List.of("sql", "client")) {
      List<String> names =
          r.tables().stream()
              .filter(t -> path.equals(t.hashPath()))
              .map(t -> cell(t.table()))
              .toList();
      if (!names.isEmpty()) {
        sb.append(
            path.equals("sql")
                ? "\nChunk checksums computed in SQL on both servers: "
                : "\nChunk checksums computed from streamed rows (canonical encoding): ");
        sb.append(String.join(", ", names)).append(".\n");
      }
    }
    partitions(sb, r);
    for (ValidationReport.TableValidation t : r.tables()) {
      boolean aggregates = t.aggregates().stream().anyMatch(a -> !a.differing().isEmpty());
      boolean integrity = t.integrity().stream().anyMatch(i -> i.count() > 0);
      if (t.differences().isEmpty() && !aggregates && !integrity) {
        continue;
      }
      sb.append("\n## ").append(cell(t.table())).append("\n\n");
      if (t.bisectionSteps() > 0 || t.bisectionRowsRead() > 0) {
        sb.append("Differing chunks bisected in ").append(t.bisectionSteps());
        sb.append(" step(s), ").append(t.bisectionRowsRead()).append(" rows read.\n\n");
      }
      for (ValidationReport.ColumnAggregate a : t.aggregates()) {
        for (String name : a.differing()) {
          sb.append("- aggregate ").append(name).append(" of ").append(cell(a.column()));
          sb.append(": source ").append(cell(aggregate(a.source(), name)));
          sb.append(", target ").append(cell(aggregate(a.target(), name))).append("\n");
        }
      }
      for (ValidationReport.IntegrityCheck i : t.integrity()) {
        if (i.count() > 0) {
          sb.append("- ").append(i.kind()).append(" ").append(cell(i.object())).append(": ");
          sb.append(i.count());
          if (!i.examples().isEmpty()) {
            sb.append(" (e.g. ")
                .append(String.join("; ", i.examples().stream().map(Validator::cell).toList()))
                .append(")");
          }
          sb.append("\n");
        }
      }
      for (ValidationReport.Difference d : t.differences()) {
        sb.append("- ").append(d.kind()).append(" key (").append(cell(d.key())).append(")");
        if (!d.values().isEmpty()) {
          sb.append(": ")
              .append(
                  String.join(
                      ", ",
                      d.values().stream()
                          .map(
                              v ->
                                  cell(v.column())
                                      + " (source "
                                      + cell(String.valueOf(v.source()))
                                      + ", target "
                                      + cell(String.valueOf(v.target()))
                                      + ")")
                          .toList()));
        } else if (!d.columns().isEmpty()) {
          sb.append(": ")
              .append(String.join(", ", d.columns().stream().map(Validator::cell).toList()));
        }
        sb.append("\n");
      }
    }
    return sb.toString();
  }

  /** Rows per partition of the partitioned source tables, a differing partition marked. */
  private static void partitions(StringBuilder sb, ValidationReport r) {
    for (ValidationReport.TableValidation t : r.tables()) {
      if (t.partitions().isEmpty() && t.partitionsNote() == null) {
        continue;
      }
      sb.append("\n### Partitions of ").append(cell(t.table())).append("\n\n");
      if (!t.partitions().isEmpty()) {
        sb.append("| partition | bounds | source rows | target rows | counted by | status |\n");
        sb.append("|---|---|---:|---:|---|---|\n");
        for (ValidationReport.PartitionCount p : t.partitions()) {
          sb.append("| ").append(cell(p.partition())).append(" | ");
          sb.append(cell(String.valueOf(p.bounds()))).append(" | ").append(p.sourceRows());
          sb.append(" | ").append(p.targetRows() == null ? "n/a" : p.targetRows().toString());
          sb.append(" | ").append(p.targetMethod() == null ? "not comparable" : p.targetMethod());
          sb.append(" | ")
              .append(p.targetRows() == null ? "-" : p.differs() ? "FAIL" : "PASS")
              .append(" |\n");
        }
      }
      if (t.partitionsNote() != null) {
        sb.append("\nNote: ").append(cell(t.partitionsNote())).append(".\n");
      }
    }
  }

  /** One named aggregate's value as text ("NULL" when absent). */
  static String aggregate(ValidationReport.Aggregate a, String name) {
    Object v =
        switch (name) {
          case "count" -> a.count();
          case "nulls" -> a.nulls();
          case "min" -> a.min();
          case "max" -> a.max();
          case "sum" -> a.sum();
          case "length_sum" -> a.lengthSum();
          default -> throw new IllegalArgumentException("unknown aggregate " + name);
        };
    return v == null ? "NULL" : v.toString();
  }

  private static String cell(String s) {
    return MarkdownTable.cell(s);
  }
}
