package io.migrationstudio.core.copy;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.activity.ChunkRange;
import io.migrationstudio.core.canonical.CanonicalEncoder;
import io.migrationstudio.core.canonical.ColumnCodec;
import io.migrationstudio.core.canonical.RowCodec;
import io.migrationstudio.core.canonical.RowHasher;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.report.Json;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * The row-isolating retry of a chunk whose COPY the target refused because of one row's data: a
 * constraint violation (SQLState class 23: unique, NOT NULL, CHECK, foreign key) or a data
 * exception (class 22: value too long, invalid input, out of range). {@link ChunkCopier} rolls the
 * chunk back to the savepoint it took before writing rows and calls this class in the same
 * transaction, so the chunk's exactly-once protocol is unchanged: the ledger row is still locked,
 * the chunk's old rejects were already deleted, and the commit (or the rollback of a failure)
 * covers the good rows, the rejects and the ledger row together. A retried chunk therefore
 * quarantines the same rows once.
 *
 * <p>Algorithm (binary split with savepoints): the source range is streamed again in key order and
 * cut into batches of {@link #BATCH_ROWS} rows. Each batch is written with one COPY under a
 * savepoint; when the target refuses it with a row fault, the batch is rolled back to its savepoint
 * and its two halves are written the same way, down to single rows. A single row the target refuses
 * is quarantined with its SQLState and the server's primary message. With {@code k} bad rows in a
 * batch of {@code n} this costs about {@code 2k log2(n)} COPY statements, and clean batches cost
 * one; memory stays bounded by one batch. Any other failure (connection lost, permission) is not a
 * row fault and fails the chunk as before. Rows the mapping cannot convert are quarantined as in
 * the first pass.
 */
public final class RowIsolatingCopy {
  /**
   * Rows per COPY batch in isolating mode: small enough to split cheaply, large enough to batch.
   */
  static final int BATCH_ROWS = 512;

  private final Dialect sourceDialect;
  private final Ledger ledger;
  private final CopyOptions options;

  /** What the isolating pass read, wrote and quarantined. */
  public record Result(long written, long rejected, String sourceHash, String targetHash) {}

  public RowIsolatingCopy(Dialect sourceDialect, Ledger ledger, CopyOptions options) {
    this.sourceDialect = Objects.requireNonNull(sourceDialect);
    this.ledger = Objects.requireNonNull(ledger);
    this.options = Objects.requireNonNull(options);
  }

  /**
   * Whether {@code e} is the target refusing one row's data (SQLState class 22 or 23) rather than a
   * failure of the connection, the statement or the server.
   */
  public static boolean isRowFault(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s && s.getSQLState() != null) {
        String state = s.getSQLState();
        return state.startsWith("22") || state.startsWith("23");
      }
    }
    return false;
  }

  private record Row(long number, long hash, Object[] values, String line) {}

  /** Streams {@code range} again and writes it row-isolated; see the class comment. */
  public Result copy(
      Connection source,
      Connection target,
      TableSql sql,
      ChunkRange range,
      String migration,
      ChunkProgress progress)
      throws SQLException {
    SourceRows sourceRows = SourceRows.of(sql);
    RowCodec codec = sourceRows.codec();
    List<ColumnCodec> cols = codec.columns();
    RowHasher hasher = new RowHasher();
    RowHasher.ChunkDigest sourceDigest = new RowHasher.ChunkDigest();
    State state = new State(target, sql, range, migration, codec);
    List<Row> batch = new ArrayList<>(BATCH_ROWS);
    long read = 0;
    try (PreparedStatement q =
        sourceDialect.streamingQuery(source, sql.sourceSelect(range), options.fetchSize())) {
      sql.bindSourceRange(q, range);
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          Object[] values = sourceRows.read(rs);
          long h = hasher.hashRow(cols, values);
          sourceDigest.add(h);
          read++;
          String reason = unwritable(cols, values);
          if (reason != null) {
            state.reject(read, values, null, reason);
            continue;
          }
          StringBuilder line = new StringBuilder();
          for (int i = 0; i < values.length; i++) {
            if (i > 0) {
              line.append('\t');
            }
            CopyText.append(cols.get(i), values[i], line);
          }
          line.append('\n');
          batch.add(new Row(read, h, values, line.toString()));
          if (batch.size() >= BATCH_ROWS) {
            state.write(batch);
            batch.clear();
          }
          if (read % options.progressEvery() == 0) {
            progress.rowsCopied(read);
          }
        }
      }
    }
    state.write(batch);
    progress.rowsCopied(read);
    return new Result(
        state.targetDigest.rows(), state.rejected, sourceDigest.hex(), state.targetDigest.hex());
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

  /** The chunk's target side: batches written, rows quarantined. */
  private final class State {
    final Connection target;
    final TableSql sql;
    final ChunkRange range;
    final String migration;
    final RowCodec codec;
    final RowHasher.ChunkDigest targetDigest = new RowHasher.ChunkDigest();
    long rejected;

    State(Connection target, TableSql sql, ChunkRange range, String migration, RowCodec codec) {
      this.target = target;
      this.sql = sql;
      this.range = range;
      this.migration = migration;
      this.codec = codec;
    }

    /** Writes {@code rows} under a savepoint, splitting on a row fault down to single rows. */
    void write(List<Row> rows) throws SQLException {
      if (rows.isEmpty()) {
        return;
      }
      Savepoint sp = target.setSavepoint();
      try {
        copyIn(rows);
        target.releaseSavepoint(sp);
        rows.forEach(r -> targetDigest.add(r.hash()));
      } catch (SQLException e) {
        if (!isRowFault(e)) {
          throw e;
        }
        target.rollback(sp);
        if (rows.size() == 1) {
          Row r = rows.get(0);
          reject(r.number(), r.values(), e.getSQLState(), primaryMessage(e));
          return;
        }
        int half = rows.size() / 2;
        write(new ArrayList<>(rows.subList(0, half)));
        write(new ArrayList<>(rows.subList(half, rows.size())));
      }
    }

    private void copyIn(List<Row> rows) throws SQLException {
      CopyIn copy = target.unwrap(PGConnection.class).getCopyAPI().copyIn(sql.copyIn());
      try {
        StringBuilder buf = new StringBuilder(ChunkCopier.COPY_BUFFER_CHARS + 1024);
        for (Row r : rows) {
          buf.append(r.line());
          if (buf.length() >= ChunkCopier.COPY_BUFFER_CHARS) {
            flush(copy, buf);
          }
        }
        flush(copy, buf);
        copy.endCopy();
      } finally {
        if (copy.isActive()) {
          copy.cancelCopy();
        }
      }
    }

    /** Quarantines one row (the reject limit counts every quarantined row of the chunk). */
    void reject(long rowNumber, Object[] values, String sqlState, String reason)
        throws SQLException {
      rejected++;
      String why = sqlState == null ? reason : "SQLState " + sqlState + ": " + reason;
      if (rejected > options.rejectLimit()) {
        throw new MigrationException(
            ErrorCode.REJECT_LIMIT_EXCEEDED,
            "table "
                + sql.table().source()
                + " chunk "
                + range.index()
                + ": more than "
                + options.rejectLimit()
                + " rejected rows (this one, values masked: "
                + RejectReason.masked(sql.table(), why)
                + "); fix the data, the mapping or the target's constraints, or raise"
                + " migrate.reject_limit");
      }
      Map<String, String> row = new LinkedHashMap<>();
      for (int i = 0; i < values.length; i++) {
        ColumnCodec c = codec.columns().get(i);
        row.put(c.name(), CanonicalEncoder.display(c, values[i]).replace("\0", "\\0"));
      }
      try (PreparedStatement ps =
          target.prepareStatement(
              "INSERT INTO "
                  + ledger.rejectTable()
                  + " (migration, table_name, chunk, row_number, row_key, reason, row_data,"
                  + " sqlstate) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
        ps.setString(1, migration);
        ps.setString(2, sql.table().source());
        ps.setInt(3, range.index());
        ps.setLong(4, rowNumber);
        ps.setString(5, codec.keyText(values).replace("\0", "\\0"));
        ps.setString(6, why);
        ps.setString(7, Json.writeCompact(row));
        ps.setString(8, sqlState);
        ps.executeUpdate();
      }
    }
  }

  /** The server's primary message (no context lines that would repeat the row), else the text. */
  private static String primaryMessage(SQLException e) {
    if (e instanceof PSQLException p) {
      ServerErrorMessage m = p.getServerErrorMessage();
      if (m != null && m.getMessage() != null) {
        return m.getMessage();
      }
    }
    return String.valueOf(e.getMessage());
  }

  private static void flush(CopyIn copy, StringBuilder buf) throws SQLException {
    if (buf.length() > 0) {
      byte[] bytes = buf.toString().getBytes(StandardCharsets.UTF_8);
      copy.writeToCopy(bytes, 0, bytes.length);
      buf.setLength(0);
    }
  }
}
