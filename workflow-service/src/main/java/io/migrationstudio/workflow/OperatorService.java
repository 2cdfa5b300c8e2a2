package io.migrationstudio.workflow;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.TaskQueues;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.workflow.ControlAction;
import io.migrationstudio.contracts.workflow.ControlRecord;
import io.migrationstudio.contracts.workflow.ControlRequest;
import io.migrationstudio.contracts.workflow.MigrationInput;
import io.migrationstudio.contracts.workflow.MigrationOutcome;
import io.migrationstudio.contracts.workflow.MigrationState;
import io.migrationstudio.contracts.workflow.MigrationStatus;
import io.migrationstudio.contracts.workflow.MigrationWorkflow;
import io.migrationstudio.contracts.workflow.Review;
import io.migrationstudio.contracts.workflow.ReviewRecord;
import io.migrationstudio.contracts.workflow.ValidationWorkflow;
import io.migrationstudio.core.git.ArtifactStore;
import io.migrationstudio.core.spec.AutoApproval;
import io.migrationstudio.core.spec.SpecException;
import io.migrationstudio.core.spec.SpecLoader;
import io.migrationstudio.core.spec.SpecProblem;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.ListClosedWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListOpenWorkflowExecutionsRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowQueryException;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.failure.ApplicationFailure;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What operators and approvers can do, independent of the transport: the gRPC endpoint and the
 * in-process CLI both call this. It validates specs before anything starts, starts one workflow per
 * migration, answers status from the workflow's query and reads artifacts from git.
 */
public final class OperatorService {
  private final WorkflowClient client;
  private final ArtifactStore store;
  private final DriveLocks locks;

  public OperatorService(WorkflowClient client, ArtifactStore store) {
    this(client, store, DriveLocks.NONE);
  }

  /**
   * With the {@code locks} of this process: every migration it starts (or re-creates) is locked to
   * it while its workflow runs, see {@link DriveLocks}.
   */
  public OperatorService(WorkflowClient client, ArtifactStore store, DriveLocks locks) {
    this.client = client;
    this.store = store;
    this.locks = locks == null ? DriveLocks.NONE : locks;
  }

  /** A started migration. */
  public record Started(String migrationId, String workflowId, String branch) {}

  /**
   * Parses and checks a spec (every gate problem listed, with any {@code --auto-approve} that would
   * bypass an external gate's approvers, see {@link AutoApproval}), applies the auto-approval;
   * starts nothing.
   */
  public static MigrationSpec prepare(String specText, AutoApproval autoApprove) {
    MigrationSpec spec = SpecLoader.parse(specText);
    List<SpecProblem> problems = new ArrayList<>(autoApprove.problems(spec));
    problems.addAll(SpecLoader.problemsForGates(spec, autoApprove.stages(spec)));
    if (!problems.isEmpty()) {
      throw new SpecException(problems);
    }
    return autoApprove.applyTo(spec);
  }

  /** Starts a migration; refuses an invalid spec or a migration already running. */
  public Started start(String specText, AutoApproval autoApprove) {
    return start(prepare(specText, autoApprove), specText);
  }

  /** As {@link #start(String, AutoApproval)} with these stages named one by one. */
  public Started start(String specText, Set<Stage> autoApprove) {
    return start(specText, AutoApproval.of(autoApprove));
  }

  /**
   * As {@link #start(String, AutoApproval)}, with the client's {@code token} (blank: one per call)
   * that makes the client's repeated call after a timeout the same start.
   */
  public Started start(String specText, AutoApproval autoApprove, String token) {
    MigrationSpec spec = prepare(specText, autoApprove);
    return token == null || token.isBlank() ? start(spec, specText) : start(spec, specText, token);
  }

  /**
   * Starts the migration of an already checked {@code spec} (its gates as they apply), with the
   * operator's {@code specText}; refuses a migration already running.
   */
  Started start(MigrationSpec spec, String specText) {
    return start(spec, specText, java.util.UUID.randomUUID().toString());
  }

