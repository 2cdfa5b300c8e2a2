package io.migrationstudio.studio;

import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.spec.GateMode;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.workflow.MigrationState;
import io.migrationstudio.contracts.workflow.MigrationStatus;
import io.migrationstudio.contracts.workflow.Progress;
import io.migrationstudio.contracts.workflow.StageStatus;
import io.migrationstudio.contracts.workflow.TableProgress;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.workflow.OperatorService;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Follows a migration until it ends, printing each stage as it changes state, copy progress with
 * rows/s and ETA while Migrate runs, and how to review when a gate waits.
 */
final class Watcher {
  private static final long POLL_MILLIS = 500;
  private static final long PROGRESS_EVERY_MILLIS = 2000;

  /** While no chunk completes (e.g. a worker died and its chunk waits for a retry). */
  private static final long STALLED_EVERY_MILLIS = 15000;

  /** Stage states not worth a line: not started yet, or not part of this run. */
  private static final Set<String> QUIET_STATES = Set.of("pending", "not-run");

  private final OperatorService operator;
  private final PrintStream out;
  private final String reviewHint;
  private final boolean stopOnEscalation;

  Watcher(OperatorService operator, PrintStream out, String reviewHint) {
    this(operator, out, reviewHint, false);
  }

  /**
   * With {@code stopOnEscalation}, {@link #follow} also returns (state AWAITING_REVIEW) when a gate
   * configured {@code auto} escalated to {@code ask} because its checker failed.
   */
  Watcher(OperatorService operator, PrintStream out, String reviewHint, boolean stopOnEscalation) {
    this.operator = operator;
    this.out = out;
    this.reviewHint = reviewHint;
    this.stopOnEscalation = stopOnEscalation;
  }

  /** Whether the migration waits at a gate that was {@code auto} and escalated to {@code ask}. */
  static boolean escalated(MigrationStatus st) {
    return st.state() == MigrationState.AWAITING_REVIEW
        && st.stages().stream()
            .anyMatch(
                s ->
                    s.stage() == st.stage()
                        && s.gate() == GateMode.AUTO
                        && s.state().equals("awaiting-review"));
  }

  /** Who may approve {@code stage} (its own approvers, then the defaults; external: its own). */
  static List<String> approvers(MigrationSpec spec, Stage stage) {
    Set<String> who = new LinkedHashSet<>(spec.approvers().forStage(stage));
    if (spec.reviews().gate(stage) != GateMode.EXTERNAL) {
      who.addAll(spec.approvers().defaults());
    }
    return List.copyOf(who);
  }

  /** Blocks until the migration ends; returns its final status. */
  MigrationStatus follow(String migrationId) throws InterruptedException {
    return follow(migrationId, () -> operator.status(migrationId));
  }

  /** Blocks until a validation-only run (by workflow id) ends; returns its final status. */
  MigrationStatus followValidation(String migrationId, String workflowId)
      throws InterruptedException {
    return follow(migrationId, () -> operator.validationStatus(workflowId));
  }

