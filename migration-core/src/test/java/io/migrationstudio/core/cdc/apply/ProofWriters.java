package io.migrationstudio.core.cdc.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * The writers of a hand-off property case: each runs random multi-table transactions (one to five
 * changes) until stopped, every one ending with its proof row {@code (writer, seq)}; one in ten is
 * rolled back. A transaction that lost a key to another writer or a deadlock ({@code lost}) is
 * rolled back and never was; any other failure ends the writer and fails {@link #stop}. Writer
 * {@code w} draws from {@code new Random(seed * 31 + w)}.
 */
final class ProofWriters {
  /** A new session on the source. */
  @FunctionalInterface
  interface Source {
    Connection connect() throws SQLException;
  }

  /** One random change (a statement) to the tables under test. */
  @FunctionalInterface
  interface Change {
    String next(Random rnd);
  }

  /** The proof row's insert for transaction {@code seq} of {@code writer}. */
  @FunctionalInterface
  interface Proof {
    String insert(int writer, int seq);
  }

  private final Source source;
  private final Change change;
  private final Proof proof;
  private final Predicate<SQLException> lost;
  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicLong committed = new AtomicLong();
  private final AtomicIntegerArray lastCommitted;
  private final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
  private final List<Future<?>> running = new ArrayList<>();

  ProofWriters(
      int writers, Source source, Change change, Proof proof, Predicate<SQLException> lost) {
    this.lastCommitted = new AtomicIntegerArray(writers);
    this.source = source;
    this.change = change;
    this.proof = proof;
    this.lost = lost;
  }

  /** Starts every writer on {@code pool}. */
  void start(ExecutorService pool, long seed) {
    for (int w = 0; w < lastCommitted.length(); w++) {
      int writer = w;
      Random rnd = new Random(seed * 31 + writer);
      running.add(pool.submit(() -> write(writer, rnd)));
    }
  }

  /** Stops the writers, waits for them and fails if one of them failed. */
  void stop() throws Exception {
    stop.set(true);
    for (Future<?> f : running) {
      f.get(60, TimeUnit.SECONDS);
    }
    assertTrue(failures.isEmpty(), () -> "a writer failed: " + failures.peek());
  }

  /** Asks the writers to stop, without waiting (a test's clean-up). */
  void halt() {
    stop.set(true);
  }

  int writers() {
    return lastCommitted.length();
  }

  /** The transactions committed so far, over every writer. */
  long committed() {
    return committed.get();
  }

  /** The seq of {@code writer}'s last committed transaction; 0 before its first. */
  int lastCommitted(int writer) {
    return lastCommitted.get(writer);
  }

  /**
   * Audits every write of a {@code proof (writer, seq)} row on the target in {@code proof_audit},
   * also the applier's (whose replica mode skips ordinary triggers).
   */
  static void audit(TestDatabase target) {
    target.execute(
        "CREATE TABLE proof_audit (writer int, seq int, op text)",
        "CREATE FUNCTION proof_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            + " INSERT INTO proof_audit VALUES (NEW.writer, NEW.seq, TG_OP); RETURN NULL;"
            + " END $$",
        "CREATE TRIGGER proof_audit AFTER INSERT OR UPDATE ON proof"
            + " FOR EACH ROW EXECUTE FUNCTION proof_audit()",
        "ALTER TABLE proof ENABLE ALWAYS TRIGGER proof_audit");
  }

  /**
   * The {@link #audit} shows each of the source's {@code proofs} committed transactions written
   * exactly once on the target (by the copy or by the stream): none twice, none lost.
   */
  static void assertAuditedOnce(TestDatabase target, long proofs, String context) {
    assertEquals(
        0,
        target.queryLong(
            "SELECT count(*) FROM (SELECT 1 FROM proof_audit GROUP BY writer, seq"
                + " HAVING count(*) <> 1 OR min(op) <> 'INSERT') twice"),
        "a source transaction was applied twice, " + context);
    assertEquals(
        proofs,
        target.queryLong("SELECT count(DISTINCT (writer, seq)) FROM proof_audit"),
        "a source transaction was lost, " + context);
  }

  private Void write(int writer, Random rnd) {
    try (Connection c = source.connect();
        Statement st = c.createStatement()) {
      c.setAutoCommit(false);
      int seq = 0;
      while (!stop.get()) {
        try {
          for (int i = 1 + rnd.nextInt(5); i > 0; i--) {
            st.execute(change.next(rnd));
          }
          st.execute(proof.insert(writer, ++seq));
          if (rnd.nextInt(10) == 0) {
            c.rollback();
          } else {
            c.commit();
            committed.incrementAndGet();
            lastCommitted.set(writer, seq);
          }
        } catch (SQLException e) {
          c.rollback();
          if (!lost.test(e)) {
            throw e;
          }
        }
      }
    } catch (Throwable t) {
      failures.add(t);
    }
    return null;
  }
}
