package io.migrationstudio.studio;

import com.fasterxml.jackson.databind.JsonNode;
import io.migrationstudio.contracts.spec.ConnectionSpec;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.core.assess.InventoryService;
import io.migrationstudio.core.assess.MigrationPlan;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.report.StageOutput;
import io.migrationstudio.core.spec.SecretResolver;
import io.migrationstudio.core.spec.SpecException;
import io.migrationstudio.core.spec.SpecLoader;
import io.migrationstudio.core.spec.SpecProblem;
import io.migrationstudio.core.spec.ToolkitSpec;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code studio plan SPEC}: the migration plan without migrating. Runs what the Assessment stage
 * measures (inventory, sampled consumers, source read rate, target write and index build rates, the
 * source's change rate) and writes {@code plan.md}, {@code plan.json}, {@code inventory.json},
 * {@code inventory.md} and {@code throughput.json} to {@code --out}. Nothing is written to the
 * target (its probe table is rolled back), no workflow is started.
 *
 * <p>SPEC is a studio spec ({@code migration.yaml}) or the seed toolkit's migration spec (JSON with
 * {@code type}, {@code constraints}, {@code tables_to_migrate}, ...), translated by {@link
 * ToolkitSpec}; its connections come from {@code --source}/{@code --target}, and {@code plan.md}
 * lists what was and was not translated.
 */
@Command(
    name = "plan",
    description = {
      "Write the migration plan (plan.md, plan.json) from measured rates, without migrating: the"
          + " inventory and the probes of the Assessment stage only.",
      "SPEC is migration.yaml or the seed toolkit's migration spec (JSON; give --source and"
          + " --target, as its source and target are descriptions).",
      "Exit 0 written, 1 a database failed, 2 invalid input."
    })
final class PlanCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "SPEC", description = "migration.yaml, or a toolkit spec")
  Path spec;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description = "directory for plan.md, plan.json and the inventory (default: .)")
  Path out = Path.of(".");

  @Option(names = "--source", paramLabel = "JDBC", description = "source (toolkit spec only)")
  String source;

  @Option(names = "--target", paramLabel = "JDBC", description = "target (toolkit spec only)")
  String target;

  @Option(names = "--user", paramLabel = "NAME", description = "user of --source and --target")
  String user;

  @Option(
      names = "--password",
      paramLabel = "REF",
      description = "password of --source and --target: ${env:NAME} or ${file:/path}")
  String password;

  @Option(names = "--schema", paramLabel = "NAME", description = "source schema (toolkit spec)")
  String schema;

  @Override
  public Integer call() throws Exception {
    return execute(SpecLoader.read(spec), out, System.out);
  }

  int execute(String text, Path dir, PrintStream stdout) throws Exception {
    Optional<ToolkitSpec.Translation> translation = toolkit(text);
    MigrationSpec parsed =
        translation.map(ToolkitSpec.Translation::spec).orElseGet(() -> SpecLoader.parse(text));
    StageOutput output = new InventoryService(new SecretResolver()).run(parsed, Optional.empty());
    Files.createDirectories(dir);
    for (Map.Entry<String, byte[]> f : output.files().entrySet()) {
      byte[] bytes = f.getValue();
      if (f.getKey().equals(ArtifactPaths.PLAN_MD) && translation.isPresent()) {
        bytes = withTranslation(output, translation.get()).getBytes(StandardCharsets.UTF_8);
      }
      Files.write(dir.resolve(Path.of(f.getKey()).getFileName()), bytes);
    }
    stdout.printf(Locale.ROOT, "%s%n", output.summary());
    stdout.printf(Locale.ROOT, "plan: %s%n", dir.resolve("plan.md"));
    return StudioMain.EXIT_OK;
  }

  /** plan.md with the translation's section after the phases table, the dependents informed. */
  private static String withTranslation(StageOutput output, ToolkitSpec.Translation t) {
    MigrationPlan plan =
        Json.read(output.files().get(ArtifactPaths.PLAN_JSON), MigrationPlan.class, "plan.json");
    String md = new String(output.files().get(ArtifactPaths.PLAN_MD), StandardCharsets.UTF_8);
    StringBuilder extra = new StringBuilder(t.markdown());
    if (t.maxDowntimeMinutes() != null && t.maxDowntimeMinutes() > 0) {
      double downtime =
          plan.phases().stream()
              .filter(p -> p.name().equals("migrate") || p.name().equals("validation"))
              .mapToDouble(p -> p.durationSeconds() == null ? Double.NaN : p.durationSeconds())
              .sum();
      extra.append(
          String.format(
              Locale.ROOT,
              "Downtime: the toolkit spec allows %d min; with strategy bulk the source's writes"
                  + " stop for Migrate and Validation, estimated %s: %s.%n%n",
              t.maxDowntimeMinutes(),
              Double.isNaN(downtime)
                  ? "unknown"
                  : String.format(Locale.ROOT, "%.1f min", downtime / 60),
              Double.isNaN(downtime)
                  ? "measure again with a reachable target"
                  : downtime <= t.maxDowntimeMinutes() * 60.0
                      ? "within the limit"
                      : "over the limit; set `migrate.strategy: online` in a studio spec"));
    }
    if (!t.dependents().isEmpty()) {
      extra
          .append("Dependent services (toolkit `constraints.dependencies`), informed before the")
          .append(" freeze and after the switch: ")
          .append(String.join(", ", t.dependents()))
          .append(".\n\n");
    }
    int at = md.indexOf("\n### 1.");
    return at < 0 ? md + "\n" + extra : md.substring(0, at + 1) + extra + md.substring(at + 1);
  }

  private Optional<ToolkitSpec.Translation> toolkit(String text) {
    JsonNode root;
    try {
      root = Json.read(text.getBytes(StandardCharsets.UTF_8), JsonNode.class, spec.toString());
    } catch (RuntimeException notJson) {
      return Optional.empty();
    }
    if (!ToolkitSpec.accepts(root)) {
      return Optional.empty();
    }
    if (source == null || target == null) {
      throw new SpecException(
          List.of(
              new SpecProblem(
                  "--source/--target",
                  null,
                  "a toolkit spec names its source and target in words: give their JDBC URLs"
                      + " with --source and --target (and --user, --password ${env:NAME})")));
    }
    return Optional.of(
        ToolkitSpec.translate(
            root,
            new ConnectionSpec(source, user, password, schema),
            new ConnectionSpec(target, user, password, null)));
  }
}
