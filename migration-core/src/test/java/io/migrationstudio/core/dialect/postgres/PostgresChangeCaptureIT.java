package io.migrationstudio.core.dialect.postgres;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.spec.ConnectionSpec;
import io.migrationstudio.core.cdc.ChangeKind;
import io.migrationstudio.core.cdc.ChangeSource;
import io.migrationstudio.core.cdc.ChunkSnapshot;
import io.migrationstudio.core.cdc.RowChange;
import io.migrationstudio.core.cdc.SourceTransaction;
import io.migrationstudio.core.cdc.StreamPosition;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.dialect.Secrets;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The PostgreSQL capture against the embedded server (wal_level=logical). */
@ExtendWith(PostgresExtension.class)
class PostgresChangeCaptureIT {
  private static final Secrets SECRETS = (value, key) -> value;

  private final PostgresChangeCapture capture =
      (PostgresChangeCapture) new PostgresDialect().changeCapture().orElseThrow();
  private final String name =
      "cap_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL);
  private TestDatabase db;

  @AfterEach
  void dropTheSlot() throws SQLException {
    if (db != null) {
      try (Connection c = db.connect()) {
        capture.drop(c, name);
      }
    }
  }

  private ConnectionSpec spec() {
    return new ConnectionSpec(db.jdbcUrl(), db.user(), null, null);
  }

  private StreamPosition prepare(TestDatabase database, String... tables) throws SQLException {
    db = database;
    try (Connection c = Dialects.openReadOnly(spec(), SECRETS, "source")) {
      return capture.prepare(c, name, List.of(tables));
    }
  }

  @Test
  void prepareCreatesPublicationAndSlotOnceAndRefusesAnotherScope(TestDatabase database)
      throws SQLException {
    database.execute("CREATE TABLE a (id int PRIMARY KEY)", "CREATE TABLE b (id int PRIMARY KEY)");
    StreamPosition first = prepare(database, "a", "b");
    assertEquals(first, prepare(database, "b", "a"));
    assertEquals(
        1,
        count(
            "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '"
                + name
                + "' AND plugin = 'pgoutput' AND confirmed_flush_lsn = '"
                + ((StreamPosition.PgLsn) first).lsn()
                + "'"));
    assertEquals(
        2, count("SELECT count(*) FROM pg_publication_tables WHERE pubname = '" + name + "'"));

    MigrationException other = assertThrows(MigrationException.class, () -> prepare(database, "a"));
    assertEquals(ErrorCode.INVALID_SPEC, other.code());
    assertTrue(other.getMessage().contains("public.a, public.b"), other.getMessage());
    MigrationException missing =
        assertThrows(MigrationException.class, () -> prepare(database, "nope"));
    assertEquals(ErrorCode.MISSING_OBJECT, missing.code());
  }

  @Test
  void aChunkSnapshotIncludesExactlyTheTransactionsWhoseRowsTheChunkReads(TestDatabase database)
      throws Exception {
    database.execute("CREATE TABLE t (id int PRIMARY KEY)");
    StreamPosition start = prepare(database, "t");
    try (Connection before = db.connect();
        Connection during = db.connect();
        Connection chunk = db.connect();
        Connection after = db.connect()) {
      insertInOpenTransaction(before, 1);
      before.commit(); // committed before the snapshot: copied
      insertInOpenTransaction(during, 2); // running when the snapshot is taken
      ChunkSnapshot snapshot = capture.beginChunkRead(chunk);
      insertInOpenTransaction(after, 3); // begun after the snapshot
      during.commit();
      after.commit();
      db.execute("INSERT INTO t VALUES (4)"); // committed after the snapshot
      Set<Integer> read = new HashSet<>();
      try (Statement s = chunk.createStatement();
          ResultSet rs = s.executeQuery("SELECT id FROM t")) {
        while (rs.next()) {
          read.add(rs.getInt(1));
        }
      }
      chunk.rollback();
      assertEquals(Set.of(1), read);

      try (ChangeSource stream = capture.open(spec(), SECRETS, name, List.of("t"), start)) {
        List<SourceTransaction> txs = pollUntil(stream, 4);
        for (SourceTransaction tx : txs) {
          int id = Integer.parseInt((String) tx.changes().get(0).row().get("id"));
          assertEquals(read.contains(id), snapshot.includes(tx), "row " + id + " of " + tx.xid());
        }
      }
    }
  }

