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
      Column.builder("id", "integer", CanonicalType.INTEGER).position(1).build();

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
        bytes,
        null,
        List.of(),
        null,
        List.of(),
        false,
        null,
        null);
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
    assertEquals(1, big.chunks(), "10 MiB is one chunk of the default 256 MiB");
    assertEquals(PlanReport.CHUNK_OVERHEAD_SECONDS, big.overhead(), 1e-9);
    double chunk = PlanReport.CHUNK_OVERHEAD_SECONDS;
    double small = 2 * (1 + PlanReport.INDEX_ALLOWANCE) + chunk;
    double other = 4 * (1 + PlanReport.INDEX_ALLOWANCE) + chunk;
    assertEquals(small + other + big.total(), PlanReport.sequentialSeconds(est), 1e-9);
    // wave 1 = empty, other, small (longest: other); wave 2 = big
    assertEquals(other + big.total(), PlanReport.parallelSeconds(est, 4), 1e-9);
    assertEquals((small + other) + big.total(), PlanReport.parallelSeconds(est, 1), 1e-9);

    String md = PlanReport.render(inv, plan, ONE_MIB, 4);
    assertTrue(md.contains("copy = table size / 1,048,576 bytes per second"), md);
    assertTrue(
        md.contains(
            "| 2 | `big` | 1,000 | 10.0 MiB | 10.0 s | 1 | 0.20 s | 2 | 1 | 6.0 s *allowance* |"
                + " 16.2 s |"),
        md);
    assertTrue(md.contains("- with parallelism 4: 21.4 s\n"), md);
    assertTrue(
        md.endsWith(
            "\n\n## Source writes\n\n" + PlanReport.sourceWrites(MigrateOptions.defaults())),
        md);
  }

  @Test
  void thePlanSaysWhichPathTheReadProbeTimed() {
    Inventory inv =
        new Inventory(
            "postgresql",
            "17",
            "db",
            "public",
            List.of(table("big", 1000, 10 * MIB, null, 0)),
            null,
            null,
            null,
            null);
    String copy =
        PlanReport.render(
            inv, LoadOrder.of(inv), ONE_MIB.withReadMethod(Throughput.READ_BINARY_COPY), 2);
    assertTrue(
        copy.contains(
            "from `big` (`throughput.json`). Read the way the copy reads a PostgreSQL source: a"
                + " binary `COPY (SELECT ...) TO STDOUT` of each table's first rows"),
        copy);
    String rows =
        PlanReport.render(inv, LoadOrder.of(inv), ONE_MIB.withReadMethod(Throughput.READ_ROWS), 2);
    assertTrue(rows.contains("rows fetched through JDBC and decoded."), rows);
    // a throughput.json written before read_method: no claim either way, same numbers
    String old = PlanReport.render(inv, LoadOrder.of(inv), ONE_MIB, 2);
    assertTrue(old.contains("from `big` (`throughput.json`).\n"), old);
    assertEquals(
        old.replace("(`throughput.json`).\n", ""),
        rows.replace(
            "(`throughput.json`). Read the way the copy reads this engine: rows fetched through JDBC"
                + " and decoded.\n",
            ""));
    // and through throughput.json: the method survives the file, a file without it reads as null
    Throughput back =
        io.migrationstudio.core.report.Json.read(
            io.migrationstudio.core.report.Json.bytes(
                io.migrationstudio.core.report.Json.write(
                    ONE_MIB.withReadMethod(Throughput.READ_BINARY_COPY))),
            Throughput.class,
            "throughput.json");
    assertEquals(Throughput.READ_BINARY_COPY, back.readMethod());
    assertEquals(
        null,
        io.migrationstudio.core.report.Json.read(
                "{\"rows_per_second\": 1, \"sampled_rows\": 1}"
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8),
                Throughput.class,
                "throughput.json")
            .readMethod());
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
    // parallel: the wave's longest table (b, 25.2 s with its key and chunk) vs 101,000 rows / 5,000
    assertTrue(md.contains("- with parallelism 4: 25.2 s\n"), md);
    String slow =
        PlanReport.render(
            inv, plan, ONE_MIB, 4, MigrateOptions.defaults().withMaxRowsPerSecond(1_000L));
    // a: 100 s throttled + 2.5 s for its key (from the unthrottled copy) + 0.2 s for its chunk
    assertTrue(slow.contains("- with parallelism 4: 1 min 43 s\n"), slow);
    String free = PlanReport.render(inv, plan, ONE_MIB, 4);
    assertTrue(free.contains("| 1 | `a` | 100,000 | 10.0 MiB | 10.0 s |"), free);
  }

  private static Inventory one(TableInfo t) {
    return new Inventory("postgresql", "17", "db", "public", List.of(t), null, null, null, null);
  }

  @Test
  void eachChunkCostsItsFixedOverheadAtTheSpecsChunkSize() {
    Inventory inv = one(table("t", 1_000, 10 * MIB, null, 0));
    MigrateOptions byRows =
        new MigrateOptions(null, 4, 100, null, null, null, null, null, null, null, null);
    PlanReport.TableEstimate e =
        PlanReport.estimate(inv, LoadOrder.of(inv), ONE_MIB, byRows).get(0);
    assertEquals(10, e.chunks(), "1,000 rows in chunks of 100");
    assertEquals(10 * PlanReport.CHUNK_OVERHEAD_SECONDS, e.overhead(), 1e-9);
    MigrateOptions byBytes =
        new MigrateOptions(null, 4, null, null, null, null, null, MIB, null, null, null);
    // the probe read 2.5 MiB of values for 5 MiB on disk: 10 MiB on disk = 5 MiB as the copy
    // reads it (Migrate's ChunkSize unit) = 5 chunks of 1 MiB
    assertEquals(5, PlanReport.estimate(inv, LoadOrder.of(inv), ONE_MIB, byBytes).get(0).chunks());
    assertEquals(10, PlanReport.chunks(inv.tables().get(0), byBytes), "no probe: on-disk bytes");

    // the default size: 1 GiB on disk is 4 chunks of 256 MiB, unless Migrate keeps it whole on
    // this machine's cores, and the plan counts what Migrate will cut
    MigrateOptions defaults = MigrateOptions.defaults();
    TableInfo big = table("big", 10_000_000, 1024 * MIB, null, 0);
    io.migrationstudio.core.copy.ChunkSize.WholeTable whole =
        io.migrationstudio.core.copy.MigrateService.wholeTables(defaults);
    assertTrue(whole != null, "the default chunk size");
    assertEquals(whole.keepsWhole(4) ? 1 : 4, PlanReport.chunks(big, defaults));
    MigrateOptions explicit =
        new MigrateOptions(null, 4, null, null, null, null, null, 128 * MIB, null, null, null);
    assertEquals(8, PlanReport.chunks(big, explicit), "an explicit size is cut as asked");
  }

  @Test
  void aPostgresSourceReadsAndWritesAtOnceAndATablesChunksCountOneAfterAnother() {
    // read 1 MiB/s, write 0.5 MiB/s; 1,000 rows in chunks of 250 = 4 chunks; no index rate
    Throughput tp = ONE_MIB.withTarget(MIB / 2, 500, 1_000, null);
    MigrateOptions chunked =
        new MigrateOptions(null, 2, 250, null, null, null, null, null, null, null, null);
    Inventory pg = one(table("t", 1_000, 10 * MIB, null, 0));
    PlanReport.TableEstimate e = PlanReport.estimate(pg, LoadOrder.of(pg), tp, chunked).get(0);
    assertEquals(20.0, e.copy(), 1e-9, "the longer of 10 s read and 20 s write");
    assertEquals(4, e.chunks());
    double whole = 20.0 + 4 * PlanReport.CHUNK_OVERHEAD_SECONDS + 20.0 * PlanReport.INDEX_ALLOWANCE;
    assertEquals(whole, PlanReport.elapsed(e, 2), 1e-9);
    assertEquals(whole, PlanReport.parallelSeconds(List.of(e), 2), 1e-9, "4 chunks, 2 workers");
    assertEquals(
        whole,
        MigrationPlan.of(pg, LoadOrder.of(pg), tp, 2, chunked, null)
            .tables()
            .get(0)
            .elapsedSeconds(),
        1e-9,
        "plan.json carries the table's wall time that run.md compares");

    Inventory maria =
        new Inventory("mariadb", "11", "db", "db", pg.tables(), null, null, null, null);
    assertEquals(
        30.0,
        PlanReport.estimate(maria, LoadOrder.of(maria), tp, chunked).get(0).copy(),
        1e-9,
        "a decoded copy reads, decodes and writes in turn: 10 s + 20 s");
    String md = PlanReport.render(pg, LoadOrder.of(pg), tp, 2, chunked);
    assertTrue(md.contains("the longer of that and table size / the write rate"), md);
  }

  @Test
  void aMeasuredIndexBuildRateReplacesTheAllowance() {
    ForeignKey fk = new ForeignKey("t_fk", List.of("id"), "t", List.of("id"), null, null);
    // primary key + 1 index; 1 MiB of sample × 2 indexes built in 1 s: 2 MiB/s per index
    Inventory inv = one(table("t", 1_000, 10 * MIB, List.of(fk), 1));
    Throughput tp = ONE_MIB.withIndexBuild(MIB, 2, 1_000);
    assertEquals(2 * MIB, tp.indexBytesPerSecond());
    PlanReport.TableEstimate e = PlanReport.estimate(inv, LoadOrder.of(inv), tp).get(0);
    assertTrue(e.indexMeasured());
    // 10 MiB × 2 indexes / 2 MiB/s = 10 s, plus FK validation 0.10 × 10 s copy
    assertEquals(10.0 + PlanReport.FK_ALLOWANCE * 10.0, e.allowance(), 1e-9);
    String md = PlanReport.render(inv, LoadOrder.of(inv), tp, 1);
    assertTrue(md.contains("the sampled table's 2 indexes and keys built"), md);
    assertTrue(md.contains("- index build = table size × indexes and keys / 2,097,152"), md);
  }

  private static io.migrationstudio.contracts.spec.MigrationSpec spec(MigrateOptions migrate) {
    io.migrationstudio.contracts.spec.ConnectionSpec src =
        new io.migrationstudio.contracts.spec.ConnectionSpec(
            "jdbc:postgresql://db/src?password=secret", "u", "${env:P}", null);
    io.migrationstudio.contracts.spec.ConnectionSpec tgt =
        new io.migrationstudio.contracts.spec.ConnectionSpec(
            "jdbc:postgresql://db/tgt", "u", "${env:P}", null);
    return new io.migrationstudio.contracts.spec.MigrationSpec(
        "m1",
        null,
        src,
        tgt,
        null,
        null,
        migrate,
        null,
        null,
        null,
        new io.migrationstudio.contracts.spec.Approvers(
            java.util.Map.of("default", List.of("alice"), "cutover", List.of("ops-lead"))),
        null);
  }

  @Test
  void thePlanHasTheSeedPhasesWithCriteriaRollbackAndWhoIsInformed() {
    Inventory inv =
        one(table("t", 1_000, 10 * MIB, null, 0))
            .withConsumers(
                List.of(
                    new io.migrationstudio.core.schema.ConsumerInfo(
                        "billing", "app", "10.0.0.7", 3, "idle")));
    MigrationPlan bulk =
        MigrationPlan.of(inv, LoadOrder.of(inv), ONE_MIB, 4, MigrateOptions.defaults(), spec(null));
    assertEquals(
        List.of("assessment", "mapping", "migrate", "validation", "cutover"),
        bulk.phases().stream().map(MigrationPlan.Phase::name).toList());
    MigrationPlan.Phase migrate = bulk.phases().get(2);
    // 10 s copy + 0.2 s chunk + 2.5 s primary key
    assertEquals(12.7, migrate.durationSeconds(), 1e-9);
    assertTrue(migrate.entryCriteria().contains("writes to the source stopped (strategy bulk)"));
    assertFalse(migrate.rollback().isEmpty());
    assertEquals(10.0, bulk.phases().get(3).durationSeconds(), 1e-9, "one read of 10 MiB");
    assertEquals(null, bulk.phases().get(1).durationSeconds(), "a review has no machine time");
    assertTrue(
        bulk.phases().get(4).informed().stream().anyMatch(s -> s.startsWith("`ops-lead`")),
        bulk.phases().get(4).informed().toString());
    assertTrue(
        bulk.phases().get(4).informed().stream().anyMatch(s -> s.contains("billing")),
        "the sampled consumers are told before the freeze");
    String md = bulk.markdown();
    assertTrue(md.contains("### 3. migrate"), md);
    assertTrue(md.contains("- entry:\n  - Mapping approved\n"), md);
    assertFalse(md.contains("secret"), "URLs are redacted: " + md);
    String json = io.migrationstudio.core.report.Json.write(bulk);
    assertTrue(json.contains("\"entry_criteria\""), json);
    assertFalse(json.contains("## Measured"), "the Markdown body stays out of plan.json");

    // online: 100 KiB/s of WAL during 12.7 s of copy, applied at 1 MiB/s (no target rate: read)
    MigrateOptions online = MigrateOptions.defaults().withStrategy("online");
    Throughput changing = ONE_MIB.withSourceChanges(100L * 1024 * 3, 3_000);
    MigrationPlan live =
        MigrationPlan.of(inv, LoadOrder.of(inv), changing, 4, online, spec(online));
    MigrationPlan.Phase catchUp = live.phases().get(3);
    assertEquals("catch-up", catchUp.name());
    double change = 100 * 1024;
    assertEquals(change * 12.7 / (MIB - change), catchUp.durationSeconds(), 1e-6);
    Throughput flood = ONE_MIB.withSourceChanges(4 * MIB, 1_000);
    MigrationPlan.Phase never =
        MigrationPlan.of(inv, LoadOrder.of(inv), flood, 4, online, null).phases().get(3);
    assertEquals(null, never.durationSeconds());
    assertTrue(never.durationBasis().contains("would not catch up"), never.durationBasis());
    assertTrue(
        MigrationPlan.of(inv, LoadOrder.of(inv), ONE_MIB, 4, online, null)
            .phases()
            .get(3)
            .durationBasis()
            .startsWith("not measured"));
  }
}
