package io.migrationstudio.workflow.deterministic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.TaskQueues;
import io.migrationstudio.contracts.activity.ChunkRange;
import io.migrationstudio.contracts.activity.TablePlan;
import io.migrationstudio.contracts.spec.ConnectionSpec;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.workflow.TableCopyRequest;
import io.migrationstudio.contracts.workflow.TableCopyResult;
import io.migrationstudio.contracts.workflow.TableCopyWorkflow;
import io.migrationstudio.workflow.WorkflowWorker;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.WorkerOptions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a worker's {@code currentControl} query of a table copy costs (issue 16: the running chunks
 * ask it every second for the rate, a batch at its chunk boundaries for a pause), on the worker
 * options of the embedded server (no sticky queue, so a query may replay the copy's history): a
 * copy of 1,000 chunks against one of 10, both queried after they ended (their whole history
 * replayed). Prints the times; fails when a query of the large copy costs more than 20 times the
 * small one's plus 200 ms (a query cost growing with the chunk count, not the batch count).
 */
@org.junit.jupiter.api.Timeout(300)
class TableCopyQueryCostTest {
  private static final int QUERIES = 20;

  @Test
  void aQueryOfATableCopyOfAThousandChunksStaysCheap() throws Exception {
    try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance()) {
      // the embedded server's options; a generous deadlock detection for a loaded machine
      WorkerOptions options =
          WorkerOptions.newBuilder(WorkflowWorker.options(true))
              .setDefaultDeadlockDetectionTimeout(60_000)
              .build();
      env.newWorker("copies", options)
          .registerWorkflowImplementationTypes(TableCopyWorkflowImpl.class);
      FakeActivities fakes = new FakeActivities();
      fakes.askHeld = false; // the per-chunk queries of the batches are what is measured here
      env.newWorker(TaskQueues.MIGRATE, options).registerActivitiesImplementations(fakes);
      env.start();
      WorkflowClient client = env.getWorkflowClient();
      double[] small = queryMillis(client, fakes, "q/copy/10", 10);
      double[] large = queryMillis(client, fakes, "q/copy/1000", 1000);
      long events = client.fetchHistory("q/copy/1000").getEvents().size();
      System.out.printf(
          "currentControl of a running copy at its last chunk: 10 chunks %.1f ms, 1,000 chunks"
              + " %.1f ms (%d events); once ended: %.1f ms and %.1f ms%n",
          small[0], large[0], events, small[1], large[1]);
      assertTrue(large[0] < 20 * small[0] + 200, small[0] + " ms then " + large[0] + " ms");
      assertTrue(large[1] < 20 * small[1] + 200, small[1] + " ms then " + large[1] + " ms");
    }
  }

  /**
   * Copies a table of {@code chunks} chunks, timing {@link #QUERIES} queries while its last chunk
   * runs and as many once it ended (milliseconds per query, in that order).
   */
  private static double[] queryMillis(
      WorkflowClient client, FakeActivities fakes, String id, int chunks) throws Exception {
    java.util.concurrent.CountDownLatch lastChunk = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    fakes.chunkHook =
        r -> {
          if (r.chunk().index() == chunks - 1) {
            lastChunk.countDown();
            try {
              release.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          return null;
        };
    List<ChunkRange> ranges = new ArrayList<>();
    for (int i = 0; i < chunks; i++) {
      ranges.add(
          new ChunkRange(
              i,
              i == 0 ? null : String.valueOf(i * 100),
              i == chunks - 1 ? null : String.valueOf(i * 100 + 100)));
    }
    MigrationSpec spec =
        new MigrationSpec(
            "q",
            null,
            new ConnectionSpec("jdbc:postgresql://db/src", "u", null, null),
            new ConnectionSpec("jdbc:postgresql://db/dst", "u", null, null),
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null);
    TableCopyWorkflow copy =
        client.newWorkflowStub(
            TableCopyWorkflow.class,
            WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue("copies").build());
    long t0 = System.nanoTime();
    WorkflowClient.start(
        copy::copy,
        new TableCopyRequest(
            "q", spec, "b", "c", new TablePlan("t", "t", chunks * 100L, ranges), 2, null));
    lastChunk.await();
    double running = timeQueries(copy);
    release.countDown();
    TableCopyResult done = client.newUntypedWorkflowStub(id).getResult(TableCopyResult.class);
    assertEquals(chunks, done.chunks());
    System.out.printf("a copy of %d chunks took %.1f ms%n", chunks, (System.nanoTime() - t0) / 1e6);
    return new double[] {running, timeQueries(copy)};
  }

  private static double timeQueries(TableCopyWorkflow copy) {
    copy.currentControl(); // the first one may load classes
    long q0 = System.nanoTime();
    for (int i = 0; i < QUERIES; i++) {
      copy.currentControl();
    }
    return (System.nanoTime() - q0) / 1e6 / QUERIES;
  }
}