  /**
   * As {@link #start(MigrationSpec, String)}, with the {@code token} that makes a repeated start
   * the same start: it is kept in the workflow's memo, and a start refused because the migration is
   * running succeeds when the running workflow carries the same token. The Temporal client retries
   * a start whose call timed out (seen at load 25: the in-process server answered late), and the
   * retry then met the workflow its first attempt had started; the user was told the migration was
   * "already running" when it was their own.
   */
  public Started start(MigrationSpec spec, String specText, String token) {
    // refused here, naming the holder, when another process drives this migration
    boolean locked = locks.acquire(spec);
    boolean started = false;
    try {
      Started s = startLocked(spec, specText, token);
      started = true;
      return s;
    } finally {
      if (started) {
        locks.started(spec.id());
      } else if (locked) {
        locks.release(spec.id());
      }
    }
  }

  private Started startLocked(MigrationSpec spec, String specText, String token) {
    String workflowId = TaskQueues.workflowId(spec.id());
    try {
      try {
        startMigration(spec, specText, searchAttributes, token);
      } catch (io.temporal.client.WorkflowServiceException e) {
        if (!searchAttributes || !SearchAttributesStart.refused(e)) {
          throw e;
        }
        // the namespace has not registered MigrationId/MigrationStage/MigrationState: start
        // without them (the workflow then keeps none) and do not try again
        searchAttributes = false;
        startMigration(spec, specText, false, token);
      }
    } catch (WorkflowExecutionAlreadyStarted e) {
      if (token.equals(startToken(workflowId))) {
        return new Started(spec.id(), workflowId, TaskQueues.branch(spec.id()));
      }
      throw new MigrationException(
          ErrorCode.INVALID_SPEC,
          "migration "
              + spec.id()
              + " is already running (workflow "
              + workflowId
              + "); watch it with `studio status "
              + spec.id()
              + "`");
    }
    return new Started(spec.id(), workflowId, TaskQueues.branch(spec.id()));
  }

  /**
   * Whether migrations start with their search attributes ({@code MigrationId}, {@code
   * MigrationStage}, {@code MigrationState}); false once the namespace refused them.
   */
  private volatile boolean searchAttributes = true;

  /** Memo key of the token a migration was started with. */
  static final String START_TOKEN = "start_token";

  /** The start token in the memo of the running workflow {@code workflowId}, or null. */
  private String startToken(String workflowId) {
    io.temporal.api.common.v1.Payload p;
    try {
      p = startTokenPayload(workflowId);
    } catch (io.grpc.StatusRuntimeException e) {
      return null; // not described: refused as another start
    }
    return p == null
        ? null
        : io.temporal.common.converter.DefaultDataConverter.STANDARD_INSTANCE.fromPayload(
            p, String.class, String.class);
  }

  private io.temporal.api.common.v1.Payload startTokenPayload(String workflowId) {
    return WorkflowDescriptions.describe(client, workflowId)
        .getWorkflowExecutionInfo()
        .getMemo()
        .getFieldsMap()
        .get(START_TOKEN);
  }

  private void startMigration(
      MigrationSpec spec, String specText, boolean withAttributes, String token) {
    WorkflowOptions.Builder options =
        WorkflowOptions.newBuilder()
            .setMemo(java.util.Map.of(START_TOKEN, token))
            .setWorkflowId(TaskQueues.workflowId(spec.id()))
            .setTaskQueue(TaskQueues.WORKFLOW)
            .setWorkflowIdReusePolicy(
                WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE);
    if (withAttributes) {
      options.setTypedSearchAttributes(
          io.migrationstudio.workflow.deterministic.MigrationSearchAttributes.initial(spec.id()));
    }
    MigrationWorkflow wf = client.newWorkflowStub(MigrationWorkflow.class, options.build());
    WorkflowClient.start(wf::run, new MigrationInput(spec, specText));
  }

