package io.migrationstudio.core.copy;

import static io.migrationstudio.core.copy.Loads.PG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.activity.ChunkRange;
import io.migrationstudio.contracts.activity.ChunkResult;
import io.migrationstudio.contracts.activity.TablePlan;
import io.migrationstudio.core.mapping.ColumnMapping;
import io.migrationstudio.core.mapping.Disposition;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class BinaryCopyPipeIT {
  /** A table whose name and columns need quoting: a quote, unicode, reserved words. */
  private static final String TABLE = "Sel\"ect Ü";

  private static final String Q_TABLE = "\"Sel\"\"ect Ü\"";

  /** The table as a regclass literal's text. */
  private static final String TABLE_REG = "\"Sel\"\"ect Ü\"";

  private static void createSource(TestDatabase source, int rows) {
    source.execute(
        "CREATE TABLE "
            + Q_TABLE
            + " (\"order\" bigint PRIMARY KEY, \"ü\"\"x\" text, amount numeric(20,6),"
            + " at timestamptz, doc jsonb, raw bytea, ints integer[], tags text[],"
            + " \"select\" boolean, d date)",
        "INSERT INTO "
            + Q_TABLE
            + " SELECT g, CASE WHEN g % 7 = 0 THEN NULL WHEN g % 11 = 0 THEN ''"
            + " ELSE 'tëxt\t' || g || E'\\n\\\\ \"q\"' END,"
            + " CASE WHEN g % 5 = 0 THEN NULL ELSE (g * 1.123456)::numeric(20,6) - 500 END,"
            + " CASE WHEN g % 9 = 0 THEN NULL ELSE timestamptz '2024-02-29 23:59:59.999999+05'"
            + " + g * interval '1 hour 1 microsecond' END,"
            + " CASE WHEN g % 4 = 0 THEN NULL ELSE jsonb_build_object('k', g, 'a', jsonb_build_array(1,"
            + " 'two', null), 'u', 'ü') END,"
            + " CASE WHEN g % 6 = 0 THEN NULL WHEN g % 13 = 0 THEN ''::bytea"
            + " ELSE decode(md5(g::text) || '00ff', 'hex') END,"
            + " CASE WHEN g % 8 = 0 THEN NULL ELSE ARRAY[g, NULL, -g] END,"
            + " CASE WHEN g % 3 = 0 THEN '{}'::text[] ELSE ARRAY['a,b', NULL, 'c\"d'] END,"
            + " CASE WHEN g % 10 = 0 THEN NULL ELSE g % 2 = 0 END,"
            + " CASE WHEN g % 12 = 0 THEN NULL ELSE date '1999-12-31' + g END"
            + " FROM generate_series(1, "
            + rows
            + ") g");
  }

  /** Every row as text, in key order, hashed on the server: equal means equal values. */
  private static String fingerprint(TestDatabase db) throws SQLException {
    try (Connection c = db.connect();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT count(*), md5(string_agg(t::text, E'\\n' ORDER BY t.\"order\")) FROM "
                    + Q_TABLE
                    + " t")) {
      rs.next();
      return rs.getLong(1) + ":" + rs.getString(2);
    }
  }

  private static List<String> ledgerHashes(TestDatabase target) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = target.connect();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT source_hash, target_hash FROM studio.chunk_ledger ORDER BY chunk")) {
      while (rs.next()) {
        assertEquals(rs.getString(1), rs.getString(2), "a piped chunk sends what it reads");
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  /**
   * The scans of {@code studio.rejects} so far, those of the chunks copied on {@code tgt} included
   * (its pending statistics are flushed first).
   */
  private static long rejectScans(Connection tgt, TestDatabase target) throws SQLException {
    try (Statement s = tgt.createStatement()) {
      s.execute("SELECT pg_stat_force_next_flush()");
    }
    return target.queryLong(
        "SELECT seq_scan + coalesce(idx_scan, 0) FROM pg_stat_user_tables"
            + " WHERE relid = 'studio.rejects'::regclass");
  }

  @Test
  void anIdentityTableIsPipedInBinaryAndArrivesExact(TestDatabase source, TestDatabase target)
      throws Exception {
    createSource(source, 3_000);
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      MappingDocument mapping = TestMappings.identity(src, "public", "public");
      TableSql sql = new TableSql(PG, PG, mapping, mapping.tables().get(0));
      TargetPreparer.Prepared prepared = Loads.prepare(src, tgt, mapping, "bin", 700);
      assertTrue(BinaryCopyPipe.eligible(src, tgt, sql), "the identity mapping takes the pipe");
      TablePlan plan = prepared.tables().get(0);
      assertEquals(TABLE, plan.sourceTable());
      assertTrue(plan.chunks().size() >= 4, plan.toString());

      List<ChunkResult> results = Loads.copyAll(src, tgt, mapping, prepared, "bin");
      assertEquals(3_000, results.stream().mapToLong(ChunkResult::rows).sum());
      assertEquals(fingerprint(source), fingerprint(target));
      List<String> hashes = ledgerHashes(target);
      assertEquals(plan.chunks().size(), hashes.size());
      for (String h : hashes) {
        assertTrue(h.startsWith(BinaryCopyPipe.HASH_PREFIX), h);
      }
      assertEquals(hashes.size(), hashes.stream().distinct().count(), "chunks differ: " + hashes);
      assertEquals(
          0,
          target.queryLong("SELECT count(*) FROM studio.chunk_ledger WHERE coalesce(bytes, 0) = 0"),
          "every piped chunk records its bytes");

      // the table was loaded without any index; its primary key comes after, from a unique index
      assertEquals(
          0,
          target.queryLong(
              "SELECT count(*) FROM pg_index WHERE indrelid = '" + TABLE_REG + "'::regclass"));
      assertEquals(
          1, target.queryLong("SELECT count(*) FROM studio.table_ledger WHERE target_was_empty"));
      new LoadFinisher(PG).finishTable(tgt, mapping, "bin", TABLE);
      assertEquals(
          1,
          target.queryLong(
              "SELECT count(*) FROM pg_constraint c JOIN pg_class i ON i.oid = c.conindid"
                  + " WHERE c.conrelid = '"
                  + TABLE_REG
                  + "'::regclass AND c.contype = 'p' AND i.relname = 'Sel\"ect Ü_pkey'"));
      assertEquals(
          1,
          target.queryLong(
              "SELECT count(*) FROM studio.table_ledger WHERE index_build_ms IS NOT NULL"));
      // idempotent: finishing again (and the whole load) changes nothing
      new LoadFinisher(PG).finishTable(tgt, mapping, "bin", TABLE);
      io.migrationstudio.core.report.StageOutput out =
          new LoadFinisher(PG).finish(tgt, mapping, "bin", 1_700_000_000_000L);
      RunReport report =
          io.migrationstudio.core.report.Json.read(
              out.files().get(io.migrationstudio.core.report.ArtifactPaths.RUN_JSON),
              RunReport.class,
              "run");
      RunReport.TableRun run = report.tables().get(0);
      assertEquals(plan.chunks().size(), run.binaryChunks(), "run.json shows the binary path");
      assertTrue(run.bytes() != null && run.bytes() > 3_000 * 40, "bytes " + run.bytes());
      assertTrue(run.indexBuildMs() != null && run.copyDurationMs() != null, run.toString());
      assertTrue(report.finishedAt() != null && report.stageDurationMs() > 0, report.toString());
      assertEquals(
          1,
          target.queryLong(
              "SELECT count(*) FROM pg_index WHERE indrelid = '" + TABLE_REG + "'::regclass"));
      assertEquals(fingerprint(source), fingerprint(target));
    }
  }

  @Test
  void aTargetThatAlreadyHoldsRowsHasItsRangesDeleted(TestDatabase source, TestDatabase target)
      throws Exception {
    createSource(source, 1_000);
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      MappingDocument mapping = TestMappings.identity(src, "public", "public");
      new TargetSchema(PG, mapping).applyPreLoad(tgt);
      target.execute(
          "INSERT INTO "
              + Q_TABLE
              + " (\"order\", \"ü\"\"x\") VALUES (5, 'stale'), (900, 'stale')");
      TargetPreparer.Prepared prepared = Loads.prepare(src, tgt, mapping, "s", 300);
      assertEquals(
          0, target.queryLong("SELECT count(*) FROM studio.table_ledger WHERE target_was_empty"));
      Loads.copyAll(src, tgt, mapping, prepared, "s");
      assertEquals(fingerprint(source), fingerprint(target));
    }
  }

  @Test
  void aRetriedChunkRedoesOnlyItsRange(TestDatabase source, TestDatabase target) throws Exception {
    createSource(source, 2_000);
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      MappingDocument mapping = TestMappings.identity(src, "public", "public");
      TargetPreparer.Prepared prepared = Loads.prepare(src, tgt, mapping, "r", 500);
      long planned = rejectScans(tgt, target); // building its index scans it
      Loads.copyAll(src, tgt, mapping, prepared, "r");
      String expected = fingerprint(source);
      assertEquals(expected, fingerprint(target));
      List<String> before = ledgerHashes(target);
      // a chunk copied for the first time has no rejects to delete: it does not look for them
      assertEquals(planned, rejectScans(tgt, target), "fresh chunks left studio.rejects alone");

      ChunkRange second = prepared.tables().get(0).chunks().get(1);
      ChunkRange third = prepared.tables().get(0).chunks().get(2);
      // damage rows of the second and third chunks on the target
      target.execute(
          "UPDATE " + Q_TABLE + " SET \"ü\"\"x\" = 'damaged' WHERE \"order\" IN (600, 700, 1200)");
      long secondLo = Long.parseLong(second.lo());
      long thirdLo = Long.parseLong(third.lo());
      assertTrue(secondLo <= 600 && 700 < thirdLo && thirdLo <= 1200, second + " " + third);

      ChunkCopier force =
          new ChunkCopier(
              PG, PG, "studio", Clock.systemUTC(), CopyOptions.defaults().withForce(true));
      TableMapping table = mapping.tables().get(0);
      ChunkResult redone = force.copy(src, tgt, mapping, table, second, "r", ChunkProgress.NONE);
      assertFalse(redone.alreadyCommitted());
      assertEquals(2, redone.attempt());
      assertEquals(before.get(1), redone.sourceHash(), "the same range sends the same bytes");
      assertTrue(rejectScans(tgt, target) > planned, "a redone chunk deletes its old rejects");
      assertEquals(
          0,
          target.queryLong(
              "SELECT count(*) FROM "
                  + Q_TABLE
                  + " WHERE \"order\" IN (600, 700)"
                  + " AND \"ü\"\"x\" = 'damaged'"));
      assertEquals(
          1,
          target.queryLong("SELECT count(*) FROM " + Q_TABLE + " WHERE \"ü\"\"x\" = 'damaged'"),
          "the third chunk was not touched");
      assertEquals(
          1,
          target.queryLong("SELECT count(*) FROM studio.chunk_ledger WHERE attempt = 2"),
          "only the retried chunk has a second attempt");
      assertEquals(2_000, target.queryLong("SELECT count(*) FROM " + Q_TABLE));

      force.copy(src, tgt, mapping, table, third, "r", ChunkProgress.NONE);
      assertEquals(expected, fingerprint(target));
    }
  }

  @Test
  void textKeysWithQuotesAndBackslashesBoundChunksExactly(TestDatabase source, TestDatabase target)
      throws Exception {
    source.execute(
        "CREATE TABLE \"select\" (k text PRIMARY KEY, v integer)",
        "INSERT INTO \"select\" VALUES ('a''b', 1), ('a\\b', 2), ('c''''d', 3), ('ü''\\', 4),"
            + " ('E''x''', 5), ('plain', 6), ('\\''', 7), ('z', 8), ('', 9), (' ', 10)");
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      MappingDocument mapping = TestMappings.identity(src, "public", "public");
      TargetPreparer.Prepared prepared = Loads.prepare(src, tgt, mapping, "t", 2);
      assertTrue(prepared.tables().get(0).chunks().size() >= 4, prepared.tables().toString());
      for (ChunkRange r : prepared.tables().get(0).chunks()) {
        if (r.lo() != null) {
          assertTrue(
              BinaryCopyPipe.copyOut(new TableSql(PG, PG, mapping, mapping.tables().get(0)), r)
                  .contains("E'"),
              "bounds are escaped literals");
        }
      }
      Loads.copyAll(src, tgt, mapping, prepared, "t");
      String q =
          "SELECT count(*) || ':' || md5(string_agg(k || '=' || v, ',' ORDER BY k))"
              + " FROM \"select\"";
      try (Connection a = source.connect();
          Connection b = target.connect();
          Statement sa = a.createStatement();
          Statement sb = b.createStatement();
          ResultSet ra = sa.executeQuery(q);
          ResultSet rb = sb.executeQuery(q)) {
        ra.next();
        rb.next();
        assertEquals(ra.getString(1), rb.getString(1));
        assertTrue(ra.getString(1).startsWith("10:"), ra.getString(1));
      }
      for (String h : ledgerHashes(target)) {
        assertTrue(h.startsWith(BinaryCopyPipe.HASH_PREFIX), h);
      }
    }
  }

  /** The pages of the table marked all-visible once analyzed (COPY FREEZE marks them). */
  private static long allVisiblePages(TestDatabase target) {
    target.execute("ANALYZE " + Q_TABLE);
    return target.queryLong(
        "SELECT relallvisible FROM pg_class WHERE oid = '" + TABLE_REG + "'::regclass");
  }

  @Test
  void aWholeTableChunkIsReadAsItLiesAndLoadedFrozen(TestDatabase source, TestDatabase target)
      throws Exception {
    createSource(source, 2_000);
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      MappingDocument mapping = TestMappings.identity(src, "public", "public");
      TableSql sql = new TableSql(PG, PG, mapping, mapping.tables().get(0));
      new TargetSchema(PG, mapping).applyPreLoad(tgt);
      // rows already there (a re-run onto a used target): the truncate stands for the delete
      target.execute(
          "INSERT INTO "
              + Q_TABLE
              + " (\"order\", \"ü\"\"x\") VALUES (5, 'stale'), (900000, 'stale')");
      TargetPreparer.Prepared prepared = Loads.prepare(src, tgt, mapping, "w", 10_000);
      List<ChunkRange> chunks = prepared.tables().get(0).chunks();
      assertEquals(1, chunks.size(), chunks.toString());
      String out = BinaryCopyPipe.copyOut(sql, chunks.get(0));
      assertFalse(out.contains("ORDER BY"), "the whole table is a sequential scan: " + out);
      assertTrue(BinaryCopyPipe.freezable(tgt, sql));

      Loads.copyAll(src, tgt, mapping, prepared, "w");
      assertEquals(fingerprint(source), fingerprint(target));
      assertTrue(allVisiblePages(target) > 0, "COPY FREEZE left the pages all-visible");
      // a bounded chunk keeps the key order
      assertTrue(BinaryCopyPipe.copyOut(sql, new ChunkRange(1, "5", null)).contains("ORDER BY"));
    }
  }

  @Test
  void aRefusedFreezeFallsBackToAPlainCopy(TestDatabase source, TestDatabase target)
      throws Exception {
    createSource(source, 1_500);
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      MappingDocument mapping = TestMappings.identity(src, "public", "public");
      TableSql sql = new TableSql(PG, PG, mapping, mapping.tables().get(0));
      new TargetSchema(PG, mapping).applyPreLoad(tgt);
      tgt.setAutoCommit(false);
      // an open cursor in the transaction: the server refuses COPY FREEZE ("prior transaction
      // activity", SQLState 55000) after the truncate and the start of the stream
      try (Statement cursor = tgt.createStatement()) {
        cursor.setFetchSize(1);
        try (ResultSet open = cursor.executeQuery("SELECT g FROM generate_series(1, 10) g")) {
          open.next();
          BinaryCopyPipe.Piped piped =
              BinaryCopyPipe.pipe(
                      src, tgt, sql, new ChunkRange(0, null, null), 100, ChunkProgress.NONE, true)
                  .orElseThrow();
          assertEquals(1_500, piped.rows());
        }
      }
      tgt.commit();
      assertEquals(fingerprint(source), fingerprint(target));
      assertEquals(0, allVisiblePages(target), "the rows were copied without FREEZE");
    }
  }

  @Test
  void aReaderHoldingTheTargetTableGetsThePlainCopyNotAStalledTruncate(
      TestDatabase source, TestDatabase target) throws Exception {
    createSource(source, 1_000);
    try (Connection src = source.connect();
        Connection tgt = target.connect();
        Connection reader = target.connect()) {
      MappingDocument mapping = TestMappings.identity(src, "public", "public");
      TargetPreparer.Prepared prepared = Loads.prepare(src, tgt, mapping, "rd", 10_000);
      reader.setAutoCommit(false);
      try (Statement s = reader.createStatement();
          ResultSet rs = s.executeQuery("SELECT count(*) FROM " + Q_TABLE)) {
        rs.next(); // the reader's transaction holds the table (ACCESS SHARE) until it ends
      }
      List<ChunkResult> results = Loads.copyAll(src, tgt, mapping, prepared, "rd");
      assertEquals(1_000, results.get(0).rows());
      reader.commit();
      assertEquals(fingerprint(source), fingerprint(target));
      assertEquals(0, allVisiblePages(target), "copied without the truncate and FREEZE");
      try (Statement s = tgt.createStatement();
          ResultSet rs = s.executeQuery("SHOW lock_timeout")) {
        rs.next();
        assertEquals("0", rs.getString(1), "the copying session's lock_timeout is its own again");
      }
    }
  }

  @Test
  void aTableOtherTablesReferenceIsNotTruncated(TestDatabase source, TestDatabase target)
      throws Exception {
    createSource(source, 10);
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      MappingDocument mapping = TestMappings.identity(src, "public", "public");
      TableSql sql = new TableSql(PG, PG, mapping, mapping.tables().get(0));
      new TargetSchema(PG, mapping).applyPreLoad(tgt);
      assertTrue(BinaryCopyPipe.freezable(tgt, sql));
      target.execute(
          "CREATE UNIQUE INDEX ON " + Q_TABLE + " (\"order\")",
          "CREATE TABLE child (o bigint REFERENCES " + Q_TABLE + " (\"order\"))");
      assertFalse(BinaryCopyPipe.freezable(tgt, sql), "TRUNCATE would refuse a referenced table");
    }
  }

  /** The identity mapping of the test table with its "select" column cast to text (decoded). */
  private static MappingDocument castingSelectToText(Connection src) throws SQLException {
    MappingDocument identity = TestMappings.identity(src, "public", "public");
    TableMapping t = identity.tables().get(0);
    List<ColumnMapping> cols = new ArrayList<>();
    for (ColumnMapping c : t.columns()) {
      cols.add(
          "select".equals(c.source())
              ? ColumnMapping.builder()
                  .source(c.source())
                  .target(c.target())
                  .disposition(Disposition.CAST)
                  .sourceType(c.sourceType())
                  .type("text")
                  .canonical(io.migrationstudio.core.schema.CanonicalType.TEXT)
                  .nullable(true)
                  .reason("as text")
                  .build()
              : c);
    }
    TableMapping cast = t.withColumns(cols);
    return new MappingDocument(
        identity.version(),
        identity.naming(),
        identity.sourceEngine(),
        identity.sourceSchema(),
        identity.targetSchema(),
        List.of(cast),
        identity.sequences());
  }

  @Test
  void aDecodedWholeTableChunkIsLoadedFrozenInBinaryAndInText(
      TestDatabase source, TestDatabase target) throws Exception {
    createSource(source, 1_200);
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      MappingDocument mapping = castingSelectToText(src);
      TableMapping cast = mapping.tables().get(0);
      assertFalse(BinaryCopyPipe.eligible(src, tgt, new TableSql(PG, PG, mapping, cast)));
      TargetPreparer.Prepared prepared = Loads.prepare(src, tgt, mapping, "f", 10_000);
      ChunkRange whole = prepared.tables().get(0).chunks().get(0);
      assertEquals(new ChunkRange(0, null, null), whole);
      ChunkCopier binary =
          new ChunkCopier(
              PG, PG, "studio", Clock.systemUTC(), CopyOptions.defaults().withForce(true));
      for (ChunkCopier copier : List.of(binary, binary.withoutBinaryRows())) {
        ChunkResult r = copier.copy(src, tgt, mapping, cast, whole, "f", ChunkProgress.NONE);
        assertEquals(1_200, r.rows());
        assertEquals(1_200, target.queryLong("SELECT count(*) FROM " + Q_TABLE));
        assertTrue(allVisiblePages(target) > 0, "COPY FREEZE left the pages all-visible");
        assertEquals(
            source.queryLong("SELECT count(*) FROM " + Q_TABLE + " WHERE \"select\""),
            target.queryLong("SELECT count(*) FROM " + Q_TABLE + " WHERE \"select\" = 'true'"));
      }
    }
  }

  @Test
  void aTableWithACastIsDecodedNotPiped(TestDatabase source, TestDatabase target) throws Exception {
    createSource(source, 500);
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      MappingDocument mapping = castingSelectToText(src);
      TableMapping cast = mapping.tables().get(0);
      TargetPreparer.Prepared prepared = Loads.prepare(src, tgt, mapping, "c", 200);
      assertFalse(BinaryCopyPipe.eligible(src, tgt, new TableSql(PG, PG, mapping, cast)));
      Loads.copyAll(src, tgt, mapping, prepared, "c");
      assertEquals(500, target.queryLong("SELECT count(*) FROM " + Q_TABLE));
      for (String h : ledgerHashes(target)) {
        assertFalse(h.startsWith(BinaryCopyPipe.HASH_PREFIX), h);
      }
      assertEquals(
          source.queryLong("SELECT count(*) FROM " + Q_TABLE + " WHERE \"select\""),
          target.queryLong("SELECT count(*) FROM " + Q_TABLE + " WHERE \"select\" = 'true'"));
      assertNotEquals(
          0, target.queryLong("SELECT count(*) FROM " + Q_TABLE + " WHERE \"select\" IS NULL"));
    }
  }
}
