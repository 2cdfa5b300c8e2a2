package io.migrationstudio.core.copy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.activity.ChunkRange;
import io.migrationstudio.contracts.activity.ChunkResult;
import io.migrationstudio.contracts.activity.TablePlan;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.dialect.postgres.PostgresDialect;
import io.migrationstudio.core.mapping.Codecs;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.testkit.MariaDbExtension;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import io.migrationstudio.testkit.TestMariaDb;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Decoded rows written in binary COPY ({@link BinaryRows}) land exactly as the text path writes
 * them: a MariaDB table with a column of every type the encoder handles (integers of each width and
 * their extremes, unsigned, boolean, decimals with scale, float, double, char(n), varchar, text
 * with tabs/newlines/backslashes/multi-byte characters and a value larger than the COPY buffer,
 * enum, date, datetime and timestamp with microseconds and their extremes, time, blob, uuid, json)
 * is copied into one PostgreSQL database in binary and into another in text, and every target row
 * is equal as PostgreSQL shows it, with equal ledger hashes. A value the encoder leaves to text (an
 * integer too wide for a narrowed target column) sends the chunk through the text path, whose row
 * isolation quarantines that row with its SQLState exactly as a text-only copy does.
 */
@ExtendWith({MariaDbExtension.class, PostgresExtension.class})
class BinaryRowsIT {
  private static final PostgresDialect PG = new PostgresDialect();

  @Test
  void everySupportedTypeLandsAsTheTextPathWritesIt(
      TestMariaDb maria, TestDatabase binaryTarget, TestDatabase textTarget) throws Exception {
    maria.execute(
        "CREATE TABLE every_type (id int NOT NULL PRIMARY KEY, i2 smallint, i4 int, i8 bigint,"
            + " iu int unsigned, b tinyint(1), d decimal(12,3), dz decimal(30,10), f float,"
            + " g double, c char(10), vc varchar(40), t mediumtext, e enum('red','green'),"
            + " dt date, ts datetime(6), tz timestamp(6) NULL DEFAULT NULL, tm time(6), bl blob,"
            + " u uuid, j json)",
        "INSERT INTO every_type (id) VALUES (1)",
        "INSERT INTO every_type VALUES (2, -32768, -2147483648, -9223372036854775808, 0, 0,"
            + " -999999999.999, -12345678901234567890.0123456789, -1.5e-7,"
            + " -2.2250738585072014E-308, 'a', 'tab\\there', 'line\\nbreak \\\\ back \\\\N \\r',"
            + " 'red', '0001-01-01', '1000-01-01 00:00:00.000001', '1970-01-01 00:00:01',"
            + " '00:00:00', x'00FF10', '123e4567-e89b-12d3-a456-426614174000',"
            + " '{\"a\": [1, 2.5, \"x\"], \"b\": null}')",
        "INSERT INTO every_type VALUES (3, 32767, 2147483647, 9223372036854775807, 4294967295, 1,"
            + " 0.000, 0, 3.4e38, 1.7976931348623157E308, 'Grüße 日本', '😀 emoji ✓',"
            + " repeat('xyz\\t', 30000), 'green', '9999-12-31', '9999-12-31 23:59:59.999999',"
            + " '2038-01-19 03:14:07.999999', '23:59:59.999999', '',"
            + " 'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF', '[]')",
        "INSERT INTO every_type SELECT seq, seq % 30000 - 15000, seq * 7919 % 100000 - 50000,"
            + " seq * 1000003, seq, seq % 2, seq / 7, seq / 13, seq / 3, seq / 9,"
            + " concat('c', seq), concat('v ', seq), concat('t\\\\', seq),"
            + " IF(seq % 3 = 0, 'red', NULL), '2000-01-01' + INTERVAL seq DAY,"
            + " '2020-02-29 12:34:56.5' + INTERVAL seq SECOND,"
            + " '2001-03-04 05:06:07.123456' + INTERVAL seq MINUTE, SEC_TO_TIME(seq * 27),"
            + " unhex(md5(seq)), uuid(), json_object('n', seq, 's', concat('x', seq))"
            + " FROM (SELECT CAST(seq AS SIGNED) AS seq FROM seq_4_to_3000) q");
    try (Connection src = maria.connect();
        Connection bin = binaryTarget.connect();
        Connection txt = textTarget.connect()) {
      MappingDocument mapping = mapping(maria, src);
      List<ChunkResult> viaBinary = copy(src, bin, mapping, "b", false);
      List<ChunkResult> viaText = copy(src, txt, mapping, "t", true);
      TableSql sql = new TableSql(source(maria), PG, mapping, mapping.tables().get(0));
      assertTrue(
          BinaryRows.forTarget(bin, sql, Codecs.row(sql.table()).columns()).isPresent(),
          "every column of the table is one the binary encoder writes");
      assertEquals(hashes(viaText), hashes(viaBinary), "same rows and ledger hashes");
      List<String> binaryRows = rows(bin, "every_type");
      assertEquals(3000, binaryRows.size());
      assertEquals(rows(txt, "every_type"), binaryRows);
      assertFalse(
          bin.createStatement().executeQuery("SELECT 1 FROM studio.rejects").next(),
          "nothing quarantined");
    }
  }

