package io.migrationstudio.core.copy;

import static io.migrationstudio.core.copy.Loads.PG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.activity.ChunkRange;
import io.migrationstudio.contracts.activity.ChunkResult;
import io.migrationstudio.contracts.activity.TablePlan;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.contract.AbstractChunkCopyIT;
import io.migrationstudio.core.contract.EngineDb;
import io.migrationstudio.core.db.SampleDatabases;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.report.StageOutput;
import io.migrationstudio.core.validate.Validator;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The chunk copy contract from PostgreSQL's Chinook, and what only a PostgreSQL source shows: the
 * load finished and checked, a chunk aborted midway, a backend terminated during COPY, hostile
 * identifiers and values.
 */
@ExtendWith(PostgresExtension.class)
class ChunkCopyIT extends AbstractChunkCopyIT {
  @Override
  protected EngineDb chinookSource() throws Exception {
    return EngineDb.postgresChinook();
  }

  private static final String[] CHINOOK_TABLES = {
    "album",
    "artist",
    "customer",
    "employee",
    "genre",
    "invoice",
    "invoice_line",
    "media_type",
    "playlist",
    "playlist_track",
    "track"
  };

  private static MappingDocument chinook(TestDatabase source, Connection src) throws Exception {
    SampleDatabases.loadChinookPostgres(src);
    return TestMappings.identity(src, "public", "public");
  }

