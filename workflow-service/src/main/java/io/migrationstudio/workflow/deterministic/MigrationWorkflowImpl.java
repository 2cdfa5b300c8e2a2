package io.migrationstudio.workflow.deterministic;

import static io.migrationstudio.workflow.deterministic.Messages.rootMessage;
import static io.migrationstudio.workflow.deterministic.Messages.shortId;

import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.TaskQueues;
import io.migrationstudio.contracts.activity.ApprovedStage;
import io.migrationstudio.contracts.activity.AssessmentActivities;
import io.migrationstudio.contracts.activity.CutoverActivities;
import io.migrationstudio.contracts.activity.EvidenceActivities;
import io.migrationstudio.contracts.activity.GateEvidence;
import io.migrationstudio.contracts.activity.MappingActivities;
import io.migrationstudio.contracts.activity.OpenRequest;
import io.migrationstudio.contracts.activity.OpenResult;
import io.migrationstudio.contracts.activity.StageRequest;
import io.migrationstudio.contracts.activity.StageResult;
import io.migrationstudio.contracts.activity.SummaryRequest;
import io.migrationstudio.contracts.activity.ValidationActivities;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.workflow.ArtifactRef;
import io.migrationstudio.contracts.workflow.ChunkCopied;
import io.migrationstudio.contracts.workflow.ChunksCopied;
import io.migrationstudio.contracts.workflow.ControlRecord;
import io.migrationstudio.contracts.workflow.ControlRequest;
import io.migrationstudio.contracts.workflow.MigrationInput;
import io.migrationstudio.contracts.workflow.MigrationOutcome;
import io.migrationstudio.contracts.workflow.MigrationState;
import io.migrationstudio.contracts.workflow.MigrationStatus;
import io.migrationstudio.contracts.workflow.MigrationWorkflow;
import io.migrationstudio.contracts.workflow.Review;
import io.migrationstudio.contracts.workflow.ReviewRecord;
import io.migrationstudio.contracts.workflow.StreamProgress;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;

/**
 * The lifecycle of one migration, as a stage loop. Deterministic by construction: all I/O is in
 * activities, time comes from {@link Workflow#currentTimeMillis()}, and only references (paths and
 * commits, chunk counts and hashes) pass through history.
 *
 * <p>Per stage: the producer runs, then the checker on the producer's commit, then the {@link
 * ReviewGate}; a REQUEST_CHANGES sends the revised commit back to the checker. A stage approved in
 * an earlier run (review files on the branch) is skipped, so re-running a migration resumes from
 * the evidence. The jobs around the loop are collaborators owned by the workflow: the {@link
 * StageBoard} and {@link StatusLine} the status query shows, the {@link ReviewGate}, the {@link
 * MigrateStage} (copy fan-outs, dry run, a failed table), the {@link ValidationRepair} and the
 * {@link CutoverDrill} with its {@link CutoverGuard}.
 */
public class MigrationWorkflowImpl implements MigrationWorkflow {
  private static final Logger log = Workflow.getLogger(MigrationWorkflowImpl.class);

  private final EvidenceActivities evidence =
      Workflow.newActivityStub(EvidenceActivities.class, ActivityOptionsCatalog.evidence());
  private final AssessmentActivities assessment =
      Workflow.newActivityStub(
          AssessmentActivities.class, ActivityOptionsCatalog.stage(TaskQueues.ASSESSMENT));
  private final MappingActivities mapping =
      Workflow.newActivityStub(
          MappingActivities.class, ActivityOptionsCatalog.stage(TaskQueues.ASSESSMENT));
  private final ValidationActivities validation =
      Workflow.newActivityStub(
          ValidationActivities.class, ActivityOptionsCatalog.stage(TaskQueues.VALIDATION));
  private final CutoverActivities cutover =
      Workflow.newActivityStub(CutoverActivities.class, ActivityOptionsCatalog.cutover());

  // --- state read by the status query and the review handlers ---
  private MigrationSpec spec;
  private String migrationId;
  private String branch;
  private final StatusLine status = new StatusLine();
  private StageBoard board = new StageBoard();
  private final ReviewGate gate = new ReviewGate(status);
  private final CopyProgress copy = new CopyProgress();
  private final RunControl controls = new RunControl(status);

  // --- the stage loop's collaborators, made once the migration is open ---
  private RunContext run;
  private ChangeStream stream;
  private GateEvidence awaiting;
  private MigrateStage migrate;
  private ValidationRepair repair;
  private HypercareStage hypercare;
  private ReverseReplication reverse;
  private CutoverDrill drill;

