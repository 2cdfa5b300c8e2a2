package io.migrationstudio.core.cdc.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.activity.ChunkRange;
import io.migrationstudio.contracts.activity.TablePlan;
import io.migrationstudio.contracts.workflow.StreamProgress;
import io.migrationstudio.core.contract.EngineDb;
import io.migrationstudio.core.copy.ChunkCopier;
import io.migrationstudio.core.copy.ChunkProgress;
import io.migrationstudio.core.copy.CopyOptions;
import io.migrationstudio.core.copy.LoadFinisher;
import io.migrationstudio.core.copy.TargetPreparer;
import io.migrationstudio.core.copy.TargetSchema;
import io.migrationstudio.testkit.EmbeddedMariaDbServer;
import io.migrationstudio.testkit.RestartablePostgres;
import io.migrationstudio.testkit.RestartablePostgres.Shutdown;
import io.migrationstudio.testkit.TestDatabase;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Stream slices killed and resumed, from a MariaDB source (row-based binlog); and a retried slice
 * that starts while the attempt it replaces still runs.
 */
class MariaDbStreamSliceIT extends AbstractStreamSliceIT {
  /** The parent table of the foreign key cases, and its 200 rows {@code (i, 'pi')}. */
  private static final String PARENT = "CREATE TABLE parent (id int PRIMARY KEY, v varchar(20))";

  private static final String PARENTS = insert("parent", 1, 200, i -> "(" + i + ", 'p" + i + "')");

  /** A child of {@link #PARENT} that follows its parent's key changes and deletes. */
  private static final String KID =
      "CREATE TABLE kid (id int PRIMARY KEY, pid int, FOREIGN KEY (pid) REFERENCES parent (id)"
          + " ON DELETE CASCADE ON UPDATE CASCADE)";

  /** Rows of {@code acct} and {@code entry} in the hand-off case: ten chunks each. */
  private static final int HANDOFF_ROWS = 1_000;

  private static final int HANDOFF_WRITERS = 3;

  /** A target server of this class's own, for the case that restarts it; started on first use. */
  private static final RestartablePostgres RESTARTABLE_TARGET = new RestartablePostgres();

  @Override
  EngineDb newSource(String prefix) {
    return EngineDb.mariadb(prefix);
  }

  /** Nothing is left to read once the last transaction is applied. */
  @Override
  void assertKeptAfterCatchUp(long bytes) {
    assertEquals(0, bytes);
  }

