package io.migrationstudio.core.assess;

import com.fasterxml.jackson.databind.JsonNode;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.core.dialect.DataProbe;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.dialect.IdentifierRules;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.core.schema.LoadOrder;
import java.util.Objects;
import java.util.Optional;

/**
 * What the checks see: the source inventory, the spec, the engines on both sides, the target's
 * identifier rules (when its dialect declares them) and, for data checks, probes on the real source
 * and target. A missing probe comes with the reason it is missing, which skipped checks record.
 */
public record RiskContext(
    Inventory inventory,
    MigrationSpec spec,
    String sourceEngine,
    String targetEngine,
    IdentifierRules targetIdentifiers,
    DataProbe sourceProbe,
    String sourceProbeMissing,
    DataProbe targetProbe,
    String targetProbeMissing,
    JsonNode inventoryJson,
    Throughput throughput) {

  /** Why probes are missing when the analyzer runs on the inventory alone. */
  public static final String NO_DATABASE_ACCESS =
      "the risk analyzer ran on the inventory alone, without database access";

  public RiskContext {
    Objects.requireNonNull(inventory, "inventory is required");
    Objects.requireNonNull(spec, "spec is required");
    Objects.requireNonNull(sourceEngine, "sourceEngine is required");
    Objects.requireNonNull(targetEngine, "targetEngine is required");
    if (sourceProbe == null && (sourceProbeMissing == null || sourceProbeMissing.isBlank())) {
      throw new IllegalArgumentException("a missing source probe needs a reason");
    }
    if (targetProbe == null && (targetProbeMissing == null || targetProbeMissing.isBlank())) {
      throw new IllegalArgumentException("a missing target probe needs a reason");
    }
    sourceProbeMissing = sourceProbe == null ? sourceProbeMissing : null;
    targetProbeMissing = targetProbe == null ? targetProbeMissing : null;
    inventoryJson =
        inventoryJson == null ? Json.mapper().valueToTree(inventory) : inventoryJson.deepCopy();
  }

  /**
   * The context of an inventory alone: engines from the inventory and the target URL, the target
   * dialect's identifier rules, no probes.
   */
  public static RiskContext of(Inventory inventory, MigrationSpec spec) {
    Optional<Dialect> target =
        Dialects.all().stream().filter(d -> d.accepts(spec.target().url())).findFirst();
    return new RiskContext(
        inventory,
        spec,
        inventory.engine(),
        target.map(Dialect::name).orElse("unknown"),
        target.flatMap(Dialect::identifierRules).orElse(null),
        null,
        NO_DATABASE_ACCESS,
        null,
        NO_DATABASE_ACCESS,
        null,
        null);
  }

  /** A copy with a probe on the source, or the reason there is none. */
  public RiskContext withSource(DataProbe probe, String missing) {
    return with(probe, missing, targetProbe, targetProbeMissing, inventoryJson);
  }

  /** A copy with a probe on the target, or the reason there is none. */
  public RiskContext withTarget(DataProbe probe, String missing) {
    return with(sourceProbe, sourceProbeMissing, probe, missing, inventoryJson);
  }

  public Optional<DataProbe> probe() {
    return Optional.ofNullable(sourceProbe);
  }

  public Optional<DataProbe> target() {
    return Optional.ofNullable(targetProbe);
  }

  public Optional<IdentifierRules> targetRules() {
    return Optional.ofNullable(targetIdentifiers);
  }

  /** Whether source and target are different engines (SQL, types and semantics differ). */
  public boolean crossEngine() {
    return !sourceEngine.equals(targetEngine);
  }

  /**
   * A copy with the read throughput measured by the inventory ({@code throughput.json}), from which
   * {@link #plannedCopySeconds()} is estimated; null when none was measured.
   */
  public RiskContext withThroughput(Throughput measured) {
    return new RiskContext(
        inventory,
        spec,
        sourceEngine,
        targetEngine,
        targetIdentifiers,
        sourceProbe,
        sourceProbeMissing,
        targetProbe,
        targetProbeMissing,
        inventoryJson,
        measured);
  }

  /**
   * The plan's estimate of the copy in seconds at the spec's parallelism (as {@code plan.md} gives
   * it), or empty without a measured throughput.
   */
  public java.util.OptionalDouble plannedCopySeconds() {
    if (throughput == null || !throughput.measured()) {
      return java.util.OptionalDouble.empty();
    }
    double s =
        PlanReport.parallelSeconds(
            PlanReport.estimate(inventory, plan(), throughput), spec.migrate().parallelism());
    return Double.isNaN(s) ? java.util.OptionalDouble.empty() : java.util.OptionalDouble.of(s);
  }

  /** The FK load plan of the inventory's tables. */
  public LoadOrder.Plan plan() {
    return LoadOrder.of(inventory);
  }

  /**
   * A copy reading extra fields from {@code inventory.json} as committed (e.g. {@code triggers},
   * {@code routines}, a column's {@code generated} or {@code collation}), which the inventory
   * records may not carry yet; the adapter passes the file it read.
   */
  public RiskContext withInventoryJson(JsonNode json) {
    return with(sourceProbe, sourceProbeMissing, targetProbe, targetProbeMissing, json);
  }

  /**
   * The inventory as JSON (the committed file when given, else the record serialised): the checks
   * read fields the records may gain (triggers, routines, partitions, generated columns,
   * collations) from here, defensively, so they work before and after those fields exist.
   */
  @Override
  public JsonNode inventoryJson() {
    return inventoryJson.deepCopy();
  }

  /** This context with its probes and inventory JSON replaced. */
  private RiskContext with(
      DataProbe source,
      String sourceMissing,
      DataProbe target,
      String targetMissing,
      JsonNode json) {
    return new RiskContext(
        inventory,
        spec,
        sourceEngine,
        targetEngine,
        targetIdentifiers,
        source,
        sourceMissing,
        target,
        targetMissing,
        json,
        throughput);
  }
}