  @Override
  public MigrationOutcome run(MigrationInput input) {
    spec = input.spec();
    migrationId = spec.id();
    branch = TaskQueues.branch(migrationId);
    board = controls.watches(StageBoard.pending(spec.reviews()::gate));
    try {
      return controls.cancellable(
          () -> {
            OpenResult open =
                evidence.openMigration(new OpenRequest(migrationId, spec, input.specText()));
            opened(open);
            return runStages(open);
          });
    } catch (CanceledFailure e) {
      return cancelled();
    } catch (ActivityFailure e) {
      if (controls.cancelling()) {
        return cancelled();
      }
      Stage stage = status.stage();
      String reason = rootMessage(e);
      board.set(stage, StagePhase.FAILED, null, null, reason);
      log.warn("migration {} failed in {}: {}", migrationId, stage, reason);
      return finish(MigrationState.FAILED, (stage == null ? "start" : stage.key()) + ": " + reason);
    } catch (ChildWorkflowFailure e) {
      if (controls.cancelling()) {
        return cancelled();
      }
      return finish(MigrationState.FAILED, migrate.childFailed(e));
    }
  }

  /** Cancelled: outside the cancelled scope, the cancel is recorded and the migration ends. */
  private MigrationOutcome cancelled() {
    List<MigrationOutcome> out = new ArrayList<>(1);
    Workflow.newDetachedCancellationScope(
            () -> {
              String why = controls.cancelled(run);
              board.set(status.stage(), StagePhase.CANCELLED, null, null, why);
              out.add(finish(MigrationState.CANCELLED, why));
            })
        .run();
    return out.get(0);
  }

  private void opened(OpenResult open) {
    branch = open.branch();
    run = new RunContext(spec, migrationId, branch);
    gate.open(run, board, open);
    awaiting = open.awaiting();
    stream = new ChangeStream(run, status);
    controls.follows(stream);
    migrate = new MigrateStage(run, board, status, copy, stream, controls);
    repair = new ValidationRepair(run, board, status, gate);
    hypercare = new HypercareStage(run, board, status, gate);
    reverse = new ReverseReplication(run, status, board, controls);
    drill = new CutoverDrill(run, board, status, gate, stream, this::writeSummary, open);
    board.put(new ArtifactRef("migration.yaml", open.specCommit()));
  }

  /** Every stage in order, from the spec's commit; the outcome once one ends the migration. */
  private MigrationOutcome runStages(OpenResult open) {
    Map<Stage, ApprovedStage> approved = new EnumMap<>(Stage.class);
    open.approved().forEach(a -> approved.put(a.stage(), a));
    String base = open.specCommit();
    for (Stage s : HypercareStage.BEFORE) { // the decommission follows the hypercare, below
      status.stage(s);
      ApprovedStage earlier = approved.get(s);
      if (earlier != null && s != Stage.CUTOVER) {
        skip(earlier);
        stream.resumeAfter(s, run.request(base, Workflow.currentTimeMillis()), open);
        base = earlier.commit();
        continue;
      }
      Optional<String> approvedCommit =
          earlier != null ? Optional.of(earlier.commit()) : runStage(s, base);
      if (approvedCommit.isEmpty()) {
        return finish(MigrationState.REJECTED, s.key() + " was rejected");
      }
      base = approvedCommit.get();
      if (s == Stage.CUTOVER && !hypercare.resumed(earlier, open)) { // else: in hypercare
        Optional<String> refused = drill.guardAndExecute(reverse.pin(spec), base);
        if (refused.isPresent()) {
          return finish(MigrationState.FAILED, refused.get());
        }
      }
      writeSummary();
      if (s == Stage.MIGRATE && migrate.dryRunning()) {
        return finish(
            MigrationState.COMPLETED,
            "dry run: the Migrate stage read and checked every row and wrote nothing; see"
                + " 03-migrate/dry-run-report.md");
      }
    }
    return hypercare.afterSwitch(
        reverse, base, open, approved.get(Stage.DECOMMISSION), this::finish);
  }

  /** Producer, checker, gate; returns the approved commit, or empty when rejected. */
  private Optional<String> runStage(Stage s, String base) {
    long started = Workflow.currentTimeMillis();
    board.set(s, StagePhase.RUNNING, null, null, "producer " + s.producerRole());
    status.say(s.key() + ": " + s.producerRole() + " at work");
    status.state(MigrationState.RUNNING);
    StageRequest request = run.request(base, started);
    Optional<StageResult> resumed = resumedAtGate(s);
    String underCheck = resumed.isPresent() ? null : produce(s, request).commit();
    while (true) {
      Optional<StageResult> gated = resumed;
      if (resumed.isEmpty()) {
        board.set(s, StagePhase.CHECKING, null, underCheck, "checker " + s.checkerRole());
        status.say(s.key() + ": " + s.checkerRole() + " checking " + shortId(underCheck));
        StageResult checked = check(s, run.request(underCheck, started));
        board.record(checked);
        gated = repair.afterCheck(s, request, checked);
      }
      resumed = Optional.empty();
      if (gated.isEmpty()) {
        return Optional.empty();
      }
      ReviewGate.Outcome outcome = gate.decide(s, gated.get());
      switch (outcome.decision()) {
        case APPROVE -> {
          return Optional.of(outcome.commit());
        }
        case REJECT -> {
          return Optional.empty();
        }
        case REQUEST_CHANGES -> underCheck = outcome.commit();
      }
    }
  }

