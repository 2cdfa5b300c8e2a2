package io.migrationstudio.core.validate;

import io.migrationstudio.contracts.activity.ChunkRange;
import io.migrationstudio.core.copy.ChunkPlanner;
import io.migrationstudio.core.copy.TableSql;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.mapping.ColumnMapping;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * The chunks of a table validated without a Migrate ledger.
 *
 * <p>Chunk boundaries only decide how the work is cut, not what is proven: the ranges tile the key
 * space ({@code [null, b1), ..., [bn, null)}), so every row falls in exactly one chunk on each side
 * whatever the boundaries are. Where the source cannot sample its key (MariaDB: {@link
 * ChunkPlanner} then reads every key in order, seconds for 10M rows), a large table with an integer
 * key and no row filter is cut at keys sampled from the target instead ({@link Dialect#sampleKeys},
 * a fraction of a percent of its pages): the target is meant to hold the same keys, and where it
 * does not, chunks only get uneven. Integer boundaries mean the same number on both engines.
 *
 * <p>A source that can sample its key ({@link Dialect#sampleKeys}: PostgreSQL's {@code TABLESAMPLE
 * SYSTEM}) is cut at sampled keys from {@value #SOURCE_SAMPLE_FROM_ROWS} estimated rows and more
 * than one chunk ({@link ChunkPlanner} samples only from {@link ChunkPlanner#SAMPLE_FROM_ROWS} rows
 * and numbers every key below that: 1M keys streamed to the client took 4.4 s of a 1M-row table's
 * validation under load; the sample reads 4 % of its pages). Below it the sample (at least 20,000
 * keys) would read a fifth of the table or more, and numbering its keys costs little. Chunk sizes
 * are then approximate (±20 %); which rows a chunk holds never decides what is proven. Everything
 * else (no estimate, a row filter, one chunk) is planned by {@link ChunkPlanner} on the source,
 * which counts a one-chunk table without reading its keys.
 */
final class ValidationChunks {
  /** Estimated source rows from which a source that can sample its key is cut at sampled keys. */
  static final long SOURCE_SAMPLE_FROM_ROWS = 100_000;

  private ValidationChunks() {}

  static List<ChunkRange> plan(Connection src, Connection tgt, TableSql sql, int chunkRows)
      throws SQLException {
    return plan(src, tgt, sql, chunkRows, ChunkPlanner.SAMPLE_FROM_ROWS);
  }

  /** {@link #plan} with the estimated size from which the target's keys are sampled. */
  static List<ChunkRange> plan(
      Connection src, Connection tgt, TableSql sql, int chunkRows, long sampleFromRows)
      throws SQLException {
    Optional<List<ChunkRange>> sampled = fromTargetSample(tgt, sql, chunkRows, sampleFromRows);
    if (sampled.isPresent()) {
      return sampled.get();
    }
    Optional<List<ChunkRange>> fromSource = fromSourceSample(src, sql, chunkRows);
    if (fromSource.isPresent()) {
      return fromSource.get();
    }
    return ChunkPlanner.plan(src, sql.sourceDialect(), sql, chunkRows).chunks();
  }

  private static Optional<List<ChunkRange>> fromTargetSample(
      Connection tgt, TableSql sql, int chunkRows, long sampleFromRows) throws SQLException {
    Optional<ColumnMapping> key = sql.chunkKey();
    boolean filtered = sql.table().filter() != null && !sql.table().filter().isBlank();
    if (!sql.crossEngine()
        || filtered
        || key.isEmpty()
        || key.get().canonical() == null
        || !key.get().canonical().isInteger()
        || chunkRows < 1) {
      return Optional.empty();
    }
    Dialect td = sql.targetDialect();
    Optional<Long> estimate = td.estimatedRows(tgt, sql.targetTable());
    if (estimate.isEmpty() || estimate.get() < sampleFromRows) {
      return Optional.empty();
    }
    return ChunkPlanner.sampledBoundaries(
            tgt, td, sql.targetFrom(), td.quote(key.get().target()), estimate.get(), chunkRows)
        .map(b -> ChunkPlanner.rangesFrom(b.stream().map(String::trim).toList()));
  }

  /**
   * The ranges cut at keys sampled from the source, or empty when the table has a row filter, no
   * key, no estimate or one below {@link #SOURCE_SAMPLE_FROM_ROWS}, fits one chunk by its estimate,
   * or its source cannot sample.
   */
  static Optional<List<ChunkRange>> fromSourceSample(Connection src, TableSql sql, int chunkRows)
      throws SQLException {
    Optional<ColumnMapping> key = sql.chunkKey();
    boolean filtered = sql.table().filter() != null && !sql.table().filter().isBlank();
    if (filtered || key.isEmpty() || chunkRows < 1) {
      return Optional.empty();
    }
    Dialect sd = sql.sourceDialect();
    Optional<Long> estimate = sd.estimatedRows(src, sql.sourceTable());
    if (estimate.isEmpty()
        || estimate.get() < SOURCE_SAMPLE_FROM_ROWS
        || estimate.get() <= chunkRows) {
      return Optional.empty();
    }
    return ChunkPlanner.sampledBoundaries(
            src, sd, sql.sourceTable(), sd.quote(key.get().source()), estimate.get(), chunkRows)
        .map(ChunkPlanner::rangesFrom);
  }
}