  /**
   * Whether Temporal's frontend answers within {@code timeout}: empty when it does, else why not
   * (for the operator API's health).
   */
  public java.util.Optional<String> temporalProblem(java.time.Duration timeout) {
    return TemporalConnection.probe(client.getWorkflowServiceStubs(), timeout);
  }

  /** Most validation runs of one pair a server will number; beyond it, start refuses. */
  static final int MAX_VALIDATION_RUNS = 100_000;

  /**
   * Starts a validation-only run of the spec's existing source/target pair (no copy, no review
   * gates). The spec is checked as for {@link #start} except for gate/approver coherence, which
   * does not apply to a run without gates (an {@code external} cutover gate without approvers is
   * not a reason to refuse it). The workflow id is {@code validation-<id>-<n>} with {@code n} the
   * first run number the server has not seen for this pair (a start with the id-reuse policy
   * reject-duplicate claims it, so concurrent callers get distinct numbers); the evidence goes to
   * {@code validations/<id>}.
   */
  public Started startValidation(String specText) {
    MigrationSpec spec = SpecLoader.parse(specText);
    MigrationInput input = new MigrationInput(spec, specText);
    String token = java.util.UUID.randomUUID().toString();
    for (int run = 1; run <= MAX_VALIDATION_RUNS; run++) {
      String workflowId = TaskQueues.validationWorkflowId(spec.id(), run);
      try {
        startValidation(workflowId, input, token);
        return new Started(spec.id(), workflowId, TaskQueues.validationBranch(spec.id()));
      } catch (WorkflowExecutionAlreadyStarted e) {
        if (token.equals(startToken(workflowId))) {
          // this call's own start, retried by the client after a timeout: not a second run
          return new Started(spec.id(), workflowId, TaskQueues.validationBranch(spec.id()));
        }
        // run number taken by an earlier (or concurrent) validation of this pair: try the next
      }
    }
    throw new MigrationException(
        ErrorCode.INVALID_SPEC,
        "migration "
            + spec.id()
            + " already has "
            + MAX_VALIDATION_RUNS
            + " validation runs on this server; give the pair a new id");
  }

  /**
   * Starts the validation workflow {@code workflowId} with its search attributes ({@link
   * io.migrationstudio.workflow.deterministic.MigrationSearchAttributes#validationRun}) where the
   * namespace has them, without them where it refuses them (as a migration's start).
   */
  private void startValidation(String workflowId, MigrationInput input, String token) {
    try {
      startValidation(workflowId, input, token, searchAttributes);
    } catch (io.temporal.client.WorkflowServiceException e) {
      if (!searchAttributes || !SearchAttributesStart.refused(e)) {
        throw e;
      }
      searchAttributes = false;
      startValidation(workflowId, input, token, false);
    }
  }

  private void startValidation(
      String workflowId, MigrationInput input, String token, boolean withAttributes) {
    WorkflowOptions.Builder options =
        WorkflowOptions.newBuilder()
            .setWorkflowId(workflowId)
            .setMemo(java.util.Map.of(START_TOKEN, token))
            .setTaskQueue(TaskQueues.WORKFLOW)
            .setWorkflowIdReusePolicy(
                WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE);
    if (withAttributes) {
      options.setTypedSearchAttributes(
          io.migrationstudio.workflow.deterministic.MigrationSearchAttributes.validationRun(
              input.spec().id()));
    }
    ValidationWorkflow wf = client.newWorkflowStub(ValidationWorkflow.class, options.build());
    WorkflowClient.start(wf::run, input);
  }

  private ValidationWorkflow validationStub(String workflowId) {
    if (!workflowId.startsWith("validation-")) {
      throw new MigrationException(
          ErrorCode.MISSING_OBJECT,
          "'"
              + workflowId
              + "' is not a validation workflow id (validation-<id>-<n>, printed by `studio"
              + " validate`)");
    }
    return client.newWorkflowStub(ValidationWorkflow.class, workflowId);
  }

