package io.migrationstudio.core.cdc.apply;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.core.contract.EngineDb;
import io.migrationstudio.testkit.RestartablePostgres;
import io.migrationstudio.testkit.RestartablePostgres.Shutdown;
import io.migrationstudio.testkit.TestDatabase;
import java.io.IOException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Stream slices killed and resumed, from a PostgreSQL source (logical slot, pgoutput); and the
 * source or the target server restarted while a writer and the stream run.
 */
class PostgresStreamSliceIT extends AbstractStreamSliceIT {
  /**
   * A server of this class's own, for the database a restart case stops and starts again (the
   * shared server stays up for every other test); started on first use.
   */
  private static final RestartablePostgres RESTARTABLE = new RestartablePostgres();

  /** Whether {@link #newSource} puts the source on the restartable server. */
  private boolean sourceRestarts;

  @Override
  EngineDb newSource(String prefix) {
    return sourceRestarts
        ? EngineDb.of(RESTARTABLE.createDatabase(prefix))
        : EngineDb.postgres(prefix);
  }

  /** The slot keeps WAL from its restart position, which trails the confirmed one. */
  @Override
  void assertKeptAfterCatchUp(long bytes) {
    assertTrue(bytes >= 0, "retained " + bytes);
  }

  /**
   * The source server stops (fast shutdown: every session, the walsender too, is ended) and starts
   * again while a writer commits and slices apply: the failed slices are retried as Temporal would,
   * the stream resumes from the target's position through the slot, and every source transaction
   * lands exactly once.
   */
  @Test
  void theSourceServerRestartedWhileTheStreamRuns(TestDatabase target) throws Exception {
    sourceRestarts = true;
    setUp(target);
    restartWhileStreaming(() -> RESTARTABLE.restart(Shutdown.FAST));
  }

  /**
   * The target server stops (fast shutdown) and starts again while a writer commits and slices
   * apply: a batch in flight is rolled back with its position, the retried slice starts from the
   * position the target committed, and every source transaction lands exactly once.
   */
  @Test
  void theTargetServerRestartedWhileTheStreamRuns() throws Exception {
    setUp(RESTARTABLE.createDatabase("target"));
    restartWhileStreaming(() -> RESTARTABLE.restart(Shutdown.FAST));
  }

  @AfterAll
  static void stopTheRestartableServer() throws IOException {
    RESTARTABLE.close();
  }
}
