package io.migrationstudio.core.assess;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.spec.ConnectionSpec;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.spec.ScopeSpec;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.db.SampleDatabases;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.report.StageOutput;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.core.spec.SecretResolver;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class InventoryServiceIT {
  private final InventoryService service = new InventoryService(new SecretResolver(Map.of()));

  static MigrationSpec spec(TestDatabase source, String schema, ScopeSpec scope) {
    return new MigrationSpec(
        "assess-it",
        null,
        new ConnectionSpec(source.jdbcUrl(), source.user(), null, schema),
        new ConnectionSpec("jdbc:postgresql://localhost:1/target", "postgres", null, null),
        scope,
        null,
        null,
        null,
        null,
        null,
        null,
        null);
  }

  private static String text(StageOutput out, String path) {
    return new String(out.files().get(path), StandardCharsets.UTF_8);
  }

  @Test
  void chinookInventoryIsCompleteAndByteStableWhenThroughputIsReused(TestDatabase chinook)
      throws Exception {
    try (Connection c = chinook.connect()) {
      SampleDatabases.loadChinookPostgres(c);
      // settle what autovacuum would otherwise do between the runs below (visibility map and
      // free-space map forks change the sizes the inventory records): a re-run on unchanged
      // data must write the same bytes, a vacuum in between is a change of the data's storage
      try (java.sql.Statement st = c.createStatement()) {
        st.execute("VACUUM (ANALYZE)");
      }
    }
    MigrationSpec spec = spec(chinook, null, null);

    StageOutput first = service.run(spec, Optional.empty());
    assertEquals(
        List.of(
            ArtifactPaths.INVENTORY_JSON,
            ArtifactPaths.INVENTORY_MD,
            ArtifactPaths.PLAN_JSON,
            ArtifactPaths.PLAN_MD,
            ArtifactPaths.THROUGHPUT_JSON),
        List.copyOf(first.files().keySet()));
    assertNull(first.verdict());

    Throughput tp =
        Json.read(first.files().get(ArtifactPaths.THROUGHPUT_JSON), Throughput.class, "tp");
    assertEquals(15_607, tp.sampledRows(), "all of Chinook fits in the row budget");
    assertEquals(11, tp.sampledTables().size());
    assertTrue(tp.sampledBytes() > 100_000, "Chinook's values weigh more than 100 kB");
    assertTrue(tp.rowsPerSecond() > 0 && tp.bytesPerSecond() > 0);
    assertNotNull(
        tp.sourceChangeBytesPerSecond(), "a PostgreSQL source's WAL position is read twice");
    assertTrue(tp.sourceChangeWindowMillis() > 0, tp.toString());

    Inventory inv =
        Json.read(first.files().get(ArtifactPaths.INVENTORY_JSON), Inventory.class, "inv");
    assertEquals(11, inv.tables().size());
    assertEquals(
        List.of(
            "artist",
            "album",
            "employee",
            "customer",
            "genre",
            "invoice",
            "media_type",
            "playlist",
            "track",
            "invoice_line",
            "playlist_track"),
        inv.loadOrder());
    assertTrue(inv.cycles().isEmpty());

    String md = text(first, ArtifactPaths.INVENTORY_MD);
    assertTrue(md.contains("| `track` | 3,503 |"), md);
    assertTrue(md.contains("`playlist_track_pkey` (`playlist_id`, `track_id`)"), md);
    assertTrue(md.contains("- `employee`.`employee_reports_to_fkey` → `employee`"), md);
    String plan = text(first, ArtifactPaths.PLAN_MD);
    assertTrue(
        plan.contains(ReportUnits.count(tp.relationBytesPerSecond()) + " bytes per second"), plan);
    assertTrue(tp.sampledRelationBytes() > tp.sampledBytes(), "on-disk size exceeds value bytes");
    assertTrue(plan.contains("with parallelism 4: "), plan);
    assertTrue(plan.contains("### 3. migrate"), plan);
    assertTrue(plan.contains("## Measured source change rate"), plan);
    MigrationPlan planJson =
        Json.read(first.files().get(ArtifactPaths.PLAN_JSON), MigrationPlan.class, "plan");
    assertEquals(11, planJson.tables().size());
    assertEquals("migrate", planJson.phases().get(2).name());
    assertTrue(first.summary().contains("11 tables, 15,607 rows"), first.summary());

    // as the activity does: the previous throughput and inventory (whose sampled consumers are
    // reused) come from the branch, so a re-run writes identical files even though the live
    // sessions of the source differ from one sample to the next
    Optional<byte[]> previous = Optional.of(first.files().get(ArtifactPaths.THROUGHPUT_JSON));
    Optional<byte[]> previousInventory =
        Optional.of(first.files().get(ArtifactPaths.INVENTORY_JSON));
    StageOutput second = service.run(spec, previous, previousInventory);
    StageOutput third = service.run(spec, previous, previousInventory);
    for (String path : first.files().keySet()) {
      // compared as text: a failure shows the differing lines, not a byte index
      assertEquals(text(first, path), text(second, path), path);
      assertEquals(text(second, path), text(third, path), path);
      assertArrayEquals(first.files().get(path), third.files().get(path), path);
    }
    assertEquals(first.summary(), third.summary());
  }

  /**
   * Issue 17: {@code studio validate}'s inventory reads the catalogue only: no consumer sampling
   * window, no read probe, no sample copy into the target (here unreachable, and never tried), so
   * nothing measured and the same bytes every run.
   */
  @Test
  void aValidationOnlyInventoryReadsTheCatalogueAndMeasuresNothing(TestDatabase db) {
    db.execute(
        "CREATE TABLE t (id int PRIMARY KEY, name text)",
        "INSERT INTO t SELECT g, 'n' || g FROM generate_series(1, 500) g",
        "ANALYZE t");
    MigrationSpec spec = spec(db, null, null);

    StageOutput first = service.catalogOnly(spec);
    Inventory inv =
        Json.read(first.files().get(ArtifactPaths.INVENTORY_JSON), Inventory.class, "inv");
    assertEquals(List.of("t"), inv.loadOrder());
    assertTrue(inv.consumers().isEmpty(), inv.consumers().toString());
    Throughput tp =
        Json.read(first.files().get(ArtifactPaths.THROUGHPUT_JSON), Throughput.class, "tp");
    assertEquals(0, tp.sampledRows(), "no read probe");
    assertEquals(0, tp.targetSampledRows(), "no sample copy into the target");
    assertTrue(tp.targetNotMeasured().contains("validation-only"), tp.toString());
    assertEquals(0, tp.sourceChangeWindowMillis(), "no sampling window");
    assertTrue(text(first, ArtifactPaths.INVENTORY_MD).contains("| `t` | 500 |"));
    StageOutput second = service.catalogOnly(spec);
    for (String path : first.files().keySet()) {
      assertEquals(text(first, path), text(second, path), path);
    }
  }

  @Test
  void hostileSchemaWithScopeAndRisks(TestDatabase hostile) {
    hostile.execute(
        "CREATE SCHEMA \"Sales Ω\"",
        "SET search_path = \"Sales Ω\"",
        "CREATE TABLE \"order\" (id int PRIMARY KEY, \"user\" text, ip inet)",
        "CREATE TABLE \"Order Items\" (id int PRIMARY KEY, order_id int REFERENCES \"order\","
            + " \"select\" int, \"naïve \"\"quoted\"\"\" text)",
        "CREATE TABLE heap_log (line text)",
        "CREATE TABLE skip_me (id int)",
        "CREATE TABLE x (id int PRIMARY KEY, y_id int)",
        "CREATE TABLE y (id int PRIMARY KEY, x_id int REFERENCES x)",
        "ALTER TABLE x ADD CONSTRAINT x_y FOREIGN KEY (y_id) REFERENCES y",
        "INSERT INTO \"order\" VALUES (1, 'u|1', '10.0.0.1'), (2, 'u`2', '::1')",
        "INSERT INTO \"Order Items\" VALUES (1, 1, 3, 'a\"b')",
        "INSERT INTO heap_log SELECT 'line ' || g FROM generate_series(1, 1000) g");
    MigrationSpec spec = spec(hostile, "Sales Ω", new ScopeSpec(List.of("*"), List.of("skip_*")));

    StageOutput out = service.run(spec, Optional.empty());
    Inventory inv =
        Json.read(out.files().get(ArtifactPaths.INVENTORY_JSON), Inventory.class, "inv");
    assertFalse(inv.table("skip_me").isPresent());
    assertEquals(List.of(List.of("x.x_y -> y (deferred)", "y.y_x_id_fkey -> x")), inv.cycles());
    assertTrue(text(out, ArtifactPaths.INVENTORY_MD).contains("| `Order Items` | 1 |"));

    StageOutput risks = new RiskAnalyzer().analyze(inv, spec);
    assertEquals(Verdict.PASS, risks.verdict(), risks.summary());
    RiskReport report =
        Json.read(risks.files().get(ArtifactPaths.RISKS_JSON), RiskReport.class, "risks");
    List<String> ids = report.risks().stream().map(Risk::id).toList();
    assertTrue(ids.contains("table-without-primary-key/heap_log"), ids.toString());
    assertTrue(ids.contains("fk-cycle/x"), ids.toString());
    assertTrue(ids.contains("unsupported-type/order.ip"), ids.toString());
    assertTrue(ids.contains("identifier-needs-quoting/Order Items"), ids.toString());
  }

  @Test
  void unreachableSourceIsANonRetryableErrorWithoutSecrets(TestDatabase any) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    MigrationSpec spec =
        new MigrationSpec(
            "assess-it",
            null,
            new ConnectionSpec(
                "jdbc:postgresql://127.0.0.1:" + port + "/db?password=hunter2", "u", null, null),
            new ConnectionSpec(any.jdbcUrl(), "postgres", null, null),
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null);
    MigrationException e =
        assertThrows(MigrationException.class, () -> service.run(spec, Optional.empty()));
    assertEquals(ErrorCode.DATABASE_UNREACHABLE, e.code());
    assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
  }
}
