package io.migrationstudio.core.dialect.mariadb.binlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.spec.ConnectionSpec;
import io.migrationstudio.core.cdc.ChangeCapture;
import io.migrationstudio.core.cdc.ChangeKind;
import io.migrationstudio.core.cdc.ChangeSource;
import io.migrationstudio.core.cdc.ChunkSnapshot;
import io.migrationstudio.core.cdc.RowChange;
import io.migrationstudio.core.cdc.SourceTransaction;
import io.migrationstudio.core.cdc.StreamPosition;
import io.migrationstudio.core.cdc.StreamPosition.BinlogPosition;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.spec.SecretResolver;
import io.migrationstudio.testkit.MariaDbExtension;
import io.migrationstudio.testkit.TestMariaDb;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The binlog capture against the shared embedded MariaDB (row-based binlog): values checked against
 * the server itself ({@code SELECT} of the same row over JDBC in a UTC session), the transaction
 * framing, resume, DDL, and the chunk snapshot hand-off.
 */
@ExtendWith(MariaDbExtension.class)
class MariaDbChangeCaptureIT {
  private static final String PASSWORD = "cdc-Pw-9";
  private final SecretResolver secrets = new SecretResolver(Map.of("CDC_PW", PASSWORD));
  private final ChangeCapture capture = new MariaDbChangeCapture();

  /** A source user with exactly the grants the docs list, its password a reference. */
  private ConnectionSpec spec(TestMariaDb db) {
    String user = "cdc_" + db.name().substring(db.name().length() - 8);
    db.execute(
        "CREATE USER IF NOT EXISTS '" + user + "'@'localhost' IDENTIFIED BY '" + PASSWORD + "'",
        "GRANT REPLICATION SLAVE, BINLOG MONITOR ON *.* TO '" + user + "'@'localhost'",
        "GRANT SELECT ON `" + db.name() + "`.* TO '" + user + "'@'localhost'");
    return new ConnectionSpec(db.jdbcUrl(), user, "${env:CDC_PW}", null);
  }

  private Connection open(ConnectionSpec spec) {
    return Dialects.openReadOnly(spec, secrets, "source");
  }

  private BinlogPosition prepare(ConnectionSpec spec, String... tables) throws SQLException {
    try (Connection c = open(spec)) {
      return (BinlogPosition) capture.prepare(c, "it", List.of(tables));
    }
  }

