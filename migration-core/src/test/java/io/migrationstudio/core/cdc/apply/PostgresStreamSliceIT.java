package io.migrationstudio.core.cdc.apply;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.workflow.StreamProgress;
import io.migrationstudio.core.contract.EngineDb;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.testkit.RestartablePostgres;
import io.migrationstudio.testkit.RestartablePostgres.Shutdown;
import io.migrationstudio.testkit.TestDatabase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
   * The WAL the slot retains for a stream that has applied nothing yet is warned about in the
   * status line, in cdc.md and cdc.json once it is above {@code migrate.max_retained_wal_bytes}
   * (here a small bound), and not while it is below (the default 10 GiB, or a bound well above it).
   */
  @Test
  void aSlotRetainingMoreWalThanTheSpecAllowsIsWarnedAbout(TestDatabase target) throws Exception {
    setUp(target);
    write(1, 50, -1);
    StreamProgress calm = streams.measure(spec, mapping, MIGRATION, capture, start);
    assertNotNull(calm.retainedBytes(), calm.toString());
    long kept = calm.retainedBytes();
    assertTrue(kept > 1000, "50 transactions not yet applied: " + calm);
    assertNull(calm.retentionWarning(), "below the default 10 GiB: " + calm);
    assertFalse(calm.line().contains("WARNING"), calm.line());
    StreamProgress below = measureWith(kept + 64L * 1024 * 1024);
    assertNull(below.retentionWarning(), "below a bound 64 MiB above it: " + below);
    StreamProgress above = measureWith(kept / 2);
    assertNotNull(above.retentionWarning(), "above a bound of half of it: " + above);
    assertTrue(above.retentionWarning().contains("migrate.max_retained_wal_bytes"), above.line());
    assertTrue(above.line().contains("; WARNING: replication slot " + capture), above.line());
    var evidence =
        StreamService.evidence(
                spec.withMigrate(spec.migrate().withMaxRetainedWalBytes(kept / 2)), above)
            .files();
    String md = new String(evidence.get(ArtifactPaths.CDC_MD), StandardCharsets.UTF_8);
    assertTrue(md.contains("**Warning, log kept by the source:** replication slot"), md);
    String json =
        io.migrationstudio.core.report.Json.mapper()
            .readTree(evidence.get(ArtifactPaths.CDC_JSON))
            .path("stream")
            .path("retentionWarning")
            .asText();
    assertTrue(json.startsWith("replication slot " + capture), json);
    catchUp();
  }

  private StreamProgress measureWith(long maxRetainedWalBytes) {
    return streams.measure(
        spec.withMigrate(spec.migrate().withMaxRetainedWalBytes(maxRetainedWalBytes)),
        mapping,
        MIGRATION,
        capture,
        start);
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
