package io.migrationstudio.worker.migrate;

import io.migrationstudio.contracts.workflow.CopyControl;
import io.migrationstudio.contracts.workflow.TableCopyWorkflow;
import io.temporal.client.WorkflowClient;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The row rate cap in force for the running chunks of one worker process, per table copy: what the
 * table's copy workflow answers to {@link TableCopyWorkflow#currentControl} (the last {@code studio
 * throttle}; null: none, the chunk keeps the spec's). A chunk's rate limiter reads it at every
 * progress call; the answer is fetched in the background at most every {@link #REFRESH} per table
 * copy (one query for all its chunks on this worker), so the read loop never waits on Temporal. A
 * query that fails keeps the last answer.
 *
 * <p>A batch of chunks asks {@link #held} at its chunk boundaries whether its table copy is paused
 * (or failed or cancelled). That answer comes from the same background query, refreshed at most
 * every {@link #HELD_FRESH} while a batch asks: the boundary never waits on Temporal (a query there
 * cost 20 ms idle, 30–50 ms loaded, at most every 250 ms of copying: 23 ms between two chunks of a
 * batch, against 3 ms before it, at scale 100), and a pause reaches a batch within about {@link
 * #HELD_FRESH} plus one query, so the chunk in flight (and rarely the next) commits.
 */
final class LiveRates {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(LiveRates.class);

  /** How often a table copy is asked for its rate: a throttle reaches running chunks this late. */
  static final Duration REFRESH = Duration.ofSeconds(1);

  /**
   * How often a table copy whose batches ask {@link #held} is queried in the background: a pause
   * stops its batches within about this much copying plus one query.
   */
  static final Duration HELD_FRESH = Duration.ofMillis(250);

  /** A table copy not asked for this long is forgotten (its chunks are done). */
  private static final Duration FORGET = Duration.ofMinutes(10);

  private final Function<String, CopyControl> ask;
  private final ConcurrentHashMap<String, Entry> byCopy = new ConcurrentHashMap<>();
  private final ExecutorService queries =
      Executors.newFixedThreadPool(
          2,
          r -> {
            Thread t = new Thread(r, "live-rate-query");
            t.setDaemon(true);
            return t;
          });

  private static final class Entry {
    final AtomicBoolean asking = new AtomicBoolean();
    volatile Long rate;
    volatile boolean paused;
    volatile long askedAt;
    volatile boolean asked;
    volatile long usedAt;
  }

  /** Rates asked of the table copy workflows through {@code client}. */
  static LiveRates of(WorkflowClient client) {
    return new LiveRates(
        id -> client.newWorkflowStub(TableCopyWorkflow.class, id).currentControl());
  }

  /** Rates answered by {@code ask} (a table copy's workflow id to its control; tests). */
  LiveRates(Function<String, CopyControl> ask) {
    this.ask = ask;
  }

  /** The rate in force for the chunks of the table copy {@code copyWorkflowId}, as it changes. */
  Supplier<Long> rate(String copyWorkflowId) {
    Entry e = entry(copyWorkflowId);
    return () -> {
      refreshIfDue(copyWorkflowId, e, REFRESH);
      return e.rate;
    };
  }

  /**
   * Whether the table copy {@code copyWorkflowId} holds its chunks now (paused, or its copy failed
   * or was cancelled), for a batch to ask before each chunk: the last background answer, refreshed
   * every {@link #HELD_FRESH} while asked. No answer yet, or a failed query: false, the batch goes
   * on as it did before it could stop (a pause then holds its next batch).
   */
  BooleanSupplier held(String copyWorkflowId) {
    Entry e = entry(copyWorkflowId);
    refreshIfDue(copyWorkflowId, e, HELD_FRESH);
    return () -> {
      refreshIfDue(copyWorkflowId, e, HELD_FRESH);
      return e.paused;
    };
  }

  private Entry entry(String copyWorkflowId) {
    long now = System.nanoTime();
    byCopy.values().removeIf(e -> now - e.usedAt > FORGET.toNanos());
    Entry e = byCopy.computeIfAbsent(copyWorkflowId, id -> new Entry());
    e.usedAt = now;
    return e;
  }

  private void refreshIfDue(String id, Entry e, Duration every) {
    long now = System.nanoTime();
    e.usedAt = now;
    if ((e.asked && now - e.askedAt < every.toNanos()) || !e.asking.compareAndSet(false, true)) {
      return;
    }
    queries.execute(
        () -> {
          try {
            CopyControl c = ask.apply(id);
            e.rate = c == null ? null : c.rowsPerSecond();
            e.paused = c != null && c.paused();
          } catch (RuntimeException failed) {
            // not a table copy (a repair), or Temporal slow: the last answer stays in force
            log.debug("no rate from {}: {}", id, failed.toString());
          } finally {
            e.askedAt = System.nanoTime();
            e.asked = true;
            e.asking.set(false);
          }
        });
  }
}