  /** The status query of a validation run, by its workflow id (works on finished runs too). */
  public MigrationStatus validationStatus(String workflowId) {
    try {
      return validationStub(workflowId).status();
    } catch (WorkflowNotFoundException e) {
      throw new MigrationException(
          ErrorCode.MISSING_OBJECT, "no validation run " + workflowId + " on this server");
    }
  }

  /**
   * Waits for the end of a validation run, up to {@code timeoutMillis}; empty on timeout. The
   * outcome is COMPLETED for verdict PASS, FAILED for FAIL or an error (see {@link
   * ValidationWorkflow}).
   */
  public Optional<MigrationOutcome> awaitValidation(String workflowId, long timeoutMillis) {
    try {
      return Optional.of(
          WorkflowStub.fromTyped(validationStub(workflowId))
              .getResult(timeoutMillis, TimeUnit.MILLISECONDS, MigrationOutcome.class));
    } catch (TimeoutException e) {
      return Optional.empty();
    }
  }

  private MigrationWorkflow stub(String migrationId) {
    return client.newWorkflowStub(MigrationWorkflow.class, TaskQueues.workflowId(migrationId));
  }

  /**
   * The workflow's status query (works on finished migrations too). {@code id} is a migration id,
   * or the workflow id of a validation-only run ({@code validation-<id>-<n>}, as {@link #list}
   * shows it) when no migration has that id.
   */
  public MigrationStatus status(String id) {
    try {
      return closedOverride(stub(id).status());
    } catch (WorkflowQueryException e) {
      // a terminated execution cannot replay to answer its query
      WorkflowExecutionStatus ended = executionStatus(TaskQueues.workflowId(id));
      if (!closedUnfinished(ended)) {
        throw e;
      }
      return MigrationStatus.of(
              id,
              TaskQueues.branch(id),
              null,
              MigrationState.FAILED,
              "the workflow execution ended "
                  + how(ended)
                  + " and cannot answer its status query; the evidence is on "
                  + TaskQueues.branch(id)
                  + ", and running the migration again resumes from it")
          .withWorkflowId(TaskQueues.workflowId(id));
    } catch (WorkflowNotFoundException e) {
      if (id.startsWith("validation-")) {
        try {
          return validationStub(id).status();
        } catch (WorkflowNotFoundException notAValidationEither) {
          // fall through: neither a migration nor a validation run of that name
        }
      }
      throw new MigrationException(
          ErrorCode.MISSING_OBJECT,
          "no migration or validation run "
              + id
              + " on this server; `studio list` shows the known ones");
    }
  }

  /**
   * A workflow execution that ended without the workflow ending the migration (a failure that
   * escaped it, as a failed table copy did before {@code table-copy-failure}; a terminated or
   * timed-out execution) still answers its query with the last state, RUNNING. Its status is then
   * FAILED, naming how the execution ended, so that {@code run} returns and {@code status} tells
   * the truth.
   */
  private MigrationStatus closedOverride(MigrationStatus st) {
    if (st.state() != MigrationState.RUNNING && st.state() != MigrationState.AWAITING_REVIEW) {
      return st;
    }
    WorkflowExecutionStatus ended = executionStatus(TaskQueues.workflowId(st.migrationId()));
    if (!closedUnfinished(ended)) {
      return st;
    }
    String how = how(ended);
    return st.failed(
        "the workflow execution ended "
            + how
            + " in "
            + (st.stage() == null ? "its start" : st.stage().key())
            + " (last message: "
            + st.message()
            + "); its history holds the cause, and running the migration again resumes from the"
            + " evidence");
  }

  private WorkflowExecutionStatus executionStatus(String workflowId) {
    return WorkflowDescriptions.status(client, workflowId);
  }

  /** Closed, but not by the workflow returning its outcome. */
  private static boolean closedUnfinished(WorkflowExecutionStatus s) {
    return s != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING
        && s != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW
        && s != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED;
  }