  /** The gate of {@code s} that waited when the earlier run stopped (see ReviewGate#resumed). */
  private Optional<StageResult> resumedAtGate(Stage s) {
    GateEvidence waiting = awaiting;
    awaiting = null;
    return gate.resumed(s, waiting);
  }

  private StageResult produce(Stage s, StageRequest request) {
    StageResult produced = producer(s, request);
    board.record(produced);
    return produced;
  }

  private StageResult producer(Stage s, StageRequest request) {
    return switch (s) {
      case ASSESSMENT -> assessment.inventory(request);
      case MAPPING -> mapping.generateMapping(request);
      case MIGRATE -> migrate.produce(request);
      case VALIDATION -> validation.validate(request);
      case CUTOVER -> cutover.planCutover(request);
      case DECOMMISSION -> throw new IllegalStateException("decommission runs after the hypercare");
    };
  }

  private StageResult check(Stage s, StageRequest request) {
    return switch (s) {
      case ASSESSMENT -> assessment.assessRisks(request);
      case MAPPING -> mapping.reviewCompatibility(request);
      case MIGRATE -> migrate.check(request);
      case VALIDATION -> validation.replayRegression(request);
      case CUTOVER -> drill.check(request);
      case DECOMMISSION -> throw new IllegalStateException("decommission runs after the hypercare");
    };
  }

  private void skip(ApprovedStage earlier) {
    earlier.artifacts().forEach(board::put);
    board.set(
        earlier.stage(), StagePhase.SKIPPED, null, earlier.commit(), "approved in an earlier run");
  }

  private void writeSummary() {
    evidence.writePullRequest(new SummaryRequest(migrationId, spec, branch, status()));
  }

  private MigrationOutcome finish(MigrationState end, String why) {
    ChangeStream.end(stream, end, why); // online: stop the stream, drop the capture
    ReverseReplication.end(reverse, end, why); // after a switch: the reverse stream's too
    status.state(end);
    status.say(why);
    gate.close();
    return Endings.finish(evidence, new RunContext(spec, migrationId, branch), status(), end, why);
  }

  // --- handlers: the gate takes reviews, the copy progress takes the children's signals ---

  @Override
  public void chunkCopied(ChunkCopied p) {
    if (copy.chunkSignalled(p)) {
      status.say(copy.message());
    }
  }

  @Override
  public void chunksCopied(ChunksCopied batch) {
    boolean changed = false;
    for (ChunkCopied p : batch.chunks()) {
      changed |= copy.chunkSignalled(p);
    }
    if (changed) {
      status.say(copy.message());
    }
  }

  @Override
  public void streamProgress(StreamProgress p) {
    if (stream != null) {
      stream.progressed(p);
    }
  }

  @Override
  public void reverseProgress(StreamProgress p) {
    ReverseReplication.progressed(reverse, p);
  }

  @Override
  public ControlRecord control(ControlRequest request) {
    return controls.accept(request);
  }

  @Override
  public void validateControl(ControlRequest request) {
    controls.validate(request);
  }

  @Override
  public ReviewRecord review(Review review) {
    return gate.accept(review);
  }

  @Override
  public void validateReview(Review review) {
    gate.validate(review);
  }

  @Override
  public void reviewSignal(Review review) {
    gate.signal(review);
  }

  @Override
  public MigrationStatus status() {
    MigrationState state = status.state();
    return new MigrationStatus(
        migrationId,
        branch,
        status.stage(),
        state,
        state == MigrationState.AWAITING_REVIEW ? gate.reviewCommit() : null,
        board.stages(),
        board.artifacts(),
        gate.reviews(),
        copy.progress(),
        controls.describe(status.shown(spec == null ? null : spec.migrate())),
        MigrationStatus.KIND_MIGRATION,
        Workflow.getInfo().getWorkflowId(),
        stream == null ? null : stream.latest(),
        reverse == null ? null : reverse.latest(),
        hypercare == null ? null : hypercare.status());
  }
}