  @Test
  void chinookCopiedChunkByChunkEndsEqual(TestDatabase source, TestDatabase target)
      throws Exception {
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      MappingDocument mapping = chinook(source, src);
      TargetPreparer.Prepared prepared = Loads.prepare(src, tgt, mapping, "chinook", 500);
      TablePlan track = plan(prepared, "track");
      assertEquals(8, track.chunks().size(), "3503 rows in chunks of 500");
      assertEquals(new ChunkRange(0, null, "501"), track.chunks().get(0));
      assertTrue(plan(prepared, "playlist_track").chunks().size() > 1);
      assertEquals(List.of(), prepared.keyless());

      List<ChunkResult> results = Loads.copyAll(src, tgt, mapping, prepared, "chinook");
      assertEquals(15607, results.stream().mapToLong(ChunkResult::rows).sum());
      assertTrue(results.stream().allMatch(r -> r.attempt() == 1 && !r.alreadyCommitted()));
      for (String t : CHINOOK_TABLES) {
        assertEquals(
            source.queryLong("select count(*) from " + t),
            target.queryLong("select count(*) from " + t),
            t);
      }

      LoadFinisher finisher = new LoadFinisher(PG);
      StageOutput run = finisher.finish(tgt, mapping, "chinook", 1_700_000_000_000L);
      StageOutput again = finisher.finish(tgt, mapping, "chinook", 1_700_000_000_000L);
      assertArrayEquals(
          run.files().get(ArtifactPaths.RUN_JSON), again.files().get(ArtifactPaths.RUN_JSON));
      assertArrayEquals(
          run.files().get(ArtifactPaths.RUN_MD), again.files().get(ArtifactPaths.RUN_MD));
      String json = new String(run.files().get(ArtifactPaths.RUN_JSON), StandardCharsets.UTF_8);
      assertTrue(json.contains("\"status\" : \"complete\""), json);
      assertTrue(json.contains("\"stage_started_at\" : \"2023-11-14T22:13:20Z\""), json);
      // the copy's wall time, which the cutover runbook quotes as measured
      RunReport report = Json.read(run.files().get(ArtifactPaths.RUN_JSON), RunReport.class, "run");
      assertTrue(report.durationMs() != null && report.durationMs() >= 0, json);
      long longest =
          report.tables().stream().mapToLong(t -> t.copyDurationMs()).max().orElseThrow();
      assertTrue(report.durationMs() >= longest, json);

      StageOutput integration = new IntegrationChecker(PG).check(tgt, mapping, "chinook", 0);
      assertEquals(Verdict.PASS, integration.verdict(), integration.summary());
      assertEquals(11, target.queryLong("select count(*) from pg_constraint where contype = 'f'"));
      assertEquals(
          0, target.queryLong("select count(*) from pg_constraint where not convalidated"));

      StageOutput validation =
          new Validator(PG, PG).validate(src, tgt, mapping, "chinook", 100, 500);
      String v =
          new String(validation.files().get(ArtifactPaths.VALIDATION_JSON), StandardCharsets.UTF_8);
      assertTrue(v.contains("\"status\" : \"PASS\""), v);
      assertFalse(v.contains("FAIL"), v);
    }
  }

  @Test
  void aChunkAbortedMidwayLeavesNothingAndTheRetryIsExact(TestDatabase source, TestDatabase target)
      throws Exception {
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      MappingDocument mapping = chinook(source, src);
      TargetPreparer.Prepared prepared = Loads.prepare(src, tgt, mapping, "m", 1000);
      TableMapping line = mapping.bySource("invoice_line").orElseThrow();
      ChunkRange chunk = plan(prepared, "invoice_line").chunks().get(0);
      ChunkCopier copier =
          new ChunkCopier(
              PG,
              PG,
              "studio",
              java.time.Clock.systemUTC(),
              CopyOptions.defaults().withProgressEvery(100));
      IllegalStateException boom =
          assertThrows(
              IllegalStateException.class,
              () ->
                  copier.copy(
                      src,
                      tgt,
                      mapping,
                      line,
                      chunk,
                      "m",
                      rows -> {
                        if (rows >= 300) {
                          throw new IllegalStateException("worker lost at " + rows);
                        }
                      }));
      assertNotNull(boom.getMessage());
      assertEquals(0, target.queryLong("select count(*) from invoice_line"));
      assertEquals(
          0,
          target.queryLong(
              "select attempt from studio.chunk_ledger where table_name = 'invoice_line' and chunk = 0"));

      AtomicLong seen = new AtomicLong();
      // the retry is the chunk's second delivery (Temporal's attempt 2): the ledger says so
      ChunkCopier secondDelivery =
          new ChunkCopier(
              PG,
              PG,
              TargetSchema.DEFAULT_STUDIO_SCHEMA,
              java.time.Clock.systemUTC(),
              CopyOptions.defaults().withDeliveryAttempt(2));
      ChunkResult retry = secondDelivery.copy(src, tgt, mapping, line, chunk, "m", seen::set);
      assertEquals(1000, retry.rows());
      assertEquals(1000, seen.get(), "the last progress call reports every row");
      assertEquals(2, retry.attempt());
      assertEquals(
          2,
          target.queryLong(
              "select attempt from studio.chunk_ledger where table_name = 'invoice_line' and chunk = 0"));
      assertEquals(1000, target.queryLong("select count(*) from invoice_line"));
      assertEquals(
          source.queryLong(
              "select sum(invoice_line_id) from invoice_line where invoice_line_id < 1001"),
          target.queryLong("select sum(invoice_line_id) from invoice_line"));
    }
  }

  @Test
  void aBackendTerminatedDuringCopyIsTransientAndTheRetryIsExact(
      TestDatabase source, TestDatabase target) throws Exception {
    try (Connection src = source.connect()) {
      MappingDocument mapping = chinook(source, src);
      TargetPreparer.Prepared prepared;
      try (Connection tgt = target.connect()) {
        prepared = Loads.prepare(src, tgt, mapping, "m", 100_000);
      }
      TableMapping pt = mapping.bySource("playlist_track").orElseThrow();
      ChunkRange all = plan(prepared, "playlist_track").chunks().get(0);
      ChunkCopier copier =
          new ChunkCopier(
              PG,
              PG,
              "studio",
              java.time.Clock.systemUTC(),
              CopyOptions.defaults().withProgressEvery(1000));
      try (Connection victim = target.connect();
          Connection killer = target.connect()) {
        long pid;
        try (Statement s = victim.createStatement();
            ResultSet rs = s.executeQuery("select pg_backend_pid()")) {
          rs.next();
          pid = rs.getLong(1);
        }
        MigrationException e =
            assertThrows(
                MigrationException.class,
                () ->
                    copier.copy(
                        src,
                        victim,
                        mapping,
                        pt,
                        all,
                        "m",
                        rows -> {
                          if (rows == 2000) {
                            terminate(killer, pid);
                          }
                        }));
        assertEquals(ErrorCode.TRANSIENT_SQL, e.code(), e.getMessage());
      }
      assertEquals(0, target.queryLong("select count(*) from playlist_track"));
      try (Connection tgt = target.connect()) {
        ChunkResult retry = copier.copy(src, tgt, mapping, pt, all, "m", ChunkProgress.NONE);
        assertEquals(8715, retry.rows());
        assertEquals(1, retry.attempt());
      }
      assertEquals(8715, target.queryLong("select count(*) from playlist_track"));
    }
  }

  @Test
  void hostileIdentifiersAndValuesRoundTrip(TestDatabase source, TestDatabase target)
      throws Exception {
    String schema = "Src \"Schéma\" select";
    String table = "Order \"Details\"; DROP TABLE x; --";
    source.execute(
        "CREATE SCHEMA " + PG.quote(schema),
        "CREATE TABLE "
            + PG.qualify(schema, table)
            + " (\"Key\" bigint PRIMARY KEY, \"select\" text, \"naïve 列\" integer,"
            + " \"tab\tcol\" numeric(10,2), \"B\" bytea, \"when\" timestamptz, \"day\" date,"
            + " \"flag\" boolean, \"f\" double precision, \"c\" char(4))",
        "INSERT INTO "
            + PG.qualify(schema, table)
            + " VALUES"
            + " (1, E'tab\\there', 1, 1.5, '\\x00ff', '2024-03-01 10:00+02', '0044-03-15 BC', true,"
            + " 0.1, 'ab'),"
            + " (2, E'line\\nbreak\\r\\nand \\\\ backslash', NULL, NULL, NULL, NULL, NULL, NULL,"
            + " 'NaN', NULL),"
            + " (3, '\\N', -7, -0.01, '', 'infinity', 'infinity', false, '-Infinity', ''),"
            + " (4, '', 0, 0, '\\x', '1970-01-01 00:00Z', '2000-02-29', NULL, -0.0, 'x'),"
            + " (5, NULL, 5, 99999999.99, NULL, NULL, NULL, NULL, 1e300, NULL),"
            + " (6, 'ünïcödé 𝄞 \"quoted\" ''single''', 6, 6, NULL, NULL, NULL, NULL, NULL, NULL),"
            + " (7, 'seven', 7, 7, NULL, NULL, NULL, NULL, NULL, NULL)");
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      MappingDocument mapping = TestMappings.identity(src, schema, "Tgt ; \"Schéma\"");
      TargetPreparer.Prepared prepared = Loads.prepare(src, tgt, mapping, "hostile", 2);
      assertEquals(4, prepared.tables().get(0).chunks().size(), "7 rows by 2: bounds 3, 5, 7");
      Loads.copyAll(src, tgt, mapping, prepared, "hostile");
      new LoadFinisher(PG).finish(tgt, mapping, "hostile", 0L);
      assertEquals(
          Verdict.PASS, new IntegrationChecker(PG).check(tgt, mapping, "hostile", 0).verdict());
      StageOutput v = new Validator(PG, PG).validate(src, tgt, mapping, "hostile", 100, 2);
      assertTrue(
          new String(v.files().get(ArtifactPaths.VALIDATION_JSON), StandardCharsets.UTF_8)
              .contains("\"status\" : \"PASS\""),
          v.summary());
      String q =
          "SELECT \"select\" IS NULL, \"select\" FROM "
              + PG.qualify("Tgt ; \"Schéma\"", table)
              + " WHERE \"Key\" = ?";
      assertEquals("\\N", text(tgt, q, 3));
      assertEquals("", text(tgt, q, 4));
      assertEquals(null, text(tgt, q, 5));
      assertEquals("line\nbreak\r\nand \\ backslash", text(tgt, q, 2));
      assertEquals("ünïcödé 𝄞 \"quoted\" 'single'", text(tgt, q, 6));
    }
  }

  private static String text(Connection c, String sql, long key) throws Exception {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setLong(1, key);
      try (ResultSet rs = ps.executeQuery()) {
        assertTrue(rs.next(), "row " + key + " copied");
        return rs.getBoolean(1) ? null : rs.getString(2);
      }
    }
  }

  private static void terminate(Connection killer, long pid) {
    try (PreparedStatement ps = killer.prepareStatement("select pg_terminate_backend(?)")) {
      ps.setInt(1, (int) pid);
      ps.executeQuery().close();
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static TablePlan plan(TargetPreparer.Prepared p, String table) {
    return p.tables().stream().filter(t -> t.sourceTable().equals(table)).findFirst().orElseThrow();
  }
}
