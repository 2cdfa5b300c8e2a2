package io.migrationstudio.core.assess;

import com.fasterxml.jackson.databind.JsonNode;
import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.spec.ConnectionSpec;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.core.dialect.ConnectPhase;
import io.migrationstudio.core.dialect.DataProbe;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.dialect.Secrets;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.report.StageOutput;
import io.migrationstudio.core.schema.Inventory;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The Assessment checker: runs the checks of {@link RiskCatalog} over the inventory (and, for the
 * data checks, over the real source and target through the dialects' {@link DataProbe}s) and
 * decides the verdict: FAIL when any risk is critical, PASS otherwise. {@code risks.json} records
 * every check's outcome besides the risks, so a skipped check is never mistaken for a clean one.
 *
 * <p>Built without a {@link Secrets} it reads the inventory alone and skips the data checks with
 * that reason; built with one it opens the source (read-only) and the target for the probes. A
 * target that cannot be opened (it may not exist yet) only skips the checks that need it.
 */
public final class RiskAnalyzer {
  /** A table is large from 10 million rows: copy and validation take long, plan a window. */
  public static final long LARGE_TABLE_ROWS = 10_000_000L;

  /** ...or from 1 GiB on disk (total relation size). */
  public static final long LARGE_TABLE_BYTES = 1L << 30;

  /** The spec keys the selection will come from (reasons and errors name them). */
  static final String ONLY_KEY = "assessment.checks";

  static final String SKIP_KEY = "assessment.skip_checks";

  private final Secrets secrets;

  /** An analyzer of the inventory alone: data checks are skipped. */
  public RiskAnalyzer() {
    this.secrets = null;
  }

  /**
   * An analyzer that probes the real source and target, resolving passwords with {@code secrets}.
   */
  public RiskAnalyzer(Secrets secrets) {
    this.secrets = Objects.requireNonNull(secrets, "secrets");
  }

  /** The risks of all checks, sorted (see {@link Risk#ORDER}). */
  public List<Risk> risks(Inventory inventory, MigrationSpec spec) {
    return report(inventory, null, null, spec, Set.of(), Set.of()).risks();
  }

  /** {@code risks.json} and {@code risks.md} with the verdict, all checks selected. */
  public StageOutput analyze(Inventory inventory, MigrationSpec spec) {
    return analyze(inventory, spec, Set.of(), Set.of());
  }

  /**
   * {@code risks.json} and {@code risks.md} with the verdict. {@code only} (empty: all) selects
   * checks by key and {@code skip} leaves checks out; both come from the spec ({@value #ONLY_KEY},
   * {@value #SKIP_KEY}). Unknown keys are refused with {@code INVALID_SPEC}.
   */
  public StageOutput analyze(
      Inventory inventory, MigrationSpec spec, Set<String> only, Set<String> skip) {
    return render(inventory, report(inventory, null, null, spec, only, skip));
  }

  /**
   * As {@link #analyze(Inventory, MigrationSpec, Set, Set)} from the committed {@code
   * inventory.json}: checks also read the file's fields that the inventory records do not carry
   * (e.g. {@code triggers}, {@code routines}). {@code what} names the file in errors.
   */
  public StageOutput analyzeInventoryJson(
      byte[] inventoryJson, String what, MigrationSpec spec, Set<String> only, Set<String> skip) {
    return analyzeInventoryJson(inventoryJson, what, spec, only, skip, Optional.empty());
  }

  /**
   * As above, with the committed {@code throughput.json} when there is one: the checks that weigh
   * the planned copy time (e.g. {@code online-log-retention}) estimate it from there.
   */
  public StageOutput analyzeInventoryJson(
      byte[] inventoryJson,
      String what,
      MigrationSpec spec,
      Set<String> only,
      Set<String> skip,
      Optional<byte[]> throughputJson) {
    Throughput throughput =
        throughputJson
            .map(b -> Json.read(b, Throughput.class, ArtifactPaths.THROUGHPUT_JSON))
            .orElse(null);
    Inventory inventory = Json.read(inventoryJson, Inventory.class, what);
    JsonNode tree;
    try {
      tree = Json.mapper().readTree(inventoryJson);
    } catch (IOException e) {
      throw new MigrationException(
          ErrorCode.INVALID_ARTIFACT, what + " is not valid JSON: " + e.getMessage(), e);
    }
    return render(inventory, report(inventory, tree, throughput, spec, only, skip));
  }

  /** The report of the selected checks in a given context (no connection is opened). */
  public static RiskReport report(RiskContext context, Set<String> only, Set<String> skip) {
    RiskCatalog.requireKnown(only, ONLY_KEY);
    RiskCatalog.requireKnown(skip, SKIP_KEY);
    List<Risk> risks = new ArrayList<>();
    List<CheckRun> runs = new ArrayList<>();
    for (RiskCheck check : RiskCatalog.all()) {
      if (!only.isEmpty() && !only.contains(check.key())) {
        runs.add(notSelected(check, "not listed in " + ONLY_KEY));
        continue;
      }
      if (skip.contains(check.key())) {
        runs.add(notSelected(check, "listed in " + SKIP_KEY));
        continue;
      }
      Optional<String> why = check.skipReason(context);
      if (why.isPresent()) {
        runs.add(
            new CheckRun(check.key(), check.category(), CheckRun.Status.SKIPPED, why.get(), 0));
        continue;
      }
      List<Risk> found = check.evaluate(context);
      for (Risk r : found) {
        if (!r.key().equals(check.key())) {
          throw new IllegalStateException(
              "check " + check.key() + " raised a risk with key " + r.key());
        }
      }
      risks.addAll(found);
      runs.add(
          new CheckRun(check.key(), check.category(), CheckRun.Status.RAN, null, found.size()));
    }
    risks.sort(Risk.ORDER);
    return RiskReport.of(risks, runs);
  }

  private static CheckRun notSelected(RiskCheck check, String reason) {
    return new CheckRun(check.key(), check.category(), CheckRun.Status.NOT_SELECTED, reason, 0);
  }

  private RiskReport report(
      Inventory inventory,
      JsonNode inventoryJson,
      Throughput throughput,
      MigrationSpec spec,
      Set<String> only,
      Set<String> skip) {
    RiskContext context =
        RiskContext.of(inventory, spec).withInventoryJson(inventoryJson).withThroughput(throughput);
    if (secrets == null) {
      return report(context, only, skip);
    }
    RiskCatalog.requireKnown(only, ONLY_KEY);
    RiskCatalog.requireKnown(skip, SKIP_KEY);
    try (Connection source =
        Dialects.openReadOnly(spec.source(), secrets, "source", ConnectPhase.MIGRATION_START)) {
      context = withProbe(context, source, spec.source(), true);
      Connection target;
      try {
        // the migration's first contact with the target (a failure is recorded, not thrown)
        target =
            Dialects.openReadOnly(spec.target(), secrets, "target", ConnectPhase.MIGRATION_START);
      } catch (MigrationException e) {
        String why = "the target could not be opened (" + e.code() + "): " + e.getMessage();
        return report(context.withTarget(null, why), only, skip);
      }
      try (target) {
        return report(withProbe(context, target, spec.target(), false), only, skip);
      }
    } catch (SQLException e) {
      throw Dialects.forUrl(spec.source().url())
          .classify(e, "closing the probe connections of migration " + spec.id());
    }
  }

  private RiskContext withProbe(
      RiskContext context, Connection c, ConnectionSpec spec, boolean source) {
    Dialect dialect = Dialects.forUrl(spec.url());
    Optional<DataProbe> probe = dialect.dataProbe(c, Dialects.schemaOf(spec));
    String missing = "no data probe exists for " + dialect.name() + " yet";
    return source
        ? context.withSource(probe.orElse(null), missing)
        : context.withTarget(probe.orElse(null), missing);
  }

  private static StageOutput render(Inventory inventory, RiskReport report) {
    Map<String, byte[]> files = new TreeMap<>();
    files.put(ArtifactPaths.RISKS_JSON, Json.bytes(Json.write(report)));
    files.put(ArtifactPaths.RISKS_MD, Json.bytes(RiskMarkdown.render(inventory, report)));
    String summary =
        String.format(
            Locale.ROOT,
            "%s: %d risks (%d critical, %d high, %d medium, %d low)",
            report.verdict(),
            report.risks().size(),
            report.counts().get("critical"),
            report.counts().get("high"),
            report.counts().get("medium"),
            report.counts().get("low"));
    return new StageOutput(files, report.verdict(), summary);
  }
}