  private static String how(WorkflowExecutionStatus s) {
    return s.name().substring("WORKFLOW_EXECUTION_STATUS_".length()).toLowerCase(Locale.ROOT);
  }

  /** Waits for the end of a migration, up to {@code timeoutMillis}; empty on timeout. */
  public Optional<MigrationOutcome> awaitOutcome(String migrationId, long timeoutMillis) {
    try {
      return Optional.of(
          WorkflowStub.fromTyped(stub(migrationId))
              .getResult(timeoutMillis, TimeUnit.MILLISECONDS, MigrationOutcome.class));
    } catch (TimeoutException e) {
      return Optional.empty();
    }
  }

  /**
   * Every migration the server knows (by id), then every validation-only run (by workflow id);
   * {@link MigrationStatus#kind} tells them apart.
   */
  public List<MigrationStatus> list() {
    Set<String> ids = new TreeSet<>();
    Set<String> validations = new TreeSet<>(OperatorService::byRunNumber);
    String ns = client.getOptions().getNamespace();
    var stubs = client.getWorkflowServiceStubs().blockingStub();
    List<WorkflowExecutionInfo> infos = new ArrayList<>();
    infos.addAll(
        stubs
            .listOpenWorkflowExecutions(
                ListOpenWorkflowExecutionsRequest.newBuilder().setNamespace(ns).build())
            .getExecutionsList());
    infos.addAll(
        stubs
            .listClosedWorkflowExecutions(
                ListClosedWorkflowExecutionsRequest.newBuilder().setNamespace(ns).build())
            .getExecutionsList());
    for (WorkflowExecutionInfo info : infos) {
      String wid = info.getExecution().getWorkflowId();
      // only the migrations themselves, not their per-table copy children
      if (wid.startsWith("migration-") && info.getType().getName().equals("MigrationWorkflow")) {
        ids.add(wid.substring("migration-".length()));
      } else if (wid.startsWith("validation-")
          && info.getType().getName().equals("ValidationWorkflow")) {
        validations.add(wid);
      }
    }
    List<MigrationStatus> out = new ArrayList<>();
    for (String id : ids) {
      out.add(status(id));
    }
    for (String wid : validations) {
      out.add(validationStatus(wid));
    }
    return out;
  }

