package io.migrationstudio.core.assess;

import static io.migrationstudio.core.report.MarkdownTable.code;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.spec.MigrateOptions;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.core.schema.ConsumerInfo;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.core.schema.LoadOrder;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The migration plan ({@code plan.md} and {@code plan.json}) in the phase structure of the seed
 * toolkit's planner: each phase with its duration (and what it is computed from), entry and exit
 * criteria, how to roll it back, and who is informed when; then the plan's success criteria and the
 * per-table estimates of {@link PlanReport}.
 *
 * <p>Durations come from measurements ({@link Throughput}), never from a formula of the size alone:
 * Migrate = the parallel copy estimate (read + write + chunk overhead + index builds, bounded by
 * the spec's throttle); the catch-up of an {@code online} run = the changes the source writes
 * during the copy (its measured change rate × Migrate's duration) applied at the target's measured
 * write rate minus the rate new changes keep arriving at; Validation = one read of every table at
 * the measured read rate, at the spec's parallelism. Phases that wait for people (reviews, the
 * cutover window) carry no duration ({@code duration_seconds} null) and say so.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record MigrationPlan(
    String schema,
    String source,
    String target,
    String strategy,
    int parallelism,
    @JsonProperty("estimated_seconds") Double estimatedSeconds,
    List<Phase> phases,
    @JsonProperty("success_criteria") List<String> successCriteria,
    List<String> stakeholders,
    List<TableRow> tables,
    @JsonIgnore String body) {

  public MigrationPlan {
    phases = List.copyOf(phases);
    successCriteria = List.copyOf(successCriteria);
    stakeholders = List.copyOf(stakeholders);
    tables = List.copyOf(tables);
  }

  /** One phase; {@code durationSeconds} null when people, not machines, set its length. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Phase(
      String name,
      String description,
      @JsonProperty("duration_seconds") Double durationSeconds,
      @JsonProperty("duration_basis") String durationBasis,
      List<String> dependencies,
      @JsonProperty("entry_criteria") List<String> entryCriteria,
      @JsonProperty("exit_criteria") List<String> exitCriteria,
      List<String> rollback,
      @JsonProperty("rollback_triggers") List<String> rollbackTriggers,
      List<String> informed) {
    public Phase {
      dependencies = List.copyOf(dependencies);
      entryCriteria = List.copyOf(entryCriteria);
      exitCriteria = List.copyOf(exitCriteria);
      rollback = List.copyOf(rollback);
      rollbackTriggers = List.copyOf(rollbackTriggers);
      informed = List.copyOf(informed);
    }
  }

  /** One table's estimate (seconds; null when no rate could be measured). */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record TableRow(
      String table,
      int wave,
      long rows,
      @JsonProperty("size_bytes") long sizeBytes,
      long chunks,
      @JsonProperty("copy_seconds") Double copySeconds,
      @JsonProperty("overhead_seconds") Double overheadSeconds,
      @JsonProperty("index_seconds") Double indexSeconds,
      @JsonProperty("total_seconds") Double totalSeconds,
      boolean throttled,
      @JsonProperty("elapsed_seconds") Double elapsedSeconds) {}

  /** The plan of {@code inv} at the measured {@code tp}; {@code spec} null: no names known. */
  static MigrationPlan of(
      Inventory inv,
      LoadOrder.Plan plan,
      Throughput tp,
      int parallelism,
      MigrateOptions migrate,
      MigrationSpec spec) {
    List<PlanReport.TableEstimate> estimates = PlanReport.estimate(inv, plan, tp, migrate);
    double migrateSeconds =
        PlanReport.parallelSeconds(estimates, parallelism, migrate.maxRowsPerSecond());
    List<Phase> phases = new ArrayList<>();
    phases.add(assessment(tp, spec));
    phases.add(mapping(spec));
    phases.add(migratePhase(migrateSeconds, parallelism, migrate, spec));
    if (migrate.online()) {
      phases.add(catchUp(tp, migrateSeconds, migrate, spec));
    }
    phases.add(validation(inv, tp, parallelism, spec));
    phases.add(cutover(inv, migrate, spec));
    double total = 0;
    boolean known = true;
    for (Phase p : phases) {
      if (p.durationSeconds() != null) {
        total += p.durationSeconds();
      } else if (!p.durationBasis().startsWith("people")) {
        known = false;
      }
    }
    List<TableRow> rows = new ArrayList<>();
    for (PlanReport.TableEstimate e : estimates) {
      rows.add(
          new TableRow(
              e.table().name(),
              e.wave() + 1,
              e.table().rowCount(),
              e.table().sizeBytes(),
              e.chunks(),
              num(e.copy()),
              num(e.overhead()),
              num(e.allowance()),
              num(e.total()),
              e.throttled(),
              num(PlanReport.elapsed(e, parallelism))));
    }
    return new MigrationPlan(
        inv.schema(),
        spec == null ? null : MigrationException.redact(spec.source().url()),
        spec == null ? null : MigrationException.redact(spec.target().url()),
        migrate.strategy(),
        parallelism,
        known ? total : null,
        phases,
        successCriteria(migrate),
        stakeholders(inv, spec),
        rows,
        PlanReport.body(inv, plan, tp, parallelism, migrate));
  }

  private static Double num(double d) {
    return Double.isNaN(d) || Double.isInfinite(d) ? null : d;
  }

  private static Phase assessment(Throughput tp, MigrationSpec spec) {
    double probes = (tp.sampledMillis() + tp.targetSampledMillis() + tp.indexSampledMillis()) / 1e3;
    return new Phase(
        "assessment",
        "Inventory of the source, sampled consumers, measured read, write, index build and change"
            + " rates; risks.",
        probes,
        "measured: the probes' own time (done when this plan exists)",
        List.of(),
        List.of("the spec is valid; source and target reachable with the spec's credentials"),
        List.of(
            "inventory.json, throughput.json, plan.md and risks.md on the branch",
            "no blocking risk left unanswered in risks.md"),
        List.of("nothing to undo: Assessment only reads (the probes' target table is rolled back)"),
        List.of("a blocking risk the reviewers do not accept"),
        informed(spec, Stage.ASSESSMENT, "reviews plan.md and risks.md at the Assessment gate"));
  }

  private static Phase mapping(MigrationSpec spec) {
    return new Phase(
        "mapping",
        "Target schema generated from the source (naming, type rules, overrides); compatibility"
            + " review and the schema diff source → planned target with forward and rollback DDL.",
        null,
        "people: the review's length is not estimated",
        List.of("assessment"),
        List.of("Assessment approved"),
        List.of(
            "mapping.yaml approved; compatibility.md without unresolved breaking changes",
            "schema-diff.md read: every breaking change has an owner"),
        List.of("nothing to undo: Mapping writes only to the branch; REQUEST_CHANGES redoes it"),
        List.of("a breaking change without a plan for its consumers"),
        informed(spec, Stage.MAPPING, "approve the mapping and the schema diff"));
  }

  private static Phase migratePhase(
      double seconds, int parallelism, MigrateOptions migrate, MigrationSpec spec) {
    return new Phase(
        "migrate",
        "Target schema created, tables copied in load-order waves, "
            + parallelism
            + " chunks at once, then keys, indexes and foreign keys built and sequences set.",
        num(seconds),
        "measured: parallel estimate of the table below (read + write + chunk overhead + index"
            + " builds"
            + (migrate.maxRowsPerSecond() == null ? "" : ", bounded by the spec's throttle")
            + ")",
        List.of("mapping"),
        List.of(
            "Mapping approved",
            migrate.online()
                ? "source writable; change capture prerequisites (`online-*` in risks.md) met"
                : "writes to the source stopped (strategy bulk)",
            "target tables empty (or `migrate.target_not_empty: replace`)"),
        List.of(
            "every chunk committed in the ledger, rejects within `migrate.reject_limit`",
            "run.md shows estimate versus actual per table; integration check PASS"),
        List.of(
            "drop the target schema the run created (target-schema.sql lists it) and re-run;"
                + " the source was only read"),
        List.of(
            "copy failed or rejects above the limit",
            "the copy runs more than 50 % over this estimate (a sign of a throttled or loaded"
                + " target)"),
        informed(spec, Stage.MIGRATE, "follow the copy; approve the Migrate gate"));
  }

  private static Phase catchUp(
      Throughput tp, double migrateSeconds, MigrateOptions migrate, MigrationSpec spec) {
    Long change = tp.sourceChangeBytesPerSecond();
    long apply =
        tp.targetRelationBytesPerSecond() > 0
            ? tp.targetRelationBytesPerSecond()
            : tp.relationBytesPerSecond();
    Double seconds;
    String basis;
    if (change == null || Double.isNaN(migrateSeconds)) {
      seconds = null;
      basis = "not measured: the source's change rate or the copy time is unknown";
    } else if (change == 0) {
      seconds = 0.0;
      basis =
          "measured: the source wrote no change while sampled; at a busier time the catch-up"
              + " takes (change rate × Migrate's time) / (apply rate - change rate)";
    } else if (apply <= change) {
      seconds = null;
      basis =
          String.format(
              java.util.Locale.ROOT,
              "measured: the source writes %s/s of change stream, the target took %s/s: the"
                  + " stream would not catch up; lower the source's write load first",
              ReportUnits.bytes(change),
              ReportUnits.bytes(apply));
    } else {
      double backlog = change * migrateSeconds;
      seconds = backlog / (apply - change);
      basis =
          String.format(
              java.util.Locale.ROOT,
              "measured: %s of changes during the copy (%s/s × Migrate) applied at %s/s while"
                  + " %s/s keep arriving",
              ReportUnits.bytes(Math.round(backlog)),
              ReportUnits.bytes(change),
              ReportUnits.bytes(apply),
              ReportUnits.bytes(change));
    }
    return new Phase(
        "catch-up",
        "The change stream started before the copy applies what the source wrote meanwhile,"
            + " until it is less than `migrate.max_lag` ("
            + migrate.maxLag()
            + ") behind.",
        seconds,
        basis,
        List.of("migrate"),
        List.of("copy done; the stream's slot or binlog position kept on the source"),
        List.of("lag below `migrate.max_lag`; cdc.md shows the stream applying"),
        List.of(
            "stop the stream and drop its slot/publication (the source keeps serving); the"
                + " target is discarded with Migrate's rollback"),
        List.of(
            "lag growing instead of shrinking",
            "the slot's retained WAL filling the source's disk"),
        informed(spec, Stage.MIGRATE, "watch the lag until it is caught up"));
  }

  private static Phase validation(
      Inventory inv, Throughput tp, int parallelism, MigrationSpec spec) {
    Double seconds = null;
    String basis = "not measured: no read rate";
    if (tp.relationBytesPerSecond() > 0) {
      long all = inv.tables().stream().mapToLong(t -> t.sizeBytes()).sum();
      long biggest = inv.tables().stream().mapToLong(t -> t.sizeBytes()).max().orElse(0);
      double read = (double) tp.relationBytesPerSecond();
      seconds = Math.max(biggest / read, all / read / Math.max(1, parallelism));
      basis =
          "measured: one read of every table at the source's read rate, "
              + parallelism
              + " at once (source and target are read side by side)";
    }
    return new Phase(
        "validation",
        "Row counts, chunk checksums and sampled rows compared between source and target.",
        seconds,
        basis,
        List.of("migrate"),
        List.of("Migrate approved; the target no longer written by anything but the stream"),
        List.of("validation.md PASS; regression checks within tolerance"),
        List.of(
            "nothing to undo on the source; a FAIL sends the run back to Migrate (repair or"
                + " re-copy of the chunks that differ)"),
        List.of("a checksum or row count differs and repair is not approved"),
        informed(spec, Stage.VALIDATION, "approve the verdict"));
  }

  private static Phase cutover(Inventory inv, MigrateOptions migrate, MigrationSpec spec) {
    String rto = spec == null ? "PT15M" : spec.cutover().rto();
    List<String> told = new ArrayList<>(informed(spec, Stage.CUTOVER, "approve the runbook"));
    for (ConsumerInfo c : inv.consumers()) {
      told.add(
          "consumer "
              + code(
                  (c.application() == null || c.application().isBlank() ? "?" : c.application())
                      + " ("
                      + c.user()
                      + "@"
                      + c.host()
                      + ")")
              + ": before the freeze (it loses writes) and after the switch (new address)");
    }
    return new Phase(
        "cutover",
        "Writes to the source frozen"
            + (migrate.online() ? ", the stream drained" : "")
            + ", sequences set, applications switched to the target.",
        null,
        "people: the cutover window (`cutover.window`); the rollback must fit in `cutover.rto` ("
            + rto
            + ")",
        List.of("validation"),
        List.of(
            "Validation PASS not older than `cutover.max_validation_age`",
            "the cutover window is open; consumers told"),
        List.of("applications write to the target; the source frozen read-only"),
        List.of(
            "rollback.md: unfreeze the source and switch the applications back (within `cutover.rto`)"),
        List.of(
            "errors in the applications after the switch",
            "the drain does not finish within the window"),
        told);
  }

  private static List<String> informed(MigrationSpec spec, Stage stage, String what) {
    Set<String> who = new LinkedHashSet<>();
    if (spec != null) {
      who.addAll(spec.approvers().forStage(stage));
      who.addAll(spec.approvers().defaults());
    }
    if (who.isEmpty()) {
      return List.of("the stage's reviewers (none listed in `approvers`): " + what);
    }
    List<String> out = new ArrayList<>();
    who.forEach(w -> out.add(code(w) + ": " + what + " (" + stage.key() + " gate)"));
    return out;
  }

  private static List<String> successCriteria(MigrateOptions migrate) {
    List<String> out = new ArrayList<>();
    out.add("every table's rows on the target: Validation PASS (counts, checksums, samples)");
    out.add("the target's schema as planned: the Mapping's schema diff has no unplanned change");
    out.add("sequences past the source's values; triggers fire on the target after the load");
    if (migrate.online()) {
      out.add("the change stream caught up (lag below `migrate.max_lag`) before the freeze");
    }
    out.add("each phase within 50 % of its estimate; run.md states estimate versus actual");
    out.add("applications switched with the rollback tested within `cutover.rto`");
    return out;
  }

  private static List<String> stakeholders(Inventory inv, MigrationSpec spec) {
    Set<String> out = new LinkedHashSet<>();
    if (spec != null) {
      spec.approvers().asMap().values().forEach(out::addAll);
    }
    for (ConsumerInfo c : inv.consumers()) {
      out.add(
          "consumer "
              + (c.application() == null || c.application().isBlank() ? "?" : c.application())
              + " ("
              + c.user()
              + "@"
              + c.host()
              + ")");
    }
    return List.copyOf(out);
  }

  /** {@code plan.md}: the phases, the success criteria, then the measurements and estimates. */
  public String markdown() {
    StringBuilder md = new StringBuilder();
    md.append("# Migration plan for schema ").append(code(schema)).append("\n\n");
    if (source != null) {
      md.append("- source: ").append(code(source)).append('\n');
      md.append("- target: ").append(code(target)).append('\n');
    }
    md.append("- strategy: `")
        .append(strategy)
        .append("`, parallelism ")
        .append(parallelism)
        .append('\n');
    md.append("- estimated machine time: ")
        .append(estimatedSeconds == null ? "unknown" : ReportUnits.duration(estimatedSeconds))
        .append(" (the phases with a duration; reviews and the cutover window add people's time)")
        .append("\n\n");
    md.append("## Phases\n\n| # | phase | duration | from |\n|---:|---|---:|---|\n");
    for (int i = 0; i < phases.size(); i++) {
      Phase p = phases.get(i);
      md.append("| ")
          .append(i + 1)
          .append(" | ")
          .append(p.name())
          .append(" | ")
          .append(p.durationSeconds() == null ? "—" : ReportUnits.duration(p.durationSeconds()))
          .append(" | ")
          .append(p.durationBasis().replace("|", "\\|"))
          .append(" |\n");
    }
    md.append('\n');
    for (int i = 0; i < phases.size(); i++) {
      phase(md, i + 1, phases.get(i));
    }
    md.append("## Success criteria\n\n");
    successCriteria.forEach(c -> md.append("- ").append(c).append('\n'));
    md.append("\n## Who is informed\n\n");
    if (stakeholders.isEmpty()) {
      md.append("No reviewer is listed in `approvers` and no consumer was sampled.\n");
    } else {
      stakeholders.forEach(s -> md.append("- ").append(s).append('\n'));
    }
    md.append('\n').append(body);
    return md.toString();
  }

  private static void phase(StringBuilder md, int n, Phase p) {
    md.append("### ").append(n).append(". ").append(p.name()).append("\n\n");
    md.append(p.description()).append("\n\n");
    md.append("- duration: ")
        .append(p.durationSeconds() == null ? "—" : ReportUnits.duration(p.durationSeconds()))
        .append(" (")
        .append(p.durationBasis())
        .append(")\n");
    if (!p.dependencies().isEmpty()) {
      md.append("- after: ").append(String.join(", ", p.dependencies())).append('\n');
    }
    list(md, "entry", p.entryCriteria());
    list(md, "exit", p.exitCriteria());
    list(md, "rollback", p.rollback());
    list(md, "roll back when", p.rollbackTriggers());
    list(md, "informed", p.informed());
    md.append('\n');
  }

  private static void list(StringBuilder md, String label, List<String> items) {
    md.append("- ").append(label).append(":\n");
    items.forEach(i -> md.append("  - ").append(i).append('\n'));
  }
}
