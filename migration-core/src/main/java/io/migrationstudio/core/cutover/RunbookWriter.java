package io.migrationstudio.core.cutover;

import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.spec.CutoverOptions;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.spec.SwitchSpec;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.MarkdownTable;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code runbook.md}: the cutover as numbered steps, each with its owner, its duration as measured
 * in this migration's own evidence (the copy in {@code run.json}, the validation in {@code
 * validation.json}, freeze/switch/rollback in {@code drill.json}) or "not measured", and its
 * go/no-go check; the point of no return is marked and the rollback is spelled out. Built only from
 * the artifacts at one commit, so the same evidence renders the same bytes.
 */
final class RunbookWriter {
  static final String POINT_OF_NO_RETURN = "POINT OF NO RETURN";

  /** What the branch measured so far; null fields were not measured. */
  record Evidence(
      String commit,
      Integer tables,
      Long copyMillis,
      Long validationMillis,
      Optional<DrillReport> drill) {}

  private RunbookWriter() {}

  static String render(MigrationSpec spec, Evidence e) {
    String coordinator = Stage.CUTOVER.producerRole();
    String rollbackEngineer = Stage.CUTOVER.checkerRole();
    List<String> approvers = spec.approvers().forStage(Stage.CUTOVER);
    boolean freeze = !"none".equals(spec.cutover().freeze());
    SwitchSpec sw = spec.cutover().switchTo();
    boolean automatic = SwitchText.automatic(sw);
    String tables = e.tables() == null ? "every mapped table" : e.tables() + " mapped tables";

    StringBuilder md = new StringBuilder();
    md.append("# Cutover runbook: ").append(spec.id()).append("\n\n");
    md.append("| | |\n|---|---|\n");
    md.append("| Source | `")
        .append(MigrationException.redact(spec.source().url()))
        .append("` |\n");
    md.append("| Target | `")
        .append(MigrationException.redact(spec.target().url()))
        .append("` |\n");
    md.append("| Window | ")
        .append(
            spec.cutover().window() == null
                ? "none: any time after approval"
                : spec.cutover().window().describe()
                    + (spec.cutover().window().plainInstant()
                        ? ""
                        : "; an approval after the end: "
                            + spec.cutover().window().afterEndOrDefault()))
        .append(" |\n");
    md.append("| RTO | ").append(spec.cutover().rto()).append(" |\n");
    md.append("| Strategy | ")
        .append(
            spec.migrate().online()
                ? "online: the source keeps taking writes until the freeze; the change stream"
                    + " keeps the target in sync (caught up below max_lag "
                    + spec.migrate().maxLag()
                    + ")"
                : "bulk: writes to the source were stopped before Migrate started and stay"
                    + " stopped until the switch; a write made since the copy is not on the target")
        .append(" |\n");
    md.append("| Evidence | commit `")
        .append(e.commit() == null ? "" : e.commit())
        .append("` |\n\n");

    md.append("## Steps\n\n");
    md.append("| # | Step | Owner | Duration | Go / no-go check |\n");
    md.append("|---|---|---|---|---|\n");
    int n = 0;
    step(
        md,
        ++n,
        "Wait for the maintenance window",
        coordinator,
        spec.cutover().window() == null
            ? "until approval"
            : "until the window " + spec.cutover().window().describe() + " is open",
        "the window is open");
    step(
        md,
        ++n,
        "Obtain the external approval of the cutover gate",
        approvers.isEmpty() ? "approvers.cutover (none listed)" : String.join(", ", approvers),
        "not measured (people)",
        "a review file `reviews/NN-cutover-approve.json` names the commit of this runbook");
    step(
        md,
        ++n,
        "Check the validation report is fresh (re-validate if not)",
        "studio (automatic)",
        e.validationMillis() == null
            ? "seconds; a re-validation: not measured"
            : "seconds; a re-validation: about " + human(e.validationMillis()),
        "`validation.json` is younger than cutover.max_validation_age ("
            + spec.cutover().maxValidationAge()
            + ") and its ledger state is the target's; otherwise Validation runs again and only"
            + " PASS continues");
    if (freeze) {
      step(
          md,
          ++n,
          "Freeze writes on the source",
          coordinator,
          measured(e.drill(), "freeze source writes"),
          "a new source session is refused when it writes");
    } else {
      step(
          md,
          ++n,
          "Stop application writes on the source (cutover.freeze is none)",
          "application owners",
          "not measured (manual)",
          "the application owners confirm no writes reach the source");
    }
    if (spec.migrate().online()) {
      step(
          md,
          ++n,
          "Drain change capture: the studio writes an end marker after the freeze and applies"
              + " the stream up to it, then sets the target's sequences",
          coordinator,
          measuredOr(
              e.drill(),
              CutoverService.DRAIN,
              "measured at execution (`cutover-log.json` live.drain_ms)"),
          "before the freeze the stream catches up within cutover.max_lag "
              + spec.cutover().maxLag()
              + " (else refused, nothing frozen); after the final checksums a second marker proves"
              + " no write passed the freeze");
    } else {
      step(
          md,
          ++n,
          "Drain change capture",
          coordinator,
          "not applicable",
          "strategy "
              + spec.migrate().strategy()
              + " has no change capture: writes made after the copy are"
              + " caught by the next step's checksums, which refuse the switch");
    }
    step(
        md,
        ++n,
        "Final validation under the freeze: row counts and checksums of "
            + tables
            + " on both sides",
        coordinator,
        e.validationMillis() == null
            ? "not measured"
            : "at most " + human(e.validationMillis()) + " (the full validation took that long)",
        "every source count (with the mapping's row filter) equals its target count; otherwise roll back");
    step(
        md,
        ++n,
        SwitchText.apply(sw),
        automatic ? coordinator : "application owners",
        automatic ? measured(e.drill(), "switch traffic to the target") : "not measured (manual)",
        SwitchText.check(sw));
    step(
        md,
        ++n,
        "Post-checks",
        coordinator,
        measuredOr(e.drill(), CutoverService.TARGET_WRITES, "not measured"),
        "a new target session can write (in a rolled-back transaction)"
            + (freeze ? "; a new source session is still refused" : ""));
    step(
        md,
        ++n,
        "**" + POINT_OF_NO_RETURN + "**: release traffic to the target",
        coordinator,
        "",
        "from here applications write to the target; rolling back would lose those writes (no reverse"
            + " replication with strategy "
            + spec.migrate().strategy()
            + ")");
    step(
        md,
        ++n,
        "Hypercare: watch errors and latency, keep the source read-only",
        coordinator,
        "as agreed with the change board",
        "no regression against `04-validation/regression.md`");
    step(
        md,
        ++n,
        "Decommission: drop the studio schema on the target, archive the source",
        "operator",
        "not measured",
        "hypercare closed by the change board");
    md.append('\n');

    md.append("## Rollback (any failed check before the point of no return)\n\n");
    md.append("Owner: ")
        .append(rollbackEngineer)
        .append(". Rehearsed in `")
        .append(ArtifactPaths.DRILL_JSON)
        .append("`; must fit the RTO of ")
        .append(spec.cutover().rto())
        .append(" (")
        .append(human(Duration.parse(spec.cutover().rto()).toMillis()))
        .append(").\n\n");
    Optional<DrillReport> realPath = e.drill().filter(d -> DrillReport.ONLINE.equals(d.kind()));
    if (realPath.isPresent()) {
      md.append(
          "Rehearsed on the real pair after the cutover approval, as a rollback runs it:\n\n");
      int r = 0;
      for (CutoverStep st : realPath.get().steps()) {
        if (CutoverService.ROLLBACK.equals(st.phase())) {
          md.append(++r)
              .append(". ")
              .append(st.name())
              .append(": ")
              .append(
                  CutoverStep.OK.equals(st.status())
                      ? human(st.millis()) + " (drill)"
                      : st.status())
              .append('\n');
        }
      }
    } else {
      rollbackSteps(md, e, sw, automatic, freeze);
    }
    e.drill()
        .ifPresent(
            d ->
                md.append("\nRehearsed rollback total: ")
                    .append(human(d.rollbackMillis()))
                    .append(", verdict ")
                    .append(d.verdict())
                    .append(".\n"));

    md.append("\n## Measured in this migration\n\n");
    md.append("- Copy (`")
        .append(ArtifactPaths.RUN_JSON)
        .append("`): ")
        .append(e.copyMillis() == null ? "not measured" : human(e.copyMillis()))
        .append('\n');
    md.append("- Validation (`")
        .append(ArtifactPaths.VALIDATION_JSON)
        .append("`): ")
        .append(e.validationMillis() == null ? "not measured" : human(e.validationMillis()))
        .append('\n');
    md.append("- Rollback drill (`")
        .append(ArtifactPaths.DRILL_JSON)
        .append("`): ")
        .append(
            e.drill()
                .map(d -> human(d.rollbackMillis()) + " rollback, " + d.verdict())
                .orElse(
                    CutoverOptions.DRILL_SKIP.equals(spec.cutover().drill())
                        ? "skipped (cutover.drill: skip)"
                        : "not yet run: it runs on the real pair after the cutover approval, and"
                            + " this runbook is rendered again with its measured durations before"
                            + " the execution"))
        .append('\n');
    return md.toString();
  }

