package io.migrationstudio.workflow.deterministic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.TaskQueues;
import io.migrationstudio.contracts.activity.CaptureDrop;
import io.migrationstudio.contracts.activity.CaptureStarted;
import io.migrationstudio.contracts.activity.StageRequest;
import io.migrationstudio.contracts.activity.StageResult;
import io.migrationstudio.contracts.activity.StreamActivities;
import io.migrationstudio.contracts.activity.StreamEvidence;
import io.migrationstudio.contracts.activity.StreamSlice;
import io.migrationstudio.contracts.spec.ConnectionSpec;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.workflow.ChangeStreamWorkflow;
import io.migrationstudio.contracts.workflow.CopyControl;
import io.migrationstudio.contracts.workflow.StreamProgress;
import io.migrationstudio.contracts.workflow.StreamRequest;
import io.migrationstudio.workflow.WorkflowWorker;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.EventType;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.TestWorkflowEnvironment;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The forward stream's continue-as-new after {@link ChangeStreamWorkflowImpl#SLICES_PER_RUN} slices
 * carries its state (version {@link StreamSliceLoop#CARRY}): a pause holds in the new run, and a
 * stop that came during the run's last slice ends the stream. Before, the new run forgot both: a
 * stream paused for longer than 150 measures (~25 minutes) applied again on its own, and the
 * cutover waited in vain for a stream it had stopped.
 */
class StreamContinueAsNewTest {
  private static final String ID = "migration-wf-test/stream";

  private TestWorkflowEnvironment env;
  private WorkflowClient client;
  private Slices fake;

  @BeforeEach
  void setUp() {
    env = TestWorkflowEnvironment.newInstance();
    client = env.getWorkflowClient();
    fake = new Slices(client);
    var options = WorkflowWorker.options(true);
    env.getWorkerFactory()
        .newWorker(TaskQueues.WORKFLOW, options)
        .registerWorkflowImplementationTypes(ChangeStreamWorkflowImpl.class);
    env.getWorkerFactory()
        .newWorker(TaskQueues.MIGRATE, options)
        .registerActivitiesImplementations(fake);
    env.start();
  }

  @AfterEach
  void tearDown() {
    env.close();
  }

  @Test
  void aPauseDuringTheRunsLastSliceHoldsInTheNextRun() throws Exception {
    fake.pauseAtSlice = ChangeStreamWorkflowImpl.SLICES_PER_RUN;
    ChangeStreamWorkflow wf = stub();
    WorkflowExecution first = WorkflowClient.start(wf::run, request());
    for (int i = 0; i < 4800 && fake.measures.get() < 2; i++) {
      Thread.sleep(25); // the next run measures the paused stream now and again
    }
    WorkflowExecutionHistory run1 = client.fetchHistory(ID, first.getRunId());
    assertEquals(
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW,
        run1.getLastEvent().getEventType(),
        "the first run continued as new");
    assertTrue(fake.measures.get() >= 1, "measured while paused in the next run");
    assertEquals(
        ChangeStreamWorkflowImpl.SLICES_PER_RUN,
        fake.slices.get(),
        "no slice in the next run while paused");
    wf.control(new CopyControl(false, null));
    awaitSlices(ChangeStreamWorkflowImpl.SLICES_PER_RUN + 2);
    wf.stop("cutover");
    assertNotNull(WorkflowStub.fromTyped(wf).getResult(30, TimeUnit.SECONDS, StreamProgress.class));
    MigrationWorkflowReplayTest.replay(run1, ChangeStreamWorkflowImpl.class);
    record(run1, "change-stream-history-continue-paused.json");
  }

  @Test
  void aStopDuringTheRunsLastSliceEndsTheStream() throws Exception {
    fake.stopAtSlice = ChangeStreamWorkflowImpl.SLICES_PER_RUN;
    ChangeStreamWorkflow wf = stub();
    WorkflowExecution first = WorkflowClient.start(wf::run, request());
    StreamProgress last =
        WorkflowStub.fromTyped(wf).getResult(60, TimeUnit.SECONDS, StreamProgress.class);
    assertEquals(ChangeStreamWorkflowImpl.SLICES_PER_RUN, fake.slices.get(), "no slice after it");
    assertEquals("pg:0/" + Integer.toHexString(0x100 + fake.slices.get()), last.position());
    WorkflowExecutionHistory run1 = client.fetchHistory(ID, first.getRunId());
    assertEquals(
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED, run1.getLastEvent().getEventType());
    MigrationWorkflowReplayTest.replay(run1, ChangeStreamWorkflowImpl.class);
  }

  private ChangeStreamWorkflow stub() {
    return client.newWorkflowStub(
        ChangeStreamWorkflow.class,
        WorkflowOptions.newBuilder().setWorkflowId(ID).setTaskQueue(TaskQueues.WORKFLOW).build());
  }

  private static StreamRequest request() {
    MigrationSpec spec =
        new MigrationSpec(
            "wf-test",
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
    // no parent runs here: the stream's reports to it fail and are logged, as after its end
    return new StreamRequest(
        "wf-test",
        spec,
        "migration/wf-test",
        "c0",
        "studio_wf_test",
        "pg:0/100",
        "migration-wf-test",
        null,
        null);
  }

  private void awaitSlices(int n) throws InterruptedException {
    for (int i = 0; i < 2400 && fake.slices.get() < n; i++) {
      Thread.sleep(25);
    }
    assertTrue(fake.slices.get() >= n, "slices: " + fake.slices.get());
  }

  /** With -Dstudio.recordStreamHistory=DIR: the first run's history for the replay test. */
  private static void record(WorkflowExecutionHistory history, String file) throws Exception {
    String dir = System.getProperty("studio.recordStreamHistory");
    if (dir != null) {
      java.nio.file.Files.writeString(java.nio.file.Path.of(dir, file), history.toJson(true));
    }
  }

  /** Slices that apply nothing and return at once; a stop sent from inside slice {@code stopAt}. */
  static final class Slices implements StreamActivities {
    final AtomicInteger slices = new AtomicInteger();
    final AtomicInteger measures = new AtomicInteger();
    private final WorkflowClient client;
    volatile int stopAtSlice = -1;
    volatile int pauseAtSlice = -1;

    Slices(WorkflowClient client) {
      this.client = client;
    }

    @Override
    public StreamProgress applySlice(StreamSlice slice) {
      int n = slices.incrementAndGet();
      if (n == stopAtSlice) {
        client.newWorkflowStub(ChangeStreamWorkflow.class, ID).stop("cutover: drain");
      }
      if (n == pauseAtSlice) {
        client.newWorkflowStub(ChangeStreamWorkflow.class, ID).control(new CopyControl(true, null));
      }
      return progress(slice, n, 0, true, null);
    }

    @Override
    public StreamProgress measureStream(StreamSlice slice) {
      return progress(slice, slices.get(), measures.incrementAndGet(), false, 4096L);
    }

    private static StreamProgress progress(
        StreamSlice slice, int applied, int measured, boolean caughtUp, Long retained) {
      return new StreamProgress(
          slice.capture(),
          "pg:0/" + Integer.toHexString(0x100 + applied),
          "pg:0/" + Integer.toHexString(0x100 + applied + measured),
          measured,
          1000L * measured,
          applied,
          applied,
          0,
          Map.of(),
          caughtUp,
          0,
          null,
          retained,
          null);
    }

    @Override
    public CaptureStarted prepareCapture(StageRequest request) {
      throw new UnsupportedOperationException("not in this test");
    }

    @Override
    public StageResult recordStream(StreamEvidence evidence) {
      throw new UnsupportedOperationException("not in this test");
    }

    @Override
    public void dropCapture(CaptureDrop drop) {
      throw new UnsupportedOperationException("not in this test");
    }
  }
}
