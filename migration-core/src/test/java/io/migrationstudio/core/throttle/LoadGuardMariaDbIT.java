package io.migrationstudio.core.throttle;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.spec.ConnectionSpec;
import io.migrationstudio.contracts.spec.MigrateOptions;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.spec.SourceLoadGuard;
import io.migrationstudio.core.spec.SecretResolver;
import io.migrationstudio.testkit.MariaDbExtension;
import io.migrationstudio.testkit.TestMariaDb;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The source-load guard on a real MariaDB whose spec names no {@code source.schema}: the sessions
 * are counted in the database of the URL. Three sessions run {@code SLEEP} in that database while a
 * chunk is about to start with {@code max_active_sessions: 1}; the guard pauses until they end. (It
 * counted zero sessions before: the null schema matched no {@code PROCESSLIST.DB}.)
 */
@ExtendWith(MariaDbExtension.class)
class LoadGuardMariaDbIT {
  private static final long BUSY_MS = 3_000;

  @Test
  void theGuardCountsSessionsInTheDatabaseOfTheUrl(TestMariaDb source) throws Exception {
    MigrationSpec spec =
        new MigrationSpec(
            "guard",
            null,
            new ConnectionSpec(source.jdbcUrl(), source.user(), null, null),
            new ConnectionSpec("jdbc:postgresql://localhost/unused", "u", null, null),
            null,
            null,
            new MigrateOptions(
                null,
                null,
                1000,
                null,
                null,
                null,
                new SourceLoadGuard(1, "PT0.2S"),
                null,
                null,
                null,
                null),
            null,
            null,
            null,
            null,
            null);
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try (Throttles throttles =
        Throttles.open(spec, new SecretResolver(Map.of()), new Throttles.Limiters())) {
      assertTrue(throttles.guard() != null, "the guard is on");
      CountDownLatch started = new CountDownLatch(3);
      List<Future<?>> busy = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        busy.add(
            pool.submit(
                () -> {
                  try (Connection c = source.connect()) {
                    started.countDown();
                    c.createStatement().execute("SELECT SLEEP(" + BUSY_MS / 1000.0 + ")");
                  }
                  return null;
                }));
      }
      assertTrue(started.await(10, TimeUnit.SECONDS));
      Thread.sleep(300); // the sleeps have reached the server
      long start = System.nanoTime();
      throttles.wrap(rows -> {});
      long tookMs = (System.nanoTime() - start) / 1_000_000;
      assertTrue(
          throttles.guard().pauses() >= 1, "the guard paused: " + throttles.guard().pauses());
      assertTrue(tookMs >= BUSY_MS - 1_500, "waited for the busy sessions: " + tookMs + " ms");
      for (Future<?> f : busy) {
        f.get(10, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
      pool.awaitTermination(10, TimeUnit.SECONDS);
    }
  }
}
