package io.migrationstudio.core.throttle;

import static io.migrationstudio.core.copy.Loads.PG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.activity.ChunkRange;
import io.migrationstudio.contracts.activity.ChunkResult;
import io.migrationstudio.core.copy.ChunkCopier;
import io.migrationstudio.core.copy.ChunkProgress;
import io.migrationstudio.core.copy.CopyOptions;
import io.migrationstudio.core.copy.Loads;
import io.migrationstudio.core.copy.TargetPreparer;
import io.migrationstudio.core.copy.TargetSchema;
import io.migrationstudio.core.copy.TestMappings;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The source-load guard on a real PostgreSQL: three extra sessions run {@code pg_sleep} on the
 * source when a chunk starts copying with {@code max_active_sessions: 1}; the chunk's read pauses
 * after its first rows (cursor open, heartbeating) until they end, then resumes and copies every
 * row.
 */
@ExtendWith(PostgresExtension.class)
class LoadGuardIT {
  private static final int ROWS = 20_000;
  private static final long BUSY_MS = 3_000;

  @Test
  void aChunkReadPausesWhileTheSourceIsBusyAndResumesAfter(TestDatabase source, TestDatabase target)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try (Connection src = source.connect();
        Connection tgt = target.connect();
        Connection guardConnection = source.connect()) {
      src.createStatement()
          .execute(
              "CREATE TABLE busy (id int PRIMARY KEY, v text);"
                  + " INSERT INTO busy SELECT i, 'v' || i FROM generate_series(1, "
                  + ROWS
                  + ") i");
      MappingDocument mapping = TestMappings.identity(src, "public", "public");
      TargetPreparer.Prepared prepared = Loads.prepare(src, tgt, mapping, "guard", ROWS);
      ChunkRange all = prepared.tables().get(0).chunks().get(0);
      LoadGuard.ActiveSessions active =
          LoadGuard.of(PG.sessionList().orElseThrow(), guardConnection, "public");
      assertTrue(active.count() <= 1, "a quiet source before the test: " + active.count());

      LoadGuard guard = new LoadGuard(1, Duration.ofMillis(200), active, Pacer.SYSTEM);
      AtomicLong beatsWhileBusy = new AtomicLong();
      CountDownLatch busyStarted = new CountDownLatch(3);
      AtomicLong busyUntil = new AtomicLong(Long.MAX_VALUE);
      ChunkProgress heartbeat =
          rows -> {
            if (System.nanoTime() < busyUntil.get()) {
              beatsWhileBusy.incrementAndGet();
            }
          };
      ThrottledProgress throttled = new ThrottledProgress(heartbeat, null, guard, Pacer.SYSTEM);
      ChunkCopier copier =
          new ChunkCopier(
              PG,
              PG,
              TargetSchema.DEFAULT_STUDIO_SCHEMA,
              Clock.systemUTC(),
              CopyOptions.defaults().withProgressEvery(1_000));
      // the source gets busy while the chunk is planned; its first look, after 1 000 rows read
      // with the cursor open, pauses the read
      startBusy(source, pool, busyStarted, busyUntil);
      long start = System.nanoTime();
      ChunkResult r =
          copier.copy(
              src, tgt, mapping, mapping.bySource("busy").orElseThrow(), all, "guard", throttled);
      long tookMs = (System.nanoTime() - start) / 1_000_000;

      assertEquals(ROWS, r.rows());
      assertEquals(ROWS, target.queryLong("SELECT count(*) FROM busy"));
      assertTrue(guard.pauses() >= 1, "the guard paused the read");
      assertTrue(tookMs >= BUSY_MS - 1_000, "the read waited for the busy sessions: " + tookMs);
      assertTrue(beatsWhileBusy.get() >= 2, "heartbeats while paused: " + beatsWhileBusy.get());
      assertTrue(active.count() <= 1, "the busy sessions are gone again");
    } finally {
      pool.shutdownNow();
      pool.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  /** Three sessions that each run pg_sleep on the source for BUSY_MS. */
  private static void startBusy(
      TestDatabase source, ExecutorService pool, CountDownLatch started, AtomicLong busyUntil) {
    List<Future<?>> busy = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      busy.add(
          pool.submit(
              () -> {
                try (Connection c = source.connect()) {
                  started.countDown();
                  c.createStatement().execute("SELECT pg_sleep(" + BUSY_MS / 1000.0 + ")");
                }
                return null;
              }));
    }
    try {
      started.await(10, TimeUnit.SECONDS);
      Thread.sleep(300); // the sleeps have reached the server
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    busyUntil.set(System.nanoTime() + (BUSY_MS - 600) * 1_000_000);
  }
}
