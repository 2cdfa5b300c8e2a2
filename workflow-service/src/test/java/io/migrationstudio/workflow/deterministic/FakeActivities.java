package io.migrationstudio.workflow.deterministic;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.activity.ApprovedStage;
import io.migrationstudio.contracts.activity.AssessmentActivities;
import io.migrationstudio.contracts.activity.CaptureDrop;
import io.migrationstudio.contracts.activity.CaptureStarted;
import io.migrationstudio.contracts.activity.ChunkBatchRequest;
import io.migrationstudio.contracts.activity.ChunkBatchResult;
import io.migrationstudio.contracts.activity.ChunkRange;
import io.migrationstudio.contracts.activity.ChunkRequest;
import io.migrationstudio.contracts.activity.ChunkResult;
import io.migrationstudio.contracts.activity.CommitResult;
import io.migrationstudio.contracts.activity.CutoverActivities;
import io.migrationstudio.contracts.activity.EvidenceActivities;
import io.migrationstudio.contracts.activity.FreshnessResult;
import io.migrationstudio.contracts.activity.GateEvidence;
import io.migrationstudio.contracts.activity.LoadFailure;
import io.migrationstudio.contracts.activity.MappingActivities;
import io.migrationstudio.contracts.activity.MigrateActivities;
import io.migrationstudio.contracts.activity.MigratePlan;
import io.migrationstudio.contracts.activity.OpenRequest;
import io.migrationstudio.contracts.activity.OpenResult;
import io.migrationstudio.contracts.activity.RecordCancelRequest;
import io.migrationstudio.contracts.activity.RecordGateRequest;
import io.migrationstudio.contracts.activity.RecordReviewRequest;
import io.migrationstudio.contracts.activity.RepairPlan;
import io.migrationstudio.contracts.activity.StageRequest;
import io.migrationstudio.contracts.activity.StageResult;
import io.migrationstudio.contracts.activity.StreamActivities;
import io.migrationstudio.contracts.activity.StreamEvidence;
import io.migrationstudio.contracts.activity.StreamSlice;
import io.migrationstudio.contracts.activity.SummaryRequest;
import io.migrationstudio.contracts.activity.TablePlan;
import io.migrationstudio.contracts.activity.ValidationActivities;
import io.migrationstudio.contracts.workflow.ArtifactRef;
import io.migrationstudio.contracts.workflow.StreamProgress;
import io.migrationstudio.contracts.workflow.Verdict;
import io.temporal.activity.Activity;
import io.temporal.failure.ApplicationFailure;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * In-memory stand-ins for the activities: a branch is a list of commit ids, every write appends
 * one. They record calls so tests can assert what the workflow asked for. Database and git
 * behaviour is tested against the real things in the workers' and core's integration tests.
 */
