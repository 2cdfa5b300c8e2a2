package io.migrationstudio.core.cutover;

import io.migrationstudio.contracts.spec.CutoverOptions;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.spec.SwitchSpec;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.MarkdownTable;
import java.util.List;

/** {@code rollback.md} and {@code cutover-log.md}, rendered from their JSON records only. */
final class CutoverMarkdown {
  private CutoverMarkdown() {}

  /**
   * The drill report, from the drill alone: a re-run that reuses the recorded drill renders the
   * same bytes (the reuse is said in the stage summary, i.e. the commit message, not here).
   */
  static String rollback(MigrationSpec spec, DrillReport d) {
    StringBuilder md = new StringBuilder();
    md.append("# Rollback drill: ").append(d.migration()).append("\n\n");
    md.append("**Verdict: ").append(d.verdict()).append("**: ").append(d.summary()).append("\n\n");
    if (d.version() >= DrillReport.REAL_PATH_VERSION) {
      md.append("> Run after the cutover approval of `")
          .append(d.approvedCommit())
          .append("`, on the real source and target (")
          .append(d.kind())
          .append("). A drill that failed or missed the RTO blocks the execution until a review")
          .append(" of this commit overrides it with a reason; REQUEST_CHANGES drills again.\n\n");
    } else {
      md.append("> A drill is a one-time record of measured timings: re-running the cutover stage")
          .append(" reuses `")
          .append(ArtifactPaths.DRILL_JSON)
          .append("` instead of freezing the source again. To drill again, remove it from the")
          .append(" branch and request changes on the cutover stage.\n\n");
    }
    md.append("| | |\n|---|---|\n");
    md.append("| Source | `").append(d.source()).append("` |\n");
    md.append("| Freeze | ").append(d.freeze()).append(" |\n");
    md.append("| Switch | ").append(d.switchType()).append(" |\n");
    md.append("| RTO | ").append(d.rto()).append(" (").append(d.rtoMillis()).append(" ms) |\n");
    md.append("| Rollback measured | ").append(d.rollbackMillis()).append(" ms |\n");
    if (d.drillWrites() != null) {
      md.append("| Drill writes on the target (tagged, skipped by the reverse stream) | ")
          .append(d.drillWrites())
          .append(" |\n");
    }
    if (d.reverseChanges() != null) {
      md.append("| Row changes the reverse stream applied to the source | ")
          .append(d.reverseChanges())
          .append(" (application writes sent to the target during the drill) |\n");
    }
    md.append('\n');
    if (!d.notRehearsed().isEmpty()) {
      md.append("## Not rehearsed\n\n");
      d.notRehearsed().forEach(n -> md.append("- ").append(n).append('\n'));
      md.append('\n');
    }
    md.append("## Steps\n\n");
    steps(md, d.steps());
    md.append("\n## Rolling back a real cutover\n\n");
    md.append("Follow the rollback phase above in order; every step was timed here. ");
    switch (spec.cutover().switchTo().type()) {
      case SwitchSpec.CONFIG_FILE ->
          md.append("The switch is reverted by restoring `")
              .append(spec.cutover().switchTo().path())
              .append("` from its `.pre-cutover` copy. ");
      case SwitchSpec.NONE ->
          md.append(
              "The switch is manual (type none): the application owners repoint to the source. ");
      default -> md.append(SwitchText.revert(spec.cutover().switchTo())).append(' ');
    }
    md.append("The rollback is possible only before the point of no return of `")
        .append(ArtifactPaths.RUNBOOK_MD)
        .append("`.\n");
    return md.toString();
  }

  /**
   * {@code drill-plan.md}: what the drill will do once the cutover gate is approved, so that the
   * approval gives permission for exactly that.
   */
  static String drillPlan(MigrationSpec spec, boolean online) {
    StringBuilder md = new StringBuilder();
    md.append("# Rollback drill plan: ").append(spec.id()).append("\n\n");
    String mode = spec.cutover().drill();
    if (CutoverOptions.DRILL_SKIP.equals(mode)) {
      md.append("`cutover.drill: skip`: the way back is not rehearsed before the execution.\n");
      return md.toString();
    }
    md.append("Nothing has been touched yet. Once the cutover gate approves this commit")
        .append(
            CutoverOptions.DRILL_SEPARATE_GATE.equals(mode)
                ? " (`cutover.drill: separate_gate`: this approval permits the drill only; the"
                    + " execution waits for a second approval of the drill's result)"
                : " (`cutover.drill: after_approval`)")
        .append(", inside `cutover.window` and after the validation report is checked fresh, the")
        .append(" drill runs on the real source and target:\n\n");
    int n = 0;
    if (online) {
      md.append(++n).append(". catch the change stream up (within `cutover.max_lag`)\n");
    }
    md.append(++n)
        .append(". freeze writes on the source's tables in scope (write guards; applications get")
        .append(" an error on write; no session is ended)\n");
    if (online) {
      md.append(++n).append(". end marker, drain the change stream to it\n");
      md.append(++n)
          .append(". start the reverse stream, before the switch: application writes on the")
          .append(" target from the switch on go back to the source with the way back\n");
    }
    md.append(++n)
        .append(". switch: ")
        .append(SwitchText.apply(spec.cutover().switchTo()))
        .append('\n');
    if (online) {
      md.append(++n)
          .append(". write on the target (one row per table rewritten with its own values, tagged")
          .append(" so the reverse stream skips it)\n");
      md.append(++n)
          .append(". the way back as a real rollback: freeze the target, drain the reverse stream")
          .append(" to its marker, switch back, unfreeze the source; then the target is unfrozen")
          .append(" and the reverse capture dropped\n");
    } else {
      md.append(++n)
          .append(". a new target session writes (rolled back); switch back, unfreeze the source")
          .append(" (bulk: no change streams, writes on the target are not rehearsed)\n");
    }
    md.append("\nEach step is timed; the way back must fit the RTO of ")
        .append(spec.cutover().rto())
        .append(". A failed step or a way back over the RTO blocks the execution: only a review of")
        .append(" the drill's commit with a reason (an override) lets it start. `")
        .append(ArtifactPaths.RUNBOOK_MD)
        .append("` and `PULL_REQUEST.md` are rendered again with the measured durations before")
        .append(" the execution.\n");
    return md.toString();
  }

