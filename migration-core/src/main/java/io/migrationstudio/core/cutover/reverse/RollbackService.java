package io.migrationstudio.core.cutover.reverse;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.cdc.StreamPosition;
import io.migrationstudio.core.cutover.CutoverLog;
import io.migrationstudio.core.cutover.CutoverStep;
import io.migrationstudio.core.cutover.FinalCheck;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.Dialect.WriteFreeze;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.dialect.Secrets;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.report.StageOutput;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * Rolls a switched migration back to its source without losing a write made on the target:
 *
 * <ol>
 *   <li>freeze the target's tables in scope (the same write guards as the cutover's freeze on the
 *       source), which waits for the transactions writing to them;
 *   <li>check a new target session is refused;
 *   <li>write the end marker on the target (a logical message, after every committed write);
 *   <li>drain the reverse stream ({@link ReverseStream}) until the source holds the marker;
 *   <li>set the source's sequences past every value used on the target ({@link SourceSequences});
 *   <li>compare both frozen sides by checksums ({@link FinalCheck#reverse}): the rows the reverse
 *       stream changed since the switch, by key, or every table in full without a complete record
 *       of them (the rollback log's {@code final_check} says which ran and why);
 *   <li>switch traffic back (the caller's {@link SwitchBack}; none: the operator does it);
 *   <li>unfreeze the source, and check a new source session can write;
 *   <li>drop the reverse capture (the target stays frozen: nothing may write there any more).
 * </ol>
 *
 * Each step is timed; {@code rollback_millis} is from the target's freeze to a writable source, the
 * time applications cannot write anywhere. A failure before the source is unfrozen unfreezes the
 * target again and leaves the source frozen (traffic stays on the target, nothing is lost; the
 * reverse stream is kept), verdict FAIL with the step that failed.
 */
public final class RollbackService {
  /** How long the target's freeze waits for transactions writing to the tables in scope. */
  static final Duration FREEZE_LOCK_TIMEOUT = Duration.ofSeconds(10);

  static final String PHASE = "rollback";

  static final String CONNECT = "connect to target and source";
  static final String FREEZE_TARGET = "freeze target writes";
  static final String CHECK_TARGET_FROZEN = "check a new target session cannot write";
  static final String MARKER = "end marker on the target";
  static final String DRAIN = "drain the reverse stream to the marker";
  static final String SEQUENCES = "set source sequences past the target's values";
  static final String CHECKSUMS = "counts and checksums equal on both sides (both frozen)";
  public static final String SWITCH_BACK = "switch traffic back to the source";
  static final String UNFREEZE_SOURCE = "unfreeze source writes";
  static final String CHECK_SOURCE_WRITABLE = "check a new source session can write";
  static final String DROP_REVERSE = "drop the reverse capture";
  static final String UNFREEZE_TARGET = "unfreeze target writes (rollback abandoned)";

  /** Points the applications back at the source; returns the step's detail. */
  @FunctionalInterface
  public interface SwitchBack {
    String run() throws Exception;

    /** What traffic is switched back through, for the log ({@code type: what}). */
    default String describe() {
      return "the caller's switch-back";
    }

    /**
     * Whether this switch can hold the applications' traffic while the rollback unfreezes the
     * source ({@link #run(Held)}); PgBouncer can (PAUSE), a file or a hook cannot.
     */
    default boolean holdsTraffic() {
      return false;
    }

    /**
     * Switches back with the traffic held around {@link Held#release}: PgBouncer pauses, the source
     * is unfrozen, then the entry repointed and the clients resumed on a writable source, so they
     * wait instead of being refused by its write guards. When the switch fails after the release,
     * it calls {@link Held#undo} before traffic resumes on the target.
     */
    default String run(Held held) throws Exception {
      throw new UnsupportedOperationException(describe() + " cannot hold traffic");
    }

    /** The rollback's part of a switch back that holds traffic. */
    interface Held {
      /** Unfreezes the source; returns what was done, for the switch's detail. */
      String release() throws SQLException;

      /** The switch back failed after {@link #release}: the source is frozen again. */
      void undo() throws SQLException;
    }
  }

  /** {@link RollbackLog#switchBack} when no switch-back is given. */
  static final String NO_SWITCH_BACK = "none: the applications are pointed at the source by hand";

  private final Secrets secrets;
  private final ReverseStream reverse;

  public RollbackService(Secrets secrets) {
    this.secrets = Objects.requireNonNull(secrets);
    this.reverse = new ReverseStream(secrets);
  }

  /**
   * Rolls back migration {@code migrationId} (whose reverse stream {@link ReverseStream#prepare}
   * started at {@code reverseStart}), draining for at most {@code drainTimeout}.
   */
  public RollbackLog rollback(
      MigrationSpec spec,
      MappingDocument mapping,
      String migrationId,
      String reverseStart,
      Duration drainTimeout,
      SwitchBack switchBack) {
    Run run = new Run(spec, mapping, migrationId, reverseStart, drainTimeout, switchBack);
    try {
      run.execute();
    } finally {
      run.close();
    }
    return run.log();
  }

  /**
   * The log as the branch's files {@link RollbackLog#JSON_PATH} and {@link RollbackLog#MD_PATH}.
   */
  public static StageOutput evidence(RollbackLog log) {
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put(RollbackLog.JSON_PATH, Json.bytes(Json.write(log)));
    files.put(RollbackLog.MD_PATH, Json.bytes(log.markdown()));
    return new StageOutput(files, log.verdict(), log.summary());
  }

  /** One rollback's connections, steps and results. */
  private final class Run {
    final MigrationSpec spec;
    final MappingDocument mapping;
    final String id;
    final String reverseStart;
    final Duration drainTimeout;
    final SwitchBack switchBack;
    final Dialect sd;
    final Dialect td;
    final List<String> sourceTables;
    final List<String> targetTables;
    final Steps steps;
    Connection source;
    Connection target;
    StreamPosition marker;
    ReverseStream.Progress progress;
    List<String> sequences = List.of();
    boolean targetFrozen;
    boolean sourceUnfrozen;
    long frozenAt;
    long writableAt;
    CutoverLog.Check check;

    Run(
        MigrationSpec spec,
        MappingDocument mapping,
        String id,
        String reverseStart,
        Duration drainTimeout,
        SwitchBack switchBack) {
      this.spec = spec;
      this.mapping = mapping;
      this.id = id;
      this.reverseStart = reverseStart;
      this.drainTimeout = drainTimeout;
      this.switchBack = switchBack;
      this.sd = Dialects.source(spec);
      this.td = Dialects.target(spec);
      this.sourceTables = ReverseStream.sourceTables(sd, td, mapping);
      this.targetTables = ReverseStream.targetTables(sd, td, mapping);
      this.steps = new Steps(td);
    }

    void execute() {
      boolean ok =
          steps.run(CONNECT, this::connect)
              && steps.run(
                  FREEZE_TARGET,
                  () -> {
                    freeze(td).freezeWrites(target, targetTables, FREEZE_LOCK_TIMEOUT);
                    targetFrozen = true;
                    frozenAt = System.nanoTime();
                    return targetTables.size() + " tables guarded";
                  })
              && steps.run(CHECK_TARGET_FROZEN, this::checkTargetFrozen)
              && steps.run(
                  MARKER,
                  () -> {
                    marker = reverse.endMarker(target, id);
                    return "marker at " + marker.text();
                  })
              && steps.run(DRAIN, this::drain)
              && steps.run(SEQUENCES, this::sequences)
              && steps.run(CHECKSUMS, this::checksums)
              && (switchBack != null && switchBack.holdsTraffic()
                  ? heldSwitchBack()
                  : switchBack() && steps.run(UNFREEZE_SOURCE, this::unfreezeSource))
              && steps.run(CHECK_SOURCE_WRITABLE, this::checkSourceWritable);
      if (ok) {
        steps.run(
            DROP_REVERSE,
            () -> {
              reverse.drop(spec, id);
              return "slot and publication " + ReverseStream.captureName(id) + " dropped";
            });
      } else if (targetFrozen && !sourceUnfrozen) {
        steps.run(
            UNFREEZE_TARGET,
            () -> {
              freeze(td).unfreezeWrites(target, targetTables);
              return "the target takes writes again; the source stays frozen";
            });
      }
    }

    String connect() {
      target = Dialects.open(spec.target(), secrets, "target");
      source = Dialects.open(spec.source(), secrets, "source");
      return "both answer";
    }

    String checkTargetFrozen() throws SQLException {
      try (Connection probe = Dialects.open(spec.target(), secrets, "target")) {
        String refusal = freeze(td).tryWrite(probe, targetTables.get(0));
        if (refusal == null) {
          throw new Steps.CheckFailed(
              "a new target session could still write to " + targetTables.get(0));
        }
        return "refused: " + refusal;
      }
    }

    String drain() {
      progress = reverse.drain(spec, mapping, id, reverseStart, marker, drainTimeout);
      if (!progress.reached()) {
        throw new Steps.CheckFailed(
            "the reverse stream reached "
                + progress.position()
                + " but not the end marker "
                + marker.text()
                + " within "
                + drainTimeout
                + "; check the reverse stream's errors and run the rollback again (the target"
                + " takes writes again meanwhile)");
      }
      return "source holds "
          + progress.position()
          + " ("
          + progress.transactions()
          + " transactions, "
          + progress.changes()
          + " changes since the switch)";
    }

    String sequences() throws SQLException {
      sequences =
          ReverseApplier.of(sd, td, MappingInversion.invert(mapping), id)
              .advanceSequences(source, target, sd, td, mapping)
              .stream()
              .map(SourceSequences.Set::line)
              .toList();
      return sequences.isEmpty() ? "no sequences" : String.join(", ", sequences);
    }

    /**
     * Both sides frozen and drained, compared by checksums as the cutover's final check does
     * ({@link FinalCheck#reverse}), not by counts (equal counts hid an update the drain had
     * missed): the rows the reverse stream changed since the switch, by key (the cutover proved
     * both sides equal right before it), or every table in full when there is no complete record of
     * them. Tables with a row filter are left out: the target holds a subset of them on purpose,
     * and the applications' writes on the target need not match the filter.
     */
    String checksums() {
      List<TableMapping> compared = new ArrayList<>();
      List<String> filtered = new ArrayList<>();
      for (TableMapping t : mapping.tables()) {
        if (t.filter() != null && !t.filter().isBlank()) {
          filtered.add(t.source());
        } else {
          compared.add(t);
        }
      }
      FinalCheck.Outcome outcome =
          FinalCheck.reverse(
              spec,
              secrets,
              FinalCheck.only(mapping, compared),
              mapping,
              MappingInversion.invert(mapping),
              ReverseApplier.of(sd, td, MappingInversion.invert(mapping), id).changedRows(),
              reverseStart);
      check = outcome.check();
      FinalCheck.Result result = outcome.result();
      if (!result.same()) {
        throw new Steps.CheckFailed(
            result.different().size()
                + " of "
                + result.tables().size()
                + " tables differ between source and target after the reverse drain ("
                + check.mode()
                + " check): "
                + String.join("; ", result.different())
                + ". The switch back is refused: the source stays frozen and the target takes"
                + " writes again, nothing is lost; find what wrote to the frozen source or what"
                + " the reverse stream missed, repair the source and run the rollback again");
      }
      return (CutoverLog.CHECK_CHANGED.equals(check.mode())
              ? "changed rows: "
                  + check.rows()
                  + " rows of "
                  + check.tables()
                  + " tables changed on the target since the switch compared by key, all equal"
                  + (check.tablesInFull() == 0
                      ? ""
                      : " (" + check.tablesInFull() + " of them in full)")
              : "full: "
                  + result.tables().size()
                  + " tables, every count and checksum equal ("
                  + check.reason()
                  + ")")
          + (filtered.isEmpty() ? "" : "; not compared (row filter): " + filtered);
    }

    String unfreezeSource() throws SQLException {
      freeze(sd).unfreezeWrites(source, sourceTables);
      sourceUnfrozen = true;
      writableAt = System.nanoTime();
      return sourceTables.size() + " tables released";
    }

    /**
     * PAUSE, unfreeze the source (its own step, recorded while the clients wait), repoint, RESUME:
     * the clients' next queries run on a writable source. The applications can write again at the
     * RESUME, so that is where {@code rollback_millis} ends. A failed switch after the unfreeze
     * freezes the source again before the clients resume on the target.
     */
    boolean heldSwitchBack() {
      boolean ok =
          steps.run(
              SWITCH_BACK,
              () ->
                  switchBackFailure(
                      () ->
                          switchBack.run(
                              new SwitchBack.Held() {
                                @Override
                                public String release() {
                                  if (!steps.run(UNFREEZE_SOURCE, Run.this::unfreezeSource)) {
                                    throw new Steps.CheckFailed(
                                        "unfreezing the source failed while PgBouncer held the"
                                            + " clients; they resume on the target");
                                  }
                                  return "source unfrozen while held";
                                }

                                @Override
                                public void undo() throws SQLException {
                                  freeze(sd)
                                      .freezeWrites(source, sourceTables, FREEZE_LOCK_TIMEOUT);
                                  sourceUnfrozen = false;
                                  writableAt = 0;
                                }
                              })));
      if (ok) {
        writableAt = System.nanoTime();
      }
      return ok;
    }

    boolean switchBack() {
      if (switchBack == null) {
        steps.skip(SWITCH_BACK, "no switch given: point the applications at the source");
        return true;
      }
      return steps.run(SWITCH_BACK, () -> switchBackFailure(switchBack::run));
    }

    /** Runs a switch back, its failures recorded as the step's (never both sides frozen). */
    String switchBackFailure(Callable<String> work) throws SQLException {
      try {
        return work.call();
      } catch (SQLException | MigrationException | Steps.CheckFailed e) {
        throw e;
      } catch (Exception e) {
        // a hook that exits non-zero, a PgBouncer that refuses, an I/O error: recorded as this
        // step's failure, so that the target takes writes again (never both frozen); the
        // switches' own failures name the hook or the PgBouncer, an I/O error does not
        throw new Steps.CheckFailed(
            "switching traffic back failed"
                + (e instanceof RuntimeException ? "" : " (" + switchBack.describe() + ")")
                + ": "
                + (e.getMessage() == null ? e.toString() : e.getMessage()));
      }
    }

    String checkSourceWritable() throws SQLException {
      try (Connection probe = Dialects.open(spec.source(), secrets, "source")) {
        String refusal = freeze(sd).tryWrite(probe, sourceTables.get(0));
        if (refusal != null) {
          throw new Steps.CheckFailed(
              "a new source session still cannot write to " + sourceTables.get(0) + ": " + refusal);
        }
        return "a new session wrote to " + sourceTables.get(0) + " (rolled back)";
      }
    }

    RollbackLog log() {
      boolean failed = steps.anyFailed();
      long millis = frozenAt == 0 || writableAt == 0 ? 0 : Steps.millis(writableAt - frozenAt);
      String summary =
          failed
              ? "the rollback failed at "
                  + steps.steps().stream()
                      .filter(CutoverStep::failed)
                      .map(CutoverStep::name)
                      .toList()
                  + failedDetail()
                  + (sourceUnfrozen
                      ? ""
                      : "; the source stays frozen and the target takes writes, nothing was lost;"
                          + " fix the cause and run the rollback again (the reverse stream is"
                          + " kept)")
              : "rolled back in "
                  + millis
                  + " ms: "
                  + (progress == null ? 0 : progress.changes())
                  + " row changes made on the target since the switch are on the source, which"
                  + " takes writes again";
      return new RollbackLog(
          RollbackLog.CURRENT_VERSION,
          id,
          MigrationException.redact(spec.source().url()),
          MigrationException.redact(spec.target().url()),
          failed ? Verdict.FAIL : Verdict.PASS,
          summary,
          millis,
          progress == null ? null : progress.position(),
          progress == null ? 0 : progress.transactions(),
          progress == null ? 0 : progress.changes(),
          progress == null ? Map.of() : progress.tableChanges(),
          sequences,
          steps.steps(),
          switchBack == null ? NO_SWITCH_BACK : switchBack.describe(),
          check);
    }

    /** The first failed step's detail (": ..."), so that the summary says what to fix. */
    private String failedDetail() {
      return steps.steps().stream()
          .filter(CutoverStep::failed)
          .findFirst()
          .map(x -> ": " + x.detail())
          .orElse("");
    }

    void close() {
      for (Connection c : new Connection[] {source, target}) {
        if (c != null) {
          try {
            c.close();
          } catch (SQLException ignored) {
            // the rollback's outcome is in the log; a close failure changes nothing on the server
          }
        }
      }
    }
  }

  private static WriteFreeze freeze(Dialect d) {
    return d.writeFreeze()
        .orElseThrow(
            () ->
                new MigrationException(
                    ErrorCode.INVALID_SPEC,
                    "the "
                        + d.name()
                        + " database cannot freeze writes, so a rollback cannot"
                        + " hold it still while the reverse stream drains"));
  }
}
