package io.migrationstudio.core.copy;

import io.migrationstudio.core.dialect.Dialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.OptionalDouble;

/**
 * The rows per chunk of one table from the spec's {@code migrate.chunk_rows} and {@code
 * migrate.chunk_bytes}: a chunk holds at most {@code chunk_rows} rows and, when {@code chunk_bytes}
 * is set, about as many rows as fit in it — {@code chunk_bytes} divided by the table's average row
 * size, measured as the copy reads it (the columns the mapping reads, text form, binary as is; the
 * measure the assessment's throughput probe uses) over the first {@value #SAMPLE_ROWS} rows the
 * source returns. Wide rows (documents, blobs) so get fewer rows per chunk, narrow rows more, and a
 * chunk's memory and retry cost stay about the same whatever the table.
 *
 * <p>The first rows stand for the table: a table whose rows grow much wider later gets chunks
 * larger than {@code chunk_bytes} there (by the same factor). An empty table, or one whose sampled
 * rows are all empty, keeps {@code chunk_rows}.
 */
public final class ChunkSize {
  /** Rows read to measure a table's average row size. */
  static final int SAMPLE_ROWS = 1_000;

  private ChunkSize() {}

  /** The rows per chunk of {@code sql}'s table (see the class comment). */
  public static int rows(
      Connection source, Dialect dialect, TableSql sql, int chunkRows, Long chunkBytes)
      throws SQLException {
    if (chunkBytes == null) {
      return chunkRows;
    }
    OptionalDouble average = averageRowBytes(source, dialect, sql);
    if (average.isEmpty()) {
      return chunkRows;
    }
    long byBytes = Math.max(1, (long) Math.floor(chunkBytes / average.getAsDouble()));
    return (int) Math.min(chunkRows, byBytes);
  }

  /** The average size of the first {@value #SAMPLE_ROWS} rows as the copy reads them. */
  static OptionalDouble averageRowBytes(Connection source, Dialect dialect, TableSql sql)
      throws SQLException {
    String query = sql.sourceScan(java.util.List.of()) + " LIMIT " + SAMPLE_ROWS;
    boolean auto = source.getAutoCommit();
    long rows = 0;
    long bytes = 0;
    try (PreparedStatement ps = dialect.streamingQuery(source, query, SAMPLE_ROWS);
        ResultSet rs = ps.executeQuery()) {
      int columns = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        for (int i = 1; i <= columns; i++) {
          bytes += ValueSize.copiedBytes(rs.getObject(i));
        }
        rows++;
      }
    } finally {
      if (!source.getAutoCommit()) {
        source.rollback();
      }
      source.setAutoCommit(auto);
    }
    return rows == 0 || bytes == 0
        ? OptionalDouble.empty()
        : OptionalDouble.of((double) bytes / rows);
  }
}
