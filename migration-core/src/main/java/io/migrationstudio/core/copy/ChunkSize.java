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

  /**
   * When the default chunk size keeps a table whole (issue 17): a table that {@code chunk_bytes}
   * would cut into at most {@value #MAX_CHUNKS} chunks (by the catalogue's row estimate) is one
   * chunk when its chunks could not copy in parallel on spare cores, that is when {@code cores} (of
   * the machine planning the copy, standing for the databases' own, which the studio cannot see)
   * are fewer than {@value #CORES_PER_STREAM} per chunk that would run at once ({@code min(chunks,
   * parallelism)}). A table in one chunk is read by one sequential scan and, on a PostgreSQL
   * target, loaded with {@code TRUNCATE} and {@code COPY ... FREEZE}: its pages land all-visible,
   * so the key build does not rewrite them to set hint bits (10M pgbench_accounts rows, 4 chunks
   * against one: a third fewer page writes on the target, a fifth less target CPU, no index walk on
   * the source; docs/migrate.md).
   *
   * @param parallelism chunks copied at once ({@code migrate.parallelism})
   * @param cores processors of the planning process
   */
  public record WholeTable(int parallelism, int cores) {
    /**
     * Most chunks a table kept whole would have had: bounds what a failure redoes (8 × 256 MiB by
     * default, 2 GiB) and the length of one chunk's transaction.
     */
    public static final int MAX_CHUNKS = 8;

    /**
     * Cores one chunk's stream keeps busy: its source backend, the worker and its target backend
     * each run for most of the copy (10M pgbench_accounts rows in one stream: 18 CPU seconds,
     * source 4, worker 4, target 10, for a copy of 8-13 s on an idle machine: 1.4-2.2 cores).
     */
    public static final int CORES_PER_STREAM = 2;

    public WholeTable {
      if (parallelism < 1 || cores < 1) {
        throw new IllegalArgumentException(
            "parallelism and cores must be >= 1, were " + parallelism + " and " + cores);
      }
    }

    /** The policy of this process's processors. */
    public static WholeTable onThisMachine(int parallelism) {
      return new WholeTable(parallelism, Runtime.getRuntime().availableProcessors());
    }

    /** Whether a table of {@code chunks} chunks is copied as one. */
    public boolean keepsWhole(long chunks) {
      return chunks > 1
          && chunks <= MAX_CHUNKS
          && cores < CORES_PER_STREAM * Math.min(chunks, (long) parallelism);
    }
  }

  /** The rows per chunk of {@code sql}'s table (see the class comment). */
  public static int rows(
      Connection source, Dialect dialect, TableSql sql, int chunkRows, Long chunkBytes)
      throws SQLException {
    return rows(source, dialect, sql, chunkRows, chunkBytes, null);
  }

  /**
   * {@link #rows} where {@code whole} (null: never) may keep the table in one chunk: then {@code
   * chunkRows}, the spec's row ceiling, which the planner does not cut below.
   */
  public static int rows(
      Connection source,
      Dialect dialect,
      TableSql sql,
      int chunkRows,
      Long chunkBytes,
      WholeTable whole)
      throws SQLException {
    if (chunkBytes == null) {
      return chunkRows;
    }
    OptionalDouble average = averageRowBytes(source, dialect, sql);
    if (average.isEmpty()) {
      return chunkRows;
    }
    Long estimate =
        whole == null ? null : dialect.estimatedRows(source, sql.sourceTable()).orElse(null);
    return rows(average.getAsDouble(), estimate, chunkRows, chunkBytes, whole);
  }

  /**
   * {@link #rows} from a table's measured average row size and its catalogue row estimate (null:
   * unknown): {@code chunk_bytes / average}, at most {@code chunkRows}; {@code chunkRows} (the
   * spec's row ceiling) when {@code whole} keeps the table in one chunk.
   */
  static int rows(
      double averageRowBytes,
      Long estimatedRows,
      int chunkRows,
      long chunkBytes,
      WholeTable whole) {
    long byBytes = Math.max(1, (long) Math.floor(chunkBytes / averageRowBytes));
    int rows = (int) Math.min(chunkRows, byBytes);
    if (whole != null
        && rows < chunkRows
        && estimatedRows != null
        && whole.keepsWhole((estimatedRows + rows - 1) / rows)) {
      return chunkRows;
    }
    return rows;
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
