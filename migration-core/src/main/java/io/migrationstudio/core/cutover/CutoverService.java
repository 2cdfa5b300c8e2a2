package io.migrationstudio.core.cutover;

import com.fasterxml.jackson.databind.JsonNode;
import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.spec.ConnectionSpec;
import io.migrationstudio.contracts.spec.CutoverOptions;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.copy.TableSql;
import io.migrationstudio.core.cutover.StepRecorder.CheckFailed;
import io.migrationstudio.core.cutover.reverse.DrillWrites;
import io.migrationstudio.core.cutover.reverse.ReverseStream;
import io.migrationstudio.core.cutover.reverse.RollbackLog;
import io.migrationstudio.core.cutover.reverse.RollbackService;
import io.migrationstudio.core.cutover.reverse.RollbackService.SwitchBack.Held;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.Dialect.WriteFreeze;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.dialect.Secrets;
import io.migrationstudio.core.git.ArtifactStore;
import io.migrationstudio.core.git.ArtifactStore.CommitInfo;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.MappingLoader;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.report.StageOutput;
import io.migrationstudio.core.spec.SecretResolver;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The Cutover stage: the runbook (from the branch's evidence), the rehearsed and timed rollback,
 * and the execution (freeze, final counts, switch, post-checks, automatic rollback on a failed
 * check). Methods return a {@link StageOutput}; the activity adapter commits it.
 *
 * <p>Safety rules: the drill always leaves the source unfrozen and the switch reverted, whatever
 * fails ({@code finally}); an execution that does not complete rolls back the same way; on success
 * the source tables in scope stay guarded against writes as the fallback of hypercare.
 */
public final class CutoverService {
  /**
   * How long the freeze waits for transactions that are writing to the tables in scope: long enough
   * for ordinary transactions to commit, short enough that a stuck one is named quickly.
   */
  static final Duration FREEZE_LOCK_TIMEOUT = Duration.ofSeconds(10);

  static final String REHEARSAL = "rehearsal";
  static final String ROLLBACK = "rollback";
  static final String CUTOVER = "cutover";

  static final String CONNECT = "connect to the source";
  static final String FREEZE = "freeze source writes";
  static final String PREPARE_GUARDS = "make the write guards before the freeze, not yet refusing";
  static final String CHECK_FROZEN = "check a new source session cannot write";
  static final String SWITCH = "switch traffic to the target";
  static final String UNFREEZE = "unfreeze source writes";
  static final String REVERT = "revert the switch";
  static final String CHECK_WRITABLE = "check a new source session can write";
  static final String COUNTS =
      "final validation under the freeze: checksums of what changed since the last proof";
  static final String SCHEMA = "check the source's columns against the approved mapping";
  static final String TARGET_WRITES = "post-check: a new target session can write";
  static final String SOURCE_REFUSES = "post-check: a new source session cannot write";
  static final String CATCH_UP = "catch the change stream up; its lag must be within max_lag";
  static final String MARKER = "write the end-position marker after the freeze";
  static final String DRAIN = "drain the change stream to the end marker";
  static final String SEQUENCES = "set identities and sequences on the target";
  static final String PROOF = "prove from the stream that no write passed the freeze";
  static final String DROP_CAPTURE = "stop and drop the forward change capture";
  static final String REVERSE_AHEAD =
      "prepare the reverse stream on the source (cutover.rollback: reverse), before the freeze";
  static final String REVERSE =
      "prepare the reverse stream on the target (cutover.rollback: reverse), before the switch";
  static final String DROP_REVERSE = "drop the reverse stream (the switch did not happen)";
  static final String REVERSE_START = "start the reverse stream at the switch point";
  static final String DRILL_WRITES =
      "the drill's writes on the target (tagged: the reverse stream skips them)";
  static final String CLEAN_UP = "clean up";
  static final String UNFREEZE_TARGET = "unfreeze target writes (the drill's rollback froze them)";
  static final String DROP_DRILL_REVERSE = "drop the drill's reverse capture";

  /** {@code migrate.strategy} of a migration whose cutover runs the live sequence. */
  static final String ONLINE = "online";

  /** Suffix of the copy of the switched config file's previous content. */
  public static final String PRE_CUTOVER_SUFFIX = ".pre-cutover";

  private final ArtifactStore store;
  private final SecretResolver secrets;
  private final WriteProbe probe;

  /**
   * How a rollback points the applications back at the source, from what the cutover's switch left
   * on disk and the spec ({@link TrafficSwitch#revertAfterSwitch}): a {@code config-file} names the
   * source again, a {@code command} hook runs in the {@code rollback} direction, a {@code
   * pgbouncer} entry is repointed back; null for {@code none} (the rollback log then says to point
   * the applications at the source by hand).
   */
  public static RollbackService.SwitchBack switchBack(MigrationSpec spec, Secrets secrets) {
    return TrafficSwitch.of(spec, secrets, false)
        .map(
            sw ->
                new RollbackService.SwitchBack() {
                  @Override
                  public String run() throws Exception {
                    return sw.revertAfterSwitch();
                  }

                  @Override
                  public String describe() {
                    return spec.cutover().switchTo().type() + ": " + sw.describe();
                  }

                  @Override
                  public boolean holdsTraffic() {
                    return sw.holdsTraffic();
                  }

                  @Override
                  public String run(Held held) throws Exception {
                    return sw.revertAfterSwitch(held);
                  }
                })
        .orElse(null);
  }

  public CutoverService(ArtifactStore store, SecretResolver secrets) {
    this.store = store;
    this.secrets = secrets;
    this.probe = new WriteProbe(secrets);
  }

  // ------------------------------------------------------------------ plan

  /** {@code runbook.md} from the evidence at {@code commit} (no database access). */
  public StageOutput planCutover(MigrationSpec spec, String commit) {
    return runbook(
        spec,
        commit,
        store
            .read(commit, ArtifactPaths.DRILL_JSON)
            .map(b -> Json.read(b, DrillReport.class, ArtifactPaths.DRILL_JSON)));
  }

  /** {@code runbook.md} from the evidence at {@code commit} and the drill {@code drill}. */
  private StageOutput runbook(MigrationSpec spec, String commit, Optional<DrillReport> drill) {
    Integer tables =
        store
            .read(commit, ArtifactPaths.MAPPING_YAML)
            .map(b -> MappingLoader.read(b, ArtifactPaths.MAPPING_YAML + " at " + commit))
            .map(m -> m.tables().size())
            .orElse(null);
    RunbookWriter.Evidence evidence =
        new RunbookWriter.Evidence(
            commit,
            tables,
            durationMillis(commit, ArtifactPaths.RUN_JSON),
            durationMillis(commit, ArtifactPaths.VALIDATION_JSON),
            drill);
    String md = RunbookWriter.render(spec, evidence);
    return new StageOutput(
        Map.of(ArtifactPaths.RUNBOOK_MD, Json.bytes(md)),
        null,
        "runbook for "
            + (tables == null ? "the mapped tables" : tables + " tables")
            + ", point of no return marked, rollback within "
            + spec.cutover().rto());
  }

  // ------------------------------------------------------------------ drill after approval

  /**
   * The cutover gate's checker from version {@code drill-after-approval} on: {@code drill-plan.md},
   * what the drill will do once the gate is approved. No database is touched before the approval.
   */
  public StageOutput planDrill(MigrationSpec spec, String commit) {
    String md = CutoverMarkdown.drillPlan(spec, ONLINE.equals(spec.migrate().strategy()));
    return new StageOutput(
        Map.of(ArtifactPaths.DRILL_PLAN_MD, Json.bytes(md)),
        Verdict.PASS,
        CutoverOptions.DRILL_SKIP.equals(spec.cutover().drill())
            ? "no drill (cutover.drill: skip): the way back is not rehearsed"
            : "the drill runs on the real pair once this gate is approved ("
                + spec.cutover().drill()
                + "); nothing was touched yet");
  }

  /**
   * The drill after the cutover approval of {@code approvedCommit}, on the real pair, for migration
   * {@code migrationId} (an online migration's stream workflow is stopped: the drill drains its
   * capture itself). {@code requestedAt} (workflow time) makes it idempotent: a drill recorded on
   * the branch for the same request is reused, any other request drills again, except after an
   * executed cutover (a resumed run), which is never drilled again. The output also holds {@code
   * runbook.md} re-rendered with the measured durations.
   */
  public StageOutput drillAfterApproval(
      MigrationSpec spec,
      String migrationId,
      String branch,
      String approvedCommit,
      long requestedAt) {
    DrillReport drill = null;
    byte[] json = null;
    Optional<byte[]> recorded = store.read(branch, ArtifactPaths.DRILL_JSON);
    if (recorded.isPresent()) {
      DrillReport r = Json.read(recorded.get(), DrillReport.class, ArtifactPaths.DRILL_JSON);
      boolean sameApproval =
          r.version() >= DrillReport.REAL_PATH_VERSION && approvedCommit.equals(r.approvedCommit());
      // the same request (a retried activity after its commit), or a cutover that executed
      // already (a resumed run: no drill after the switch): no new drill
      if (sameApproval && Objects.equals(r.requestedAt(), requestedAt) || executed(branch)) {
        drill = r;
        json = recorded.get();
      }
    }
    if (drill == null) {
      drill =
          rehearseRealPath(
              spec, migrationId, approvedMapping(approvedCommit), approvedCommit, requestedAt);
      json = Json.bytes(Json.write(drill));
    }
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put(ArtifactPaths.DRILL_JSON, json);
    files.put(ArtifactPaths.ROLLBACK_MD, Json.bytes(CutoverMarkdown.rollback(spec, drill)));
    files.put(
        ArtifactPaths.RUNBOOK_MD,
        runbook(spec, approvedCommit, Optional.of(drill)).files().get(ArtifactPaths.RUNBOOK_MD));
    return new StageOutput(files, drill.verdict(), drill.summary());
  }

  /** Whether the branch records an executed (PASS) cutover. */
  private boolean executed(String branch) {
    return store
            .read(branch, ArtifactPaths.CUTOVER_LOG_JSON)
            .map(b -> Json.read(b, CutoverLog.class, ArtifactPaths.CUTOVER_LOG_JSON).verdict())
            .orElse(null)
        == Verdict.PASS;
  }

  /**
   * The real way there and back, timed step by step. Online: catch up, freeze, end marker, drain,
   * the reverse stream from the switch point (made before the switch, as the execution does: the
   * target takes no application write yet), switch, the drill's tagged writes and a new session's
   * write on the target, then the way back by {@link RollbackService} itself (target frozen,
   * reverse drain to its marker, source sequences, counts, switch back, source unfrozen) and the
   * target unfrozen again. Bulk: freeze, switch, a new target session's write (rolled back), switch
   * back, unfreeze. No session the drill did not open is ended; whatever fails, the source is left
   * unfrozen, the switch reverted and the target writable.
   */
  public DrillReport rehearseRealPath(
      MigrationSpec spec,
      String migrationId,
      MappingDocument mapping,
      String approvedCommit,
      Long requestedAt) {
    boolean online = ONLINE.equals(spec.migrate().strategy());
    boolean wayBack = online && ReverseStream.supports(spec);
    Dialect dialect = Dialects.forUrl(spec.source().url());
    Duration rto = Duration.parse(spec.cutover().rto());
    StepRecorder steps = new StepRecorder(dialect);
    Run run = new Run(spec, dialect, frozenTables(spec, mapping));
    LiveCutover live = online ? new LiveCutover(spec, mapping, migrationId, secrets) : null;
    ReverseStream reverse = new ReverseStream(secrets);
    String[] reverseStart = {null};
    long[] written = {0};
    RollbackLog back = null;
    try {
      boolean ok =
          steps.run(REHEARSAL, CONNECT, run::connect)
              && run.prepareGuards(steps, REHEARSAL)
              && (live == null || steps.run(REHEARSAL, CATCH_UP, live::catchUp))
              && run.freeze(steps, REHEARSAL, live)
              && (live == null
                  || steps.run(REHEARSAL, MARKER, live::mark)
                      && steps.run(REHEARSAL, DRAIN, live::drain))
              // the reverse capture before the switch, as the execution makes it: a switch the
              // applications follow (config-file) sends their writes to the target at once, and
              // a slot made after it starts after those, so they never reach the source
              && (!wayBack
                  || steps.run(
                      REHEARSAL,
                      REVERSE_START,
                      () -> {
                        reverseStart[0] = reverse.prepare(spec, mapping, migrationId).position();
                        return "reverse capture "
                            + ReverseStream.captureName(migrationId)
                            + " on the target from "
                            + reverseStart[0]
                            + ", before the switch: every application write on the target after"
                            + " it is in the reverse stream";
                      }))
              && run.switchTraffic(steps, REHEARSAL, false)
              && (!wayBack
                  || steps.run(
                      REHEARSAL,
                      DRILL_WRITES,
                      () -> {
                        written[0] = DrillWrites.write(spec, mapping, migrationId, secrets);
                        return written[0]
                            + " rows rewritten with their own values, one per non-empty table,"
                            + " in a session tagged with origin "
                            + ReverseStream.captureName(migrationId);
                      }))
              && steps.run(REHEARSAL, TARGET_WRITES, () -> expectWritable(spec.target(), "target"));
      if (ok && wayBack) {
        back =
            new RollbackService(secrets)
                .rollback(
                    spec,
                    mapping,
                    migrationId,
                    reverseStart[0],
                    LiveCutover.DRAIN_TIMEOUT,
                    run.switched ? run::revertSwitch : null);
        steps.adopt(back.steps());
        if (back.verdict() == Verdict.PASS) {
          run.released();
        }
      } else {
        run.rollback(steps);
      }
    } finally {
      try {
        if (wayBack && reverseStart[0] != null) {
          steps.run(
              CLEAN_UP, UNFREEZE_TARGET, () -> DrillWrites.unfreezeTarget(spec, mapping, secrets));
          steps.run(
              CLEAN_UP,
              DROP_DRILL_REVERSE,
              () -> {
                reverse.drop(spec, migrationId);
                return "reverse capture and origin gone";
              });
        }
      } finally {
        run.restore();
      }
    }
    long rollbackNanos = steps.phaseNanos(ROLLBACK);
    boolean inTime = rollbackNanos <= rto.toNanos();
    boolean failed = steps.anyFailed();
    Verdict verdict = failed || !inTime ? Verdict.FAIL : Verdict.PASS;
    long rollbackMillis = StepRecorder.millis(rollbackNanos);
    String timed =
        steps.steps().stream()
            .filter(st -> CutoverStep.OK.equals(st.status()))
            .map(st -> st.name() + " " + st.millis() + " ms")
            .reduce((a, b) -> a + ", " + b)
            .orElse("");
    String summary =
        (failed
                ? "the drill FAILED at "
                    + steps.steps().stream()
                        .filter(CutoverStep::failed)
                        .map(CutoverStep::name)
                        .toList()
                    + "; "
                : "")
            + "the way back took "
            + rollbackMillis
            + " ms, "
            + (inTime ? "within" : "MORE than")
            + " the RTO of "
            + spec.cutover().rto()
            + (failed || !inTime
                ? ": the execution is blocked until a review overrides the drill with a reason"
                : "")
            + " (measured: "
            + timed
            + ")";
    List<String> notRehearsed = new ArrayList<>();
    notRehearsed.add(
        "the final check under the freeze (checksums of the rows changed since the Validation's"
            + " proof, or of every table) and the post-checks:"
            + " they run at the execution");
    if (wayBack) {
      notRehearsed.add(
          "the target's sequences: set at the execution; the drill only advances the source's"
              + " past the target's, never backwards");
    } else if (online) {
      notRehearsed.add(
          "the reverse stream and writes on the target: there is no way back from the target to"
              + " a "
              + dialect.name()
              + " source yet, so a rollback after the switch loses every write made on the target"
              + " (the drill only checks a new target session can write, rolled back)");
    } else {
      notRehearsed.add(
          "writes on the target and their way back: a bulk migration has no change streams, so a"
              + " rollback after the switch loses every write made on the target (the drill only"
              + " checks a new target session can write, rolled back)");
    }
    if (!TrafficSwitch.rehearsable(spec.cutover().switchTo())
        && TrafficSwitch.of(spec, secrets, false).isPresent()) {
      notRehearsed.add(
          "the switch of type "
              + spec.cutover().switchTo().type()
              + ": it moves live traffic and is applied at the execution only");
    }
    return new DrillReport(
        DrillReport.REAL_PATH_VERSION,
        spec.id(),
        MigrationException.redact(spec.source().url()),
        spec.cutover().freeze(),
        spec.cutover().switchTo().type(),
        spec.cutover().rto(),
        rto.toMillis(),
        rollbackMillis,
        verdict,
        summary,
        steps.steps(),
        online ? DrillReport.ONLINE : DrillReport.BULK,
        requestedAt,
        approvedCommit,
        wayBack ? written[0] : null,
        back == null ? null : back.appliedChanges(),
        notRehearsed);
  }

  // ------------------------------------------------------------------ drill

  /**
   * Rehearses freeze, switch and rollback on the real source and times the rollback against the
   * RTO; reuses the drill recorded on the branch head instead when there is one.
   */
  public StageOutput drillRollback(MigrationSpec spec, String branch) {
    Optional<byte[]> recorded = store.read(branch, ArtifactPaths.DRILL_JSON);
    DrillReport drill;
    byte[] json;
    String reusedFrom = null;
    if (recorded.isPresent()) {
      json = recorded.get();
      drill = Json.read(json, DrillReport.class, ArtifactPaths.DRILL_JSON);
      reusedFrom = lastWrite(branch, ArtifactPaths.DRILL_JSON);
    } else {
      drill = rehearse(spec, frozenTables(spec, approvedMapping(branch)));
      json = Json.bytes(Json.write(drill));
    }
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put(ArtifactPaths.DRILL_JSON, json);
    files.put(ArtifactPaths.ROLLBACK_MD, Json.bytes(CutoverMarkdown.rollback(spec, drill)));
    String summary =
        drill.summary()
            + (recorded.isEmpty()
                ? ""
                : " (drill reused from commit " + (reusedFrom == null ? "?" : reusedFrom) + ")");
    return new StageOutput(files, drill.verdict(), summary);
  }

  DrillReport rehearse(MigrationSpec spec, List<String> tables) {
    Dialect dialect = Dialects.forUrl(spec.source().url());
    Duration rto = Duration.parse(spec.cutover().rto());
    StepRecorder steps = new StepRecorder(dialect);
    Run run = new Run(spec, dialect, tables);
    try {
      if (steps.run(REHEARSAL, CONNECT, run::connect)) {
        run.freeze(steps, REHEARSAL, null);
        run.switchTraffic(steps, REHEARSAL, false);
      }
      run.rollback(steps);
    } finally {
      run.restore();
    }
    long rollbackNanos = steps.phaseNanos(ROLLBACK);
    boolean inTime = rollbackNanos <= rto.toNanos();
    boolean failed = steps.anyFailed();
    Verdict verdict = failed || !inTime ? Verdict.FAIL : Verdict.PASS;
    long rollbackMillis = StepRecorder.millis(rollbackNanos);
    String summary;
    if (failed) {
      summary =
          "the drill failed at: "
              + steps.steps().stream().filter(CutoverStep::failed).map(CutoverStep::name).toList()
              + "; see the step details";
    } else {
      summary =
          "rollback took "
              + rollbackMillis
              + " ms, "
              + (inTime ? "within" : "MORE than")
              + " the RTO of "
              + spec.cutover().rto();
    }
    return new DrillReport(
        DrillReport.CURRENT_VERSION,
        spec.id(),
        MigrationException.redact(spec.source().url()),
        spec.cutover().freeze(),
        spec.cutover().switchTo().type(),
        spec.cutover().rto(),
        rto.toMillis(),
        rollbackMillis,
        verdict,
        summary,
        steps.steps());
  }

  // ------------------------------------------------------------------ execute

  /**
   * Freezes the source, checks the final row counts of every table of the {@code mapping.yaml} at
   * {@code commit}, switches and runs the post-checks. Any failed check rolls back (switch
   * reverted, source unfrozen) and gives verdict FAIL; the adapter commits the log, then fails with
   * CUTOVER_FAILED. A cutover the branch head already records as PASS is not executed again.
   */
  public StageOutput executeCutover(MigrationSpec spec, String branch, String commit) {
    return executeCutover(spec, spec.id(), branch, commit);
  }

  /**
   * {@link #executeCutover(MigrationSpec, String, String)} for migration {@code migrationId} (whose
   * change capture an online migration drains: {@link LiveCutover}, with the stream workflow
   * stopped).
   */
  public StageOutput executeCutover(
      MigrationSpec spec, String migrationId, String branch, String commit) {
    Optional<byte[]> recorded = store.read(branch, ArtifactPaths.CUTOVER_LOG_JSON);
    if (recorded.isPresent()) {
      CutoverLog log = Json.read(recorded.get(), CutoverLog.class, ArtifactPaths.CUTOVER_LOG_JSON);
      if (log.verdict() == Verdict.PASS) {
        return output(log, recorded.get());
      }
    }
    MappingDocument mapping =
        MappingLoader.read(
            store
                .read(commit, ArtifactPaths.MAPPING_YAML)
                .orElseThrow(
                    () ->
                        new MigrationException(
                            ErrorCode.INVALID_ARTIFACT,
                            ArtifactPaths.MAPPING_YAML
                                + " is missing at commit "
                                + commit
                                + "; the cutover needs the approved mapping to know which tables"
                                + " to count")),
            ArtifactPaths.MAPPING_YAML + " at " + commit);
    Dialect dialect = Dialects.forUrl(spec.source().url());
    StepRecorder steps = new StepRecorder(dialect);
    Run run = new Run(spec, dialect, frozenTables(spec, mapping));
    List<CutoverLog.TableCount> counts = new ArrayList<>();
    LiveCutover live =
        ONLINE.equals(spec.migrate().strategy())
            ? new LiveCutover(spec, mapping, migrationId, secrets)
            : null;
    // the target takes no application write before the switch: a reverse capture made here holds
    // every target write after it (and none of the forward drain's, which is over)
    ReverseAtSwitch reverse =
        live != null && spec.reverseReplication()
            ? new ReverseAtSwitch(spec, mapping, migrationId, secrets)
            : null;
    Long writeUnavailable = null;
    boolean completed = false;
    // which final check: decided before the freeze (the proof is on the branch already)
    FinalCheck.Plan plan =
        FinalCheck.plan(
            spec,
            live != null,
            io.migrationstudio.core.cdc.apply.StreamService.captureName(migrationId),
            store.read(branch, ArtifactPaths.VALIDATION_JSON));
    CutoverLog.Check[] check = {null};
    SchemaCheck drift = new SchemaCheck();
    try {
      boolean ok =
          steps.run(CUTOVER, CONNECT, run::connect)
              && run.prepareGuards(steps, CUTOVER)
              // before the last catch-up: what the freeze then drains is only what the source
              // wrote between that catch-up and the freeze
              && (reverse == null || steps.run(CUTOVER, REVERSE_AHEAD, reverse::ahead))
              && (live == null || steps.run(CUTOVER, CATCH_UP, live::catchUp));
      long freezeStarted = System.nanoTime();
      ok =
          ok
              && run.freeze(steps, CUTOVER, live)
              && (live == null
                  || steps.run(CUTOVER, MARKER, live::mark)
                      && steps.run(CUTOVER, DRAIN, live::drain)
                      && steps.run(CUTOVER, SEQUENCES, live::sequences))
              && drift.start(spec, mapping)
              && steps.run(
                  CUTOVER,
                  COUNTS,
                  () -> compareUnderFreeze(spec, mapping, migrationId, plan, counts, check))
              && steps.run(CUTOVER, SCHEMA, drift::result)
              && (live == null || steps.run(CUTOVER, PROOF, live::prove))
              && (reverse == null || steps.run(CUTOVER, REVERSE, reverse::prepare))
              && run.switchTraffic(steps, CUTOVER, true);
      if (ok) {
        writeUnavailable = StepRecorder.millis(System.nanoTime() - freezeStarted);
      }
      ok = ok && steps.run(CUTOVER, TARGET_WRITES, () -> expectWritable(spec.target(), "target"));
      if (ok && run.freezes()) {
        ok = steps.run(CUTOVER, SOURCE_REFUSES, run::expectRefused);
      }
      if (!ok) {
        writeUnavailable = null;
        run.rollback(steps);
      }
      completed = ok;
    } finally {
      if (!completed) {
        run.restore();
      } else {
        run.close();
      }
    }
    if (!completed && reverse != null && reverse.prepared()) {
      steps.run(CUTOVER, DROP_REVERSE, reverse::drop);
    }
    if (completed && live != null) {
      // after the switch: a capture left behind is dropped again when the migration ends
      steps.run(CUTOVER, DROP_CAPTURE, live::dropCapture);
    }
    boolean failed = !completed;
    String summary;
    if (failed) {
      summary =
          "the cutover stopped at "
              + steps.steps().stream()
                  .filter(CutoverStep::failed)
                  .map(CutoverStep::name)
                  .findFirst()
                  .orElse("an unknown step")
              + " and was rolled back"
              + (steps.anyFailed()
                      && steps.steps().stream()
                          .anyMatch(s -> s.failed() && ROLLBACK.equals(s.phase()))
                  ? " INCOMPLETELY: check the source by hand"
                  : ": the source takes writes again");
    } else {
      summary =
          (check[0] != null && CutoverLog.CHECK_CHANGED.equals(check[0].mode())
                  ? check[0].rows()
                      + " rows changed since the Validation's proof equal on both sides under the"
                      + " freeze ("
                      + check[0].tables()
                      + " tables)"
                  : counts.size() + " tables with equal row counts and checksums under the freeze")
              + "; traffic switched"
              + (run.freezes()
                  ? "; the source tables in scope stay guarded against writes as the fallback"
                  : "")
              + (live == null
                  ? ""
                  : "; stream drained to its end marker in "
                      + live.live(writeUnavailable).drainMillis()
                      + " ms, writes unavailable for "
                      + writeUnavailable
                      + " ms");
    }
    CutoverLog log =
        new CutoverLog(
            CutoverLog.CURRENT_VERSION,
            spec.id(),
            MigrationException.redact(spec.source().url()),
            MigrationException.redact(spec.target().url()),
            commit,
            failed ? Verdict.FAIL : Verdict.PASS,
            failed,
            summary,
            steps.steps(),
            counts,
            live == null ? null : live.live(writeUnavailable),
            check[0]);
    return output(log, Json.bytes(Json.write(log)));
  }

  /**
   * The source-schema check under the freeze ({@link SchemaDrift}), run alongside the final check
   * instead of after it: both only read the frozen pair, and the window is their longer one, not
   * their sum. Its step records the wait for its result and the check's own time.
   */
  private final class SchemaCheck {
    private java.util.concurrent.CompletableFuture<String> running;
    private long started;

    boolean start(MigrationSpec spec, MappingDocument mapping) {
      started = System.nanoTime();
      running =
          java.util.concurrent.CompletableFuture.supplyAsync(
              () -> {
                try {
                  return SchemaDrift.check(spec, secrets, mapping)
                      + " (alongside the final check, "
                      + StepRecorder.millis(System.nanoTime() - started)
                      + " ms)";
                } catch (SQLException e) {
                  throw new java.util.concurrent.CompletionException(e);
                }
              });
      return true;
    }

    String result() throws SQLException {
      try {
        return running.join();
      } catch (java.util.concurrent.CompletionException e) {
        if (e.getCause() instanceof SQLException q) {
          throw q;
        }
        if (e.getCause() instanceof RuntimeException r) {
          throw r;
        }
        throw e;
      }
    }
  }

  private static StageOutput output(CutoverLog log, byte[] json) {
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put(ArtifactPaths.CUTOVER_LOG_JSON, json);
    files.put(ArtifactPaths.CUTOVER_LOG_MD, Json.bytes(CutoverMarkdown.cutoverLog(log)));
    return new StageOutput(files, log.verdict(), log.summary());
  }

  /**
   * Under the freeze, {@code plan} run ({@link FinalCheck}): the rows changed since the
   * Validation's proof (online), or every table in full. A count comparison passed a cutover whose
   * source rows had been updated after Validation; this does not. Any difference refuses the switch
   * and names the rows (keys masked as the evidence is). {@code check} receives what ran.
   */
  private String compareUnderFreeze(
      MigrationSpec spec,
      MappingDocument mapping,
      String migrationId,
      FinalCheck.Plan plan,
      List<CutoverLog.TableCount> counts,
      CutoverLog.Check[] check) {
    FinalCheck.Outcome outcome = FinalCheck.run(spec, secrets, mapping, migrationId, plan);
    check[0] = outcome.check();
    FinalCheck.Result result = outcome.result();
    counts.addAll(result.tables());
    if (!result.same()) {
      throw new CheckFailed(
          result.different().size()
              + " of "
              + counts.size()
              + " tables differ between source and target under the freeze ("
              + outcome.check().mode()
              + " check): "
              + String.join("; ", result.different())
              + ". The source changed after the copy (or the copy is wrong): the switch is refused"
              + " and the source unfrozen; repair with studio validate --repair or migrate again");
    }
    return CutoverLog.CHECK_CHANGED.equals(outcome.check().mode())
        ? "changed rows: "
            + outcome.check().rows()
            + " rows of "
            + outcome.check().tables()
            + " tables changed after the proof at "
            + outcome.check().proof()
            + " compared by key, all equal"
            + (outcome.check().tablesInFull() == 0
                ? ""
                : " (" + outcome.check().tablesInFull() + " of them in full)")
            + " in "
            + outcome.check().millis()
            + " ms"
        : "full: "
            + counts.size()
            + " tables, every count and checksum equal ("
            + outcome.check().reason()
            + ")";
  }

  private static long count(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private String expectWritable(ConnectionSpec spec, String role) throws SQLException {
    WriteProbe.Result r = probe.probe(spec, role);
    if (!r.writable()) {
      throw new CheckFailed("a new " + role + " session cannot write: " + r.detail());
    }
    return r.detail();
  }

  /** The source tables the freeze guards: those of the mapping, as the copy names them. */
  private static List<String> frozenTables(MigrationSpec spec, MappingDocument mapping) {
    Dialect sd = Dialects.forUrl(spec.source().url());
    Dialect td = Dialects.forUrl(spec.target().url());
    return mapping.tables().stream()
        .map(t -> new TableSql(sd, td, mapping, t).sourceTable())
        .toList();
  }

  /** The mapping on {@code branchOrCommit} (the drill runs after Validation: it is there). */
  private MappingDocument approvedMapping(String branchOrCommit) {
    return MappingLoader.read(
        store
            .read(branchOrCommit, ArtifactPaths.MAPPING_YAML)
            .orElseThrow(
                () ->
                    new MigrationException(
                        ErrorCode.INVALID_ARTIFACT,
                        ArtifactPaths.MAPPING_YAML
                            + " is missing on "
                            + branchOrCommit
                            + "; the freeze needs the approved mapping to know which tables to"
                            + " guard")),
        ArtifactPaths.MAPPING_YAML + " on " + branchOrCommit);
  }

  /** The top-level {@code duration_ms} of a JSON artifact at a commit, when present. */
  private Long durationMillis(String commit, String path) {
    Optional<byte[]> content = store.read(commit, path);
    if (content.isEmpty()) {
      return null;
    }
    JsonNode node = Json.read(content.get(), JsonNode.class, path).get("duration_ms");
    return node != null && node.canConvertToLong() ? node.longValue() : null;
  }

  private String lastWrite(String branch, String path) {
    return store.log(branch).stream()
        .filter(c -> c.paths().contains(path))
        .map(CommitInfo::id)
        .findFirst()
        .orElse(null);
  }

  /**
   * The state of one drill or execution: the control connection to the source (the session that
   * freezes and unfreezes, and stays writable), whether a freeze was attempted, and what the switch
   * replaced. {@link #restore} undoes whatever is still applied.
   */
  private final class Run {
    private final MigrationSpec spec;
    private final Dialect dialect;
    private final Optional<WriteFreeze> writeFreeze;
    private final List<String> tables;
    private Connection control;
    private boolean freezeAttempted;
    private boolean madeAhead;
    boolean switched;
    private TrafficSwitch trafficSwitch;

    Run(MigrationSpec spec, Dialect dialect, List<String> tables) {
      this.spec = spec;
      this.dialect = dialect;
      this.writeFreeze = dialect.writeFreeze();
      this.tables = List.copyOf(tables);
    }

    boolean freezes() {
      return !"none".equals(spec.cutover().freeze());
    }

    String connect() {
      control = Dialects.open(spec.source(), secrets, "source");
      return "control session opened as "
          + (spec.source().user() == null ? "default user" : spec.source().user());
    }

    /**
     * Where the engine can ({@link WriteFreeze#preparesAhead}, MariaDB/MySQL), makes the write
     * guards before the freeze, letting writes through: their DDL (metadata locks, one statement
     * per trigger) then runs outside the write-unavailability window, and the freeze only arms
     * them. From here on a failure removes them as it would a freeze.
     */
    boolean prepareGuards(StepRecorder steps, String phase) {
      if (!freezes() || writeFreeze.isEmpty() || !writeFreeze.get().preparesAhead()) {
        return true;
      }
      return steps.run(
          phase,
          PREPARE_GUARDS,
          () -> {
            freezeAttempted = true;
            String made = writeFreeze.get().prepare(control, tables, FREEZE_LOCK_TIMEOUT);
            madeAhead = made != null;
            return made != null
                ? made
                : "not made ahead (the account cannot keep their state): the freeze makes them";
          });
    }

    /**
     * Freezes and checks the freeze holds; a skipped freeze counts as success. With {@code live}
     * (an online migration), the freeze's session reads the source's end of log right after the
     * freeze ({@link LiveCutover#freezePoint}): a row change the stream carries after it got past
     * the guards and refuses the switch.
     */
    boolean freeze(StepRecorder steps, String phase, LiveCutover live) {
      if (!freezes()) {
        steps.skip(phase, FREEZE, "cutover.freeze is none: writes are not frozen");
        return true;
      }
      return steps.run(
              phase,
              FREEZE,
              () -> {
                WriteFreeze f =
                    writeFreeze.orElseThrow(
                        () ->
                            new CheckFailed(
                                dialect.name()
                                    + " cannot freeze writes; set cutover.freeze to none and stop"
                                    + " writes by hand"));
                freezeAttempted = true;
                long armed = System.nanoTime();
                f.freezeWrites(control, tables, FREEZE_LOCK_TIMEOUT);
                String point = live == null ? "" : "; " + live.freezePoint(control);
                return (madeAhead
                        ? "the guards made before the freeze armed, one statement per table ("
                            + StepRecorder.millis(System.nanoTime() - armed)
                            + " ms, after the writers of each table ended); "
                        : "")
                    + "write guards on the "
                    + tables.size()
                    + " source tables in scope; no session was ended, other tables keep"
                    + " taking writes"
                    + point;
              })
          && steps.run(phase, CHECK_FROZEN, this::expectRefused);
    }

    /**
     * Every table in scope carries its guard, and a new session's write to each (as an application
     * would: read-write transaction, then a write; rolled back) is refused.
     */
    String expectRefused() throws SQLException {
      WriteFreeze f = writeFreeze.orElseThrow();
      List<String> unguarded = f.unguarded(usableControl(), tables);
      if (!unguarded.isEmpty()) {
        throw new CheckFailed("tables without a write guard: " + unguarded);
      }
      String refusal = null;
      try (Connection app = Dialects.open(spec.source(), secrets, "source")) {
        for (String t : tables) {
          refusal = f.tryWrite(app, t);
          if (refusal == null) {
            throw new CheckFailed(
                "a new source session could still write to " + t + ": the freeze does not hold");
          }
        }
      }
      return "a new source session's write to each of the "
          + tables.size()
          + " tables was refused"
          + (refusal == null ? "" : " (last: " + refusal + ")");
    }

    /** Applies the switch; {@code keepBackup} leaves a {@code .pre-cutover} copy for operators. */
    boolean switchTraffic(StepRecorder steps, String phase, boolean keepBackup) {
      Optional<TrafficSwitch> sw = TrafficSwitch.of(spec, secrets, keepBackup);
      if (sw.isEmpty()) {
        steps.skip(phase, SWITCH, "switch type none: the operator repoints the applications");
        return true;
      }
      if (REHEARSAL.equals(phase) && !TrafficSwitch.rehearsable(spec.cutover().switchTo())) {
        steps.skip(
            phase,
            SWITCH,
            "not rehearsed: switch type "
                + spec.cutover().switchTo().type()
                + " moves live traffic, and writes sent to the target during a drill would be lost"
                + " when it reverts; it is checked at the cutover, which rolls it back on failure");
        return true;
      }
      trafficSwitch = sw.get();
      switched = true;
      return steps.run(phase, SWITCH, trafficSwitch::apply);
    }

    /**
     * The rollback phase, in the order of a real rollback: send traffic back (revert the switch),
     * unfreeze, check writes work again.
     */
    void rollback(StepRecorder steps) {
      if (switched) {
        steps.run(ROLLBACK, REVERT, this::revertSwitch);
      }
      if (freezeAttempted) {
        steps.run(ROLLBACK, UNFREEZE, this::unfreeze);
      }
      if (control != null) {
        steps.run(ROLLBACK, CHECK_WRITABLE, () -> expectWritable(spec.source(), "source"));
      }
    }

    private String unfreeze() throws SQLException {
      WriteFreeze f = writeFreeze.orElseThrow();
      Connection c = usableControl();
      f.unfreezeWrites(c, tables);
      if (f.unguarded(c, tables).size() != tables.size()) {
        throw new CheckFailed("write guards are still on the source after unfreezing");
      }
      freezeAttempted = false;
      return "write guards removed from the " + tables.size() + " source tables";
    }

    /** The source was unfrozen by someone else (the rollback service): nothing left to undo. */
    void released() {
      freezeAttempted = false;
    }

    String revertSwitch() throws IOException, SQLException {
      String detail = trafficSwitch.revert();
      switched = false;
      return detail;
    }

    /** Whatever is still applied is undone; failing to unfreeze is reported, never hidden. */
    void restore() {
      try {
        if (switched) {
          revertSwitch();
        }
      } catch (IOException | SQLException e) {
        throw new MigrationException(
            ErrorCode.CUTOVER_FAILED,
            "could not restore "
                + trafficSwitch.describe()
                + " after the "
                + "cutover step failed: "
                + e
                + "; restore it by hand",
            e);
      } finally {
        try {
          if (freezeAttempted) {
            unfreeze();
          }
        } catch (SQLException | RuntimeException e) {
          throw new MigrationException(
              ErrorCode.CUTOVER_FAILED,
              "the source database "
                  + MigrationException.redact(spec.source().url())
                  + " may still be frozen: "
                  + e.getMessage()
                  + "; remove the write guards by hand (PostgreSQL: DROP TRIGGER"
                  + " studio_write_guard ON each table; MariaDB: DROP TRIGGER studio_guard_*)",
              e);
        } finally {
          close();
        }
      }
    }

    void close() {
      if (control != null) {
        try {
          control.close();
        } catch (SQLException ignored) {
          // closing a session that may already be gone; nothing is left to undo
        }
        control = null;
      }
    }

    /** The control session, or a new one when it was lost. */
    private Connection usableControl() throws SQLException {
      if (control == null || !control.isValid(5)) {
        close();
        control = Dialects.open(spec.source(), secrets, "source");
      }
      return control;
    }
  }
}