  @Test
  void aValueLeftToTextIsIsolatedLikeTheTextPathDoes(
      TestMariaDb maria, TestDatabase binaryTarget, TestDatabase textTarget) throws Exception {
    maria.execute(
        "CREATE TABLE wide (id int NOT NULL PRIMARY KEY, n bigint, s varchar(10))",
        "INSERT INTO wide SELECT seq, seq, concat('s', seq) FROM seq_1_to_2000",
        "UPDATE wide SET n = 1099511627776 WHERE id = 1500");
    try (Connection src = maria.connect();
        Connection bin = binaryTarget.connect();
        Connection txt = textTarget.connect()) {
      MappingDocument mapping = mapping(maria, src);
      List<ChunkResult> viaBinary = copy(src, bin, mapping, "b", false, "int");
      List<ChunkResult> viaText = copy(src, txt, mapping, "t", true, "int");
      assertEquals(hashes(viaText), hashes(viaBinary));
      assertEquals(rows(txt, "wide"), rows(bin, "wide"));
      assertEquals(1999, rows(bin, "wide").size());
      for (Connection c : List.of(bin, txt)) {
        assertOneOutOfRangeReject(c, "1500", "b", "t");
      }
    }
  }

  /** The pages of a target table marked all-visible once analyzed (COPY FREEZE marks them). */
  private static long allVisiblePages(Connection c, String table) throws Exception {
    c.createStatement().execute("ANALYZE " + table);
    try (ResultSet rs =
        c.createStatement()
            .executeQuery(
                "SELECT relallvisible FROM pg_class WHERE oid = '" + table + "'::regclass")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void aWholeTableChunkIsLoadedFrozenAndStillIsolatesBadRows(
      TestMariaDb maria, TestDatabase binaryTarget, TestDatabase textTarget) throws Exception {
    maria.execute(
        "CREATE TABLE wide (id int NOT NULL PRIMARY KEY, n bigint, s varchar(10))",
        "INSERT INTO wide SELECT seq, seq, concat('s', seq) FROM seq_1_to_2000");
    try (Connection src = maria.connect();
        Connection bin = binaryTarget.connect();
        Connection txt = textTarget.connect()) {
      MappingDocument mapping = mapping(maria, src);
      List<ChunkResult> viaBinary = copy(src, bin, mapping, "b", false, 10_000);
      List<ChunkResult> viaText = copy(src, txt, mapping, "t", true, 10_000);
      assertEquals(1, viaBinary.size(), "one chunk: " + viaBinary);
      assertEquals(hashes(viaText), hashes(viaBinary));
      assertEquals(rows(txt, "wide"), rows(bin, "wide"));
      assertEquals(2000, rows(bin, "wide").size());
      assertTrue(allVisiblePages(bin, "wide") > 0, "binary COPY FREEZE");
      assertTrue(allVisiblePages(txt, "wide") > 0, "text COPY FREEZE");

      // a row the target refuses: the frozen COPY fails, the chunk is written row by row
      maria.execute("UPDATE wide SET n = 1099511627776 WHERE id = 700");
      for (Connection c : List.of(bin, txt)) {
        c.createStatement().execute("DROP TABLE wide");
      }
      copy(src, bin, mapping, "b2", false, 10_000, "int");
      copy(src, txt, mapping, "t2", true, 10_000, "int");
      assertEquals(rows(txt, "wide"), rows(bin, "wide"));
      assertEquals(1999, rows(bin, "wide").size());
      for (Connection c : List.of(bin, txt)) {
        assertOneOutOfRangeReject(c, "700", "b2", "t2");
      }
    }
  }

  /** The one row {@code migrations} quarantined on {@code c}: {@code key}, out of range. */
  private static void assertOneOutOfRangeReject(Connection c, String key, String... migrations)
      throws Exception {
    try (ResultSet rs =
        c.createStatement()
            .executeQuery(
                "SELECT row_key, sqlstate FROM studio.rejects WHERE migration IN ('"
                    + String.join("', '", migrations)
                    + "')")) {
      assertTrue(rs.next());
      assertEquals(key, rs.getString(1));
      assertEquals("22003", rs.getString(2), "numeric_value_out_of_range");
      assertFalse(rs.next());
    }
  }

  private static Dialect source(TestMariaDb maria) {
    return Dialects.forUrl(maria.jdbcUrl());
  }

  private static MappingDocument mapping(TestMariaDb maria, Connection src) throws Exception {
    return TestMappings.mariaDbIdentity(
        maria, src, n -> n.equals("every_type") || n.equals("wide"));
  }

  /** Prepares the target, optionally narrows column n, and copies every chunk (500 rows). */
  private static List<ChunkResult> copy(
      Connection src,
      Connection tgt,
      MappingDocument mapping,
      String migration,
      boolean textOnly,
      String... narrowN)
      throws Exception {
    return copy(src, tgt, mapping, migration, textOnly, 500, narrowN);
  }

  private static List<ChunkResult> copy(
      Connection src,
      Connection tgt,
      MappingDocument mapping,
      String migration,
      boolean textOnly,
      int chunkRows,
      String... narrowN)
      throws Exception {
    Dialect source = new io.migrationstudio.core.dialect.mariadb.MariaDbDialect();
    TargetPreparer.Prepared prepared =
        new TargetPreparer(source, PG).prepare(src, tgt, mapping, migration, chunkRows);
    for (String type : narrowN) {
      tgt.createStatement().execute("ALTER TABLE wide ALTER COLUMN n TYPE " + type);
    }
    ChunkCopier copier =
        new ChunkCopier(
            source,
            PG,
            TargetSchema.DEFAULT_STUDIO_SCHEMA,
            java.time.Clock.systemUTC(),
            CopyOptions.defaults().withRejectLimit(5));
    if (textOnly) {
      copier = copier.withoutBinaryRows();
    }
    List<ChunkResult> out = new ArrayList<>();
    for (TablePlan plan : prepared.tables()) {
      TableMapping table = mapping.bySource(plan.sourceTable()).orElseThrow();
      for (ChunkRange r : plan.chunks()) {
        out.add(copier.copy(src, tgt, mapping, table, r, migration, ChunkProgress.NONE));
      }
    }
    return out;
  }

  private static List<String> hashes(List<ChunkResult> results) {
    return results.stream()
        .map(r -> r.sourceTable() + "#" + r.index() + " " + r.rows() + " " + r.sourceHash())
        .toList();
  }

  /** Every row of the target table as PostgreSQL shows it, column by column, in key order. */
  private static List<String> rows(Connection c, String table) throws Exception {
    List<String> out = new ArrayList<>();
    try (ResultSet rs =
        c.createStatement().executeQuery("SELECT * FROM " + table + " ORDER BY id")) {
      ResultSetMetaData md = rs.getMetaData();
      while (rs.next()) {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= md.getColumnCount(); i++) {
          sb.append(md.getColumnName(i)).append('=').append(rs.getString(i)).append('|');
        }
        out.add(sb.toString());
      }
    }
    return out;
  }
}
