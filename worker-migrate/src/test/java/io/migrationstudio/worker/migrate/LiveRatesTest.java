package io.migrationstudio.worker.migrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.migrationstudio.contracts.workflow.CopyControl;
import io.migrationstudio.contracts.workflow.TableCopyRequest;
import io.migrationstudio.contracts.workflow.TableCopyResult;
import io.migrationstudio.contracts.workflow.TableCopyWorkflow;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.workflow.Workflow;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * {@link LiveRates} asks a running table copy for the rate in force through Temporal's query, and
 * follows a throttle signalled to it while its chunks run.
 */
class LiveRatesTest {
  /** A table copy that only holds its control until it is told to end. */
  public static class HeldCopy implements TableCopyWorkflow {
    private CopyControl control = new CopyControl(false, null);
    private boolean done;

    @Override
    public TableCopyResult copy(TableCopyRequest request) {
      Workflow.await(() -> done);
      return null;
    }

    @Override
    public void control(CopyControl c) {
      control = c;
      done = c.paused(); // the test ends the copy with a pause
    }

    @Override
    public CopyControl currentControl() {
      return control;
    }
  }

  @Test
  void aRunningChunkFollowsTheThrottleItsTableCopyHolds() throws Exception {
    try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance()) {
      env.newWorker("copies").registerWorkflowImplementationTypes(HeldCopy.class);
      env.start();
      WorkflowClient client = env.getWorkflowClient();
      TableCopyWorkflow copy =
          client.newWorkflowStub(
              TableCopyWorkflow.class,
              WorkflowOptions.newBuilder()
                  .setWorkflowId("m/copy/0")
                  .setTaskQueue("copies")
                  .build());
      WorkflowClient.start(copy::copy, null);
      Supplier<Long> rate = LiveRates.of(client).rate("m/copy/0");
      assertNull(rate.get(), "nothing asked yet: the spec's rate");
      copy.control(new CopyControl(false, 250L));
      assertEquals(250L, awaitRate(rate, 250L));
      copy.control(new CopyControl(false, 0L));
      assertEquals(0L, awaitRate(rate, 0L));
      copy.control(new CopyControl(true, 0L));
    }
  }

  /**
   * A batch's check between two chunks answers at once from the background query: a pause is seen
   * within about {@link LiveRates#HELD_FRESH} plus one query, also once the copy ended (a cancelled
   * copy is a closed workflow); a copy that does not exist answers "go on".
   */
  @Test
  void aBatchSeesAPauseAtItsNextChunkBoundary() throws Exception {
    try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance()) {
      env.newWorker("copies").registerWorkflowImplementationTypes(HeldCopy.class);
      env.start();
      WorkflowClient client = env.getWorkflowClient();
      TableCopyWorkflow copy =
          client.newWorkflowStub(
              TableCopyWorkflow.class,
              WorkflowOptions.newBuilder()
                  .setWorkflowId("m/copy/1")
                  .setTaskQueue("copies")
                  .build());
      WorkflowClient.start(copy::copy, null);
      java.util.function.BooleanSupplier held = LiveRates.of(client).held("m/copy/1");
      assertFalse(held.getAsBoolean(), "running");
      Thread.sleep(LiveRates.HELD_FRESH.toMillis() + 50);
      assertFalse(held.getAsBoolean(), "running, asked");
      copy.control(new CopyControl(true, null)); // paused; the held copy then ends
      long paused = System.nanoTime();
      long asked = System.nanoTime();
      assertFalse(held.getAsBoolean(), "asked at once: the last answer, without waiting");
      long answered = System.nanoTime() - asked;
      boolean seen = false;
      while (!seen && System.nanoTime() - paused < 5_000_000_000L) {
        Thread.sleep(20);
        seen = held.getAsBoolean();
      }
      org.junit.jupiter.api.Assertions.assertTrue(seen, "paused, seen at a boundary");
      System.out.printf(
          "held: a boundary answered in %.2f ms; the pause seen after %.0f ms%n",
          answered / 1e6, (System.nanoTime() - paused) / 1e6);
      org.junit.jupiter.api.Assertions.assertTrue(
          answered < 5_000_000L, "a boundary does not wait on Temporal: " + answered / 1e6);
      java.util.function.BooleanSupplier none = LiveRates.of(client).held("m/copy/none");
      Thread.sleep(LiveRates.HELD_FRESH.toMillis() + 50);
      assertFalse(none.getAsBoolean(), "no such copy (a repair): the batch goes on");
    }
  }

  private static Long awaitRate(Supplier<Long> rate, Long expected) throws InterruptedException {
    Long seen = rate.get();
    for (int i = 0; i < 100 && !java.util.Objects.equals(seen, expected); i++) {
      Thread.sleep(100);
      seen = rate.get();
    }
    return seen;
  }
}