  /**
   * The hand-off rule under concurrency: writers commit multi-row transactions at random moments
   * while chunk reads take their snapshots; for every chunk and every streamed transaction, the
   * chunk read the transaction's rows exactly when its snapshot includes the transaction.
   */
  @Test
  void underConcurrentWritersEveryChunkReadsExactlyTheTransactionsItsSnapshotIncludes(
      TestDatabase database) throws Exception {
    database.execute("CREATE TABLE t (id int PRIMARY KEY)");
    StreamPosition start = prepare(database, "t");
    int writers = 3;
    int txPerWriter = 25;
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(writers);
    java.util.concurrent.atomic.AtomicInteger nextId =
        new java.util.concurrent.atomic.AtomicInteger();
    List<java.util.concurrent.Future<?>> running = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      running.add(
          pool.submit(
              () -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                try (Connection c = db.connect()) {
                  c.setAutoCommit(false);
                  for (int i = 0; i < txPerWriter; i++) {
                    for (int r = random.nextInt(1, 4); r > 0; r--) {
                      try (Statement s = c.createStatement()) {
                        s.execute("INSERT INTO t VALUES (" + nextId.incrementAndGet() + ")");
                      }
                      Thread.sleep(random.nextInt(0, 8));
                    }
                    c.commit();
                  }
                }
                return null;
              }));
    }
    List<ChunkSnapshot> snapshots = new ArrayList<>();
    List<Set<Integer>> reads = new ArrayList<>();
    try (Connection chunk = Dialects.openReadOnly(spec(), SECRETS, "source")) {
      for (int i = 0; i < 12; i++) {
        Thread.sleep(ThreadLocalRandom.current().nextInt(5, 40));
        snapshots.add(capture.beginChunkRead(chunk));
        Thread.sleep(ThreadLocalRandom.current().nextInt(0, 10)); // commits land meanwhile
        Set<Integer> read = new HashSet<>();
        try (Statement s = chunk.createStatement();
            ResultSet rs = s.executeQuery("SELECT id FROM t")) {
          while (rs.next()) {
            read.add(rs.getInt(1));
          }
        }
        chunk.rollback();
        reads.add(read);
      }
    }
    for (java.util.concurrent.Future<?> f : running) {
      f.get();
    }
    pool.shutdown();
    try (ChangeSource stream = capture.open(spec(), SECRETS, name, List.of("t"), start)) {
      List<SourceTransaction> txs = pollUntil(stream, writers * txPerWriter);
      int partial = 0;
      for (int c = 0; c < snapshots.size(); c++) {
        for (SourceTransaction tx : txs) {
          boolean included = snapshots.get(c).includes(tx);
          for (RowChange change : tx.changes()) {
            int id = Integer.parseInt((String) change.row().get("id"));
            assertEquals(
                reads.get(c).contains(id),
                included,
                "chunk " + c + " (" + snapshots.get(c) + "), row " + id + " of xid " + tx.xid());
          }
          partial += included ? 0 : 1;
        }
      }
      assertTrue(partial > 0, "some transactions committed after some snapshot");
    }
  }

  @Test
  void theSlotMovesOnlyWhenConfirmedAndAReopenedStreamStartsAfterTheConfirmedPosition(
      TestDatabase database) throws Exception {
    database.execute(
        "CREATE TABLE t (id int PRIMARY KEY, v text, b bytea)",
        "CREATE TABLE outside (id int PRIMARY KEY)");
    StreamPosition start = prepare(database, "t");
    db.execute(
        "INSERT INTO t VALUES (1, 'one', '\\x0102'), (2, 'two', NULL)",
        "INSERT INTO outside VALUES (1)",
        "UPDATE t SET v = 'uno' WHERE id = 1",
        "DELETE FROM t WHERE id = 2");
    SourceTransaction update;
    try (ChangeSource stream = capture.open(spec(), SECRETS, name, List.of("t"), start)) {
      List<SourceTransaction> txs = pollUntil(stream, 3);
      assertEquals(3, txs.size(), "the insert into a table outside the scope is not streamed");
      RowChange insert = txs.get(0).changes().get(0);
      assertEquals(ChangeKind.INSERT, insert.kind());
      assertEquals("t", insert.table());
      assertArrayEquals(new byte[] {1, 2}, (byte[]) insert.row().get("b"));
      update = txs.get(1);
      assertEquals(
          Map.of("id", "1", "v", "uno", "b", "\\x0102"), textOf(update.changes().get(0).row()));
      assertEquals(Map.of("id", "2"), txs.get(2).changes().get(0).key());

      // keep reading past a status interval: a status update sent on its own must not move it
      long statusDue =
          System.nanoTime() + (PgChangeStream.STATUS_INTERVAL_SECONDS + 1) * 1_000_000_000L;
      while (System.nanoTime() < statusDue) {
        assertEquals(List.of(), stream.poll(Duration.ofMillis(200), 1000));
      }
      assertEquals(start, confirmedFlush(), "nothing confirmed yet: the slot keeps its position");
      stream.confirm(update.commit());
      awaitConfirmedFlush(update.commit());
      assertTrue(stream.head().compareTo(txs.get(2).commit()) >= 0, "head is past the last commit");
      try (Connection c = db.connect()) {
        assertTrue(capture.head(c).compareTo(txs.get(2).commit()) >= 0, "so is the capture's");
      }
    }
    try (ChangeSource reopened =
        capture.open(spec(), SECRETS, name, List.of("t"), update.commit())) {
      List<SourceTransaction> txs = pollUntil(reopened, 1);
      assertEquals(ChangeKind.DELETE, txs.get(0).changes().get(0).kind());
      try (Connection c = db.connect()) {
        StreamPosition marker = capture.emitHeartbeat(c);
        List<SourceTransaction> heartbeat = pollUntil(reopened, 1);
        assertTrue(heartbeat.get(0).changes().isEmpty());
        assertTrue(heartbeat.get(0).commit().compareTo(marker) > 0);
      }
    }
  }

  @Test
  void aColumnAddedToACapturedTableStopsTheStreamNamingTheTable(TestDatabase database)
      throws Exception {
    database.execute("CREATE TABLE t (id int PRIMARY KEY)");
    StreamPosition start = prepare(database, "t");
    db.execute(
        "INSERT INTO t VALUES (1)",
        "ALTER TABLE t ADD COLUMN extra text",
        "INSERT INTO t VALUES (2)");
    try (ChangeSource stream = capture.open(spec(), SECRETS, name, List.of("t"), start)) {
      MigrationException ddl = assertThrows(MigrationException.class, () -> pollUntil(stream, 2));
      assertEquals(ErrorCode.PERMANENT_SQL, ddl.code());
      assertTrue(ddl.getMessage().contains("table t changed its columns"), ddl.getMessage());
      assertTrue(ddl.getMessage().contains("extra"), ddl.getMessage());
    }
  }

  @Test
  void aColumnChangedBeforeTheStreamOpenedStopsItToo(TestDatabase database) throws Exception {
    database.execute("CREATE TABLE t (id int PRIMARY KEY, v varchar(10))");
    StreamPosition start = prepare(database, "t");
    db.execute("ALTER TABLE t ALTER COLUMN v TYPE varchar(20)", "INSERT INTO t VALUES (1, 'x')");
    try (ChangeSource stream = capture.open(spec(), SECRETS, name, List.of("t"), start)) {
      MigrationException ddl = assertThrows(MigrationException.class, () -> pollUntil(stream, 1));
      assertTrue(ddl.getMessage().contains("table t changed its columns"), ddl.getMessage());
    }
  }

  @Test
  void aPartitionedTableStreamsUnderItsOwnName(TestDatabase database) throws Exception {
    database.execute(
        "CREATE TABLE p (id int PRIMARY KEY) PARTITION BY RANGE (id)",
        "CREATE TABLE p_low PARTITION OF p FOR VALUES FROM (0) TO (100)");
    StreamPosition start = prepare(database, "p");
    db.execute("INSERT INTO p VALUES (1)");
    try (ChangeSource stream = capture.open(spec(), SECRETS, name, List.of("p"), start)) {
      assertEquals("p", pollUntil(stream, 1).get(0).changes().get(0).table());
    }
  }

  @Test
  void aLostStreamIsTransientAndANewReaderGetsTheUnconfirmedTransactionsAgain(TestDatabase database)
      throws Exception {
    database.execute("CREATE TABLE t (id int PRIMARY KEY)");
    StreamPosition start = prepare(database, "t");
    db.execute("INSERT INTO t VALUES (1)");
    ChangeSource first = capture.open(spec(), SECRETS, name, List.of("t"), start);
    try {
      SourceTransaction unconfirmed = pollUntil(first, 1).get(0);
      db.execute(
          "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = '"
              + name
              + "'");
      MigrationException lost = assertThrows(MigrationException.class, () -> pollUntil(first, 1));
      assertEquals(ErrorCode.TRANSIENT_SQL, lost.code(), lost.getMessage());

      // the slot may still look held for a moment: opening again is then transient too
      ChangeSource second = null;
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (second == null) {
        try {
          second = capture.open(spec(), SECRETS, name, List.of("t"), start);
        } catch (MigrationException busy) {
          assertEquals(ErrorCode.TRANSIENT_SQL, busy.code(), busy.getMessage());
          assertTrue(System.nanoTime() < deadline, "slot still held: " + busy.getMessage());
          Thread.sleep(100);
        }
      }
      try (ChangeSource reader = second) {
        assertEquals(unconfirmed, pollUntil(reader, 1).get(0));
      }
    } finally {
      try {
        first.close();
      } catch (SQLException expected) {
        // its walsender was terminated
      }
    }
  }

  @Test
  void dropRemovesSlotAndPublicationAlsoWhileAStreamIsOpen(TestDatabase database) throws Exception {
    database.execute("CREATE TABLE t (id int PRIMARY KEY)");
    StreamPosition start = prepare(database, "t");
    ChangeSource stream = capture.open(spec(), SECRETS, name, List.of("t"), start);
    try {
      db.execute("INSERT INTO t VALUES (1)");
      pollUntil(stream, 1);
      assertEquals(
          1,
          count(
              "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '"
                  + name
                  + "' AND active"));
      try (Connection c = Dialects.openReadOnly(spec(), SECRETS, "source")) {
        capture.drop(c, name);
        capture.drop(c, name);
      }
      assertEquals(
          0, count("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + name + "'"));
      assertEquals(0, count("SELECT count(*) FROM pg_publication WHERE pubname = '" + name + "'"));
    } finally {
      try {
        stream.close();
      } catch (SQLException expected) {
        // its walsender was terminated
      }
    }
  }

  private static void insertInOpenTransaction(Connection c, int id) throws SQLException {
    c.setAutoCommit(false);
    try (Statement s = c.createStatement()) {
      s.execute("INSERT INTO t VALUES (" + id + ")");
    }
  }

  private static List<SourceTransaction> pollUntil(ChangeSource stream, int transactions)
      throws Exception {
    List<SourceTransaction> out = new ArrayList<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (out.size() < transactions && System.nanoTime() < deadline) {
      out.addAll(stream.poll(Duration.ofMillis(500), 1000));
    }
    assertEquals(transactions, out.size(), "transactions streamed: " + out);
    return out;
  }

  private static Map<String, Object> textOf(Map<String, Object> row) {
    Map<String, Object> out = new java.util.LinkedHashMap<>(row);
    out.replaceAll(
        (k, v) -> v instanceof byte[] b ? "\\x" + java.util.HexFormat.of().formatHex(b) : v);
    return out;
  }

  private StreamPosition confirmedFlush() throws SQLException {
    try (Connection c = db.connect();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = '"
                    + name
                    + "'")) {
      assertTrue(rs.next(), "slot " + name + " exists");
      return StreamPosition.PgLsn.parse(rs.getString(1));
    }
  }

  private void awaitConfirmedFlush(StreamPosition expected) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!confirmedFlush().equals(expected) && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertEquals(expected, confirmedFlush());
  }

  private long count(String sql) {
    return db.queryLong(sql);
  }
}
