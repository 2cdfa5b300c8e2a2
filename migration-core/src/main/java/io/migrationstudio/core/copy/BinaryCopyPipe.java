package io.migrationstudio.core.copy;

import io.migrationstudio.contracts.activity.ChunkRange;
import io.migrationstudio.core.mapping.ColumnMapping;
import io.migrationstudio.core.mapping.Disposition;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;
import org.postgresql.copy.CopyOut;

/**
 * The PostgreSQL→PostgreSQL fast path of a chunk: {@code COPY (SELECT cols FROM source WHERE <key
 * range> ORDER BY key) TO STDOUT (FORMAT binary)} on the source streamed as it comes into {@code
 * COPY target (cols) FROM STDIN (FORMAT binary)} on the target, inside the chunk's target
 * transaction (after its range delete, before its ledger upsert). Rows are never decoded: {@link
 * CopyFraming} follows the stream's framing to count rows and bytes and hash the stream.
 *
 * <p>A table takes this path only when its mapping is the identity ({@link #eligible}): same
 * engine, no filter, every copied column MAP from a source column, and the source and target
 * columns have the same built-in type ({@code format_type} equal, type OID below 16384, so binary
 * representations, array element OIDs included, mean the same on both sides). Everything else
 * decodes rows in {@link ChunkCopier}.
 *
 * <p>If the target rejects the data (SQLState class 22, data exception, or 23, integrity violation)
 * the pipe rolls back to a savepoint taken before its COPY and returns empty: the caller then
 * copies the chunk through the decoding path, which quarantines the rows it cannot write instead of
 * failing the whole chunk. Memory: one source CopyData message and one {@link #BUFFER_BYTES}
 * buffer.
 */
public final class BinaryCopyPipe {
  /** Bytes gathered before one write to the target (fewer, larger CopyData messages). */
  static final int BUFFER_BYTES = 256 * 1024;

  /** The ledger hash prefix of a chunk copied by this path (see {@link CopyFraming}). */
  public static final String HASH_PREFIX = "bin:";

  /**
   * The SQLStates of the server's refusals of a frozen load: prior transaction activity (25000),
   * the table not truncated in this subtransaction (55000), a table kind that cannot be frozen
   * (0A000), and the table's lock not granted within {@link #TRUNCATE_LOCK_WAIT} (55P03).
   */
  private static final java.util.Set<String> FREEZE_REFUSALS =
      java.util.Set.of("25000", "55000", "0A000", "55P03");

  /**
   * How long a frozen load waits for the table's exclusive lock. A truncate queues behind any
   * reader of the table (and every later reader queues behind it); past this wait the chunk is
   * copied the plain way, whose range delete and COPY do not block readers.
   */
  static final String TRUNCATE_LOCK_WAIT = "1s";

  /**
   * Whether {@code e} is the server refusing a frozen load ({@link #FREEZE_REFUSALS}): the caller
   * rolls back to its savepoint and copies without FREEZE.
   */
  static boolean freezeRefused(SQLException e) {
    return e.getSQLState() != null && FREEZE_REFUSALS.contains(e.getSQLState());
  }

