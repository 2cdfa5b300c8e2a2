package io.migrationstudio.core.assess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.spec.MigrateOptions;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.report.StageOutput;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.core.schema.LoadOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** run.md states the plan's estimate next to the ledger's measurement, per table and stage. */
class EstimateVersusActualTest {
  private static final long MIB = 1L << 20;

  @Test
  void runMdGainsEstimateVersusActualPerTable() {
    Inventory inv =
        new Inventory(
            "postgresql",
            "17",
            "db",
            "public",
            List.of(PlanReportTest.table("t", 1_000, 10 * MIB, null, 0)),
            null,
            null,
            null,
            null);
    MigrationPlan plan =
        MigrationPlan.of(
            inv, LoadOrder.of(inv), PlanReportTest.ONE_MIB, 4, MigrateOptions.defaults(), null);
    // estimate: 10 s copy + 0.2 s chunk + 2.5 s key = 12.7 s; actual 11 s copy + 4 s key = 15 s
    String run =
        "{\"migration\":\"m\",\"stage_started_at\":\"2026-12-06T00:00:00Z\",\"status\":\"done\","
            + "\"duration_ms\":11000,\"totals\":{\"rows\":1000,\"rejects\":0,\"chunks\":1,"
            + "\"committed\":1,\"attempts\":1},\"tables\":[{\"table\":\"t\",\"target_table\":\"t\","
            + "\"keyless\":false,\"rows\":1000,\"rejects\":0,\"chunks\":1,\"committed\":1,"
            + "\"attempts\":1,\"copy_duration_ms\":11000,\"index_build_ms\":4000,"
            + "\"binary_chunks\":0}],\"skipped_indexes\":[],\"stage_duration_ms\":16000}";
    StageOutput out =
        new StageOutput(
            Map.of(
                ArtifactPaths.RUN_JSON,
                run.getBytes(StandardCharsets.UTF_8),
                ArtifactPaths.RUN_MD,
                "# Run\n".getBytes(StandardCharsets.UTF_8)),
            null,
            "s");
    StageOutput with = EstimateVersusActual.append(out, Optional.of(Json.bytes(Json.write(plan))));
    String md = new String(with.files().get(ArtifactPaths.RUN_MD), StandardCharsets.UTF_8);
    assertTrue(md.startsWith("# Run\n"), md);
    assertTrue(md.contains("| `t` | 12.7 s | 15.0 s | +18 % |"), md);
    assertTrue(md.contains("| **Migrate stage** | 12.7 s | 16.0 s | +26 % |"), md);
    assertSame(out, EstimateVersusActual.append(out, Optional.empty()), "no plan.json: as it was");
    assertEquals("—", EstimateVersusActual.deviation(null, 1.0));
  }
}
