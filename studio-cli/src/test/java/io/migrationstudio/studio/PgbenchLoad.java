package io.migrationstudio.studio;

import io.migrationstudio.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A pgbench database without the {@code pgbench} binary (the embedded PostgreSQL ships none): the
 * four tables and rows of {@code pgbench -i -s SCALE}, with a {@code hid bigserial} key on {@code
 * pgbench_history} as {@code bench/online-pg.sh} adds it (an online migration needs a key on every
 * table), and a writer running pgbench's built-in {@code tpcb-like} transaction. Each committed
 * transaction inserts one history row: its {@code hid} is the writer's proof of that transaction.
 */
final class PgbenchLoad implements AutoCloseable {
  private final TestDatabase db;
  private final int scale;
  private final long pauseMillis;
  private final AtomicBoolean stop = new AtomicBoolean();
  private final Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final Thread thread;

  private PgbenchLoad(TestDatabase db, int scale, long pauseMillis) {
    this.db = db;
    this.scale = scale;
    this.pauseMillis = pauseMillis;
    this.thread = new Thread(this::write, "pgbench-writer");
    this.thread.setDaemon(true);
  }

  /** The tables and rows of {@code pgbench -i -s scale} (100,000 accounts per scale unit). */
  static void initialize(TestDatabase db, int scale) {
    db.execute(
        "CREATE TABLE pgbench_branches (bid int NOT NULL PRIMARY KEY, bbalance int, filler"
            + " char(88)) WITH (fillfactor = 100)",
        "CREATE TABLE pgbench_tellers (tid int NOT NULL PRIMARY KEY, bid int, tbalance int, filler"
            + " char(84)) WITH (fillfactor = 100)",
        "CREATE TABLE pgbench_accounts (aid int NOT NULL PRIMARY KEY, bid int, abalance int,"
            + " filler char(84)) WITH (fillfactor = 100)",
        "CREATE TABLE pgbench_history (tid int, bid int, aid int, delta int, mtime timestamp,"
            + " filler char(22))",
        "ALTER TABLE pgbench_history ADD COLUMN hid bigserial PRIMARY KEY",
        "INSERT INTO pgbench_branches (bid, bbalance) SELECT g, 0 FROM generate_series(1, "
            + scale
            + ") g",
        "INSERT INTO pgbench_tellers (tid, bid, tbalance) SELECT g, (g - 1) / 10 + 1, 0"
            + " FROM generate_series(1, "
            + 10 * scale
            + ") g",
        "INSERT INTO pgbench_accounts (aid, bid, abalance, filler) SELECT g, (g - 1) / 100000 + 1,"
            + " 0, '' FROM generate_series(1, "
            + 100_000 * scale
            + ") g",
        "ANALYZE");
  }

  /** Starts the writer on {@code db}: one tpcb-like transaction, then {@code pauseMillis}. */
  static PgbenchLoad start(TestDatabase db, int scale, long pauseMillis) {
    PgbenchLoad load = new PgbenchLoad(db, scale, pauseMillis);
    load.thread.start();
    return load;
  }

  private void write() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    try (Connection c = db.connect()) {
      c.setAutoCommit(false);
      try (PreparedStatement account =
              c.prepareStatement(
                  "UPDATE pgbench_accounts SET abalance = abalance + ? WHERE aid = ?");
          PreparedStatement balance =
              c.prepareStatement("SELECT abalance FROM pgbench_accounts WHERE aid = ?");
          PreparedStatement teller =
              c.prepareStatement(
                  "UPDATE pgbench_tellers SET tbalance = tbalance + ? WHERE tid = ?");
          PreparedStatement branch =
              c.prepareStatement(
                  "UPDATE pgbench_branches SET bbalance = bbalance + ? WHERE bid = ?");
          PreparedStatement history =
              c.prepareStatement(
                  "INSERT INTO pgbench_history (tid, bid, aid, delta, mtime)"
                      + " VALUES (?, ?, ?, ?, CURRENT_TIMESTAMP) RETURNING hid")) {
        while (!stop.get()) {
          int aid = random.nextInt(1, 100_000 * scale + 1);
          int tid = random.nextInt(1, 10 * scale + 1);
          int bid = random.nextInt(1, scale + 1);
          int delta = random.nextInt(-5000, 5001);
          account.setInt(1, delta);
          account.setInt(2, aid);
          account.executeUpdate();
          balance.setInt(1, aid);
          balance.executeQuery().close();
          teller.setInt(1, delta);
          teller.setInt(2, tid);
          teller.executeUpdate();
          branch.setInt(1, delta);
          branch.setInt(2, bid);
          branch.executeUpdate();
          history.setInt(1, tid);
          history.setInt(2, bid);
          history.setInt(3, aid);
          history.setInt(4, delta);
          long hid;
          try (ResultSet rs = history.executeQuery()) {
            rs.next();
            hid = rs.getLong(1);
          }
          c.commit();
          acknowledged.add(hid);
          Thread.sleep(pauseMillis);
        }
      }
    } catch (SQLException | RuntimeException e) {
      failure.set(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The {@code hid}s of the transactions whose commit the source acknowledged. */
  Set<Long> acknowledged() {
    return Set.copyOf(acknowledged);
  }

  /** The highest acknowledged {@code hid} (0 before the first). */
  long lastAcknowledged() {
    return acknowledged.stream().mapToLong(Long::longValue).max().orElse(0);
  }

  /** Stops the writer and waits for it; fails when it failed. */
  @Override
  public void close() throws InterruptedException {
    stop.set(true);
    thread.join(30_000);
    if (failure.get() != null) {
      throw new AssertionError("the pgbench writer failed", failure.get());
    }
  }

  /**
   * On the target, once its {@code pgbench_history} exists: a row in {@code proof.history_audit}
   * for every row written into it from now on ({@code INSERT}, or {@code UPDATE} when the applier's
   * upsert met the row already there: a transaction applied twice).
   */
  static void auditHistory(TestDatabase target) {
    target.execute(
        "CREATE SCHEMA proof",
        "CREATE TABLE proof.history_audit (hid bigint, op text)",
        "CREATE FUNCTION proof.audit_history() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            + " INSERT INTO proof.history_audit VALUES (NEW.hid, TG_OP); RETURN NULL; END $$",
        "CREATE TRIGGER history_audit AFTER INSERT OR UPDATE ON public.pgbench_history"
            + " FOR EACH ROW EXECUTE FUNCTION proof.audit_history()",
        // ALWAYS: the change stream applies in replica mode, which skips ordinary triggers
        "ALTER TABLE public.pgbench_history ENABLE ALWAYS TRIGGER history_audit");
  }

  /** Removes {@link #auditHistory}'s trigger (the audit rows stay for the assertions). */
  static void stopAudit(TestDatabase target) {
    target.execute("DROP TRIGGER history_audit ON public.pgbench_history");
  }
}