  /**
   * {@code TRUNCATE ONLY} the target table, the first step of a frozen load (see {@link #pipe}):
   * its exclusive lock is taken first with {@code lock_timeout} at {@link #TRUNCATE_LOCK_WAIT}
   * (then the session's own timeout again), so a reader holding the table refuses the frozen load
   * (55P03) instead of stalling the chunk and every reader after it.
   */
  static void truncateForFreeze(Connection target, TableSql sql) throws SQLException {
    String previous;
    try (PreparedStatement ps =
        target.prepareStatement(
            "SELECT current_setting('lock_timeout'), set_config('lock_timeout', ?, true)")) {
      ps.setString(1, TRUNCATE_LOCK_WAIT);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        previous = rs.getString(1);
      }
    }
    try (Statement st = target.createStatement()) {
      st.execute("LOCK TABLE ONLY " + sql.targetTable() + " IN ACCESS EXCLUSIVE MODE");
    }
    try (PreparedStatement ps =
        target.prepareStatement("SELECT set_config('lock_timeout', ?, true)")) {
      ps.setString(1, previous);
      ps.execute();
    }
    try (Statement st = target.createStatement()) {
      st.execute("TRUNCATE ONLY " + sql.targetTable());
    }
  }

  /** Built-in types have OIDs below PostgreSQL's FirstNormalObjectId. */
  private static final int FIRST_NORMAL_OID = 16384;

  private BinaryCopyPipe() {}

  /** What one piped chunk carried: rows, bytes of the binary stream, and its hash. */
  public record Piped(long rows, long bytes, String hash) {}

  /** Whether {@code sql}'s table can be piped in binary (see the class comment). */
  public static boolean eligible(Connection source, Connection target, TableSql sql)
      throws SQLException {
    if (!sql.sourceDialect().speaksPostgres() || !sql.targetDialect().speaksPostgres()) {
      return false;
    }
    if (sql.table().filter() != null && !sql.table().filter().isBlank()) {
      return false;
    }
    if (!sql.expressionInputs().isEmpty() || !sql.expressions().isEmpty()) {
      return false;
    }
    for (ColumnMapping c : sql.copiedColumns()) {
      if (c.disposition() != Disposition.MAP || c.source() == null) {
        return false;
      }
    }
    if (!source.isWrapperFor(PGConnection.class) || !target.isWrapperFor(PGConnection.class)) {
      return false;
    }
    Map<String, String> sourceTypes = builtinTypes(source, sql.sourceTable());
    Map<String, String> targetTypes = builtinTypes(target, sql.targetTable());
    for (ColumnMapping c : sql.copiedColumns()) {
      String s = sourceTypes.get(c.source());
      if (s == null || !s.equals(targetTypes.get(c.target()))) {
        return false;
      }
    }
    return true;
  }

  /**
   * The columns of a table whose type is built in, with that type as {@code format_type} spells it
   * (user-defined types are left out, so they never match).
   */
  private static Map<String, String> builtinTypes(Connection c, String qualifiedTable)
      throws SQLException {
    Map<String, String> out = new HashMap<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.atttypid::int8"
                + " FROM pg_catalog.pg_attribute a"
                + " WHERE a.attrelid = to_regclass(?) AND a.attnum > 0 AND NOT a.attisdropped")) {
      ps.setString(1, qualifiedTable);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          if (rs.getLong(3) < FIRST_NORMAL_OID) {
            out.put(rs.getString(1), rs.getString(2));
          }
        }
      }
    }
    return out;
  }

  /** Whether {@code range} is the whole table (no bound on either side). */
  static boolean wholeTable(ChunkRange range) {
    return range.lo() == null && range.hi() == null;
  }

  /**
   * Whether a whole-table chunk of {@code sql}'s target may be loaded as {@code TRUNCATE ONLY} then
   * {@code COPY ... (FREEZE)} in one subtransaction: a plain table (not partitioned, no inheritance
   * children), no foreign key from another table referencing it (TRUNCATE would refuse), no user
   * trigger (TRUNCATE would fire other triggers than the range delete), and the session may
   * truncate it.
   */
  static boolean freezable(Connection target, TableSql sql) throws SQLException {
    try (PreparedStatement ps =
        target.prepareStatement(
            "SELECT c.relkind = 'r'"
                + " AND has_table_privilege(c.oid, 'TRUNCATE')"
                + " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_inherits i WHERE i.inhparent = c.oid)"
                + " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint f"
                + "   WHERE f.contype = 'f' AND f.confrelid = c.oid AND f.conrelid <> c.oid)"
                + " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger t"
                + "   WHERE t.tgrelid = c.oid AND NOT t.tgisinternal)"
                + " FROM pg_catalog.pg_class c WHERE c.oid = to_regclass(?)")) {
      ps.setString(1, sql.targetTable());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    }
  }

  /**
   * {@code COPY (SELECT ...) TO STDOUT (FORMAT binary)}: bounds inlined as escaped literals. A
   * bounded range is read in key order (an index range scan); the whole table is read as it lies (a
   * sequential scan, no sort and no index walk).
   */
  static String copyOut(TableSql sql, ChunkRange range) {
    StringBuilder sb = new StringBuilder("COPY (SELECT ");
    List<ColumnMapping> cols = sql.copiedColumns();
    for (int i = 0; i < cols.size(); i++) {
      sb.append(i == 0 ? "" : ", ").append(sql.sourceDialect().quote(cols.get(i).source()));
    }
    sb.append(" FROM ").append(sql.sourceFrom());
    Optional<ColumnMapping> key = sql.chunkKey();
    List<String> where = new ArrayList<>();
    if (key.isPresent()) {
      String col = sql.sourceDialect().quote(key.get().source());
      String type = TableSql.sourceType(key.get());
      if (range.lo() != null) {
        where.add(col + " >= CAST(" + literal(range.lo()) + " AS " + type + ")");
      }
      if (range.hi() != null) {
        where.add(col + " < CAST(" + literal(range.hi()) + " AS " + type + ")");
      }
    }
    if (!where.isEmpty()) {
      sb.append(" WHERE ").append(String.join(" AND ", where));
    }
    List<String> keys = sql.table().primaryKey();
    if (!keys.isEmpty() && !wholeTable(range)) {
      sb.append(" ORDER BY ");
      for (int i = 0; i < keys.size(); i++) {
        String src = sql.keyColumnOf(keys.get(i)).source();
        sb.append(i == 0 ? "" : ", ").append(sql.sourceDialect().quote(src));
      }
    }
    return sb.append(") TO STDOUT (FORMAT binary)").toString();
  }

  /** {@code COPY target (cols) FROM STDIN (FORMAT binary[, FREEZE])}. */
  static String copyIn(TableSql sql, boolean freeze) {
    return "COPY "
        + sql.targetTable()
        + " ("
        + sql.targetColumnList()
        + ") FROM STDIN (FORMAT binary"
        + (freeze ? ", FREEZE)" : ")");
  }

  /**
   * An escaped string literal ({@code E'...'}), right whatever {@code standard_conforming_strings}
   * says.
   */
  static String literal(String s) {
    return "E'" + s.replace("\\", "\\\\").replace("'", "''") + "'";
  }

  /**
   * Pipes {@code range} from source to target inside the target's open transaction. Empty when the
   * target rejected the data and the pipe rolled its work back (see the class comment).
   *
   * <p>A whole-table chunk whose target is {@link #freezable} is loaded the way pgcopydb and
   * pg_restore load a table: {@code TRUNCATE ONLY} and {@code COPY ... (FREEZE)} in one
   * subtransaction, so the rows are written frozen and all-visible (the primary-key build and the
   * first vacuum do not rewrite every page to set hint bits) and, on a {@code wal_level = minimal}
   * server, without WAL. The truncate stands for the range delete (the range is the whole table)
   * and rolls back with the chunk. If the server refuses the FREEZE ({@link #FREEZE_REFUSALS}: for
   * instance a cursor is open in the transaction, or a reader holds the table) the chunk is piped
   * again without it. Only when {@code mayFreeze}: a dry run, whose transaction is rolled back,
   * keeps the plain COPY (a truncate would lock the table against readers until then).
   */
  public static Optional<Piped> pipe(
      Connection source,
      Connection target,
      TableSql sql,
      ChunkRange range,
      int progressEvery,
      ChunkProgress progress,
      boolean mayFreeze)
      throws SQLException {
    if (mayFreeze && wholeTable(range) && freezable(target, sql)) {
      try {
        return pipeOnce(source, target, sql, range, progressEvery, progress, true);
      } catch (FreezeRefused e) {
        // rolled back to before the truncate: pipe it the plain way
      }
    }
    return pipeOnce(source, target, sql, range, progressEvery, progress, false);
  }

  /** The server would not COPY FREEZE; the pipe's work is rolled back. */
  private static final class FreezeRefused extends SQLException {
    private static final long serialVersionUID = 1L;

    FreezeRefused(SQLException cause) {
      super(cause.getMessage(), cause.getSQLState(), cause);
    }
  }

  private static Optional<Piped> pipeOnce(
      Connection source,
      Connection target,
      TableSql sql,
      ChunkRange range,
      int progressEvery,
      ChunkProgress progress,
      boolean freeze)
      throws SQLException {
    CopyManager in = target.unwrap(PGConnection.class).getCopyAPI();
    CopyManager out = source.unwrap(PGConnection.class).getCopyAPI();
    Savepoint before = target.setSavepoint();
    CopyFraming framing = new CopyFraming();
    CopyIn copyIn = null;
    CopyOut copyOut = null;
    try {
      if (freeze) {
        truncateForFreeze(target, sql);
      }
      if (wholeTable(range)) {
        // a sequential scan starts where a concurrent one is, unless told not to: the stream
        // (and its ledger hash) would come out in another order
        try (Statement st = source.createStatement()) {
          st.execute("SET synchronize_seqscans = off");
        }
      }
      copyIn = in.copyIn(copyIn(sql, freeze));
      copyOut = out.copyOut(copyOut(sql, range));
      byte[] buf = new byte[BUFFER_BYTES];
      int used = 0;
      long reported = 0;
      byte[] data;
      while ((data = copyOut.readFromCopy()) != null) {
        framing.frame(data, 0, data.length);
        if (used + data.length > buf.length) {
          framing.digest(buf, 0, used);
          copyIn.writeToCopy(buf, 0, used);
          used = 0;
        }
        if (data.length >= buf.length) {
          framing.digest(data, 0, data.length);
          copyIn.writeToCopy(data, 0, data.length);
        } else {
          System.arraycopy(data, 0, buf, used, data.length);
          used += data.length;
        }
        if (framing.tuples() - reported >= progressEvery) {
          reported = framing.tuples();
          progress.rowsCopied(reported);
        }
      }
      if (used > 0) {
        framing.digest(buf, 0, used);
        copyIn.writeToCopy(buf, 0, used);
      }
      framing.requireComplete("the binary COPY of " + sql.table().source());
      long written = copyIn.endCopy();
      if (written != framing.tuples()) {
        throw new SQLException(
            "the target took "
                + written
                + " rows of "
                + sql.table().target()
                + " but the source sent "
                + framing.tuples(),
            "XX000");
      }
      target.releaseSavepoint(before);
      progress.rowsCopied(framing.tuples());
      return Optional.of(
          new Piped(framing.tuples(), framing.bytes(), HASH_PREFIX + framing.hashHex()));
    } catch (SQLException e) {
      drain(copyOut);
      cancel(copyIn);
      String state = e.getSQLState();
      if (state != null && (state.startsWith("22") || state.startsWith("23"))) {
        target.rollback(before);
        return Optional.empty();
      }
      if (freeze && freezeRefused(e)) {
        target.rollback(before);
        throw new FreezeRefused(e);
      }
      throw e;
    } finally {
      drain(copyOut);
      cancel(copyIn);
    }
  }

  /**
   * Reads an abandoned COPY OUT to its end, discarding it (at most the rest of one chunk): the
   * driver's cancel of a COPY OUT races with the server finishing it and can leave the source
   * connection out of step, so the stream is consumed instead.
   */
  private static void drain(CopyOut op) {
    try {
      while (op != null && op.isActive() && op.readFromCopy() != null) {
        // discard
      }
    } catch (SQLException e) {
      // the connection is broken: its owner discards it
    }
  }

  private static void cancel(org.postgresql.copy.CopyOperation op) {
    try {
      if (op != null && op.isActive()) {
        op.cancelCopy();
      }
    } catch (SQLException e) {
      // the connection is broken or the COPY already ended; the transaction is rolled back anyway
    }
  }
}
