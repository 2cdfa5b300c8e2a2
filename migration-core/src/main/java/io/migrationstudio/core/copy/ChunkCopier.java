package io.migrationstudio.core.copy;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.activity.ChunkRange;
import io.migrationstudio.contracts.activity.ChunkResult;
import io.migrationstudio.core.canonical.CanonicalEncoder;
import io.migrationstudio.core.canonical.ColumnCodec;
import io.migrationstudio.core.canonical.RowCodec;
import io.migrationstudio.core.canonical.RowHasher;
import io.migrationstudio.core.cdc.ChangeCapture;
import io.migrationstudio.core.cdc.ChunkSnapshot;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.mapping.Codecs;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.report.Json;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Copies one chunk with an exactly-once effect (DESIGN §4).
 *
 * <p>One target transaction: lock the chunk's ledger row, and if it is already {@code committed}
 * return it untouched (unless {@code force}); otherwise delete the range on the target and its old
 * rejects, stream the source range (cursor, ordered by key) through the mapping's projections, hash
 * every row canonically, write the rows with {@code COPY ... FROM STDIN} (in binary when {@link
 * BinaryRows} encodes every target column, else in text; rows PostgreSQL cannot hold go to the
 * quarantine with a reason), upsert the ledger row (attempt: the previous one + 1, or the delivery
 * attempt when that is higher, since a failed delivery left no row; rows, source hash of all rows
 * read, target hash of the rows sent, status committed), commit. Any failure rolls the whole
 * transaction back, so a retry redoes exactly the range and nothing is duplicated or lost. Memory
 * is bounded by the fetch size and one COPY buffer.
 *
 * <p>Two shortcuts keep that protocol: the range delete is skipped when the chunk is not committed
 * and the table was empty when planned ({@link Ledger#markTargetEmpty}: then only committed chunks
 * ever wrote it, and the delete would scan the whole table while its primary key is not built); and
 * an identity PostgreSQL→PostgreSQL table is piped in binary without decoding rows ({@link
 * BinaryCopyPipe}; its ledger hashes are the stream's hash, see {@link CopyFraming}).
 */
public final class ChunkCopier {
  /** Bytes buffered before a COPY write (a few rows to a few thousand). */
  static final int COPY_BUFFER_CHARS = 64 * 1024;

  private final Dialect sourceDialect;
  private final Dialect targetDialect;
  private final Ledger ledger;
  private final Clock clock;
  private final CopyOptions options;
  private final boolean binaryRows;
  private final ChangeCapture capture;
  private final TableFacts facts;
  private final String mappingCommit;
  private final boolean asyncCommit;

  /**
   * What the chunks of one table share and need to learn only once per run (issue 17): whether the
   * table takes the binary pass-through ({@link BinaryCopyPipe#eligible}, two catalogue queries).
   * Kept by the worker, keyed by the mapping commit, the two databases and the table; at most
   * {@link #MAX_ENTRIES} tables, the oldest forgotten first.
   */
  public static final class TableFacts {
    static final int MAX_ENTRIES = 4096;

    private final Map<String, Boolean> eligible =
        java.util.Collections.synchronizedMap(
            new LinkedHashMap<>(16, 0.75f, true) {
              @Override
              protected boolean removeEldestEntry(Map.Entry<String, Boolean> e) {
                return size() > MAX_ENTRIES;
              }
            });

    /** Tables whose eligibility is known (tests). */
    int size() {
      return eligible.size();
    }
  }

  @FunctionalInterface
  private interface SqlDecision {
    boolean decide() throws SQLException;
  }

  public ChunkCopier(Dialect source, Dialect target) {
    this(
        source,
        target,
        TargetSchema.DEFAULT_STUDIO_SCHEMA,
        Clock.systemUTC(),
        CopyOptions.defaults());
  }

  public ChunkCopier(
      Dialect source, Dialect target, String studioSchema, Clock clock, CopyOptions options) {
    this.sourceDialect = Objects.requireNonNull(source);
    this.targetDialect = Objects.requireNonNull(target);
    this.ledger = new Ledger(target, studioSchema);
    this.clock = Objects.requireNonNull(clock);
    this.options = Objects.requireNonNull(options);
    this.binaryRows = true;
    this.capture = source.changeCapture().orElse(null);
    this.facts = null;
    this.mappingCommit = null;
    this.asyncCommit = false;
  }

  private ChunkCopier(
      ChunkCopier base,
      boolean binaryRows,
      ChangeCapture capture,
      TableFacts facts,
      String mappingCommit,
      boolean asyncCommit) {
    this.sourceDialect = base.sourceDialect;
    this.targetDialect = base.targetDialect;
    this.ledger = base.ledger;
    this.clock = base.clock;
    this.options = base.options;
    this.binaryRows = binaryRows;
    this.capture = capture;
    this.facts = facts;
    this.mappingCommit = mappingCommit;
    this.asyncCommit = asyncCommit;
  }

  /** This copier writing decoded rows only in COPY text (tests compare the two formats). */
  ChunkCopier withoutBinaryRows() {
    return new ChunkCopier(this, false, capture, facts, mappingCommit, asyncCommit);
  }

  /**
   * This copier taking per-table decisions from {@code tableFacts} (deciding them on the first
   * chunk of a table of the mapping at {@code commit}).
   */
  public ChunkCopier withTableFacts(TableFacts tableFacts, String commit) {
    return new ChunkCopier(
        this,
        binaryRows,
        capture,
        Objects.requireNonNull(tableFacts),
        Objects.requireNonNull(commit),
        asyncCommit);
  }

  /**
   * This copier beginning the chunk reads of an {@linkplain CopyOptions#online() online} copy
   * through {@code changeCapture} instead of the source dialect's own.
   */
  public ChunkCopier withChangeCapture(ChangeCapture changeCapture) {
    return new ChunkCopier(
        this, binaryRows, Objects.requireNonNull(changeCapture), facts, mappingCommit, asyncCommit);
  }

  /**
   * This copier committing a chunk on a PostgreSQL target without waiting for its WAL flush ({@code
   * SET LOCAL synchronous_commit TO off}; issue 17: with fsync on, a flush per chunk was a large
   * part of a small chunk's fixed cost). The rows and the ledger row still commit in one
   * transaction, so a crash of the target loses both or neither; the caller makes the chunks
   * durable before it reports them done ({@link #flushCommitted}), and a chunk lost before that is
   * simply not committed in the ledger and copied again.
   */
  public ChunkCopier withAsyncCommit() {
    return new ChunkCopier(this, binaryRows, capture, facts, mappingCommit, true);
  }

  /**
   * Waits until every transaction the target committed so far is durable: a transaction with a
   * transaction id commits synchronously, and the WAL is flushed in order up to its commit record,
   * so the chunks committed before it by {@link #withAsyncCommit} on any session are on disk too.
   */
  public static void flushCommitted(Connection target) throws SQLException {
    boolean auto = target.getAutoCommit();
    target.setAutoCommit(false);
    boolean done = false;
    try (java.sql.Statement st = target.createStatement()) {
      st.execute("SET LOCAL synchronous_commit TO on");
      st.execute("SELECT pg_catalog.txid_current()");
      target.commit();
      done = true;
    } finally {
      if (!done) {
        rollbackQuietly(target);
      }
      restoreAutoCommit(target, auto);
    }
  }

  /** Copies {@code range} of {@code table}; see the class comment. */
  public ChunkResult copy(
      Connection source,
      Connection target,
      MappingDocument mapping,
      TableMapping table,
      ChunkRange range,
      String migrationId,
      ChunkProgress progress) {
    // columns the target generates are neither read nor written: COPY lists leave them out
    TableSql sql = new TableSql(sourceDialect, targetDialect, mapping, table.written());
    String what = "chunk " + range.index() + " of table " + table.source();
    try {
      return copy(source, target, sql, range, migrationId, progress, what);
    } catch (SQLException e) {
      MigrationException classified =
          targetDialect.classify(e, "copying " + what + " to " + table.target());
      // the message reaches run.{json,md}, the status and PULL_REQUEST.md: values it quotes masked
      throw new MigrationException(
          classified.code(), RejectReason.masked(table, classified.getMessage()), e);
    }
  }

  private ChunkResult copy(
      Connection source,
      Connection target,
      TableSql sql,
      ChunkRange range,
      String migration,
      ChunkProgress progress,
      String what)
      throws SQLException {
    String table = sql.table().source();
    boolean targetAuto = target.getAutoCommit();
    target.setAutoCommit(false);
    boolean sourceAuto = source.getAutoCommit();
    boolean done = false;
    try {
      Locked locked = lockLedgerRow(target, migration, table, range, what);
      Ledger.ChunkRow current = locked.row();
      if (current.committed() && !options.force()) {
        target.rollback();
        done = true;
        return new ChunkResult(
            table, range.index(), current.rows(), current.sourceHash(), current.attempt(), true);
      }
      Instant started = clock.instant();
      // an uncommitted range of a table that was empty when planned holds no row (Ledger)
      if (current.committed() || !locked.targetWasEmpty()) {
        try (PreparedStatement del = target.prepareStatement(sql.targetDelete(range))) {
          TableSql.bindRange(del, range);
          del.executeUpdate();
        }
      }
      // a chunk's rejects are written in its transaction with its committed ledger row: a chunk
      // not committed has none
      if (current.committed()) {
        try (PreparedStatement del =
            target.prepareStatement(
                "DELETE FROM "
                    + ledger.rejectTable()
                    + " WHERE migration = ? AND table_name = ? AND chunk = ?")) {
          del.setString(1, migration);
          del.setString(2, table);
          del.setInt(3, range.index());
          del.executeUpdate();
        }
      }
      // online: the source read runs in the capture's transaction, whose snapshot the ledger keeps
      String snapshot = options.online() ? beginChunkRead(source, what).text() : null;
      Streamed s = pipe(source, target, sql, range, migration, progress);
      if (s == null) {
        s = streamIsolatingRowFaults(source, target, sql, range, migration, progress);
      }
      // a delivery that failed rolled its ledger row back with it: count it from the delivery
      int attempt = Math.max(current.attempt() + 1, options.deliveryAttempt());
      try (PreparedStatement up =
          target.prepareStatement(
              "UPDATE "
                  + ledger.chunkTable()
                  + " SET \"rows\" = ?, rejects = ?, source_hash = ?, target_hash = ?,"
                  + " attempt = ?, status = ?, started_at = ?, finished_at = ?,"
                  + " worker = coalesce(?, worker), snapshot = ?, bytes = coalesce(?, bytes)"
                  + " WHERE migration = ? AND table_name = ? AND chunk = ?")) {
        up.setLong(1, s.written);
        up.setLong(2, s.rejected);
        up.setString(3, s.sourceHash);
        up.setString(4, s.targetHash);
        up.setInt(5, attempt);
        up.setString(6, Ledger.COMMITTED);
        up.setObject(7, Ledger.utc(started));
        up.setObject(8, Ledger.utc(clock.instant()));
        up.setString(9, options.worker());
        up.setString(10, snapshot);
        up.setObject(11, s.bytes, java.sql.Types.BIGINT);
        up.setString(12, migration);
        up.setString(13, table);
        up.setInt(14, range.index());
        up.executeUpdate();
      }
      if (!options.leaveOpen()) {
        target.commit();
      }
      done = true;
      return new ChunkResult(table, range.index(), s.written, s.sourceHash, attempt, false);
    } finally {
      if (!done) {
        rollbackQuietly(target);
      }
      rollbackQuietly(source);
      restoreAutoCommit(source, sourceAuto);
      restoreAutoCommit(target, targetAuto);
    }
  }

  /**
   * Begins the source read of an online copy's chunk through the change capture: one transaction
   * whose snapshot is what the chunk copies (see {@link ChangeCapture}).
   */
  private ChunkSnapshot beginChunkRead(Connection source, String what) throws SQLException {
    if (capture == null) {
      throw new MigrationException(
          ErrorCode.INVALID_SPEC,
          what
              + ": migrate.strategy is online but the "
              + sourceDialect.name()
              + " source has no change capture; use strategy bulk for this source");
    }
    return capture.beginChunkRead(source);
  }

  /** A chunk's locked ledger row, and whether its table was empty when planned. */
  private record Locked(Ledger.ChunkRow row, boolean targetWasEmpty) {}

  /**
   * The ledger row of the chunk, created {@code planned} when missing, locked FOR UPDATE, read with
   * its table's {@code target_was_empty} in the same round trip; for {@link #withAsyncCommit} the
   * same query sets {@code synchronous_commit} off for the chunk's transaction. The plan ({@link
   * Ledger#recordPlan}) inserted the row already, so the insert is only tried when the row is not
   * there (issue 17: one round trip less per chunk).
   */
  private Locked lockLedgerRow(
      Connection target, String migration, String table, ChunkRange range, String what)
      throws SQLException {
    Locked locked = selectLedgerRow(target, migration, table, range, what);
    if (locked != null) {
      return locked;
    }
    try (PreparedStatement ins =
        target.prepareStatement(
            "INSERT INTO "
                + ledger.chunkTable()
                + " (migration, table_name, chunk, lo, hi, status) VALUES (?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT (migration, table_name, chunk) DO NOTHING")) {
      ins.setString(1, migration);
      ins.setString(2, table);
      ins.setInt(3, range.index());
      ins.setString(4, range.lo());
      ins.setString(5, range.hi());
      ins.setString(6, Ledger.PLANNED);
      ins.executeUpdate();
    }
    return Objects.requireNonNull(selectLedgerRow(target, migration, table, range, what));
  }

  /**
   * The chunk's ledger row locked FOR UPDATE (see {@link #lockLedgerRow}), or null when missing.
   */
  private Locked selectLedgerRow(
      Connection target, String migration, String table, ChunkRange range, String what)
      throws SQLException {
    try (PreparedStatement ps =
        target.prepareStatement(
            "SELECT lo, hi, \"rows\", source_hash, attempt, status,"
                + " (SELECT t.target_was_empty FROM "
                + ledger.tableLedger()
                + " t WHERE t.migration = c.migration AND t.table_name = c.table_name)"
                + (asyncCommit && targetDialect.speaksPostgres()
                    ? ", set_config('synchronous_commit', 'off', true)"
                    : "")
                + " FROM "
                + ledger.chunkTable()
                + " c WHERE migration = ? AND table_name = ? AND chunk = ? FOR UPDATE OF c")) {
      ps.setString(1, migration);
      ps.setString(2, table);
      ps.setInt(3, range.index());
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        String lo = rs.getString(1);
        String hi = rs.getString(2);
        if (!Objects.equals(lo, range.lo()) || !Objects.equals(hi, range.hi())) {
          throw new MigrationException(
              ErrorCode.INVALID_ARTIFACT,
              what
                  + " is planned in the ledger as ["
                  + lo
                  + ", "
                  + hi
                  + ") but was requested as ["
                  + range.lo()
                  + ", "
                  + range.hi()
                  + "); re-run prepareTarget to take the plan from the ledger");
        }
        return new Locked(
            new Ledger.ChunkRow(
                table,
                range.index(),
                lo,
                hi,
                rs.getLong(3),
                0,
                rs.getString(4),
                null,
                rs.getInt(5),
                rs.getString(6),
                null,
                null),
            rs.getBoolean(7));
      }
    }
  }

  /** A chunk's rows as copied; {@code bytes} of the binary stream of a piped chunk, else null. */
  private record Streamed(
      long written, long rejected, String sourceHash, String targetHash, Long bytes) {
    Streamed(long written, long rejected, String sourceHash, String targetHash) {
      this(written, rejected, sourceHash, targetHash, null);
    }
  }

  /** The binary pass-through of an identity PostgreSQL table ({@link BinaryCopyPipe}), or null. */
  private Streamed pipe(
      Connection source,
      Connection target,
      TableSql sql,
      ChunkRange range,
      String migration,
      ChunkProgress progress)
      throws SQLException {
    if (!remembered(migration, sql, () -> BinaryCopyPipe.eligible(source, target, sql))) {
      return null;
    }
    BinaryCopyPipe.Piped p =
        BinaryCopyPipe.pipe(
                source, target, sql, range, options.progressEvery(), progress, !options.leaveOpen())
            .orElse(null);
    if (p == null) {
      return null;
    }
    return new Streamed(p.rows(), 0, p.hash(), p.hash(), p.bytes());
  }

  /** {@code decision} for {@code sql}'s table, decided once when there are {@link #facts}. */
  private boolean remembered(String migration, TableSql sql, SqlDecision decision)
      throws SQLException {
    if (facts == null) {
      return decision.decide();
    }
    String key =
        String.join(
            "\0",
            migration,
            mappingCommit,
            sourceDialect.name(),
            targetDialect.name(),
            sql.sourceTable(),
            sql.targetTable());
    Boolean known = facts.eligible.get(key);
    if (known == null) {
      known = decision.decide();
      facts.eligible.put(key, known);
    }
    return known;
  }

  /**
   * {@link #stream} under a savepoint; when the target refuses a row's data (SQLState class 22 or
   * 23) the rows are rolled back to it and the range is written again by {@link RowIsolatingCopy},
   * in the same transaction, so good rows land and each bad row is quarantined.
   */
  private Streamed streamIsolatingRowFaults(
      Connection source,
      Connection target,
      TableSql sql,
      ChunkRange range,
      String migration,
      ChunkProgress progress)
      throws SQLException {
    boolean freeze =
        !options.leaveOpen()
            && BinaryCopyPipe.wholeTable(range)
            && targetDialect.speaksPostgres()
            && target.isWrapperFor(PGConnection.class)
            && BinaryCopyPipe.freezable(target, sql);
    java.sql.Savepoint beforeRows = target.setSavepoint();
    try {
      BinaryRows binary =
          binaryRows
              ? BinaryRows.forTarget(target, sql, Codecs.row(sql.table()).columns()).orElse(null)
              : null;
      if (binary != null) {
        try {
          return streamFrozenIfAllowed(
              source, target, sql, range, migration, progress, binary, freeze, beforeRows);
        } catch (BinaryRows.NotEncodable e) {
          // a value binary COPY would not store exactly as text does: the chunk goes in text
          target.rollback(beforeRows);
        }
      }
      return streamFrozenIfAllowed(
          source, target, sql, range, migration, progress, null, freeze, beforeRows);
    } catch (SQLException e) {
      if (!RowIsolatingCopy.isRowFault(e)) {
        throw e;
      }
      target.rollback(beforeRows);
      RowIsolatingCopy.Result r =
          new RowIsolatingCopy(sourceDialect, ledger, options)
              .copy(source, target, sql, range, migration, progress);
      return new Streamed(r.written(), r.rejected(), r.sourceHash(), r.targetHash());
    }
  }

  /**
   * {@link #stream}, for a whole-table chunk whose target allows it ({@code freeze}) as {@code
   * TRUNCATE ONLY} + {@code COPY ... (FREEZE)} like {@link BinaryCopyPipe#pipe}; when the server
   * refuses the FREEZE the work is rolled back to {@code savepoint} and streamed again without it.
   */
  private Streamed streamFrozenIfAllowed(
      Connection source,
      Connection target,
      TableSql sql,
      ChunkRange range,
      String migration,
      ChunkProgress progress,
      BinaryRows binary,
      boolean freeze,
      java.sql.Savepoint savepoint)
      throws SQLException {
    if (freeze) {
      try {
        return stream(source, target, sql, range, migration, progress, binary, true);
      } catch (SQLException e) {
        if (!BinaryCopyPipe.freezeRefused(e)) {
          throw e;
        }
        target.rollback(savepoint);
      }
    }
    return stream(source, target, sql, range, migration, progress, binary, false);
  }

  private Streamed stream(
      Connection source,
      Connection target,
      TableSql sql,
      ChunkRange range,
      String migration,
      ChunkProgress progress,
      BinaryRows binary,
      boolean freeze)
      throws SQLException {
    if (freeze) {
      BinaryCopyPipe.truncateForFreeze(target, sql);
    }
    SourceRows sourceRows = SourceRows.of(sql);
    RowCodec codec = sourceRows.codec();
    List<ColumnCodec> cols = codec.columns();
    RowHasher hasher = new RowHasher();
    RowHasher.ChunkDigest sourceDigest = new RowHasher.ChunkDigest();
    RowHasher.ChunkDigest targetDigest = new RowHasher.ChunkDigest();
    long rejected = 0;
    long read = 0;
    List<Reject> rejects = new java.util.ArrayList<>();
    CopyIn copy =
        binary != null
            ? binary.begin(target, freeze)
            : target
                .unwrap(PGConnection.class)
                .getCopyAPI()
                .copyIn(sql.copyIn() + (freeze ? " (FREEZE)" : ""));
    StringBuilder buf = binary != null ? null : new StringBuilder(COPY_BUFFER_CHARS + 1024);
    try (PreparedStatement rs0 =
        sourceDialect.streamingQuery(source, sql.sourceSelect(range), options.fetchSize())) {
      sql.bindSourceRange(rs0, range);
      try (ResultSet rs = rs0.executeQuery()) {
        while (rs.next()) {
          Object[] values = sourceRows.read(rs);
          long h = hasher.hashRow(cols, values);
          sourceDigest.add(h);
          read++;
          String reason = unwritable(cols, values);
          if (reason != null) {
            rejected++;
            if (rejected > options.rejectLimit()) {
              throw new MigrationException(
                  ErrorCode.REJECT_LIMIT_EXCEEDED,
                  "table "
                      + sql.table().source()
                      + " chunk "
                      + range.index()
                      + ": more than "
                      + options.rejectLimit()
                      + " rejected rows (first reason, values masked: "
                      + RejectReason.masked(sql.table(), reason)
                      + "); fix the data or the mapping, or raise migrate.reject_limit");
            }
            rejects.add(reject(migration, sql, range, read, codec, values, reason));
            continue;
          }
          targetDigest.add(h);
          if (binary != null) {
            binary.row(values);
            binary.flushIfFull(copy);
          } else {
            for (int i = 0; i < values.length; i++) {
              if (i > 0) {
                buf.append('\t');
              }
              CopyText.append(cols.get(i), values[i], buf);
            }
            buf.append('\n');
            if (buf.length() >= COPY_BUFFER_CHARS) {
              flush(copy, buf);
            }
          }
          if (read % options.progressEvery() == 0) {
            progress.rowsCopied(read);
          }
        }
      }
      if (binary != null) {
        binary.end(copy);
      } else {
        flush(copy, buf);
        copy.endCopy();
      }
    } finally {
      if (copy.isActive()) {
        copy.cancelCopy();
      }
    }
    insertRejects(target, rejects);
    progress.rowsCopied(read);
    return new Streamed(targetDigest.rows(), rejected, sourceDigest.hex(), targetDigest.hex());
  }

  private static String unwritable(List<ColumnCodec> cols, Object[] values) {
    for (int i = 0; i < values.length; i++) {
      String reason = CopyText.unwritable(cols.get(i), values[i]);
      if (reason != null) {
        return reason;
      }
    }
    return null;
  }

  /** A rejected row, kept (at most reject_limit of them) until the COPY has ended. */
  private static Reject reject(
      String migration,
      TableSql sql,
      ChunkRange range,
      long rowNumber,
      RowCodec codec,
      Object[] values,
      String reason) {
    Map<String, String> row = new LinkedHashMap<>();
    for (int i = 0; i < values.length; i++) {
      row.put(
          codec.columns().get(i).name(),
          CanonicalEncoder.display(codec.columns().get(i), values[i]).replace("\0", "\\0"));
    }
    return new Reject(
        migration,
        sql.table().source(),
        range.index(),
        rowNumber,
        codec.keyText(values).replace("\0", "\\0"),
        reason,
        Json.writeCompact(row));
  }

  /** Quarantines rejected rows (after the COPY: a connection runs one statement at a time). */
  private void insertRejects(Connection target, List<Reject> rejects) throws SQLException {
    if (rejects.isEmpty()) {
      return;
    }
    try (PreparedStatement ps =
        target.prepareStatement(
            "INSERT INTO "
                + ledger.rejectTable()
                + " (migration, table_name, chunk, row_number, row_key, reason, row_data)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?)")) {
      for (Reject r : rejects) {
        ps.setString(1, r.migration());
        ps.setString(2, r.table());
        ps.setInt(3, r.chunk());
        ps.setLong(4, r.rowNumber());
        ps.setString(5, r.key());
        ps.setString(6, r.reason());
        ps.setString(7, r.data());
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  private record Reject(
      String migration,
      String table,
      int chunk,
      long rowNumber,
      String key,
      String reason,
      String data) {}

  private static void flush(CopyIn copy, StringBuilder buf) throws SQLException {
    if (buf.length() > 0) {
      byte[] bytes = buf.toString().getBytes(StandardCharsets.UTF_8);
      copy.writeToCopy(bytes, 0, bytes.length);
      buf.setLength(0);
    }
  }

  /** Ends a transaction that failed; on a broken connection the server already rolled it back. */
  private static void rollbackQuietly(Connection c) {
    try {
      if (!c.isClosed() && !c.getAutoCommit()) {
        c.rollback();
      }
    } catch (SQLException e) {
      // the connection is broken: the server ended the transaction with it
    }
  }

  /** Restores the caller's auto-commit mode without masking the chunk's own failure. */
  private static void restoreAutoCommit(Connection c, boolean autoCommit) {
    try {
      if (!c.isClosed() && c.getAutoCommit() != autoCommit) {
        c.setAutoCommit(autoCommit);
      }
    } catch (SQLException e) {
      // the connection is broken; the caller will discard it
    }
  }
}
