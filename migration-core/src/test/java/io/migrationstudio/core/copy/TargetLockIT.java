package io.migrationstudio.core.copy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The target's migration lock on real PostgreSQL: one live migration per target. */
@ExtendWith(PostgresExtension.class)
class TargetLockIT {
  private final TargetLock lock = new TargetLock(TargetSchema.DEFAULT_STUDIO_SCHEMA);

  private static TargetLock.Holder holder(String id, String process) {
    return new TargetLock.Holder(id, "migrations/" + id, process, "abc123", null);
  }

  @Test
  void aSecondMigrationIsRefusedNamingTheFirstAndTheSameIdRetakes(TestDatabase target)
      throws Exception {
    try (Connection c = target.connect()) {
      assertTrue(lock.holder(c).isEmpty());
      assertEquals(
          0,
          target.queryLong("select count(*) from pg_namespace where nspname = 'studio'"),
          "looking creates nothing");
      TargetLock.Holder first = lock.acquire(c, holder("first", "pid 1 on alpha"));
      assertNotNull(first.takenAt());

      MigrationException e =
          assertThrows(
              MigrationException.class, () -> lock.acquire(c, holder("second", "pid 2 on beta")));
      assertEquals(ErrorCode.TARGET_LOCKED, e.code());
      assertFalse(e.code().retryable());
      assertTrue(e.getMessage().contains("migration first"), e.getMessage());
      assertTrue(e.getMessage().contains("pid 1 on alpha"), e.getMessage());
      assertTrue(e.getMessage().contains("since " + first.takenAt()), e.getMessage());
      assertTrue(e.getMessage().contains("studio unlock"), e.getMessage());
      assertTrue(c.getAutoCommit(), "auto-commit restored");

      // a retry or a resumed run of the same migration, from another process, takes it again
      TargetLock.Holder again = lock.acquire(c, holder("first", "pid 3 on gamma"));
      assertEquals(first.takenAt(), again.takenAt());
      assertEquals("pid 3 on gamma", lock.holder(c).orElseThrow().process());
      assertEquals(1, target.queryLong("select count(*) from studio.migration_lock"));
    }
  }

  @Test
  void releasingAtTheEndLetsTheNextMigrationIn(TestDatabase target) throws Exception {
    try (Connection c = target.connect()) {
      lock.acquire(c, holder("first", "p"));
      assertFalse(lock.release(c, "second"), "a migration that does not hold it releases nothing");
      assertThrows(MigrationException.class, () -> lock.acquire(c, holder("second", "p")));
      assertTrue(lock.release(c, "first"));
      assertTrue(lock.holder(c).isEmpty());
      assertEquals("second", lock.acquire(c, holder("second", "q")).migration());
      assertEquals("second", lock.holder(c).orElseThrow().migration());
    }
  }

  @Test
  void releasingOnATargetNeverPreparedCreatesNothing(TestDatabase target) throws Exception {
    try (Connection c = target.connect()) {
      assertFalse(lock.release(c, "first"));
      assertEquals(
          0, target.queryLong("select count(*) from pg_namespace where nspname = 'studio'"));
    }
  }

  @Test
  void ofTakersRacingOnAnEmptyTargetExactlyOneWins(TestDatabase target) throws Exception {
    int takers = 4;
    for (int round = 0; round < 5; round++) {
      target.execute("DROP SCHEMA IF EXISTS studio CASCADE");
      CyclicBarrier start = new CyclicBarrier(takers);
      ExecutorService pool = Executors.newFixedThreadPool(takers);
      try {
        List<Future<String>> results = new ArrayList<>();
        for (int i = 0; i < takers; i++) {
          String id = "m" + i;
          Callable<String> take =
              () -> {
                try (Connection c = target.connect()) {
                  start.await(10, TimeUnit.SECONDS);
                  try {
                    return "won " + lock.acquire(c, holder(id, "pid " + id)).migration();
                  } catch (MigrationException e) {
                    assertEquals(ErrorCode.TARGET_LOCKED, e.code(), e.getMessage());
                    return "lost " + e.getMessage();
                  }
                }
              };
          results.add(pool.submit(take));
        }
        List<String> won = new ArrayList<>();
        List<String> lost = new ArrayList<>();
        for (Future<String> f : results) {
          String r = f.get(60, TimeUnit.SECONDS);
          (r.startsWith("won ") ? won : lost).add(r);
        }
        assertEquals(1, won.size(), "exactly one taker wins: " + won + " " + lost);
        String winner = won.get(0).substring("won ".length());
        try (Connection c = target.connect()) {
          assertEquals(winner, lock.holder(c).orElseThrow().migration());
        }
        for (String l : lost) {
          assertTrue(l.contains("migration " + winner + " "), "the loser names the winner: " + l);
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }
}
