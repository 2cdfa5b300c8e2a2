package io.migrationstudio.workflow.deterministic;

import static io.migrationstudio.workflow.deterministic.Messages.shortId;

import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.TaskQueues;
import io.migrationstudio.contracts.activity.CutoverActivities;
import io.migrationstudio.contracts.activity.FreshnessResult;
import io.migrationstudio.contracts.activity.StageRequest;
import io.migrationstudio.contracts.activity.StageResult;
import io.migrationstudio.contracts.activity.ValidationActivities;
import io.migrationstudio.contracts.spec.CutoverWindow;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.workflow.Verdict;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Workflow;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;

/**
 * The approved cutover's guard and execution, in the migration workflow: waits for {@code
 * cutover.window} (version {@link #CUTOVER_WINDOW}: until it is open; refused after its end when
 * the spec says so), makes sure the validation report still describes the target (version {@link
 * #VALIDATION_FRESHNESS}: re-validates a stale one and continues only on PASS), then executes.
 * Deterministic workflow code: the same activities in the same order as when it was inline.
 */
final class CutoverGuard {
  private static final Logger log = Workflow.getLogger(CutoverGuard.class);

  /**
   * Change id of the freshness check before the cutover executes (version 1): a validation report
   * older than {@code cutover.max_validation_age} or made against another ledger state is re-made
   * first. Histories before it execute on the approved report as it is.
   */
  static final String VALIDATION_FRESHNESS_CHANGE = "validation-freshness";

  static final int VALIDATION_FRESHNESS = 1;

  /**
   * Change id of the cutover window with an end (version 1): {@code cutover.window} may be a
   * one-shot or daily {@code { start, end, zone }}; outside it the approved cutover waits (a timer)
   * or, after the end with {@code after_end: refuse}, is refused. Histories before it only waited
   * for a plain start instant.
   */
  static final String CUTOVER_WINDOW_CHANGE = "cutover-window";

  static final int CUTOVER_WINDOW = 1;

  /**
   * Change id of the live cutover of an online migration (version 1): the stream workflow is
   * stopped before the cutover executes, which then drains the capture itself to its end marker.
   * Asked only for online migrations; histories before it execute with the stream running.
   */
  static final String LIVE_CUTOVER_CHANGE = "live-cutover";

  static final int LIVE_CUTOVER = 1;

  private final ValidationActivities validation =
      Workflow.newActivityStub(
          ValidationActivities.class, ActivityOptionsCatalog.stage(TaskQueues.VALIDATION));
  private final CutoverActivities cutover =
      Workflow.newActivityStub(CutoverActivities.class, ActivityOptionsCatalog.cutover());

  private final MigrationSpec spec;
  private final String migrationId;
  private final String branch;
  private final StageBoard board;
  private final Consumer<String> say;
  private final ChangeStream stream;
  private java.util.function.Function<String, Optional<String>> drill;

  /**
   * {@code say} sets the workflow's status message; {@code stream} is the migration's change stream
   * (null before the migration opened), stopped before a live cutover.
   */
  CutoverGuard(
      MigrationSpec spec,
      String migrationId,
      String branch,
      StageBoard board,
      Consumer<String> say,
      ChangeStream stream) {
    this.spec = spec;
    this.migrationId = migrationId;
    this.branch = branch;
    this.board = board;
    this.say = say;
    this.stream = stream;
  }

  /**
   * The rollback drill to run right before the execution ({@link CutoverDrill#drill}): empty lets
   * the execution start, else why the cutover is refused.
   */
  CutoverGuard drillFirst(java.util.function.Function<String, Optional<String>> drillFirst) {
    this.drill = drillFirst;
    return this;
  }

  /** Executes the approved cutover; empty when it ran, else why it was refused. */
  Optional<String> execute(String approvedCommit) {
    int windows =
        Workflow.getVersion(CUTOVER_WINDOW_CHANGE, Workflow.DEFAULT_VERSION, CUTOVER_WINDOW);
    if (windows >= CUTOVER_WINDOW) {
      Optional<String> refused = awaitWindow(approvedCommit);
      if (refused.isPresent()) {
        board.set(Stage.CUTOVER, StagePhase.FAILED, null, null, refused.get());
        return refused;
      }
    } else {
      awaitStart(approvedCommit);
    }
    int freshness =
        Workflow.getVersion(
            VALIDATION_FRESHNESS_CHANGE, Workflow.DEFAULT_VERSION, VALIDATION_FRESHNESS);
    if (freshness >= VALIDATION_FRESHNESS) {
      Optional<String> refused = ensureFreshValidation(approvedCommit);
      if (refused.isPresent()) {
        board.set(Stage.CUTOVER, StagePhase.FAILED, null, null, refused.get());
        return refused;
      }
    }
    if (stream != null
        && stream.online()
        && Workflow.getVersion(LIVE_CUTOVER_CHANGE, Workflow.DEFAULT_VERSION, LIVE_CUTOVER)
            >= LIVE_CUTOVER) {
      String notStopped = stream.pause("cutover: the cutover drains the stream to its end marker");
      if (notStopped != null) {
        String refused = "cutover refused: " + notStopped + "; nothing was frozen or switched";
        board.set(Stage.CUTOVER, StagePhase.FAILED, null, null, refused);
        return Optional.of(refused);
      }
    }
    if (drill != null) {
      Optional<String> refused = drill.apply(approvedCommit);
      if (refused.isPresent()) {
        board.set(Stage.CUTOVER, StagePhase.FAILED, null, null, refused.get());
        return refused;
      }
    }
    board.set(
        Stage.CUTOVER, StagePhase.EXECUTING, null, approvedCommit, "freeze, validate, switch");
    say.accept("cutover: executing");
    StageResult done =
        cutover.executeCutover(
            new StageRequest(
                migrationId, spec, branch, approvedCommit, Workflow.currentTimeMillis()));
    board.record(done);
    board.set(Stage.CUTOVER, StagePhase.COMPLETED, done.verdict(), done.commit(), done.summary());
    return Optional.empty();
  }