  /**
   * The runs of {@link #list()} whose stage is {@code stage} (a stage key: {@code mapping}, ...)
   * and whose state is {@code state} ({@code RUNNING}, {@code AWAITING_REVIEW}, ...): the values of
   * the search attributes {@code MigrationStage} and {@code MigrationState}, read from each run's
   * status, so the filter works on the embedded Temporal too (it has no visibility queries). A
   * blank filter matches every run; an unknown value is INVALID_SPEC naming the values allowed.
   */
  public List<MigrationStatus> list(String stage, String state) {
    Stage wantedStage;
    MigrationState wantedState;
    try {
      wantedStage = stage == null || stage.isBlank() ? null : Stage.fromKey(stage);
    } catch (IllegalArgumentException e) {
      throw new MigrationException(ErrorCode.INVALID_SPEC, "list --stage: " + e.getMessage());
    }
    try {
      wantedState =
          state == null || state.isBlank()
              ? null
              : MigrationState.valueOf(state.trim().toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new MigrationException(
          ErrorCode.INVALID_SPEC,
          "list --state: unknown state '"
              + state
              + "': expected one of "
              + java.util.Arrays.toString(MigrationState.values()));
    }
    return list().stream()
        .filter(m -> wantedStage == null || m.stage() == wantedStage)
        .filter(m -> wantedState == null || m.state() == wantedState)
        .toList();
  }

  /** {@code validation-pair-2} before {@code validation-pair-10}: by name, then by run number. */
  static int byRunNumber(String a, String b) {
    int ia = a.lastIndexOf('-');
    int ib = b.lastIndexOf('-');
    int c = a.substring(0, ia).compareTo(b.substring(0, ib));
    if (c != 0) {
      return c;
    }
    String ra = a.substring(ia + 1);
    String rb = b.substring(ib + 1);
    return ra.length() != rb.length()
        ? Integer.compare(ra.length(), rb.length())
        : ra.compareTo(rb);
  }

  /**
   * Sends a review. Without a commit, the commit under review is used (the CLI prints it so the
   * approver knows what was approved). A refused review throws INVALID_SPEC-free MigrationException
   * with the workflow's reasons.
   */
  public ReviewRecord review(String migrationId, Review review) {
    Review r = review;
    if (r.commit() == null || r.commit().isBlank()) {
      MigrationStatus st = status(migrationId);
      if (st.reviewCommit() == null) {
        throw new MigrationException(
            ErrorCode.INVALID_COMMIT,
            "migration "
                + migrationId
                + " is not waiting for a review (state "
                + st.state()
                + ", stage "
                + st.stage()
                + "); name the revised commit with --commit after requesting changes");
      }
      r = r.withCommit(st.reviewCommit());
    }
    try {
      return stub(migrationId).review(r);
    } catch (WorkflowUpdateException e) {
      throw new MigrationException(ErrorCode.INVALID_COMMIT, "review refused: " + rootMessage(e));
    } catch (WorkflowNotFoundException e) {
      throw new MigrationException(
          ErrorCode.MISSING_OBJECT, "no migration " + migrationId + " on this server");
    }
  }

  /**
   * Cancels, pauses, resumes or throttles a running migration (see {@code RunControl}); a refused
   * control throws a MigrationException (INVALID_SPEC) with the workflow's reasons.
   */
  public ControlRecord control(String migrationId, ControlRequest request) {
    try {
      return stub(migrationId).control(request);
    } catch (WorkflowUpdateException e) {
      throw new MigrationException(
          ErrorCode.INVALID_SPEC,
          key(request.action()) + " of " + migrationId + " refused: " + rootMessage(e));
    } catch (WorkflowNotFoundException e) {
      // an ended workflow takes no update: say how it ended when the server still knows it
      MigrationStatus st = status(migrationId);
      throw new MigrationException(
          ErrorCode.INVALID_SPEC,
          key(request.action())
              + " of "
              + migrationId
              + " refused: the migration ended "
              + st.state()
              + "; there is nothing to "
              + key(request.action()));
    }
  }

  /** {@code cancel}, {@code pause}, {@code resume}, {@code throttle} or {@code rollback}. */
  public static ControlAction controlAction(String key) {
    try {
      return ControlAction.valueOf(key.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new MigrationException(
          ErrorCode.INVALID_SPEC,
          "unknown control '" + key + "': expected cancel, pause, resume, throttle or rollback");
    }
  }

  private static String key(ControlAction a) {
    return a == null ? "control" : a.name().toLowerCase(Locale.ROOT);
  }

  /** The branch head and the files on it. */
  public record Listing(String branch, String head, List<String> paths) {}

  public Listing artifacts(String migrationId) {
    String branch = TaskQueues.branch(migrationId);
    String head =
        store
            .head(branch)
            .orElseThrow(
                () ->
                    new MigrationException(
                        ErrorCode.MISSING_OBJECT,
                        "no branch " + branch + " in the artifact store"));
    return new Listing(branch, head, store.list(head, ""));
  }

  /** A file at a commit (the branch head when {@code commit} is blank). */
  public byte[] read(String migrationId, String path, String commit) {
    String at = commit == null || commit.isBlank() ? TaskQueues.branch(migrationId) : commit;
    return store
        .read(at, path)
        .orElseThrow(
            () ->
                new MigrationException(
                    ErrorCode.MISSING_OBJECT,
                    "no file " + path + " at " + at + " of " + migrationId));
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t instanceof ApplicationFailure af ? af.getOriginalMessage() : t.getMessage();
  }
}
