package io.migrationstudio.core.validate;

import static io.migrationstudio.core.copy.Loads.PG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.activity.ChunkRange;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.copy.Loads;
import io.migrationstudio.core.copy.SourceRows;
import io.migrationstudio.core.copy.TableSql;
import io.migrationstudio.core.copy.TestMappings;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.EvidenceMask;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 17: the sample is drawn inside the checksum pass ({@link PassSample}), so the default
 * report reads each source row once (the server's own counters say so), the sample still compares
 * rows field by field (every sampled row of a target whose every row differs is a mismatch, on the
 * SQL and on the client path), and the same seed draws the same rows. And chunks planned from a
 * source key sample ({@link ValidationChunks#fromSourceSample}) tile the table, read a fraction of
 * it, and the checksums catch a difference in every one of them.
 */
@ExtendWith(PostgresExtension.class)
class PassSampleIT {
  private static final String ID = "pass-sample";
  private static final int ROWS = 20_000;

  @Test
  void theSampleIsDrawnByTheChecksumPassAndComparesRows(TestDatabase source, TestDatabase target)
      throws Exception {
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      exec(
          src,
          "CREATE TABLE t (id int PRIMARY KEY, name text, amount numeric)",
          "INSERT INTO t SELECT g, 'n' || g, g / 7.0 FROM generate_series(1, " + ROWS + ") g");
      MappingDocument mapping = TestMappings.identity(src, "public", "public");
      // one ledger chunk: the checksum pass is one scan of the source table
      Loads.migrate(src, tgt, mapping, ID, ROWS * 2);
      exec(src, "VACUUM ANALYZE t");
      int wanted = (int) SampleSize.of(ROWS);

      long before = rowsRead(src);
      CheckTimings timings = new CheckTimings(Clock.systemUTC());
      ValidationReport.TableValidation v =
          validate(new Validator(PG, PG), src, tgt, mapping, timings);
      long read = rowsRead(src) - before;
      assertEquals(Verdict.PASS, v.status(), Json.write(v));
      assertEquals("sql", v.hashPath());
      assertEquals(wanted, v.sampled());
      assertEquals(0, v.sampleMismatches());
      Map<String, Long> checks = timings.of("t");
      assertTrue(checks.containsKey("sample"), checks.toString());
      assertFalse(checks.containsKey("sample_scan"), "no scan of its own: " + checks);
      // the pass reads every row once; the sample adds its own rows fetched by key, no key stream
      assertTrue(read <= ROWS + 2L * wanted, "source rows read: " + read);

      // every target row differs: every sampled row is a mismatch, on both paths
      exec(tgt, "UPDATE t SET name = name || 'x'");
      for (boolean sqlHashing : new boolean[] {true, false}) {
        CheckTimings again = new CheckTimings(Clock.systemUTC());
        ValidationReport.TableValidation d =
            validate(
                new Validator(PG, PG, "migration_studio", 256, sqlHashing),
                src,
                tgt,
                mapping,
                again);
        assertEquals(sqlHashing ? "sql" : "client", d.hashPath());
        assertEquals(wanted, d.sampled(), Json.write(d));
        assertEquals(wanted, d.sampleMismatches(), Json.write(d));
        assertFalse(again.of("t").containsKey("sample_scan"), again.of("t").toString());
      }
      exec(tgt, "UPDATE t SET name = 'n' || id");

      // the same seed draws the same rows; another seed others; both paths draw wanted rows
      TableSql sql = new TableSql(PG, PG, mapping, mapping.bySource("t").orElseThrow());
      List<PassSample.Entry> a = drawn(src, tgt, sql, 1L, true, wanted);
      List<PassSample.Entry> b = drawn(src, tgt, sql, 1L, true, wanted);
      List<PassSample.Entry> c = drawn(src, tgt, sql, 2L, true, wanted);
      List<PassSample.Entry> client = drawn(src, tgt, sql, 1L, false, wanted);
      assertEquals(keys(a), keys(b));
      assertNotEquals(keys(a), keys(c));
      assertEquals(wanted, a.size());
      assertEquals(wanted, client.size());
      assertEquals(
          wanted, client.stream().map(PassSample.Entry::key).distinct().count(), "distinct rows");
    }
  }

  @Test
  void chunksCutAtSourceSampledKeysCatchADifferenceInEveryChunk(
      TestDatabase source, TestDatabase target) throws Exception {
    int rows = 150_000;
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      String create = "CREATE TABLE big (id bigint PRIMARY KEY, v text)";
      String fill =
          "INSERT INTO big SELECT g * 7, 'v' || g FROM generate_series(1, " + rows + ") g";
      exec(src, create, fill, "VACUUM ANALYZE big");
      exec(tgt, create, fill, "VACUUM ANALYZE big");
      MappingDocument mapping = TestMappings.identity(src, "public", "public");
      TableMapping table = mapping.bySource("big").orElseThrow();
      TableSql sql = new TableSql(PG, PG, mapping, table);

      long before = rowsRead(src);
      List<ChunkRange> ranges = ValidationChunks.plan(src, tgt, sql, 10_000);
      long read = rowsRead(src) - before;
      assertTrue(ranges.size() >= 8, "cut at sampled keys: " + ranges.size());
      assertTrue(Validator.tiles(ranges), ranges.toString());
      assertTrue(read < rows / 2, "planning read a fraction of the table, not every key: " + read);

      // one changed row inside every chunk (its lowest key)
      for (ChunkRange r : ranges) {
        String where = r.lo() == null ? "id = (SELECT min(id) FROM big)" : "id = " + r.lo();
        exec(tgt, "UPDATE big SET v = 'changed' WHERE " + where);
      }
      ExecutorService sourceThread = Executors.newSingleThreadExecutor();
      try {
        for (boolean sqlHashing : new boolean[] {true, false}) {
          SourceRows reader = SourceRows.of(sql);
          Validator.Diff diff = new Validator.Diff(reader.codec(), table);
          ChunkComparer comparer =
              new ChunkComparer(sql, reader, diff, 256, sqlHashing, sourceThread, false);
          assertEquals(ranges.size(), comparer.compareAll(src, tgt, ranges));
          assertEquals(ranges.size(), diff.changed);
          assertEquals(0, diff.missing + diff.extra);
          assertEquals(rows, comparer.sourceRowsHashed);
        }
      } finally {
        sourceThread.shutdownNow();
      }
    }
  }

  private static ValidationReport.TableValidation validate(
      Validator validator,
      Connection src,
      Connection tgt,
      MappingDocument mapping,
      CheckTimings timings) {
    byte[] json =
        validator
            .validate(src, tgt, mapping, ID, 100, 50_000, EvidenceMask.masked(), timings)
            .files()
            .get(ArtifactPaths.VALIDATION_JSON);
    return Json.read(json, ValidationReport.class, ArtifactPaths.VALIDATION_JSON).tables().get(0);
  }

  /** The entries a pass over the whole table draws with {@code seed}. */
  private static List<PassSample.Entry> drawn(
      Connection src, Connection tgt, TableSql sql, long seed, boolean sqlHashing, int wanted)
      throws SQLException {
    ExecutorService sourceThread = Executors.newSingleThreadExecutor();
    try {
      SourceRows reader = SourceRows.of(sql);
      ChunkComparer comparer =
          new ChunkComparer(
              sql,
              reader,
              new Validator.Diff(reader.codec(), sql.table()),
              256,
              sqlHashing,
              sourceThread,
              false);
      PassSample sample =
          PassSample.of(src, tgt, sql, seed, wanted, comparer.path() == ChunkComparer.Path.SQL);
      comparer.drawSample(sample);
      comparer.compareAll(src, tgt, List.of(new ChunkRange(0, null, null)));
      assertTrue(sample.usable(wanted));
      return sample.drawn(wanted);
    } finally {
      sourceThread.shutdownNow();
    }
  }

  private static List<String> keys(List<PassSample.Entry> entries) {
    return entries.stream().map(e -> String.valueOf(e.keyTexts())).toList();
  }

  /**
   * Rows the server read from the source's tables and indexes so far ({@code seq_tup_read} plus the
   * indexes' {@code idx_tup_read}), this backend's pending counters flushed first.
   */
  private static long rowsRead(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("SELECT pg_stat_force_next_flush()");
      s.execute("SELECT pg_stat_clear_snapshot()");
      try (ResultSet rs =
          s.executeQuery(
              "SELECT coalesce(sum(t.seq_tup_read), 0) + coalesce((SELECT sum(i.idx_tup_read)"
                  + " FROM pg_stat_user_indexes i), 0) FROM pg_stat_user_tables t")) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static void exec(Connection c, String... sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      for (String q : sql) {
        s.execute(q);
      }
    }
  }
}
