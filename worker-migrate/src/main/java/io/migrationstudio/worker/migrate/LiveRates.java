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
 * (or failed or cancelled): that answer is asked there and then, so a pause lets only the chunk in
 * flight commit.
 */
final class LiveRates {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(LiveRates.class);

  /** How often a table copy is asked for its rate: a throttle reaches running chunks this late. */
  static final Duration REFRESH = Duration.ofSeconds(1);

  /**
   * The shortest time between two {@link #held} queries of one batch: chunks shorter than this go
   * on on the last answer (a pause then stops the batch within this much copying), so a batch of
   * tiny chunks asks at most a few times a second.
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
    long now = System.nanoTime();
    byCopy.values().removeIf(e -> now - e.usedAt > FORGET.toNanos());
    Entry e = byCopy.computeIfAbsent(copyWorkflowId, id -> new Entry());
    e.usedAt = now;
    return () -> {
      refreshIfDue(copyWorkflowId, e);
      return e.rate;
    };
  }

  /**
   * Whether the table copy {@code copyWorkflowId} holds its chunks now (paused, or its copy failed
   * or was cancelled), for one batch to ask before each chunk: a query at that moment, unless the
   * batch asked less than {@link #HELD_FRESH} ago. A query that fails answers false: the batch goes
   * on as it did before it could stop (a pause then holds its next batch).
   */
  BooleanSupplier held(String copyWorkflowId) {
    return new BooleanSupplier() {
      private long askedAt;
      private boolean asked;
      private boolean last;

      @Override
      public boolean getAsBoolean() {
        long now = System.nanoTime();
        if (asked && now - askedAt < HELD_FRESH.toNanos()) {
          return last;
        }
        asked = true;
        askedAt = now;
        try {
          CopyControl c = ask.apply(copyWorkflowId);
          last = c != null && c.paused();
        } catch (RuntimeException failed) {
          log.debug("no pause state from {}: {}", copyWorkflowId, failed.toString());
          last = false;
        }
        return last;
      }
    };
  }

  private void refreshIfDue(String id, Entry e) {
    long now = System.nanoTime();
    e.usedAt = now;
    if ((e.asked && now - e.askedAt < REFRESH.toNanos()) || !e.asking.compareAndSet(false, true)) {
      return;
    }
    queries.execute(
        () -> {
          try {
            CopyControl c = ask.apply(id);
            e.rate = c == null ? null : c.rowsPerSecond();
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
