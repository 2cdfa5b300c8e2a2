package io.migrationstudio.core.cdc.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.workflow.StreamProgress;
import io.migrationstudio.core.contract.EngineDb;
import io.migrationstudio.testkit.EmbeddedMariaDbServer;
import io.migrationstudio.testkit.TestDatabase;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Stream slices killed and resumed, from a MariaDB source (row-based binlog); and a retried slice
 * that starts while the attempt it replaces still runs.
 */
class MariaDbStreamSliceIT extends AbstractStreamSliceIT {
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
}