class FakeActivities
    implements EvidenceActivities,
        AssessmentActivities,
        MappingActivities,
        MigrateActivities,
        ValidationActivities,
        CutoverActivities,
        StreamActivities {

  /** Apply slices run by the change stream (online migrations); caught up from the second on. */
  final AtomicInteger slices = new AtomicInteger();

  /** The capture's creation and the chunk copies, in the order they ran. */
  final List<String> copyOrder = Collections.synchronizedList(new ArrayList<>());

  final List<String> branchCommits = Collections.synchronizedList(new ArrayList<>());
  final List<String> calls = Collections.synchronizedList(new ArrayList<>());
  final Map<Stage, Verdict> verdicts = new ConcurrentHashMap<>();
  final Set<String> copiedChunks = ConcurrentHashMap.newKeySet();
  final AtomicInteger chunkAttempts = new AtomicInteger();
  volatile List<ApprovedStage> approvedEarlier = List.of();

  /**
   * When the hypercare of an earlier run began ({@code 06-hypercare/hypercare.json}); null: none.
   */
  volatile Long hypercareEarlier;

  /** The gate the branch shows waiting when the migration is (re-)opened; null: none. */
  volatile GateEvidence awaitingEarlier;

  /** Every gate recorded on the branch. */
  final List<GateEvidence> gates = Collections.synchronizedList(new ArrayList<>());

  /** Workflow time passed to each validate call (what validation.json would record). */
  final List<Long> validatedAt = Collections.synchronizedList(new ArrayList<>());

  final List<Long> executedAt = Collections.synchronizedList(new ArrayList<>());

  /** The spec each executeCutover call was given (cutover.rollback as the workflow pinned it). */
  final List<io.migrationstudio.contracts.spec.MigrationSpec> executedSpecs =
      Collections.synchronizedList(new ArrayList<>());

  /** Whether checkFreshness finds the chunk ledger as the newest report recorded it. */
  volatile boolean ledgerUnchanged = true;

  /** Verdicts of the regression tester after the first one (re-validations); else verdicts. */
  volatile Verdict revalidationVerdict;

  /** What planRepair proposes: these chunks of album and track; repairable unless cleared. */
  volatile boolean repairable = true;

  final List<RepairPlan.RepairChunk> plannedRepair =
      List.of(
          new RepairPlan.RepairChunk("album", new ChunkRange(1, "100", "200")),
          new RepairPlan.RepairChunk("track", new ChunkRange(2, "200", null)));

  /** The commit of the last repair plan, and the chunk requests that were forced. */
  volatile String repairPlanCommit;

  final List<ChunkRequest> forcedChunks = Collections.synchronizedList(new ArrayList<>());

  /** When set, the first copyChunk attempt blocks on it (to kill its worker mid-stage). */
  volatile CountDownLatch blockFirstChunk;

  /**
   * When set, each copyChunk attempt asks it first: a non-null result is returned, an exception is
   * the attempt's failure, null copies as usual.
   */
  volatile java.util.function.Function<ChunkRequest, ChunkResult> chunkHook;

  /** Chunks planned per table by prepareTarget (3: the ranges the recorded histories hold). */
  volatile int chunksPerTable = 3;

  /** Whether a stoppable batch asks its table copy before each chunk (as the worker's does). */
  volatile boolean askHeld = true;

  /** Every copyChunks request's chunk indexes, in the order they came. */
  final List<List<Integer>> chunkBatches = Collections.synchronizedList(new ArrayList<>());

  /** Every recordFailedLoad request (the run.json of a failed copy). */
  final List<LoadFailure> failedLoads = Collections.synchronizedList(new ArrayList<>());

  private final AtomicInteger counter = new AtomicInteger();

  /** Appends a commit to the fake branch and returns its id. */
  String newCommit() {
    String id = String.format("%040x", 0xc0ffee000L + counter.incrementAndGet());
    branchCommits.add(id);
    return id;
  }

  private StageResult result(Stage stage, String role, String path, Verdict verdict) {
    String c = newCommit();
    calls.add(role);
    return new StageResult(
        stage, role, c, List.of(new ArtifactRef(path, c)), verdict, role + " done");
  }

  @Override
  public OpenResult openMigration(OpenRequest request) {
    calls.add("open");
    return new OpenResult(
        "migrations/" + request.migrationId(),
        newCommit(),
        approvedEarlier,
        approvedEarlier.size(),
        awaitingEarlier,
        hypercareEarlier);
  }

  @Override
  public OpenResult openValidation(OpenRequest request) {
    calls.add("open-validation");
    return new OpenResult("validations/" + request.migrationId(), newCommit(), List.of(), 0);
  }

  /** The signed reviews committed (the verified signature of each). */
  final List<io.migrationstudio.contracts.activity.ReviewCheck> signedReviews =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  /** The real verifier: the keys are the spec's, the signatures made in the test. */
  @Override
  public io.migrationstudio.contracts.activity.ReviewCheck verifyReview(
      io.migrationstudio.contracts.activity.VerifyReviewRequest request) {
    calls.add("verify-review:" + request.review().reviewer());
    return new io.migrationstudio.core.identity.ReviewVerifier()
        .check(request.migrationId(), request.spec(), request.review());
  }

  @Override
  public CommitResult recordReview(RecordReviewRequest request) {
    calls.add("review:" + request.review().stage().key() + ":" + request.review().decision());
    if (request.signed() != null) {
      signedReviews.add(request.signed());
    }
    String c = newCommit();
    return new CommitResult(
        new ArtifactRef(
            String.format(
                "reviews/%02d-%s-%s.json",
                request.review().sequence(),
                request.review().stage().key(),
                request.review().decision().name().toLowerCase()),
            c),
        c);
  }

  @Override
  public CommitResult recordGate(RecordGateRequest request) {
    GateEvidence g = request.gate();
    calls.add("gate:" + g.stage().key() + ":" + g.commit());
    gates.add(g);
    String c = newCommit();
    return new CommitResult(new ArtifactRef("gates/" + g.stage().key() + ".json", c), c);
  }

  /** Every cancel recorded on the branch. */
  final List<RecordCancelRequest> cancels = Collections.synchronizedList(new ArrayList<>());

  @Override
  public CommitResult recordCancel(RecordCancelRequest request) {
    calls.add("cancel-record");
    cancels.add(request);
    String c = newCommit();
    return new CommitResult(new ArtifactRef("cancel.json", c), c);
  }

  @Override
  public CommitResult writePullRequest(SummaryRequest request) {
    pullRequests.add(request.status());
    String c = newCommit();
    return new CommitResult(new ArtifactRef("PULL_REQUEST.md", c), c);
  }

  @Override
  public String verifyCommit(StageRequest request) {
    calls.add("verify:" + request.commit());
    if (!branchCommits.contains(request.commit())) {
      throw ApplicationFailure.newNonRetryableFailure(
          "commit " + request.commit() + " is not on " + request.branch(),
          ErrorCode.INVALID_COMMIT.name());
    }
    return request.commit();
  }

  private Verdict verdict(Stage s) {
    return verdicts.getOrDefault(s, Verdict.PASS);
  }

  @Override
  public StageResult inventory(StageRequest r) {
    return result(Stage.ASSESSMENT, "inventory", "01-assessment/inventory.json", null);
  }

  @Override
  public StageResult assessRisks(StageRequest r) {
    return result(
        Stage.ASSESSMENT, "risk-assessor", "01-assessment/risks.json", verdict(Stage.ASSESSMENT));
  }

  @Override
  public StageResult generateMapping(StageRequest r) {
    return result(Stage.MAPPING, "schema-mapper", "02-mapping/mapping.yaml", null);
  }

  @Override
  public StageResult reviewCompatibility(StageRequest r) {
    calls.add("check-mapping-at:" + r.commit());
    return result(
        Stage.MAPPING,
        "compatibility-reviewer",
        "02-mapping/compatibility.json",
        verdict(Stage.MAPPING));
  }

  @Override
  public MigratePlan prepareTarget(StageRequest r) {
    calls.add("prepare");
    List<ChunkRange> ranges = new ArrayList<>();
    int n = chunksPerTable;
    for (int i = 0; i < n; i++) {
      ranges.add(
          new ChunkRange(
              i,
              i == 0 ? null : String.valueOf(i * 100),
              i == n - 1 ? null : String.valueOf(i * 100 + 100)));
    }
    return new MigratePlan(
        newCommit(),
        List.of(
            new TablePlan("album", "album", 300, ranges),
            new TablePlan("track", "track", 300, ranges)));
  }

  @Override
  public ChunkResult copyChunk(ChunkRequest r) {
    chunkAttempts.incrementAndGet();
    copyOrder.add("chunk");
    CountDownLatch block = blockFirstChunk;
    if (block != null) {
      blockFirstChunk = null;
      Activity.getExecutionContext().heartbeat("started");
      try {
        block.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException("worker killed");
    }
    var hook = chunkHook;
    if (hook != null) {
      ChunkResult hooked = hook.apply(r);
      if (hooked != null) {
        return hooked;
      }
    }
    if (r.force()) {
      forcedChunks.add(r);
    }
    boolean already = !copiedChunks.add(r.idempotencyKey());
    return new ChunkResult(r.sourceTable(), r.chunk().index(), 100, "h", 1, already);
  }

  @Override
  public ChunkBatchResult copyChunks(ChunkBatchRequest r) {
    chunkBatches.add(r.chunks().stream().map(ChunkRange::index).toList());
    List<ChunkResult> out = new ArrayList<>();
    for (ChunkRange c : r.chunks()) {
      if (r.stopWhenPaused() && askHeld && copyHeld()) {
        break; // as the worker's batch: stopped between two chunks, the rest left for the resume
      }
      out.add(copyChunk(r.chunk(c)));
    }
    return new ChunkBatchResult(out);
  }

  /** What the worker's batch asks before each chunk: whether its table copy holds its chunks. */
  private static boolean copyHeld() {
    var ctx = Activity.getExecutionContext();
    return ctx.getWorkflowClient()
        .newWorkflowStub(
            io.migrationstudio.contracts.workflow.TableCopyWorkflow.class,
            ctx.getInfo().getWorkflowId())
        .currentControl()
        .paused();
  }

  @Override
  public void buildTableIndexes(io.migrationstudio.contracts.activity.TableLoadRequest r) {
    calls.add("indexes:" + r.sourceTable());
  }

  @Override
  public StageResult finishLoad(StageRequest r) {
    return result(Stage.MIGRATE, "migration-engineer", "03-migrate/run.json", null);
  }

  @Override
  public StageResult recordFailedLoad(LoadFailure f) {
    failedLoads.add(f);
    calls.add("record-failed-load:" + f.sourceTable());
    String c = newCommit();
    return new StageResult(
        Stage.MIGRATE,
        "migration-engineer",
        c,
        List.of(new ArtifactRef("03-migrate/run.json", c), new ArtifactRef("03-migrate/run.md", c)),
        Verdict.FAIL,
        "copy failed in table " + f.sourceTable() + ": " + f.reason());
  }

  @Override
  public StageResult dryRun(StageRequest r) {
    return result(Stage.MIGRATE, "dry-run", "03-migrate/dry-run-report.md", null);
  }

  @Override
  public StageResult checkIntegration(StageRequest r) {
    return result(
        Stage.MIGRATE, "integration-tester", "03-migrate/integration.json", verdict(Stage.MIGRATE));
  }

  @Override
  public StageResult validate(StageRequest r) {
    validatedAt.add(r.stageStartedAtMillis());
    return result(Stage.VALIDATION, "validator", "04-validation/validation.json", null);
  }

  @Override
  public StageResult replayRegression(StageRequest r) {
    Verdict again = revalidationVerdict;
    return result(
        Stage.VALIDATION,
        "regression-tester",
        "04-validation/regression.json",
        again != null && validatedAt.size() > 1 ? again : verdict(Stage.VALIDATION));
  }

  @Override
  public RepairPlan planRepair(StageRequest r) {
    calls.add("plan-repair");
    String c = newCommit();
    repairPlanCommit = c;
    boolean ok = repairable;
    return new RepairPlan(
        c,
        ok ? plannedRepair : List.of(),
        ok,
        ok ? "re-copy 2 chunks of 2 tables" : "no repair: a missing index",
        List.of(new ArtifactRef("04-validation/repair-plan.json", c)));
  }

  @Override
  public FreshnessResult checkFreshness(StageRequest r) {
    calls.add("check-freshness");
    if (validatedAt.isEmpty()) {
      return new FreshnessResult(null, null, false, "no validation.json");
    }
    boolean same = ledgerUnchanged;
    return new FreshnessResult(
        validatedAt.get(validatedAt.size() - 1),
        branchCommits.get(branchCommits.size() - 1),
        same,
        same ? "ledger unchanged" : "the chunk ledger changed since the report");
  }

  @Override
  public StageResult planCutover(StageRequest r) {
    return result(Stage.CUTOVER, "cutover-coordinator", "05-cutover/runbook.md", null);
  }

  @Override
  public StageResult drillRollback(StageRequest r) {
    calls.add("drill-rollback");
    return result(
        Stage.CUTOVER, "rollback-engineer", "05-cutover/drill.json", verdict(Stage.CUTOVER));
  }

  /** The status each PULL_REQUEST.md was rendered from, in order. */
  final List<io.migrationstudio.contracts.workflow.MigrationStatus> pullRequests =
      Collections.synchronizedList(new ArrayList<>());

  /** Verdicts of the drills after the cutover approval, in order; then PASS. */
  final java.util.Deque<Verdict> drillVerdicts = new java.util.concurrent.ConcurrentLinkedDeque<>();

  /** When set, the drill (and, separately, the execution) of the cutover waits for it first. */
  volatile CountDownLatch holdDrill;

  volatile CountDownLatch holdExecution;

  private void hold(String step, CountDownLatch latch) {
    if (latch == null) {
      return;
    }
    calls.add(step + "-held");
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public StageResult planDrill(StageRequest r) {
    calls.add("plan-drill");
    return result(Stage.CUTOVER, "rollback-engineer", "05-cutover/drill-plan.md", Verdict.PASS);
  }

  @Override
  public StageResult drillAfterApproval(StageRequest r) {
    hold("drill", holdDrill);
    calls.add("drill");
    Verdict v = drillVerdicts.poll();
    return result(
        Stage.CUTOVER, "rollback-engineer", "05-cutover/drill.json", v == null ? Verdict.PASS : v);
  }

  @Override
  public StageResult executeCutover(StageRequest r) {
    hold("execute-cutover", holdExecution);
    calls.add("execute-cutover");
    executedAt.add(r.stageStartedAtMillis());
    executedSpecs.add(r.spec());
    return result(
        Stage.CUTOVER, "cutover-coordinator", "05-cutover/cutover-log.json", Verdict.PASS);
  }

  // --- change stream (online migrations) ---

  @Override
  public CaptureStarted prepareCapture(StageRequest r) {
    calls.add("prepare-capture");
    copyOrder.add("prepare-capture");
    return new CaptureStarted("studio_wf_test", "pg:0/100");
  }

  @Override
  public StreamProgress applySlice(StreamSlice slice) {
    int n = slices.incrementAndGet();
    calls.add("slice");
    try {
      Thread.sleep(20); // a slice takes time: the loop must not spin
      // long slices: heartbeat a batch every 50 ms for up to 20 s, until cancelled
      for (int i = 0; longSlices && i < 400; i++) {
        io.temporal.activity.Activity.getExecutionContext().heartbeat(n);
        if (i == 0) {
          longSlicesStarted.incrementAndGet();
        }
        Thread.sleep(50);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (io.temporal.client.ActivityCompletionException e) {
      calls.add("slice-cancelled");
      throw e;
    }
    return new StreamProgress(
        slice.capture(),
        "pg:0/" + Integer.toHexString(0x100 + n),
        "pg:0/" + Integer.toHexString(0x100 + n),
        0,
        n > 1 ? 0 : 9000,
        n,
        2L * n,
        10,
        Map.of("album", (long) n, "track", (long) n),
        n > 1,
        System.currentTimeMillis(),
        null,
        null,
        null);
  }

  /** Whether slices run for seconds, heartbeating (a pause then cancels one mid-slice). */
  volatile boolean longSlices;

  /** Slices that went long (heartbeated once with {@link #longSlices} set). */
  final AtomicInteger longSlicesStarted = new AtomicInteger();

  /** Measures of a paused stream. */
  final AtomicInteger measures = new AtomicInteger();

  @Override
  public StreamProgress measureStream(StreamSlice slice) {
    int n = measures.incrementAndGet();
    calls.add("measure");
    int applied = slices.get();
    return new StreamProgress(
        slice.capture(),
        "pg:0/" + Integer.toHexString(0x100 + applied),
        "pg:0/" + Integer.toHexString(0x200 + n),
        0x100 + n - applied,
        1000L * n,
        applied,
        2L * applied,
        0,
        Map.of(),
        false,
        System.currentTimeMillis(),
        null,
        4096L * n,
        null);
  }

  @Override
  public StageResult recordStream(StreamEvidence e) {
    return result(
        Stage.MIGRATE,
        "stream-recorder",
        "03-migrate/cdc.json",
        e.progress().caughtUp() ? Verdict.PASS : Verdict.FAIL);
  }

  @Override
  public void dropCapture(CaptureDrop drop) {
    calls.add("drop-capture:" + drop.capture());
  }
}
