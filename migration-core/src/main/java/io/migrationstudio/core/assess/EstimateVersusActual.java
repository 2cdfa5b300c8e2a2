package io.migrationstudio.core.assess;

import static io.migrationstudio.core.report.MarkdownTable.code;

import io.migrationstudio.core.copy.RunReport;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.report.StageOutput;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The section of {@code run.md} that holds the plan to account: per table, the estimate of {@code
 * plan.json} (copy + chunk overhead + index builds) next to what the ledger measured (copy from the
 * first chunk's start to the last chunk's end, plus the table's index build time), and the stage's
 * whole estimate next to its duration. Deviation = (actual − estimate) / estimate.
 */
public final class EstimateVersusActual {
  private EstimateVersusActual() {}

  /**
   * {@code out} with the section appended to its {@code run.md}; {@code out} as it is when it has
   * no run report, or when there is no {@code plan.json} (a branch from before plans had one).
   */
  public static StageOutput append(StageOutput out, Optional<byte[]> planJson) {
    byte[] run = out.files().get(ArtifactPaths.RUN_JSON);
    byte[] md = out.files().get(ArtifactPaths.RUN_MD);
    if (run == null || md == null || planJson.isEmpty()) {
      return out;
    }
    MigrationPlan plan = Json.read(planJson.get(), MigrationPlan.class, ArtifactPaths.PLAN_JSON);
    RunReport report = Json.read(run, RunReport.class, ArtifactPaths.RUN_JSON);
    Map<String, byte[]> files = new HashMap<>(out.files());
    files.put(
        ArtifactPaths.RUN_MD,
        (new String(md, StandardCharsets.UTF_8) + section(plan, report))
            .getBytes(StandardCharsets.UTF_8));
    return new StageOutput(files, out.verdict(), out.summary());
  }

  static String section(MigrationPlan plan, RunReport report) {
    StringBuilder md = new StringBuilder("\n## Estimate versus actual\n\n");
    md.append(
        "From `01-assessment/plan.json` (measured rates) and this run's ledger; actual = copy"
            + " (first chunk start to last chunk end) + index build.\n\n");
    md.append("| table | estimate | actual | deviation |\n|---|---:|---:|---:|\n");
    Map<String, MigrationPlan.TableRow> estimates = new HashMap<>();
    plan.tables().forEach(t -> estimates.put(t.table(), t));
    for (RunReport.TableRun t : report.tables()) {
      MigrationPlan.TableRow e = estimates.get(t.table());
      // a plan.json written before elapsed_seconds existed: the table's total work
      Double estimate =
          e == null ? null : e.elapsedSeconds() != null ? e.elapsedSeconds() : e.totalSeconds();
      Double actual =
          t.copyDurationMs() == null && t.indexBuildMs() == null
              ? null
              : (nz(t.copyDurationMs()) + nz(t.indexBuildMs())) / 1e3;
      row(md, code(t.table()), estimate, actual);
    }
    Double stage =
        plan.phases().stream()
            .filter(p -> p.name().equals("migrate"))
            .map(MigrationPlan.Phase::durationSeconds)
            .findFirst()
            .orElse(null);
    Long ms = report.stageDurationMs() != null ? report.stageDurationMs() : report.durationMs();
    row(md, "**Migrate stage**", stage, ms == null ? null : ms / 1e3);
    return md.toString();
  }

  private static long nz(Long v) {
    return v == null ? 0 : v;
  }

  private static void row(StringBuilder md, String name, Double estimate, Double actual) {
    md.append("| ")
        .append(name)
        .append(" | ")
        .append(estimate == null ? "unknown" : ReportUnits.duration(estimate))
        .append(" | ")
        .append(actual == null ? "—" : ReportUnits.duration(actual))
        .append(" | ")
        .append(deviation(estimate, actual))
        .append(" |\n");
  }

  static String deviation(Double estimate, Double actual) {
    if (estimate == null || actual == null || estimate <= 0) {
      return "—";
    }
    return String.format(Locale.ROOT, "%+.0f %%", (actual - estimate) / estimate * 100);
  }
}
