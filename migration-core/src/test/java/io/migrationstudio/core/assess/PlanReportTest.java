package io.migrationstudio.core.assess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.spec.MigrateOptions;
import io.migrationstudio.core.schema.CanonicalType;
import io.migrationstudio.core.schema.Column;
import io.migrationstudio.core.schema.ForeignKey;
import io.migrationstudio.core.schema.IndexInfo;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.core.schema.KeyConstraint;
import io.migrationstudio.core.schema.LoadOrder;
import io.migrationstudio.core.schema.TableInfo;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlanReportTest {
  private static final long MIB = 1L << 20;
  private static final Column ID =
      new Column("id", 1, "integer", CanonicalType.INTEGER, false, null, null, null, null, false);

  static TableInfo table(String name, long rows, long bytes, List<ForeignKey> fks, int indexes) {
    List<IndexInfo> ix =
        java.util.stream.IntStream.range(0, indexes)
            .mapToObj(
                i -> new IndexInfo(name + "_ix" + i, List.of("id"), false, "btree", null, "d"))
            .toList();
    return new TableInfo(
        "public",
        name,
        List.of(ID),
        new KeyConstraint(name + "_pkey", List.of("id")),
        null,
        fks,
        null,
        ix,
        rows,
        bytes);
  }

  /** 1 MiB/s on disk: a 10 MiB table copies in 10 s. */
  static final Throughput ONE_MIB =
      new Throughput(1000, MIB / 2, 5000, 5 * MIB / 2, MIB, 5 * MIB, 5000, List.of("big"));

  @Test
  void copyTimeIsSizeOverMeasuredRateWithStatedAllowances() {
    ForeignKey toSmall =
        new ForeignKey("big_small", List.of("id"), "small", List.of("id"), null, null);
    Inventory inv =
        new Inventory(
            "postgresql",
            "17",
            "db",
            "public",
            List.of(
                table("big", 1000, 10 * MIB, List.of(toSmall), 1),
                table("empty", 0, MIB, null, 0),
                table("small", 10, 2 * MIB, null, 0),
                table("other", 10, 4 * MIB, null, 0)),
            null,
            null,
            null,
            null);
    LoadOrder.Plan plan = LoadOrder.of(inv);
    List<PlanReport.TableEstimate> est = PlanReport.estimate(inv, plan, ONE_MIB);
    assertEquals(
        List.of("empty", "other", "small", "big"),
        est.stream().map(e -> e.table().name()).toList());
    PlanReport.TableEstimate big = est.get(3);
    assertEquals(10.0, big.copy(), 1e-9);
    // primary key + 1 index at 0.25 each, 1 FK at 0.10
    assertEquals(
        10.0 * (2 * PlanReport.INDEX_ALLOWANCE + PlanReport.FK_ALLOWANCE), big.allowance(), 1e-9);
    assertEquals(0.0, est.get(0).total(), 1e-9, "an empty table costs nothing to copy");
    double small = 2 * (1 + PlanReport.INDEX_ALLOWANCE);
    double other = 4 * (1 + PlanReport.INDEX_ALLOWANCE);
    assertEquals(small + other + big.total(), PlanReport.sequentialSeconds(est), 1e-9);
    // wave 1 = empty, other, small (longest: other); wave 2 = big
    assertEquals(other + big.total(), PlanReport.parallelSeconds(est, 4), 1e-9);
    assertEquals((small + other) + big.total(), PlanReport.parallelSeconds(est, 1), 1e-9);

    String md = PlanReport.render(inv, plan, ONE_MIB, 4);
    assertTrue(md.contains("copy = table size / 1,048,576 bytes per second"), md);
    assertTrue(
        md.contains("| 2 | `big` | 1,000 | 10.0 MiB | 10.0 s | 2 | 1 | 6.0 s | 16.0 s |"), md);
    assertTrue(md.contains("- with parallelism 4: 21.0 s\n"), md);
    assertTrue(
        md.endsWith(
            "\n\n## Source writes\n\n" + PlanReport.sourceWrites(MigrateOptions.defaults()) + "\n"),
        md);
  }

  @Test
  void thePlanSaysWhatEachStrategyDemandsOfTheSourceWrites() {
    Inventory inv =
        new Inventory(
            "postgresql",
            "17",
            "db",
            "public",
            List.of(table("t", 5, MIB, null, 0)),
            null,
            null,
            null,
            null);
    String bulk = PlanReport.render(inv, LoadOrder.of(inv), ONE_MIB, 2);
    assertTrue(bulk.contains("**stop writes to the source before Migrate starts**"), bulk);
    String online =
        PlanReport.render(
            inv, LoadOrder.of(inv), ONE_MIB, 2, MigrateOptions.defaults().withStrategy("online"));
    assertTrue(online.contains("the source keeps taking writes"), online);
    assertTrue(online.contains("(PT5S)"), online);
    assertFalse(online.contains("stop writes"), online);
  }

  @Test
  void noMeasurementMeansUnknownNotZero() {
    Throughput none = new Throughput(0, 0, 0, 0, 0, 0, 1, List.of());
    Inventory inv =
        new Inventory(
            "postgresql",
            "17",
            "db",
            "public",
            List.of(table("t", 5, MIB, null, 0)),
            null,
            null,
            null,
            null);
    String md = PlanReport.render(inv, LoadOrder.of(inv), none, 2);
    assertTrue(md.contains("| 1 | `t` | 5 | 1.00 MiB | unknown |"), md);
    assertTrue(md.contains("Nothing could be measured"), md);
  }

  @Test
  void theSpecsThrottleBoundsTheCopyFromBelow() {
    Inventory inv =
        new Inventory(
            "postgresql",
            "17",
            "db",
            "public",
            List.of(table("a", 100_000, 10 * MIB, null, 0), table("b", 1_000, 20 * MIB, null, 0)),
            null,
            null,
            null,
            null);
    LoadOrder.Plan plan = LoadOrder.of(inv);
    // unthrottled: a 10 s, b 20 s (1 MiB/s); at 5,000 rows/s a takes 20 s, b keeps its 20 s
    MigrateOptions throttled = MigrateOptions.defaults().withMaxRowsPerSecond(5_000L);
    String md = PlanReport.render(inv, plan, ONE_MIB, 4, throttled);
    assertTrue(md.contains("| 1 | `a` | 100,000 | 10.0 MiB | 20.0 s *throttled* |"), md);
    assertTrue(md.contains("| 1 | `b` | 1,000 | 20.0 MiB | 20.0 s |"), md);
    assertTrue(md.contains("`migrate.max_rows_per_second` = 5,000"), md);
    // parallel: the wave's longest table (b, 25 s with its key) vs all 101,000 rows / 5,000
    assertTrue(md.contains("- with parallelism 4: 25.0 s\n"), md);
    String slow =
        PlanReport.render(
            inv, plan, ONE_MIB, 4, MigrateOptions.defaults().withMaxRowsPerSecond(1_000L));
    // a: 100 s throttled + 2.5 s for its key (from the unthrottled copy)
    assertTrue(slow.contains("- with parallelism 4: 1 min 43 s\n"), slow);
    String free = PlanReport.render(inv, plan, ONE_MIB, 4);
    assertTrue(free.contains("| 1 | `a` | 100,000 | 10.0 MiB | 10.0 s |"), free);
  }
}