  /** The rollback steps of a bulk cutover (or before the real-path drill). */
  private static void rollbackSteps(
      StringBuilder md, Evidence e, SwitchSpec sw, boolean automatic, boolean freeze) {
    int r = 0;
    md.append(++r).append(". ").append(SwitchText.revert(sw));
    if (automatic) {
      md.append(' ').append(measured(e.drill(), "revert the switch"));
    }
    md.append('\n');
    if (freeze) {
      md.append(++r)
          .append(". Unfreeze writes on the source. ")
          .append(measured(e.drill(), "unfreeze source writes"))
          .append('\n');
    }
    md.append(++r)
        .append(". Check that a new source session can write. ")
        .append(measured(e.drill(), "check a new source session can write"))
        .append('\n');
    md.append(++r)
        .append(". Announce the rollback; the target keeps the copied data for a later attempt.\n");
  }

  private static void step(
      StringBuilder md, int n, String what, String owner, String duration, String check) {
    md.append("| ")
        .append(n)
        .append(" | ")
        .append(cell(what))
        .append(" | ")
        .append(cell(owner))
        .append(" | ")
        .append(cell(duration))
        .append(" | ")
        .append(cell(check))
        .append(" |\n");
  }

  private static String measuredOr(Optional<DrillReport> drill, String stepName, String otherwise) {
    String m = measured(drill, stepName);
    return m.endsWith("(drill)") ? m : otherwise;
  }

  private static String measured(Optional<DrillReport> drill, String stepName) {
    return drill
        .flatMap(
            d ->
                d.steps().stream()
                    .filter(s -> s.name().equals(stepName) && CutoverStep.OK.equals(s.status()))
                    .findFirst())
        .map(s -> human(s.millis()) + " (drill)")
        .orElse("measured by the rollback drill");
  }

  static String human(long millis) {
    if (millis < 1_000) {
      return millis + " ms";
    }
    if (millis < 60_000) {
      return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
    }
    long minutes = millis / 60_000;
    long seconds = (millis % 60_000) / 1000;
    if (minutes < 60) {
      return minutes + " min " + seconds + " s";
    }
    return minutes / 60 + " h " + minutes % 60 + " min";
  }

  private static String cell(String s) {
    return MarkdownTable.cell(s);
  }
}