  /** Polls until {@code done} holds for the transactions with changes read so far. */
  private static List<SourceTransaction> read(
      ChangeSource source, Predicate<List<SourceTransaction>> done) throws Exception {
    List<SourceTransaction> out = new ArrayList<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!done.test(out)) {
      if (System.nanoTime() > deadline) {
        fail("stream did not deliver in time; got " + out);
      }
      for (SourceTransaction tx : source.poll(Duration.ofMillis(300), 1000)) {
        if (!tx.changes().isEmpty()) {
          out.add(tx);
        }
      }
    }
    return out;
  }

  private static Predicate<List<SourceTransaction>> changes(int n) {
    return txs -> txs.stream().mapToInt(t -> t.changes().size()).sum() >= n;
  }

  // ------------------------------------------------------------------ values

  private static final String TYPES_TABLE =
      """
      CREATE TABLE types (
        id int PRIMARY KEY,
        ti tinyint, tiu tinyint unsigned, b1 tinyint(1), bo bool,
        si smallint, siu smallint unsigned, mi mediumint, miu mediumint unsigned,
        i int, iu int unsigned, bi bigint, biu bigint unsigned,
        de decimal(30,10), de0 decimal(5,0), f float, d double,
        bt1 bit(1), bt bit(12),
        c char(10), vc varchar(100), vl varchar(50) CHARACTER SET latin1,
        tt tinytext, tx text, mt mediumtext, lt longtext,
        i4 inet4, i6 inet6, st set('a','b','c d'), en enum('x','y''s','z'),
        bn binary(8), vb varbinary(20), tb tinyblob, bl blob, mb mediumblob, lb longblob,
        dt date, dtm datetime, dtm3 datetime(3), dtm6 datetime(6),
        ts timestamp(6) NULL, ts0 timestamp NULL, tm time, tm2 time(2), tm6 time(6), yr year,
        js json, uu uuid
      )""";

  private static final List<String> TYPE_ROWS =
      List.of(
          // minimums
          "(1, -128, 0, 0, 0, -32768, 0, -8388608, 0, -2147483648, 0, -9223372036854775808, 0,"
              + " -99999999999999999999.9999999999, -99999, -3.40282e38, -1.7976931348623157e308,"
              + " b'0', b'0', '', '', '', '', '', '', '', '0.0.0.0', '::', '', 'x',"
              + " x'00', x'', x'', x'', x'', x'', '1000-01-01', '1000-01-01 00:00:00',"
              + " '1000-01-01 00:00:00.000', '1000-01-01 00:00:00.000000',"
              + " '1970-01-01 00:00:01.000000', '1970-01-01 00:00:01', '-838:59:59',"
              + " '-838:59:59.99', '-838:59:59.999999', 1901, '{}',"
              + " '00000000-0000-0000-0000-000000000000')",
          // maximums
          "(2, 127, 255, 1, 1, 32767, 65535, 8388607, 16777215, 2147483647, 4294967295,"
              + " 9223372036854775807, 18446744073709551615, 99999999999999999999.9999999999,"
              + " 99999, 3.40282e38, 1.7976931348623157e308, b'1', b'111111111111',"
              + " 'zzzzzzzzzz', REPEAT('é', 100), 'ÿ', REPEAT('x', 255), REPEAT('y', 3000),"
              + " REPEAT('m', 70000), REPEAT('l', 100000), '255.255.255.255',"
              + " 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'a,b,c d', 'z', x'ffffffffffffffff',"
              + " x'ff', x'ff', x'ff', x'ff', x'ff', '9999-12-31', '9999-12-31 23:59:59',"
              + " '9999-12-31 23:59:59.999', '9999-12-31 23:59:59.999999',"
              + " '2038-01-19 03:14:07.999999', '2038-01-19 03:14:07', '838:59:59',"
              + " '838:59:59.99', '838:59:59.999999', 2155, '[1, 2.5, \"x\", null, true]',"
              + " 'ffffffff-ffff-ffff-ffff-ffffffffffff')",
          // NULLs
          "(3" + ", NULL".repeat(47) + ")",
          // ordinary values, charsets, fractions, swapped UUIDs
          "(4, -1, 200, 1, 0, -2, 40000, -3, 9000000, -4, 3000000000, -5,"
              + " 10000000000000000000, 0.0000000001, 42, 1.2345678, 0.30000000000000004, b'1',"
              + " b'000000000101', 'ab  ', '😀 Zürich ™', 'Größe © ½', 'tiny', 'text',"
              + " 'medium', 'long', '192.168.0.1', '2001:db8::ff00:42:8329', 'c d,a', 'y''s',"
              + " x'0102', x'00ff00', x'000102', x'deadbeef', x'00', x'01', '2024-02-29',"
              + " '2024-02-29 12:34:56', '2024-02-29 12:34:56.789', '2024-02-29 12:34:56.000001',"
              + " '2024-02-29 12:34:56.000001', '2024-02-29 12:34:56', '-00:00:01',"
              + " '-12:34:56.78', '-00:00:00.5', 2024, '{\"a\": {\"b\": [1, 2]}}',"
              + " '123e4567-e89b-12d3-a456-426614174000')",
          "(5, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, -0.5, -0, 1e-7, 1e20, b'0', b'100000000000',"
              + " 'a', 'ä', 'a', 'a', 'a', 'a', 'a', '10.0.0.1', '::1', '', 'x', x'00000000',"
              + " x'00', x'00', x'00', x'00', x'00', '2000-01-01', '2000-01-01 00:00:00',"
              + " '2000-01-01 00:00:00.001', '2000-01-01 00:00:00.100000',"
              + " '2000-01-01 00:00:00.100000', '2000-01-01 00:00:00', '100:00:00', '00:00:00.01',"
              + " '00:00:00.000001', 1999, '\"s\"', '550e8400-e29b-41d4-a716-446655440000')",
          "(6, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 0, 123456789, 1e-5, b'1', b'1', 'a', 'a',"
              + " 'a', 'a', 'a', 'a', 'a', '1.2.3.4', '::ffff:192.0.2.1', 'b', 'x', x'',"
              + " x'', x'', x'', x'', x'', '2000-01-01', '2000-01-01 00:00:00',"
              + " '2000-01-01 00:00:00', '2000-01-01 00:00:00', '2000-01-01 00:00:00',"
              + " '2000-01-01 00:00:00', '00:00:00', '00:00:00', '00:00:00', 2000, 'null',"
              + " '6ccd780c-baba-1026-9564-5b8c656024db')",
          "(7, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 0, 0.1, 12345678901234567890, b'1', b'1',"
              + " 'a', 'a', 'a', 'a', 'a', 'a', 'a', '1.2.3.4', '::1.2.3.4', 'b', 'x', x'',"
              + " x'', x'', x'', x'', x'', '2000-01-01', '2000-01-01 00:00:00',"
              + " '2000-01-01 00:00:00', '2000-01-01 00:00:00', '2000-01-01 00:00:00',"
              + " '2000-01-01 00:00:00', '00:00:00', '00:00:00', '00:00:00', 2000, '1',"
              + " '6ccd780c-baba-1026-c564-5b8c656024db')");

  @Test
  void everyCatalogueTypeArrivesAsTheServerShowsItInAUtcSession(TestMariaDb values)
      throws Exception {
    values.execute(TYPES_TABLE);
    ConnectionSpec spec = spec(values);
    BinlogPosition from = prepare(spec, "types");
    for (String row : TYPE_ROWS) {
      values.execute("INSERT INTO types VALUES " + row);
    }
    // floating point spellings: where the server switches to an exponent
    values.execute(
        "INSERT INTO types (id, f, d) VALUES (9, 1e-10, 1e-15), (10, 1e-14, 1e-16),"
            + " (11, 1e15, 123456789012345678), (12, -1.5e-5, 1234567890123456)");
    // zero dates and zero-in-date values where the SQL mode allows them
    values.execute(
        "SET SESSION sql_mode = ''",
        "INSERT INTO types (id, dt, dtm, dtm3, ts0, yr) VALUES (8, '0000-00-00',"
            + " '0000-00-00 00:00:00', '2024-00-00 00:00:00.000', '0000-00-00 00:00:00', 0)");
    Map<Integer, Map<String, Object>> streamed = new LinkedHashMap<>();
    try (ChangeSource source = capture.open(spec, secrets, "values", List.of("types"), from)) {
      for (SourceTransaction tx : read(source, changes(TYPE_ROWS.size() + 5))) {
        for (RowChange ch : tx.changes()) {
          assertEquals(ChangeKind.INSERT, ch.kind());
          assertEquals("types", ch.table());
          streamed.put(Integer.parseInt((String) ch.row().get("id")), ch.row());
        }
      }
    }
    Map<Integer, Map<String, Object>> selected = selectAll(spec, values, "types");
    assertEquals(selected.keySet(), streamed.keySet());
    List<String> differences = new ArrayList<>();
    for (int id : selected.keySet()) {
      Map<String, Object> expected = selected.get(id);
      Map<String, Object> actual = streamed.get(id);
      assertEquals(List.copyOf(expected.keySet()), List.copyOf(actual.keySet()), "column order");
      for (String column : expected.keySet()) {
        Object e = expected.get(column);
        Object a = actual.get(column);
        boolean same =
            e instanceof byte[] eb
                ? a instanceof byte[] ab && java.util.Arrays.equals(eb, ab)
                : java.util.Objects.equals(e, a);
        if (!same) {
          differences.add(
              "row " + id + " " + column + ": server " + show(e) + ", binlog " + show(a));
        }
      }
    }
    assertTrue(differences.isEmpty(), String.join("\n", differences));
  }

  private static String show(Object v) {
    return v instanceof byte[] b ? "0x" + java.util.HexFormat.of().formatHex(b) : "'" + v + "'";
  }

  /**
   * Each row as the server sends it in a studio session (UTC): text, or bytes for binary types
   * (decided from information_schema, not from the driver). Temporal columns are selected as {@code
   * CAST(... AS CHAR)}: Connector/J's {@code getString} reformats fractional datetimes (a {@code
   * datetime(3)} of {@code .001} comes back as {@code .1000}), the server's text does not.
   */
  private Map<Integer, Map<String, Object>> selectAll(
      ConnectionSpec spec, TestMariaDb db, String table) throws SQLException {
    Set<String> binary = new HashSet<>();
    List<String> projection = new ArrayList<>();
    try (Connection c = db.connect();
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT COLUMN_NAME, DATA_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA"
                    + " = '"
                    + db.name()
                    + "' AND TABLE_NAME = '"
                    + table
                    + "' ORDER BY ORDINAL_POSITION")) {
      while (rs.next()) {
        String name = rs.getString(1);
        String type = rs.getString(2);
        if (Set.of("binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob", "bit")
            .contains(type)) {
          binary.add(name);
        }
        projection.add(
            Set.of("date", "datetime", "timestamp", "time", "year").contains(type)
                ? "CAST(`" + name + "` AS CHAR) AS `" + name + "`"
                : "`" + name + "`");
      }
    }
    Map<Integer, Map<String, Object>> out = new LinkedHashMap<>();
    try (Connection c = open(spec);
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT " + String.join(", ", projection) + " FROM " + table + " ORDER BY id")) {
      ResultSetMetaData md = rs.getMetaData();
      while (rs.next()) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
          String name = md.getColumnLabel(i);
          row.put(name, binary.contains(name) ? rs.getBytes(i) : rs.getString(i));
        }
        out.put(rs.getInt("id"), row);
      }
    }
    return out;
  }

  @Test
  void timestampIsTheUtcTextWhateverTheServerTimeZone(TestMariaDb zone) throws Exception {
    zone.execute("CREATE TABLE t (id int PRIMARY KEY, ts timestamp(3) NULL, dtm datetime)");
    ConnectionSpec spec = spec(zone);
    BinlogPosition from = prepare(spec, "t");
    zone.execute("SET GLOBAL time_zone = '+03:00'");
    try {
      // a session in the server's zone: the wall text 12:00 is 09:00 UTC; datetime is wall time
      zone.execute(
          "INSERT INTO t VALUES (1, '2024-01-01 12:00:00.250', '2024-01-01 12:00:00')",
          "INSERT INTO t VALUES (2, '1970-01-01 03:00:01', '1970-01-01 03:00:01')");
    } finally {
      zone.execute("SET GLOBAL time_zone = SYSTEM");
    }
    try (ChangeSource source = capture.open(spec, secrets, "zone", List.of("t"), from)) {
      List<SourceTransaction> txs = read(source, changes(2));
      Map<Integer, Map<String, Object>> selected = selectAll(spec, zone, "t");
      assertEquals(selected.get(1), txs.get(0).changes().get(0).row());
      assertEquals(selected.get(2), txs.get(1).changes().get(0).row());
      assertTrue(selected.get(1).get("ts").toString().startsWith("2024-01-01 09:00:00.25"));
      assertTrue(selected.get(2).get("ts").toString().startsWith("1970-01-01 00:00:01"));
    }
  }

  // ------------------------------------------------------------------ transactions

  @Test
  void oneSourceTransactionPerTransactionWithItsChangesInOrder(TestMariaDb tx) throws Exception {
    tx.execute(
        "CREATE TABLE a (id int PRIMARY KEY, v varchar(10))",
        "CREATE TABLE b (k1 int, k2 varchar(5), n int, PRIMARY KEY (k2, k1))",
        "CREATE TABLE nokey (x int, y int)",
        "CREATE TABLE other (id int PRIMARY KEY)",
        // referenced through a unique key: its old key keeps that column
        "CREATE TABLE u (id int PRIMARY KEY, code varchar(5) UNIQUE, note varchar(10))",
        "CREATE TABLE uc (id int PRIMARY KEY, code varchar(5),"
            + " FOREIGN KEY (code) REFERENCES u (CODE))",
        "INSERT INTO u VALUES (1, 'c1', 'x')",
        "INSERT INTO a VALUES (1, 'one'), (2, 'two'), (5, 'five')",
        "INSERT INTO b VALUES (1, 'p', 10)",
        "INSERT INTO nokey VALUES (1, 1), (1, 1)");
    ConnectionSpec spec = spec(tx);
    BinlogPosition from = prepare(spec, "a", "b", "nokey", "u");
    Instant before = Instant.now().minusSeconds(2);
    try (Connection c = tx.connect();
        Statement st = c.createStatement()) {
      c.setAutoCommit(false);
      st.execute("INSERT INTO a VALUES (3, 'three')");
      st.execute("INSERT INTO other VALUES (1)");
      st.execute("UPDATE b SET n = 11 WHERE k1 = 1");
      st.execute("DELETE FROM a WHERE id = 2");
      st.execute("UPDATE a SET id = 6, v = 'six' WHERE id = 5");
      st.execute("UPDATE nokey SET y = 2 LIMIT 1");
      st.execute("UPDATE u SET note = 'y' WHERE id = 1");
      c.commit();
      st.execute("DELETE FROM nokey LIMIT 1");
      c.commit();
    }
    try (ChangeSource source =
        capture.open(spec, secrets, "tx", List.of("a", "b", "nokey", "u"), from)) {
      List<SourceTransaction> txs = read(source, changes(7));
      assertEquals(2, txs.size(), txs.toString());
      SourceTransaction first = txs.get(0);
      assertTrue(first.xid().matches("0-1-\\d+"), first.xid());
      assertTrue(first.commit().compareTo(from) > 0);
      assertTrue(txs.get(1).commit().compareTo(first.commit()) > 0);
      assertTrue(first.commitTime().isAfter(before), first.commitTime().toString());
      assertEquals(
          List.of(
              RowChange.insert("a", row("id", "3", "v", "three")),
              RowChange.update(
                  "b", row("k2", "p", "k1", "1"), row("k1", "1", "k2", "p", "n", "11")),
              RowChange.delete("a", row("id", "2")),
              RowChange.update("a", row("id", "5"), row("id", "6", "v", "six")),
              RowChange.update("nokey", row("x", "1", "y", "1"), row("x", "1", "y", "2")),
              RowChange.update(
                  "u", row("id", "1", "code", "c1"), row("id", "1", "code", "c1", "note", "y"))),
          first.changes());
      // the old key holds the primary key (key order first) and the columns a foreign key
      // references (u.code), not the rest of the before-image; the whole image without a key.
      // A key-ordered map compares by entries and order: check the key order itself
      assertEquals(List.of("k2", "k1"), List.copyOf(first.changes().get(1).key().keySet()));
      assertEquals(
          List.of(RowChange.delete("nokey", row("x", "1", "y", "2"))), txs.get(1).changes());
      assertEquals(first.commit(), ((BinlogPosition) first.commit()));
      StreamPosition head = source.head();
      assertTrue(head.compareTo(txs.get(1).commit()) >= 0, head + " vs " + txs.get(1).commit());
      // idle: the server's heartbeat arrives as an empty transaction at the last position, now
      Instant idleSince = Instant.now().minusMillis(100);
      SourceTransaction beat = null;
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (beat == null && System.nanoTime() < deadline) {
        for (SourceTransaction t : source.poll(Duration.ofMillis(500), 100)) {
          if (t.xid().equals("heartbeat")) {
            beat = t;
          }
        }
      }
      assertNotNull(beat, "no heartbeat while the source was idle");
      assertTrue(beat.changes().isEmpty());
      assertTrue(beat.commit().compareTo(txs.get(1).commit()) >= 0, beat.toString());
      assertTrue(beat.commitTime().isAfter(idleSince), beat.toString());
    }
  }

  private static Map<String, Object> row(String... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }

  @Test
  void aReaderResumedAtAStoredPositionDeliversNothingEarlier(TestMariaDb resume) throws Exception {
    resume.execute("CREATE TABLE t (id int PRIMARY KEY)");
    ConnectionSpec spec = spec(resume);
    BinlogPosition from = prepare(spec, "t");
    assertNotNull(from.gtid(), "MariaDB reports gtid_binlog_pos");
    for (int i = 1; i <= 3; i++) {
      resume.execute("INSERT INTO t VALUES (" + i + ")");
    }
    List<SourceTransaction> all;
    try (ChangeSource source = capture.open(spec, secrets, "resume", List.of("t"), from)) {
      all = read(source, changes(3));
    }
    BinlogPosition second = (BinlogPosition) all.get(1).commit();
    assertNotNull(second.gtid(), "a reader started with a GTID carries the GTID state");
    assertEquals(all.get(1).xid(), second.gtid(), "one GTID domain: the state is the last GTID");
    resume.execute("INSERT INTO t VALUES (4)");
    // by GTID, then by file and offset alone
    for (BinlogPosition at :
        List.of(second, new BinlogPosition(second.file(), second.offset(), null))) {
      try (ChangeSource source = capture.open(spec, secrets, "resume2", List.of("t"), at)) {
        List<SourceTransaction> later = read(source, changes(2));
        assertEquals(
            List.of("3", "4"),
            later.stream().map(t -> (String) t.changes().get(0).row().get("id")).toList(),
            "resumed at " + at.text());
        assertEquals(
            all.get(2).commit().text().split(":")[1], later.get(0).commit().text().split(":")[1]);
      }
    }
  }

  /**
   * A stream resumed at a position whose binlog file the source no longer keeps (purged: here a
   * file number below the first the server ever writes) stops with the file named, instead of a
   * reader that starts later (skipping the changes in between) or a start retried for ever; the
   * position in a file the server keeps opens as before.
   */
  @Test
  void aStreamWhoseBinlogFileIsGoneStopsAndNamesTheFile(TestMariaDb gone) throws Exception {
    gone.execute("CREATE TABLE t (id int PRIMARY KEY)");
    ConnectionSpec spec = spec(gone);
    BinlogPosition from = prepare(spec, "t");
    String purgedFile = from.file().replaceAll("\\d+$", "000000");
    BinlogPosition purged = new BinlogPosition(purgedFile, 4, null);
    MigrationException e =
        assertThrows(
            MigrationException.class,
            () -> capture.open(spec, secrets, "gone", List.of("t"), purged).close());
    assertEquals(ErrorCode.CAPTURE_STOPPED, e.code(), e.getMessage());
    assertTrue(
        e.getMessage().contains(purgedFile + " the change stream resumes from"), e.getMessage());
    assertTrue(e.getMessage().contains("binlog_expire_logs_seconds"), e.getMessage());
    gone.execute("INSERT INTO t VALUES (1)");
    try (ChangeSource source = capture.open(spec, secrets, "gone", List.of("t"), from)) {
      assertEquals(1, read(source, changes(1)).size());
    }
  }

  /**
   * A retried slice opens its reader while the attempt Temporal gave up on still runs: the server
   * ends the older dump (one replica server id per capture, ER_SLAVE_SAME_ID) and the older reader
   * must stop at once, without handing out what it had buffered, so that it does not keep applying
   * (and holding the stream's position row) next to the reader that took over. The newer reader
   * delivers everything, and a reader opened again right after a slice ended works too.
   */
  @Test
  void aReaderTakenOverByANewerOneOfItsCaptureStopsAtOnce(TestMariaDb takeover) throws Exception {
    takeover.execute("CREATE TABLE t (id int PRIMARY KEY)");
    ConnectionSpec spec = spec(takeover);
    BinlogPosition from = prepare(spec, "t");
    try (BinlogChangeSource older =
        (BinlogChangeSource) capture.open(spec, secrets, "takeover", List.of("t"), from)) {
      takeover.execute("INSERT INTO t VALUES (1)", "INSERT INTO t VALUES (2)");
      awaitTrue(() -> older.queuedChanges() == 2, "the older reader buffered both changes");
      try (ChangeSource newer = capture.open(spec, secrets, "takeover", List.of("t"), from)) {
        assertEquals(2, read(newer, changes(2)).size());
        awaitTrue(older::failed, "the server ended the older reader's dump");
        MigrationException e =
            assertThrows(MigrationException.class, () -> older.poll(Duration.ofSeconds(5), 100));
        assertEquals(ErrorCode.TRANSIENT_SQL, e.code(), e.getMessage());
      }
    }
    // a slice right after the previous one closed: the same server id, no failure
    StreamPosition at = from;
    for (int slice = 0; slice < 3; slice++) {
      takeover.execute("INSERT INTO t VALUES (" + (10 + slice) + ")");
      try (ChangeSource next = capture.open(spec, secrets, "takeover", List.of("t"), at)) {
        List<SourceTransaction> got = read(next, changes(slice == 0 ? 3 : 1));
        at = got.get(got.size() - 1).commit();
      }
    }
  }

  /**
   * A reader closed on an interrupted thread (a slice whose worker shuts down or whose activity is
   * cancelled mid-call) disconnects all the same: {@code BinaryLogClient.disconnect()} skips
   * closing its socket when the calling thread is interrupted, and the source kept a Binlog Dump
   * thread (and the client its reading thread) after the migration was cancelled. The interrupt
   * stays set for the caller.
   */
  @Test
  void aReaderClosedOnAnInterruptedThreadLeavesNoBinlogDumpOnTheSource(TestMariaDb interrupted)
      throws Exception {
    interrupted.execute("CREATE TABLE t (id int PRIMARY KEY)");
    ConnectionSpec spec = spec(interrupted);
    BinlogPosition from = prepare(spec, "t");
    awaitTrue(() -> binlogDumps(interrupted) == 0, "earlier tests' readers are gone");
    ChangeSource source = capture.open(spec, secrets, "interrupted", List.of("t"), from);
    awaitTrue(() -> binlogDumps(interrupted) == 1, "the reader's dump runs on the source");
    Thread.currentThread().interrupt();
    try {
      source.close();
      assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is kept for the caller");
    } finally {
      Thread.interrupted();
    }
    // the server ends a dump whose client is gone at its next write (heartbeat every second)
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (binlogDumps(interrupted) > 0) {
      assertTrue(
          System.nanoTime() < deadline,
          "a Binlog Dump thread is still connected 5 s after the reader was closed");
      Thread.sleep(100);
    }
  }

  private static long binlogDumps(TestMariaDb db) {
    return db.queryLong(
        "SELECT count(*) FROM information_schema.PROCESSLIST WHERE COMMAND LIKE 'Binlog Dump%'");
  }

  private static void awaitTrue(java.util.function.BooleanSupplier condition, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("timed out waiting until " + what);
      }
      Thread.sleep(20);
    }
  }

  @Test
  void ddlOnACapturedTableStopsTheStreamAndTruncateIsAChange(TestMariaDb ddl) throws Exception {
    ddl.execute(
        "CREATE TABLE t (id int PRIMARY KEY, v int)",
        "CREATE TABLE other (id int PRIMARY KEY)",
        "INSERT INTO t VALUES (1, 1)");
    ConnectionSpec spec = spec(ddl);
    BinlogPosition from = prepare(spec, "t");
    ddl.execute(
        "TRUNCATE TABLE t", "ALTER TABLE other ADD COLUMN w int", "INSERT INTO t VALUES (2, 2)");
    try (ChangeSource source = capture.open(spec, secrets, "ddl", List.of("t"), from)) {
      List<SourceTransaction> txs = read(source, changes(2));
      ddl.execute("ALTER TABLE `t` ADD COLUMN w int");
      assertEquals(List.of(RowChange.truncate("t")), txs.get(0).changes());
      assertEquals(RowChange.insert("t", row("id", "2", "v", "2")), txs.get(1).changes().get(0));
      MigrationException stop =
          assertThrows(
              MigrationException.class,
              () -> {
                for (int i = 0; i < 50; i++) {
                  source.poll(Duration.ofMillis(200), 100);
                }
              });
      assertEquals(ErrorCode.PERMANENT_SQL, stop.code());
      assertTrue(stop.getMessage().contains(ddl.name() + ".t"), stop.getMessage());
      assertTrue(stop.getMessage().contains("ALTER TABLE `t` ADD COLUMN w int"), stop.getMessage());
    }
  }

  @Test
  void anXaTransactionOnACapturedTableStopsTheStream(TestMariaDb xa) throws Exception {
    xa.execute("CREATE TABLE t (id int PRIMARY KEY)", "CREATE TABLE other (id int PRIMARY KEY)");
    ConnectionSpec spec = spec(xa);
    BinlogPosition from = prepare(spec, "t");
    xa.execute(
        "XA START 'o'",
        "INSERT INTO other VALUES (1)",
        "XA END 'o'",
        "XA PREPARE 'o'",
        "XA COMMIT 'o'",
        "INSERT INTO t VALUES (1)",
        "XA START 'x'",
        "INSERT INTO t VALUES (2)",
        "XA END 'x'",
        "XA PREPARE 'x'",
        "XA COMMIT 'x'");
    try (ChangeSource source = capture.open(spec, secrets, "xa", List.of("t"), from)) {
      List<SourceTransaction> txs = read(source, changes(1));
      assertEquals(List.of(RowChange.insert("t", row("id", "1"))), txs.get(0).changes());
      MigrationException stop =
          assertThrows(
              MigrationException.class,
              () -> {
                for (int i = 0; i < 50; i++) {
                  source.poll(Duration.ofMillis(200), 100);
                }
              });
      assertTrue(stop.getMessage().contains("XA"), stop.getMessage());
      assertTrue(stop.getMessage().contains(xa.name() + ".t"), stop.getMessage());
    }
  }

  @Test
  void prepareNamesTheSettingThatIsMissing(TestMariaDb settings) throws Exception {
    ConnectionSpec spec = spec(settings);
    settings.execute("SET GLOBAL binlog_row_image = 'MINIMAL'");
    try {
      MigrationException e = assertThrows(MigrationException.class, () -> prepare(spec, "t"));
      assertTrue(e.getMessage().contains("binlog_row_image=FULL"), e.getMessage());
    } finally {
      settings.execute("SET GLOBAL binlog_row_image = 'FULL'");
    }
    try (Connection c = open(spec)) {
      capture.drop(c, "it"); // nothing to drop, no error
    }
    settings.execute("REVOKE BINLOG MONITOR ON *.* FROM '" + spec.user() + "'@'localhost'");
    MigrationException denied = assertThrows(MigrationException.class, () -> prepare(spec, "t"));
    assertEquals(ErrorCode.AUTHENTICATION_FAILED, denied.code(), denied.getMessage());
    assertTrue(denied.getMessage().contains("GRANT BINLOG MONITOR"), denied.getMessage());
  }

  // ------------------------------------------------------------------ hand-off

  /**
   * The hand-off filter's boundary, exactly: a chunk's {@code binlog_snapshot_position} is the end
   * of the last transaction its snapshot sees (the position after that transaction's XID event,
   * which the reader gives as its commit position), and the first event of the next transaction
   * (its GTID event) starts at that very position. So the transaction whose commit position equals
   * the chunk's is in the chunk (the applier skips it; applying it again would apply it twice) and
   * the one that starts there is not (the applier applies it; skipping it would lose it). Fails
   * with {@code <} for {@code <=} in {@link ChunkSnapshot.BinlogSnapshot#includes}, and with any
   * filter that takes in the transaction starting at the position.
   */
  @Test
  void theTransactionEndingAtAChunksPositionIsInItAndTheOneStartingThereIsNot(TestMariaDb edge)
      throws Exception {
    edge.execute("CREATE TABLE t (id int PRIMARY KEY, v int)");
    ConnectionSpec spec = spec(edge);
    BinlogPosition from = prepare(spec, "t");
    edge.execute("INSERT INTO t VALUES (1, 0)", "INSERT INTO t VALUES (2, 0)");
    ChunkSnapshot.BinlogSnapshot chunk;
    Set<String> copied = new HashSet<>();
    try (Connection c = open(spec)) {
      chunk = (ChunkSnapshot.BinlogSnapshot) capture.beginChunkRead(c);
      // committed while the chunk's snapshot is open: after it
      edge.execute("UPDATE t SET v = 1 WHERE id = 2", "INSERT INTO t VALUES (3, 0)");
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT id, v FROM t")) {
        while (rs.next()) {
          copied.add(rs.getString(1) + "/" + rs.getString(2));
        }
      }
      c.commit();
    }
    assertEquals(Set.of("1/0", "2/0"), copied, "the chunk read the two inserts and nothing later");
    List<SourceTransaction> txs;
    try (ChangeSource source = capture.open(spec, secrets, "edge", List.of("t"), from)) {
      txs = read(source, changes(4));
    }
    assertEquals(4, txs.size(), txs.toString());
    SourceTransaction earlier = txs.get(0);
    SourceTransaction last = txs.get(1); // INSERT (2, 0): the last transaction the chunk saw
    SourceTransaction next = txs.get(2); // UPDATE of row 2: the first one it did not see
    BinlogPosition at = chunk.position();
    BinlogPosition lastEnd = (BinlogPosition) last.commit();
    assertEquals(
        at.file() + ":" + at.offset(),
        lastEnd.file() + ":" + lastEnd.offset(),
        "the chunk's position is the end of the last transaction it saw");
    try (Connection root = edge.connect();
        Statement st = root.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SHOW BINLOG EVENTS IN '" + at.file() + "' FROM " + at.offset() + " LIMIT 1")) {
      assertTrue(rs.next(), "an event starts at " + at.text());
      assertEquals(at.offset(), rs.getLong("Pos"));
      assertEquals("Gtid", rs.getString("Event_type"));
      assertTrue(
          rs.getString("Info").endsWith(" " + next.xid()),
          "the next transaction starts at the chunk's position: " + rs.getString("Info"));
    }
    for (ChunkSnapshot s : List.of(chunk, ChunkSnapshot.parse(chunk.text()))) {
      assertTrue(s.includes(earlier), "before the position: copied " + earlier);
      assertTrue(s.includes(last), "ends at the position: copied, not to apply again " + last);
      assertFalse(s.includes(next), "starts at the position: not copied, to apply " + next);
      assertFalse(s.includes(txs.get(3)), "after the position: not copied " + txs.get(3));
    }
  }

  /**
   * While a writer commits one row per transaction, each chunk read sees exactly the rows of the
   * transactions its snapshot {@linkplain ChunkSnapshot#includes includes}.
   */
  @Test
  void aChunkSnapshotSeesExactlyTheTransactionsCommittedBeforeItsPosition(TestMariaDb handoff)
      throws Exception {
    handoff.execute("CREATE TABLE t (id int PRIMARY KEY, w int)");
    ConnectionSpec spec = spec(handoff);
    BinlogPosition from = prepare(spec, "t");
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger written = new AtomicInteger();
    Thread writer =
        new Thread(
            () -> {
              try (Connection c = handoff.connect();
                  Statement st = c.createStatement()) {
                for (int i = 1; !stop.get() || i <= 50; i++) {
                  st.execute("INSERT INTO t VALUES (" + i + ", 0)");
                  if (i % 3 == 0) {
                    st.execute("UPDATE t SET w = w + 1 WHERE id = " + (i - 1));
                  }
                  written.set(i);
                }
              } catch (SQLException e) {
                throw new IllegalStateException(e);
              }
            });
    writer.start();
    List<ChunkSnapshot> snapshots = new ArrayList<>();
    List<Set<String>> seen = new ArrayList<>();
    try (Connection c = open(spec)) {
      for (int k = 0; k < 20; k++) {
        ChunkSnapshot s = capture.beginChunkRead(c);
        assertInstanceOf(ChunkSnapshot.BinlogSnapshot.class, s);
        assertEquals(s, ChunkSnapshot.parse(s.text()));
        Set<String> ids = new HashSet<>();
        Thread.sleep(5); // the writer keeps committing while this chunk reads
        try (Statement st = c.createStatement();
            ResultSet rs = st.executeQuery("SELECT id, w FROM t")) {
          while (rs.next()) {
            ids.add(rs.getString(1) + "/" + rs.getString(2));
          }
        }
        c.commit();
        snapshots.add(s);
        seen.add(ids);
        Thread.sleep(10);
      }
    } finally {
      stop.set(true);
      writer.join();
    }
    int total = written.get();
    int updates = total / 3;
    List<SourceTransaction> txs;
    try (ChangeSource source = capture.open(spec, secrets, "handoff", List.of("t"), from)) {
      txs = read(source, changes(total + updates));
    }
    Set<Integer> sizes = new HashSet<>();
    for (int k = 0; k < snapshots.size(); k++) {
      // replay the transactions the snapshot includes: they must give exactly what the chunk read
      Map<String, String> rows = new LinkedHashMap<>();
      for (SourceTransaction tx : txs) {
        if (snapshots.get(k).includes(tx)) {
          for (RowChange ch : tx.changes()) {
            rows.put((String) ch.row().get("id"), (String) ch.row().get("w"));
          }
        }
      }
      Set<String> replayed = new HashSet<>();
      rows.forEach((id, w) -> replayed.add(id + "/" + w));
      assertEquals(seen.get(k), replayed, "snapshot " + snapshots.get(k).text());
      sizes.add(replayed.size());
    }
    assertTrue(sizes.size() >= 3, "the writer made progress between snapshots: " + sizes);
  }
}