  /** The measured figures of an online cutover's live sequence. */
  private static void live(StringBuilder md, CutoverLog.Live l) {
    md.append("## Live sequence (online)\n\n| | |\n|---|---|\n");
    md.append("| Change capture | `").append(l.capture()).append("` |\n");
    md.append("| Lag at freeze time | ")
        .append(ms(l.lagMillis()))
        .append(" (max ")
        .append(l.maxLagMillis())
        .append(" ms) |\n");
    md.append("| End marker | ").append(l.marker() == null ? "-" : "`" + l.marker() + "`");
    md.append(" |\n| Drained to | ")
        .append(l.drainedTo() == null ? "-" : "`" + l.drainedTo() + "`")
        .append(" |\n");
    md.append("| Drain | ")
        .append(ms(l.drainMillis()))
        .append(l.drainedTransactions() == null ? "" : ", " + l.drainedTransactions() + " tx, ")
        .append(l.drainedChanges() == null ? "" : l.drainedChanges() + " row changes")
        .append(" |\n");
    md.append("| Writes unavailable (freeze to switch) | ")
        .append(ms(l.writeUnavailableMillis()))
        .append(" |\n\n");
  }

  /** Which final check ran under the freeze, why, what it compared and how long it took. */
  private static void finalCheck(StringBuilder md, CutoverLog.Check c) {
    md.append("## Final check under the freeze\n\n| | |\n|---|---|\n");
    md.append("| Check | `").append(c.mode()).append("` |\n");
    md.append("| Why | ").append(cell(c.reason())).append(" |\n");
    if (c.proof() != null) {
      md.append("| Validation's proof | `").append(c.proof()).append("` |\n");
    }
    md.append("| Rows compared | ").append(c.rows()).append(" |\n");
    md.append("| Tables compared | ")
        .append(c.tables())
        .append(c.tablesInFull() == c.tables() ? "" : " (" + c.tablesInFull() + " in full)")
        .append(" |\n");
    md.append("| Time | ").append(c.millis()).append(" ms |\n\n");
  }

  private static String ms(Long millis) {
    return millis == null ? "not reached" : millis + " ms";
  }

  static String cutoverLog(CutoverLog log) {
    StringBuilder md = new StringBuilder();
    md.append("# Cutover log: ").append(log.migration()).append("\n\n");
    md.append("**Verdict: ")
        .append(log.verdict())
        .append("**: ")
        .append(log.summary())
        .append("\n\n");
    md.append("| | |\n|---|---|\n");
    md.append("| Source | `").append(log.source()).append("` |\n");
    md.append("| Target | `").append(log.target()).append("` |\n");
    md.append("| Mapping | `")
        .append(ArtifactPaths.MAPPING_YAML)
        .append("` at `")
        .append(log.mappingCommit())
        .append("` |\n");
    md.append("| Rolled back | ").append(log.rolledBack() ? "yes" : "no").append(" |\n\n");
    if (log.live() != null) {
      live(md, log.live());
    }
    if (log.finalCheck() != null) {
      finalCheck(md, log.finalCheck());
    }
    md.append("## Steps\n\n");
    steps(md, log.steps());
    md.append("\n## Final row counts (tables compared)\n\n");
    if (log.tables().isEmpty()) {
      md.append(
          log.finalCheck() == null
              ? "Not reached.\n"
              : "No table changed since the Validation's proof: nothing to compare.\n");
    } else {
      md.append("| Source table | Target table | Source rows | Target rows | Equal |\n");
      md.append("|---|---|---:|---:|---|\n");
      for (CutoverLog.TableCount t : log.tables()) {
        md.append("| ")
            .append(cell(t.source()))
            .append(" | ")
            .append(cell(t.target()))
            .append(" | ")
            .append(t.sourceRows())
            .append(" | ")
            .append(t.targetRows())
            .append(" | ")
            .append(t.equal() ? "yes" : "**no**")
            .append(" |\n");
      }
    }
    return md.toString();
  }

  private static void steps(StringBuilder md, List<CutoverStep> steps) {
    md.append("| # | Phase | Step | Status | ms | Detail |\n");
    md.append("|---|---|---|---|---:|---|\n");
    for (CutoverStep s : steps) {
      md.append("| ")
          .append(s.number())
          .append(" | ")
          .append(s.phase())
          .append(" | ")
          .append(cell(s.name()))
          .append(" | ")
          .append(s.status())
          .append(" | ")
          .append(s.millis())
          .append(" | ")
          .append(cell(s.detail()))
          .append(" |\n");
    }
  }

  /** A cell on one line: white space runs folded to a space, then the one table rule. */
  private static String cell(String s) {
    return MarkdownTable.cell(s == null ? null : s.replaceAll("\\s+", " "));
  }
}