  /**
   * Issue 14, the hand-off property for a MariaDB source: three writers run random multi-table
   * transactions (inserts, updates, deletes, key changes, rollbacks; a proof row per commit) while
   * two workers copy the chunks online, each chunk in its own consistent snapshot whose binlog
   * position the ledger records. The product's reader and applier then stream in slices until the
   * target holds every proof row. Each table hashes the same on both servers (each computes its own
   * hash), and the target's audit trigger shows every committed source transaction's proof row
   * written once: by the copy or by the stream, never both, never neither.
   */
  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {7, 1_234})
  void randomWritersDuringAnOnlineCopyLandExactlyOnce(long seed, TestDatabase target)
      throws Exception {
    this.target = target;
    source = newSource("handoff");
    source.execute(
        "CREATE TABLE acct (id int PRIMARY KEY, v int NOT NULL, note varchar(40) NOT NULL)",
        "CREATE TABLE entry (id bigint PRIMARY KEY, acct int NOT NULL, amount int NOT NULL)",
        "CREATE TABLE tag (id int PRIMARY KEY, label varchar(20) NOT NULL)",
        "CREATE TABLE proof (writer int, seq int, PRIMARY KEY (writer, seq))",
        insert("acct", 1, HANDOFF_ROWS, i -> "(" + i + ", " + i + ", 'a" + i + "')"),
        insert("entry", 1, HANDOFF_ROWS, i -> "(" + i + ", " + i % 50 + ", " + i * 3 + ")"),
        insert("tag", 1, 40, i -> "(" + i + ", 't" + i + "')"));
    spec = onlineSpec();
    long began = System.nanoTime();
    long atStart;
    long copied;
    AtomicInteger nextId = new AtomicInteger(1_000_000);
    ProofWriters writers =
        new ProofWriters(
            HANDOFF_WRITERS,
            source::connect,
            rnd -> randomChange(rnd, nextId),
            (writer, seq) -> "INSERT INTO proof VALUES (" + writer + ", " + seq + ")",
            e -> List.of("23000", "40001").contains(e.getSQLState()) || e.getErrorCode() == 1205);
    ExecutorService pool = Executors.newFixedThreadPool(HANDOFF_WRITERS + 2);
    try {
      writers.start(pool, seed);
      Map<String, List<ChunkRange>> chunks;
      try (Connection src = source.connect();
          Connection tgt = target.connect()) {
        chunks = prepareOnline(src, tgt); // the capture starts before the first chunk is read
      }
      atStart = source.queryLong("SELECT count(*) FROM proof"); // at least those before the start
      ProofWriters.audit(target);
      copyOnline(pool, chunks, new Random(seed));
      Thread.sleep(300); // the writers go on after the copy
      writers.stop();
      try (Connection tgt = target.connect()) {
        new LoadFinisher(PG).online().finish(tgt, mapping, MIGRATION, 0L);
      }
      copied = target.queryLong("SELECT count(*) FROM proof");
    } finally {
      writers.halt();
      pool.shutdownNow();
    }
    long proofs = source.queryLong("SELECT count(*) FROM proof");
    assertTrue(proofs >= 20, "the writers committed " + proofs + " transactions");
    assertEquals(proofs, writers.committed(), "every committed transaction left its proof row");
    catchUpOn("SELECT count(*) FROM proof");
    List<String> tables = List.of("acct", "entry", "tag", "proof");
    assertEquals(sourceHashes(tables), targetHashes(tables), "seed " + seed);
    ProofWriters.assertAuditedOnce(target, proofs, "seed " + seed);
    // transactions committed after the capture started were in chunks (the stream skipped them),
    // and others only in the stream: both sides of the hand-off were exercised
    assertTrue(copied > atStart, "copied " + copied + ", " + atStart + " before the capture");
    assertTrue(proofs > copied, "streamed " + (proofs - copied) + " of " + proofs);
    System.out.printf(
        "seed %d: %d transactions, %d copied (%d before the capture started), %d s%n",
        seed, proofs, copied, atStart, (System.nanoTime() - began) / 1_000_000_000);
  }

  /** One random change to {@code acct}, {@code entry} or {@code tag}. */
  private static String randomChange(Random rnd, AtomicInteger nextId) {
    int a = 1 + rnd.nextInt(HANDOFF_ROWS + 100);
    return switch (rnd.nextInt(12)) {
      case 0 -> "INSERT INTO acct VALUES (" + nextId.incrementAndGet() + ", 1, 'new')";
      case 1, 2 -> "UPDATE acct SET v = v + 1 WHERE id = " + a;
      case 3 -> "DELETE FROM acct WHERE id = " + a;
      case 4 -> "UPDATE acct SET id = " + nextId.incrementAndGet() + " WHERE id = " + a;
      case 5 ->
          "INSERT INTO entry VALUES (" + nextId.incrementAndGet() + ", " + a + ", " + a * 7 + ")";
      case 6, 7 -> "UPDATE entry SET amount = amount + 1 WHERE id = " + a;
      case 8 -> "DELETE FROM entry WHERE id = " + a;
      case 9 -> "UPDATE entry SET id = -id WHERE id = " + a; // a key change towards chunk 0
      case 10 -> "INSERT INTO tag VALUES (" + nextId.incrementAndGet() + ", 'n')";
      default ->
          "UPDATE tag SET label = 'l"
              + rnd.nextInt(1_000)
              + "' WHERE id = "
              + (1 + rnd.nextInt(45));
    };
  }

  /**
   * Every chunk copied online by two workers, each with its own connections, in random order, with
   * a pause between chunks for the writers.
   */
  private void copyOnline(ExecutorService pool, Map<String, List<ChunkRange>> chunks, Random rnd)
      throws Exception {
    List<Map.Entry<String, Integer>> work = new ArrayList<>();
    chunks.forEach(
        (table, ranges) -> {
          for (int i = 0; i < ranges.size(); i++) {
            work.add(Map.entry(table, i));
          }
        });
    work.sort(Map.Entry.comparingByKey()); // a HashMap's order is not the seed's
    Collections.shuffle(work, rnd);
    ConcurrentLinkedQueue<Map.Entry<String, Integer>> queue = new ConcurrentLinkedQueue<>(work);
    List<Future<?>> workers = new ArrayList<>();
    for (int w = 0; w < 2; w++) {
      workers.add(
          pool.submit(
              () -> {
                try (Connection src = source.connect();
                    Connection tgt = target.connect()) {
                  Map.Entry<String, Integer> job;
                  while ((job = queue.poll()) != null) {
                    copy(src, tgt, chunks, job.getKey(), job.getValue());
                    Thread.sleep(20);
                  }
                }
                return null;
              }));
    }
    for (Future<?> f : workers) {
      f.get(120, TimeUnit.SECONDS);
    }
  }

  /** Slices until the target's count {@code sql} reaches the source's. */
  private void catchUpOn(String sql) {
    long want = source.queryLong(sql);
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (target.queryLong(sql) < want) {
      assertTrue(System.nanoTime() < deadline, "the stream did not catch up: " + sql);
      catchUpSlice(Duration.ofSeconds(3));
    }
  }

  /**
   * The source server stops and starts again while a writer commits and slices apply: the binlog
   * reader's connection ends with the server, the failed slices are retried as Temporal would, the
   * stream resumes from the position the target committed (the binlog survives the restart), and
   * every source transaction lands exactly once. The shared server of this JVM restarts; the tests
   * of a JVM run one at a time.
   */
  @Test
  void theSourceServerRestartedWhileTheStreamRuns(TestDatabase target) throws Exception {
    setUp(target);
    restartWhileStreaming(EmbeddedMariaDbServer::restart);
  }

  /**
   * The target PostgreSQL goes down with an immediate shutdown (SIGQUIT to the postmaster: no
   * session is told, no checkpoint, crash recovery at the next start) and starts again while a
   * writer commits on the source and slices apply the binlog: the slice in flight fails, its open
   * target transaction never commits, and with {@code synchronous_commit = off} even a batch whose
   * commit was acknowledged can be lost with the position written in it. That is the harder case
   * than a fast shutdown, which ends the sessions and checkpoints first. The retried slices resume
   * from the position the target kept; after catch-up each server's hash of {@code acct} and {@code
   * proof} is the same, and the audit trigger shows every source transaction applied once.
   */
  @Test
  void theTargetServerRestartedImmediatelyWhileTheStreamRuns() throws Exception {
    setUp(RESTARTABLE_TARGET.createDatabase("target"));
    restartWhileStreaming(() -> RESTARTABLE_TARGET.restart(Shutdown.IMMEDIATE));
  }

  @AfterAll
  static void stopTheRestartableTarget() throws IOException {
    RESTARTABLE_TARGET.close();
  }

  /**
   * Temporal gave a slice up (no heartbeat in time) and started its retry while the attempt still
   * ran, as on a busy machine: the retry's reader takes the binlog stream over (one replica server
   * id per capture), the older attempt stops at once instead of applying what it had buffered next
   * to the retry, and every source transaction lands once.
   */
  @Test
  void aRetryWhileTheAttemptItReplacesStillRunsTakesOver(TestDatabase target) throws Exception {
    setUp(target);
    int transactions = StreamService.MAX_CHANGES_PER_BATCH * 2;
    write(1, transactions, -1);
    CountDownLatch applying = new CountDownLatch(1);
    CompletableFuture<StreamProgress> older =
        CompletableFuture.supplyAsync(
            () ->
                slice(
                    Duration.ofSeconds(60),
                    p -> {
                      if (p.changes() > 0) {
                        applying.countDown();
                      }
                    }));
    assertTrue(applying.await(60, TimeUnit.SECONDS), "the first attempt applies");
    long retryStarted = System.nanoTime();
    StreamProgress retry = slice(Duration.ofSeconds(10), p -> {});
    ExecutionException stopped =
        org.junit.jupiter.api.Assertions.assertThrows(
            ExecutionException.class, () -> older.get(5, TimeUnit.SECONDS));
    assertTrue(stopped.getCause() instanceof MigrationException, stopped.toString());
    assertTrue(
        System.nanoTime() - retryStarted < Duration.ofSeconds(20).toNanos(),
        "the older attempt stopped while the retry ran");
    assertTrue(
        target.queryLong("SELECT count(*) FROM proof") > 0, "the retry applies: " + retry.line());
    // the retry's 10 s apply all of it on an idle machine; a loaded one slices on, as the workflow
    // does (with two test JVMs on two cores, 2,000 transactions took 18 s)
    catchUp();
    assertEquals(transactions, target.queryLong("SELECT count(*) FROM proof"), retry.line());
    write(transactions + 1, transactions + 10, -1);
    catchUp();
    assertExactlyOnce();
  }

  /**
   * Issue 14, a cascade during a MariaDB copy: each chunk reads its own snapshot, and parent key
   * changes and deletes with {@code ON UPDATE/ON DELETE CASCADE} (and {@code SET NULL}) commit
   * between the children's and the parents' chunks, in a forced order. (a) Children read after a
   * parent's insert or key change reference keys the parents' earlier chunks lack: the load adds
   * its foreign keys NOT VALID and does not fail. (b) Children read before a change the parents'
   * chunks already hold (so the stream skips the parent's own change, and the binlog has no
   * cascaded rows) are carried by the applier: moved, nulled or deleted, and a {@code link} row
   * whose new key's chunk was read after the move is deleted, not moved onto it. After the stream
   * catches up, every foreign key validates and each table hashes the same on both servers.
   */
  @Test
  void parentChangesBetweenTheParentsAndTheChildrensChunksCascadeOnTheTarget(TestDatabase target)
      throws Exception {
    this.target = target;
    source = newSource("cascade");
    source.execute(
        PARENT,
        KID,
        "CREATE TABLE nul (id int PRIMARY KEY, pid int, FOREIGN KEY (pid) REFERENCES parent (id)"
            + " ON DELETE SET NULL ON UPDATE CASCADE)",
        "CREATE TABLE link (pid int, n int, PRIMARY KEY (pid, n), FOREIGN KEY (pid) REFERENCES"
            + " parent (id) ON DELETE CASCADE ON UPDATE CASCADE)",
        PARENTS,
        insert("kid", 0, 399, i -> "(" + i + ", " + (i % 200 + 1) + ")"),
        insert("nul", 1, 200, i -> "(" + i + ", " + i + ")"),
        insert("link", 1, 200, i -> "(" + i + ", 1), (" + i + ", 2)"));
    spec = onlineSpec();
    List<String> tables = List.of("parent", "kid", "nul", "link");
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      Map<String, List<ChunkRange>> chunks = prepareOnline(src, tgt);
      assertEquals(2, chunks.get("parent").size(), chunks.toString());
      assertEquals(4, chunks.get("kid").size(), chunks.toString());
      assertEquals(4, chunks.get("link").size(), chunks.toString());
      java.util.function.BiConsumer<String, Integer> copy =
          (table, index) -> copy(src, tgt, chunks, table, index);
      // children read first: kid 0-1 (ids 0..199), nul 0 (ids 1..100), link 0 (parents 1..50)
      copy.accept("kid", 0);
      copy.accept("kid", 1);
      copy.accept("nul", 0);
      copy.accept("link", 0);
      // (b) a key change whose link rows move to a chunk read later, a delete, and a move to a key
      // freed in the same transaction (link rows move within a chunk read earlier)
      transaction(
          "UPDATE parent SET id = 1005 WHERE id = 5",
          "DELETE FROM parent WHERE id = 7",
          "DELETE FROM parent WHERE id = 40",
          "UPDATE parent SET id = 40 WHERE id = 30");
      copy.accept("parent", 0);
      copy.accept("parent", 1);
      copy.accept("link", 3);
      // (a) children read after their parents' insert and key change; the parents' chunk holding
      // them was read before, so the stream applies these and the target's own actions cascade
      transaction(
          "INSERT INTO parent VALUES (3000, 'new')",
          "INSERT INTO kid VALUES (1000, 3000)",
          "UPDATE parent SET id = 1180 WHERE id = 180",
          "DELETE FROM parent WHERE id = 160");
      copy.accept("kid", 2);
      copy.accept("kid", 3);
      copy.accept("nul", 1);
      copy.accept("link", 1);
      copy.accept("link", 2);
      // the load does not fail on the references the stream has not made whole yet
      new LoadFinisher(PG).online().finish(tgt, mapping, MIGRATION, 0L);
    }
    transaction("UPDATE parent SET id = 2060 WHERE id = 60", "DELETE FROM parent WHERE id = 61");
    sliceUntilSame(
        tables,
        () ->
            "the stream caught up; link rows only on the source / only on the target: "
                + linkDifference());
    assertForeignKeysValidated(3);
    assertEquals(0, source.queryLong("SELECT count(*) FROM kid WHERE pid IN (5, 7, 30, 180, 160)"));
  }

  /**
   * Issue 14, the target's foreign keys held for a MariaDB stream: each chunk reads its own
   * snapshot, the stream is applied after the copy, and a NOT VALID key still checks every row the
   * stream writes. Children inserted while their parent's chunk was still to be read, the parent
   * then deleted (with its children, by the source's cascade) or moved before that chunk was read:
   * the stream's child insert referenced a parent the target never gets (23503, the stream
   * stopped). With the keys held (replica mode) the applier carries every parent delete and key
   * change itself, to the children in chunks read before it, through two levels ({@code parent ->
   * kid -> grand}, and {@code parent -> kin -> kin_note} where the reference is in {@code kin}'s
   * key, its rows moved, or deleted because the new key's chunk holds them) and a self-referencing
   * chain ({@code node}); a key deleted and used again keeps the new child a chunk read later
   * copied (the target's own cascade deleted it). The load finishes, the stream catches up, every
   * foreign key validates and each table hashes the same.
   */
  @Test
  void childChangesWhoseParentsChunkIsReadLaterApplyWithTheKeysHeld(TestDatabase target)
      throws Exception {
    this.target = target;
    source = newSource("hold");
    source.execute(
        PARENT,
        KID,
        "CREATE TABLE grand (id int PRIMARY KEY, pid int, FOREIGN KEY (pid) REFERENCES kid (id)"
            + " ON DELETE CASCADE ON UPDATE CASCADE)",
        "CREATE TABLE node (id int PRIMARY KEY, pid int, FOREIGN KEY (pid) REFERENCES node (id)"
            + " ON DELETE CASCADE)",
        // a reference in the child's primary key (chunk key), its own child referencing that key
        "CREATE TABLE kin (pid int, n int, PRIMARY KEY (pid, n), FOREIGN KEY (pid) REFERENCES"
            + " parent (id) ON DELETE CASCADE ON UPDATE CASCADE)",
        "CREATE TABLE kin_note (id int PRIMARY KEY, pid int NOT NULL, n int NOT NULL, FOREIGN KEY"
            + " (pid, n) REFERENCES kin (pid, n) ON DELETE CASCADE ON UPDATE CASCADE)",
        PARENTS,
        // kid 2i -> parent i % 200 + 1
        insert("kid", 0, 399, i -> "(" + 2 * i + ", " + (i % 200 + 1) + ")"),
        // grand i -> kid 2i (kids below 600 only)
        insert("grand", 0, 299, i -> "(" + i + ", " + 2 * i + ")"),
        insert("kin", 1, 200, i -> "(" + i + ", 1)"),
        // kin_note i -> kin (i, 1) (kin's first chunk only)
        insert("kin_note", 1, 100, i -> "(" + i + ", " + i + ", 1)"),
        "INSERT INTO node VALUES (1, NULL), (2, 1), (3, 2), (4, 3), (5, NULL), (6, 5)");
    spec = onlineSpec();
    List<String> tables = List.of("parent", "kid", "grand", "node", "kin", "kin_note");
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      Map<String, List<ChunkRange>> chunks = prepareOnline(src, tgt);
      assertEquals(2, chunks.get("parent").size(), chunks.toString());
      assertEquals(4, chunks.get("kid").size(), chunks.toString());
      assertEquals(3, chunks.get("grand").size(), chunks.toString());
      assertEquals(2, chunks.get("kin").size(), chunks.toString());
      assertTrue(
          Integer.parseInt(chunks.get("kid").get(0).hi()) > 103
              && Integer.parseInt(chunks.get("kid").get(3).lo()) <= 698
              && Integer.parseInt(chunks.get("parent").get(1).lo()) <= 150,
          chunks.toString());
      // parents 1..~100, kids but the last chunk, every grand and node read first
      copy(src, tgt, chunks, "parent", 0);
      for (int i = 0; i < 3; i++) {
        copy(src, tgt, chunks, "kid", i);
        copy(src, tgt, chunks, "grand", i);
      }
      copy(src, tgt, chunks, "node", 0);
      copy(src, tgt, chunks, "kin", 0);
      for (int i = 0; i < chunks.get("kin_note").size(); i++) {
        copy(src, tgt, chunks, "kin_note", i);
      }
      // children the stream applies, of parents whose chunk is read after they are gone or moved
      transaction("INSERT INTO kid VALUES (101, 150)", "INSERT INTO grand VALUES (1001, 101)");
      transaction("INSERT INTO kid VALUES (103, 160)");
      transaction("DELETE FROM parent WHERE id = 150"); // kids 101, 298, 698; grands 1001, 149
      transaction("UPDATE parent SET id = 1160 WHERE id = 160"); // kids 103, 318, 718
      // a parent delete the stream applies (its chunk was read): two levels, kids 38 and 438
      transaction("DELETE FROM parent WHERE id = 20");
      // a key deleted and used again, its new child in a chunk read after
      transaction(
          "DELETE FROM parent WHERE id = 30",
          "INSERT INTO parent VALUES (30, 'again')",
          "INSERT INTO kid VALUES (801, 30)");
      transaction("DELETE FROM node WHERE id = 1"); // nodes 2, 3, 4 by the source's cascade
      // kin (50, 1) moves into kin's second chunk, read after: deleted from the first, and its
      // kin_note (read before) moved to the new key
      transaction("UPDATE parent SET id = 1050 WHERE id = 50");
      copy(src, tgt, chunks, "parent", 1);
      copy(src, tgt, chunks, "kid", 3);
      copy(src, tgt, chunks, "kin", 1);
      new LoadFinisher(PG).online().finish(tgt, mapping, MIGRATION, 0L);
    }
    // after the copy: a key change two levels down (grand follows kid 2's move) and a delete
    // and a key change through a keyed reference (kin (70, 1) and its kin_note move to 2070)
    transaction(
        "UPDATE kid SET id = 5002 WHERE id = 2",
        "DELETE FROM parent WHERE id = 61",
        "UPDATE parent SET id = 2070 WHERE id = 70");
    sliceUntilSame(tables, () -> "the stream caught up");
    assertForeignKeysValidated(5);
    assertEquals(1, target.queryLong("SELECT count(*) FROM kid WHERE id = 801"));
    assertEquals(
        2,
        target.queryLong("SELECT count(*) FROM kin_note WHERE (pid, n) IN ((1050, 1), (2070, 1))"));
  }

  /**
   * Issue 14, foreign keys that reference a unique key other than the primary key ({@code ukid.pid
   * -> uparent.code}, {@code ugrand.pid -> ukid.tag}, both {@code ON DELETE CASCADE ON UPDATE
   * CASCADE}): the binlog has no cascaded rows, so the applier carries their actions from the
   * parent's before-image, as for a primary key. Children read first; parents then deleted, their
   * referenced code changed, and their key and code changed together before the parents' chunks
   * were read (the filter skips those changes: carried); after the copy, with the target's keys
   * held, a parent delete through two levels, a code change, and a child's own referenced tag
   * changed (applied and carried). Each table hashes the same and every foreign key validates.
   */
  @Test
  void foreignKeysReferencingAUniqueKeyAreCarriedLikeThePrimaryKey(TestDatabase target)
      throws Exception {
    this.target = target;
    source = newSource("unique");
    StringBuilder parents = new StringBuilder("INSERT INTO uparent VALUES ");
    StringBuilder kids = new StringBuilder("INSERT INTO ukid VALUES ");
    StringBuilder grands = new StringBuilder("INSERT INTO ugrand VALUES ");
    for (int i = 1; i <= 200; i++) { // uparent i, code 1000 + i
      parents.append(i == 1 ? "" : ", ").append("(").append(i).append(", ").append(1000 + i);
      parents.append(")");
    }
    for (int i = 0; i < 400; i++) { // ukid i, tag 10000 + i -> uparent code 1000 + i % 200 + 1
      kids.append(i == 0 ? "" : ", ").append("(").append(i).append(", ").append(10000 + i);
      kids.append(", ").append(1000 + i % 200 + 1).append(")");
    }
    for (int i = 0; i < 300; i++) { // ugrand i -> ukid tag 10000 + i
      grands.append(i == 0 ? "" : ", ").append("(").append(i).append(", ").append(10000 + i);
      grands.append(")");
    }
    source.execute(
        "CREATE TABLE uparent (id int PRIMARY KEY, code int NOT NULL UNIQUE)",
        "CREATE TABLE ukid (id int PRIMARY KEY, tag int NOT NULL UNIQUE, pid int, FOREIGN KEY"
            + " (pid) REFERENCES uparent (code) ON DELETE CASCADE ON UPDATE CASCADE)",
        "CREATE TABLE ugrand (id int PRIMARY KEY, pid int, FOREIGN KEY (pid) REFERENCES ukid"
            + " (tag) ON DELETE CASCADE ON UPDATE CASCADE)",
        parents.toString(),
        kids.toString(),
        grands.toString());
    spec = onlineSpec();
    List<String> tables = List.of("uparent", "ukid", "ugrand");
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      Map<String, List<ChunkRange>> chunks = prepareOnline(src, tgt);
      assertEquals(2, chunks.get("uparent").size(), chunks.toString());
      assertEquals(4, chunks.get("ukid").size(), chunks.toString());
      for (int i = 0; i < chunks.get("ukid").size(); i++) {
        copy(src, tgt, chunks, "ukid", i);
      }
      for (int i = 0; i < chunks.get("ugrand").size(); i++) {
        copy(src, tgt, chunks, "ugrand", i);
      }
      transaction(
          "DELETE FROM uparent WHERE id = 5", // ukid 4, 204; ugrand 4, 204
          "UPDATE uparent SET code = 5007 WHERE id = 7", // ukid 6, 206
          "UPDATE uparent SET id = 1009, code = 5009 WHERE id = 9"); // ukid 8, 208
      copy(src, tgt, chunks, "uparent", 0);
      copy(src, tgt, chunks, "uparent", 1);
      new LoadFinisher(PG).online().finish(tgt, mapping, MIGRATION, 0L);
    }
    transaction(
        "DELETE FROM uparent WHERE id = 10", // ukid 9, 209; ugrand 9, 209
        "UPDATE uparent SET code = 5012 WHERE id = 12", // ukid 11, 211
        "UPDATE ukid SET tag = 20013 WHERE id = 13"); // ugrand 13
    sliceUntilSame(tables, () -> "the stream caught up");
    assertForeignKeysValidated(2);
    assertEquals(0, target.queryLong("SELECT count(*) FROM ukid WHERE id IN (4, 204, 9, 209)"));
    assertEquals(6, target.queryLong("SELECT count(*) FROM ukid WHERE pid IN (5007, 5009, 5012)"));
    assertEquals(1, target.queryLong("SELECT count(*) FROM ugrand WHERE pid = 20013"));
  }

  /**
   * Issue 14: a grandchild in a chunk read before a parent's delete whose child row (cascaded on
   * the source) is in a child chunk read after it. That chunk no longer has the child, so the carry
   * never learns its key and the grandchild stays on the target (grand 204; grand 4, whose child
   * chunk was read before, is carried). Before the foreign keys are validated, the orphan sweep
   * ({@link io.migrationstudio.core.validate.OrphanSweep}), with the stream held at one position,
   * finds it orphaned, sees the source has no such row, and deletes it: the tables hash the same
   * and every foreign key validates. (On the code before, the grandchild stayed and the key did not
   * validate.)
   */
  @Test
  void aGrandchildWhoseChildChunkIsReadAfterTheParentsDeleteIsRemovedBeforeValidation(
      TestDatabase target) throws Exception {
    List<String> tables = grandchildBehindItsParentsDelete(target, false);
    assertEquals(1, target.queryLong("SELECT count(*) FROM grand WHERE id = 204"), "not carried");
    List<CascadeOrphans.Removed> swept = whileStreaming(this::sweep);
    assertEquals(
        List.of(new CascadeOrphans.Removed("grand", grandKey(), 1, 0, 0)), swept, "the sweep");
    assertEquals(sourceHashes(tables), targetHashes(tables));
    assertForeignKeysValidated(2);
    assertEquals(
        1,
        target.queryLong(
            "SELECT count(*) FROM "
                + new ChunkChanges(PG, TargetSchema.DEFAULT_STUDIO_SCHEMA).table()
                + " WHERE table_name = 'grand' AND chunk = "
                + ChunkChanges.WHOLE_TABLE),
        "no earlier proof of grand is reused");
  }

  /**
   * Issue 14: as above, and the source itself holds an orphan ({@code grand 300 -> kid 7777},
   * inserted with {@code foreign_key_checks = 0}). The sweep deletes the cascaded grandchild, but
   * the source still has grand 300: it stays on the target, counted as kept, and the foreign key's
   * validation fails naming it (a real orphan on the source too, never removed quietly).
   */
  @Test
  void anOrphanTheSourceHoldsItselfStaysAndIsReported(TestDatabase target) throws Exception {
    List<String> tables = grandchildBehindItsParentsDelete(target, true);
    List<CascadeOrphans.Removed> swept = whileStreaming(this::sweep);
    assertEquals(
        List.of(new CascadeOrphans.Removed("grand", grandKey(), 1, 0, 1)), swept, "the sweep");
    assertEquals(0, target.queryLong("SELECT count(*) FROM grand WHERE id = 204"));
    assertEquals(1, target.queryLong("SELECT count(*) FROM grand WHERE id = 300"));
    assertEquals(sourceHashes(tables), targetHashes(tables));
    try (Connection c = target.connect()) {
      List<ForeignKeyValidation.Failure> failed =
          new ForeignKeyValidation(PG, TargetSchema.DEFAULT_STUDIO_SCHEMA)
              .validate(c, mapping, MIGRATION, capture);
      assertEquals(1, failed.size(), failed.toString());
      assertEquals("grand", failed.get(0).table());
      assertEquals(1, failed.get(0).orphans(), failed.get(0).message());
      assertEquals(List.of("300 -> kid(7777)"), failed.get(0).examples());
    }
  }

  /**
   * Kid i -> parent i % 200 + 1, grand i -> kid i (both ON DELETE CASCADE), chunks of 100: every
   * grand chunk and kid chunks 0-1 read, parent 5 deleted (kids 4, 204, grands 4, 204 on the
   * source), the other chunks read, the load finished and the stream caught up. With {@code
   * sourceOrphan}, the source also holds grand 300 -> kid 7777 (no such kid). The tables.
   */
  private List<String> grandchildBehindItsParentsDelete(TestDatabase target, boolean sourceOrphan)
      throws Exception {
    this.target = target;
    source = newSource(sourceOrphan ? "orphan" : "grand");
    source.execute(
        PARENT,
        "CREATE TABLE kid (id int PRIMARY KEY, pid int, FOREIGN KEY (pid) REFERENCES parent (id)"
            + " ON DELETE CASCADE)",
        "CREATE TABLE grand (id int PRIMARY KEY, pid int, FOREIGN KEY (pid) REFERENCES kid (id)"
            + " ON DELETE CASCADE)",
        PARENTS,
        insert("kid", 0, 399, i -> "(" + i + ", " + (i % 200 + 1) + ")"),
        insert("grand", 0, 299, i -> "(" + i + ", " + i + ")"));
    if (sourceOrphan) {
      try (Connection c = source.connect();
          Statement st = c.createStatement()) {
        st.execute("SET foreign_key_checks = 0");
        st.execute("INSERT INTO grand VALUES (300, 7777)");
      }
    }
    spec = onlineSpec();
    List<String> tables = List.of("parent", "kid", "grand");
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      Map<String, List<ChunkRange>> chunks = prepareOnline(src, tgt);
      assertEquals(4, chunks.get("kid").size(), chunks.toString());
      for (int i = 0; i < chunks.get("grand").size(); i++) {
        copy(src, tgt, chunks, "grand", i);
      }
      copy(src, tgt, chunks, "kid", 0);
      copy(src, tgt, chunks, "kid", 1);
      transaction("DELETE FROM parent WHERE id = 5"); // kids 4, 204; grands 4, 204
      copy(src, tgt, chunks, "kid", 2);
      copy(src, tgt, chunks, "kid", 3);
      copy(src, tgt, chunks, "parent", 0);
      copy(src, tgt, chunks, "parent", 1);
      new LoadFinisher(PG).online().finish(tgt, mapping, MIGRATION, 0L);
    }
    transaction("INSERT INTO parent VALUES (900, 'end')");
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (target.queryLong("SELECT count(*) FROM parent WHERE id = 900") == 0) {
      assertTrue(System.nanoTime() < deadline, "the stream did not catch up");
      catchUpSlice(Duration.ofSeconds(3));
    }
    assertEquals(0, target.queryLong("SELECT count(*) FROM grand WHERE id = 4"), "carried");
    return tables;
  }

  /** The orphan sweep of the Validation stage, as it runs before the foreign keys are validated. */
  private List<CascadeOrphans.Removed> sweep() {
    return new io.migrationstudio.core.validate.OrphanSweep(
            new io.migrationstudio.core.spec.SecretResolver(Map.of()))
        .run(spec, mapping, MIGRATION);
  }

  /** The name of grand's foreign key, as the mapping has it. */
  private String grandKey() {
    return mapping.bySource("grand").orElseThrow().foreignKeys().get(0).name();
  }

  /**
   * {@code work}'s result, run while the stream slices in another thread (a held validation needs a
   * running stream to answer it); a failed slice is retried, as the workflow does.
   */
  private <T> T whileStreaming(Callable<T> work) throws Exception {
    java.util.concurrent.atomic.AtomicBoolean stop =
        new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newSingleThreadExecutor();
    try {
      java.util.concurrent.Future<?> stream =
          pool.submit(
              () -> {
                while (!stop.get()) {
                  try {
                    slice(Duration.ofSeconds(1), p -> {});
                  } catch (MigrationException e) {
                    e.printStackTrace();
                    Thread.sleep(200);
                  }
                }
                return null;
              });
      try {
        return work.call();
      } finally {
        stop.set(true);
        stream.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Maps the source's tables, prepares the target (chunks of 100 keys) and starts the capture
   * before any chunk is read; each table's chunks.
   */
  private Map<String, List<ChunkRange>> prepareOnline(Connection src, Connection tgt)
      throws SQLException {
    TargetPreparer.Prepared prepared = mapAndPrepare(src, tgt);
    var started = streams.prepare(spec, mapping, MIGRATION); // before the first chunk is read
    capture = started.capture();
    start = started.position();
    Map<String, List<ChunkRange>> chunks = new java.util.HashMap<>();
    for (TablePlan plan : prepared.tables()) {
      chunks.put(plan.sourceTable(), plan.chunks());
    }
    return chunks;
  }

  /** Copies chunk {@code index} of {@code table} online (in its own consistent snapshot). */
  private void copy(
      Connection src,
      Connection tgt,
      Map<String, List<ChunkRange>> chunks,
      String table,
      int index) {
    new ChunkCopier(
            source.dialect(),
            PG,
            TargetSchema.DEFAULT_STUDIO_SCHEMA,
            Clock.systemUTC(),
            CopyOptions.defaults().withOnline(true))
        .copy(
            src,
            tgt,
            mapping,
            mapping.bySource(table).orElseThrow(),
            chunks.get(table).get(index),
            MIGRATION,
            ChunkProgress.NONE);
  }

  /**
   * Slices (3 s each) until every table of {@code tables} hashes the same on both servers; after 90
   * s, fails comparing the hashes with the message {@code message} gives.
   */
  private void sliceUntilSame(List<String> tables, Callable<String> message) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (!sourceHashes(tables).equals(targetHashes(tables))) {
      if (System.nanoTime() > deadline) {
        assertEquals(sourceHashes(tables), targetHashes(tables), message.call());
        fail("unreachable");
      }
      catchUpSlice(Duration.ofSeconds(3));
    }
  }

  /**
   * Every foreign key of the mapping validates on the target ({@link ForeignKeyValidation}), none
   * is left NOT VALID, and the target has {@code keys} of them.
   */
  private void assertForeignKeysValidated(int keys) throws SQLException {
    try (Connection tgt = target.connect()) {
      List<ForeignKeyValidation.Failure> failed =
          new ForeignKeyValidation(PG, TargetSchema.DEFAULT_STUDIO_SCHEMA)
              .validate(tgt, mapping, MIGRATION, capture);
      assertEquals(List.of(), failed.stream().map(ForeignKeyValidation.Failure::message).toList());
    }
    assertEquals(
        0,
        target.queryLong(
            "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND NOT convalidated"));
    assertEquals(keys, target.queryLong("SELECT count(*) FROM pg_constraint WHERE contype = 'f'"));
  }

  /** {@code INSERT INTO table VALUES} the rows {@code rows} gives for {@code from..to}. */
  private static String insert(String table, int from, int to, IntFunction<String> rows) {
    return "INSERT INTO "
        + table
        + " VALUES "
        + IntStream.rangeClosed(from, to).mapToObj(rows).collect(Collectors.joining(", "));
  }

  private String linkDifference() throws SQLException {
    List<String> src = new java.util.ArrayList<>();
    List<String> tgt = new java.util.ArrayList<>();
    for (Object[] side : new Object[][] {{src, source.connect()}, {tgt, target.connect()}}) {
      try (Connection c = (Connection) side[1];
          Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT pid, n FROM link ORDER BY pid, n")) {
        while (rs.next()) {
          @SuppressWarnings("unchecked")
          List<String> rows = (List<String>) side[0];
          rows.add(rs.getInt(1) + "/" + rs.getInt(2));
        }
      }
    }
    List<String> onlySource = new java.util.ArrayList<>(src);
    onlySource.removeAll(tgt);
    List<String> onlyTarget = new java.util.ArrayList<>(tgt);
    onlyTarget.removeAll(src);
    return onlySource + " / " + onlyTarget;
  }

  private void transaction(String... statements) throws SQLException {
    try (Connection c = source.connect();
        Statement st = c.createStatement()) {
      c.setAutoCommit(false);
      for (String s : statements) {
        st.execute(s);
      }
      c.commit();
    }
  }
}