  /**
   * Blocks until the run {@code query} answers for ends (any source of statuses: the operator
   * service in process, or the operator API of a server); returns its final status.
   */
  MigrationStatus follow(String migrationId, Supplier<MigrationStatus> query)
      throws InterruptedException {
    Map<String, String> seen = new HashMap<>();
    long lastProgress = 0;
    long lastRows = 0;
    String lastStream = null;
    String lastHypercare = null;
    long lastRowsAt = System.currentTimeMillis();
    double rate = 0;
    while (true) {
      MigrationStatus st = query.get();
      for (StageStatus s : st.stages()) {
        String key = s.state() + "|" + s.commit();
        if (!key.equals(seen.put(s.stage().key(), key)) && !QUIET_STATES.contains(s.state())) {
          printStage(migrationId, st, s);
        }
      }
      Progress p = st.progress();
      long now = System.currentTimeMillis();
      if (st.stream() != null && !st.stream().line().equals(lastStream)) {
        lastStream = st.stream().line(); // a live line of the change stream, like gh-ost's
        out.println("      " + lastStream);
      }
      if (st.hypercare() != null) {
        String seenHypercare = st.hypercare().notes() + "|" + st.hypercare().ended();
        if (!seenHypercare.equals(lastHypercare)) { // a line per note: time left, residual access
          lastHypercare = seenHypercare;
          out.println("      " + st.hypercare().describe(now));
        }
      }
      boolean moved = p.rowsCopied() != lastRows;
      if (p.chunksTotal() > 0
          && p.chunksDone() < p.chunksTotal()
          && now - lastProgress >= (moved ? PROGRESS_EVERY_MILLIS : STALLED_EVERY_MILLIS)) {
        long dRows = p.rowsCopied() - lastRows;
        double dt = (now - lastRowsAt) / 1000.0;
        if (dt > 0 && dRows > 0) {
          rate = dRows / dt;
        }
        long left = Math.max(0, p.rowsEstimated() - p.rowsCopied());
        out.printf(
            Locale.ROOT,
            "      copying: %d/%d chunks, %,d of ~%,d rows, %,.0f rows/s, ETA %s%n",
            p.chunksDone(),
            p.chunksTotal(),
            p.rowsCopied(),
            p.rowsEstimated(),
            rate,
            rate > 0 ? Math.round(left / rate) + " s" : "?");
        for (TableProgress t : p.tables()) {
          if (t.rowsPerSecond() != null && t.chunksDone() < t.chunksTotal()) {
            out.printf(
                Locale.ROOT,
                "        %-28s %,d of ~%,d rows, %d/%d chunks%s%n",
                t.table(),
                t.rowsCopied(),
                t.rowsEstimated(),
                t.chunksDone(),
                t.chunksTotal(),
                rateAndEta(t));
          }
        }
        lastProgress = now;
        lastRows = p.rowsCopied();
        lastRowsAt = now;
      }
      if (st.state() == MigrationState.COMPLETED
          || st.state() == MigrationState.FAILED
          || st.state() == MigrationState.REJECTED
          || st.state() == MigrationState.CANCELLED
          || (stopOnEscalation && escalated(st))) {
        return st;
      }
      Thread.sleep(POLL_MILLIS);
    }
  }

  /** ", 1,234 rows/s, ETA 56 s" for a table whose rate is known, else "". */
  static String rateAndEta(TableProgress t) {
    if (t.rowsPerSecond() == null) {
      return "";
    }
    return String.format(
        Locale.ROOT,
        ", %,.0f rows/s, ETA %s",
        t.rowsPerSecond(),
        t.etaSeconds() == null ? "?" : t.etaSeconds() + " s");
  }

  private void printStage(String id, MigrationStatus st, StageStatus s) {
    String mark =
        switch (s.state()) {
          case "completed" -> s.verdict() == Verdict.FAIL ? "[!!]" : "[ok]";
          case "approved", "skipped" -> "[ok]";
          case "failed", "rejected", "cancelled" -> "[!!]";
          case "awaiting-review", "changes-requested" -> "[??]";
          default -> "[..]";
        };
    String commit = s.commit() == null ? "" : " " + s.commit().substring(0, 12);
    String verdict = s.verdict() == null ? "" : " " + s.verdict();
    out.printf(
        Locale.ROOT,
        "%s %-10s %-16s%s%s  %s%n",
        mark,
        s.stage().key(),
        s.state(),
        commit,
        verdict,
        s.summary() == null ? "" : s.summary());
    if (s.state().equals("awaiting-review")
        && st.reviewCommit() != null
        && !(stopOnEscalation && escalated(st))) {
      out.printf(
          Locale.ROOT,
          "      review commit %s, then:%n        studio review %s --stage %s --approve%s%n",
          st.reviewCommit(),
          id,
          s.stage().key(),
          reviewHint);
    }
  }
}
