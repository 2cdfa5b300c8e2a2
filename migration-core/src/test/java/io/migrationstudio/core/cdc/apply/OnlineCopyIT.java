package io.migrationstudio.core.cdc.apply;

import static io.migrationstudio.core.copy.Loads.PG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.activity.ChunkRange;
import io.migrationstudio.contracts.activity.TablePlan;
import io.migrationstudio.core.cdc.ChunkSnapshot;
import io.migrationstudio.core.copy.ChunkCopier;
import io.migrationstudio.core.copy.ChunkProgress;
import io.migrationstudio.core.copy.CopyOptions;
import io.migrationstudio.core.copy.Loads;
import io.migrationstudio.core.copy.TableSql;
import io.migrationstudio.core.copy.TargetPreparer;
import io.migrationstudio.core.copy.TargetSchema;
import io.migrationstudio.core.copy.TestMappings;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The copy's half of the hand-off: online chunks record their read snapshot in the ledger. */
@ExtendWith(PostgresExtension.class)
class OnlineCopyIT {
  private static List<String> snapshots(TestDatabase target) throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = target.connect();
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT snapshot FROM studio.chunk_ledger ORDER BY table_name, chunk")) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  @Test
  void anOnlineCopyRecordsEachChunksSnapshotAndABulkCopyNone(
      TestDatabase source, TestDatabase target, TestDatabase bulk) throws Exception {
    source.execute(
        "CREATE TABLE t (id int PRIMARY KEY, v text)",
        "INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 100) g");
    try (Connection src = source.connect();
        Connection tgt = target.connect();
        Connection blk = bulk.connect()) {
      MappingDocument mapping = TestMappings.identity(src, "public", "public");
      TargetPreparer.Prepared prepared = Loads.prepare(src, tgt, mapping, "m", 30);
      ChunkCopier copier =
          new ChunkCopier(
                  PG,
                  PG,
                  TargetSchema.DEFAULT_STUDIO_SCHEMA,
                  Clock.systemUTC(),
                  CopyOptions.defaults().withOnline(true))
              .withChangeCapture(new ChunkReadCapture());
      TableMapping t = mapping.bySource("t").orElseThrow();
      long xid = source.queryLong("select txid_current()");
      for (TablePlan p : prepared.tables()) {
        for (ChunkRange r : p.chunks()) {
          copier.copy(src, tgt, mapping, t, r, "m", ChunkProgress.NONE);
        }
      }
      List<String> recorded = snapshots(target);
      assertEquals(4, recorded.size());
      for (String s : recorded) {
        ChunkSnapshot.PgSnapshot snap = (ChunkSnapshot.PgSnapshot) ChunkSnapshot.parse(s);
        assertTrue(snap.sees(xid), "a transaction committed before the copy is in it: " + s);
      }
      assertEquals(100, target.queryLong("select count(*) from t"));

      Loads.migrate(src, blk, mapping, "m", 30);
      assertEquals(4, snapshots(bulk).size());
      snapshots(bulk).forEach(s -> assertNull(s, "a bulk copy records no snapshot"));
    }
  }

  @Test
  void aLedgerFromBeforeChangeCaptureGainsTheSnapshotColumn(TestDatabase target) throws Exception {
    target.execute(
        "CREATE SCHEMA studio",
        "CREATE TABLE studio.chunk_ledger (migration text NOT NULL, table_name text NOT NULL,"
            + " chunk integer NOT NULL, lo text, hi text, \"rows\" bigint NOT NULL DEFAULT 0,"
            + " rejects bigint NOT NULL DEFAULT 0, source_hash text, target_hash text,"
            + " attempt integer NOT NULL DEFAULT 0, status text NOT NULL, started_at timestamptz,"
            + " finished_at timestamptz, PRIMARY KEY (migration, table_name, chunk))",
        "INSERT INTO studio.chunk_ledger (migration, table_name, chunk, status)"
            + " VALUES ('old', 't', 0, 'committed')");
    MappingDocument empty =
        new MappingDocument(1, "identity", "postgresql", "public", "public", List.of(), null);
    try (Connection tgt = target.connect();
        Statement st = tgt.createStatement()) {
      for (String ddl : new TargetSchema(PG, empty).ledgerStatements()) {
        st.execute(ddl);
      }
    }
    assertEquals(
        1, target.queryLong("select count(*) from studio.chunk_ledger where snapshot is null"));
    assertEquals(0, target.queryLong("select count(*) from studio.stream_position"));
  }

  @Test
  void textKeysFindTheChunkWhoseSourceRangeHoldsThem(TestDatabase source, TestDatabase target)
      throws Exception {
    source.execute(
        "CREATE TABLE w (k varchar(40) PRIMARY KEY, n int)",
        "INSERT INTO w SELECT CASE g % 3 WHEN 0 THEN upper(md5(g::text)) WHEN 1 THEN md5(g::text)"
            + " ELSE 'é' || g END, g FROM generate_series(1, 300) g");
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      MappingDocument mapping = TestMappings.identity(src, "public", "public");
      TargetPreparer.Prepared prepared = Loads.prepare(src, tgt, mapping, "m", 40);
      TableMapping w = mapping.bySource("w").orElseThrow();
      TableSql sql = new TableSql(PG, PG, mapping, w);
      TableChanges changes = new TableChanges(PG, PG, mapping, w, src);
      ChunkLookup lookup = ChunkLookup.load(tgt, "studio.chunk_ledger", "m", "w", changes.order());
      List<ChunkRange> ranges = prepared.tables().get(0).chunks();
      assertTrue(ranges.size() > 5);
      int checked = 0;
      for (ChunkRange r : ranges) {
        try (PreparedStatement ps = src.prepareStatement(sql.sourceSelect(r))) {
          sql.bindSourceRange(ps, r);
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              assertEquals(r.index(), lookup.chunkOf(rs.getString(1)).index(), rs.getString(1));
              checked++;
            }
          }
        }
      }
      assertEquals(300, checked);
    }
  }
}