  /**
   * Waits until {@code cutover.window} is open (a workflow timer per closed stretch, then a new
   * look: the window arithmetic runs on workflow time only); empty when it is open, else why the
   * cutover is refused (a window that ended, with {@code after_end: refuse}).
   */
  private Optional<String> awaitWindow(String approvedCommit) {
    CutoverWindow window = spec.cutover().window();
    if (window == null) {
      return Optional.empty();
    }
    while (true) {
      CutoverWindow.Decision d;
      try {
        d = window.decide(Instant.ofEpochMilli(Workflow.currentTimeMillis()));
      } catch (DateTimeException e) {
        return Optional.of(
            "cutover refused: cutover.window "
                + window.describe()
                + " cannot be read ("
                + e.getMessage()
                + "); fix the spec. Nothing was frozen or switched");
      }
      switch (d.kind()) {
        case OPEN -> {
          return Optional.empty();
        }
        case REFUSE -> {
          return Optional.of(
              "cutover refused: "
                  + d.detail()
                  + ". Nothing was frozen or switched; start the cutover again in a window");
        }
        case WAIT -> {
          String waiting =
              "cutover: waiting for the window " + d.detail() + " to open at " + d.until();
          say.accept(waiting);
          board.set(Stage.CUTOVER, StagePhase.WAITING_WINDOW, null, approvedCommit, waiting);
          Workflow.sleep(Math.max(1, d.until().toEpochMilli() - Workflow.currentTimeMillis()));
        }
      }
    }
  }

  /** Before {@link #CUTOVER_WINDOW}: {@code cutover.window} as an instant to wait for. */
  private void awaitStart(String approvedCommit) {
    CutoverWindow window = spec.cutover().window();
    String start = window == null ? null : window.start();
    if (start != null && !start.isBlank()) {
      try {
        long delay = Instant.parse(start).toEpochMilli() - Workflow.currentTimeMillis();
        if (delay > 0) {
          String waiting = "cutover: waiting for the window at " + start;
          say.accept(waiting);
          board.set(Stage.CUTOVER, StagePhase.WAITING_WINDOW, null, approvedCommit, waiting);
          Workflow.sleep(delay);
        }
      } catch (DateTimeParseException e) {
        throw ApplicationFailure.newNonRetryableFailure(
            "cutover.window '" + start + "' is not an ISO-8601 instant", "INVALID_SPEC");
      }
    }
  }

  /**
   * The cutover acts on the validation report only while it still describes the target: made less
   * than {@code cutover.max_validation_age} ago (workflow time) against the chunk ledger as it is
   * now. Otherwise Validation is re-run (validator and regression tester, on the approved cutover
   * commit's mapping) and the cutover continues only on PASS. Returns why it refused.
   */
  private Optional<String> ensureFreshValidation(String approvedCommit) {
    long now = Workflow.currentTimeMillis();
    board.set(
        Stage.CUTOVER,
        StagePhase.CHECKING_FRESHNESS,
        null,
        approvedCommit,
        "validation report age");
    say.accept("cutover: checking the validation report is fresh");
    FreshnessResult f =
        validation.checkFreshness(new StageRequest(migrationId, spec, branch, approvedCommit, now));
    long maxAge;
    try {
      maxAge = java.time.Duration.parse(spec.cutover().maxValidationAge()).toMillis();
    } catch (DateTimeParseException e) {
      return Optional.of(
          "cutover refused: cutover.max_validation_age '"
              + spec.cutover().maxValidationAge()
              + "' is not an ISO-8601 duration such as PT24H");
    }
    String stale = null;
    if (f.generatedAtMillis() == null) {
      stale =
          f.reportCommit() == null
              ? f.detail()
              : "validation.json at " + shortId(f.reportCommit()) + " records no generation time";
    } else if (now - f.generatedAtMillis() > maxAge) {
      stale =
          "validation.json was made "
              + java.time.Duration.ofMillis(now - f.generatedAtMillis())
              + " ago, more than cutover.max_validation_age "
              + spec.cutover().maxValidationAge();
    } else if (!f.ledgerMatches()) {
      stale = f.detail();
    }
    if (stale == null) {
      log.info("validation report of {} is fresh: {}", migrationId, f.detail());
      return Optional.empty();
    }
    log.info("validation report of {} is stale ({}): re-validating", migrationId, stale);
    say.accept("cutover: re-validating (" + stale + ")");
    board.set(Stage.CUTOVER, StagePhase.REVALIDATING, null, approvedCommit, stale);
    StageResult validated =
        validation.validate(new StageRequest(migrationId, spec, branch, approvedCommit, now));
    board.record(validated);
    StageResult checked =
        validation.replayRegression(
            new StageRequest(migrationId, spec, branch, validated.commit(), now));
    board.record(checked);
    Verdict verdict = checked.verdict() == null ? Verdict.FAIL : checked.verdict();
    String summary = "re-validated before cutover (" + stale + "): " + checked.summary();
    board.resummarize(Stage.VALIDATION, verdict, checked.commit(), summary);
    if (verdict != Verdict.PASS) {
      return Optional.of(
          "cutover refused: the validation report was stale ("
              + stale
              + ") and the re-validation at "
              + shortId(checked.commit())
              + " is "
              + verdict
              + ": "
              + checked.summary()
              + ". Nothing was frozen or switched; see 04-validation/validation.md");
    }
    return Optional.empty();
  }
}
