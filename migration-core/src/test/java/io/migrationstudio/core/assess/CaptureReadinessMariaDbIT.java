package io.migrationstudio.core.assess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.spec.Approvers;
import io.migrationstudio.contracts.spec.ConnectionSpec;
import io.migrationstudio.contracts.spec.MigrateOptions;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.dialect.mariadb.MariaDbDialect;
import io.migrationstudio.core.dialect.postgres.PostgresDialect;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.report.StageOutput;
import io.migrationstudio.core.schema.TableInfo;
import io.migrationstudio.core.spec.SecretResolver;
import io.migrationstudio.testkit.MariaDbExtension;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import io.migrationstudio.testkit.TestMariaDb;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The change-capture prerequisites of a MariaDB source ({@code online-*} risk checks) on the shared
 * server, which runs with a row-based binlog and full images: settings changed at runtime (in
 * try/finally, the server is shared) and a user without replication grants show what to change; and
 * the inventory's own reads of such a source stay within their budgets.
 */
@ExtendWith({MariaDbExtension.class, PostgresExtension.class})
class CaptureReadinessMariaDbIT {
  private static final String PASSWORD = "cr-Pw-1";
  private final SecretResolver secrets = new SecretResolver(Map.of("CR_PW", PASSWORD));

  private static MigrationSpec spec(TestMariaDb src, String user, String pw, TestDatabase dst) {
    return new MigrationSpec(
        "capture-readiness-mariadb",
        null,
        new ConnectionSpec(src.jdbcUrl(), user, pw, null),
        new ConnectionSpec(dst.jdbcUrl(), dst.user(), null, null),
        null,
        null,
        MigrateOptions.defaults().withStrategy("online"),
        null,
        null,
        null,
        new Approvers(Map.of("default", List.of("alice"))),
        null);
  }

  private RiskReport assess(MigrationSpec spec, Optional<byte[]> throughput) {
    StageOutput inventory = new InventoryService(secrets).run(spec, Optional.empty());
    StageOutput risks =
        new RiskAnalyzer(secrets)
            .analyzeInventoryJson(
                inventory.files().get(ArtifactPaths.INVENTORY_JSON),
                "inventory.json",
                spec,
                Set.of(),
                Set.of(),
                throughput);
    return Json.read(risks.files().get(ArtifactPaths.RISKS_JSON), RiskReport.class, "risks.json");
  }

  private static List<Risk> online(RiskReport r) {
    return r.risks().stream().filter(x -> x.key().startsWith("online-")).toList();
  }

  private static void table(TestMariaDb src) {
    src.execute("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20))");
    StringBuilder rows = new StringBuilder("INSERT INTO t VALUES (0, 'x')");
    for (int i = 1; i < 200; i++) {
      rows.append(", (").append(i).append(", 'x')");
    }
    src.execute(rows.toString(), "ANALYZE TABLE t");
  }

  @Test
  void theSharedServerIsReadyAndMixedFormatOrMinimalImagesAreCritical(
      TestMariaDb src, TestDatabase dst) {
    table(src);
    MigrationSpec spec = spec(src, src.user(), null, dst);
    RiskReport ready = assess(spec, Optional.empty());
    assertEquals(List.of(), online(ready), "root on a ROW/FULL binlog");
    // MariaDB reports binlog_snapshot_file/_position: the snapshot check ran and raised nothing
    assertEquals(
        List.of(
            new CheckRun(
                "online-snapshot-position",
                Risk.Category.OPERATIONAL,
                CheckRun.Status.RAN,
                null,
                0)),
        ready.checks().stream().filter(c -> c.key().equals("online-snapshot-position")).toList());
    try {
      src.execute("SET GLOBAL binlog_format = 'MIXED'", "SET GLOBAL binlog_row_image = 'MINIMAL'");
      RiskReport r = assess(spec, Optional.empty());
      List<Risk> settings = online(r);
      assertEquals(
          List.of("binlog_format", "binlog_row_image"),
          settings.stream().map(x -> x.objects().get(0)).sorted().toList(),
          settings.toString());
      for (Risk x : settings) {
        assertEquals("online-log-settings", x.key());
        assertEquals(Risk.Severity.CRITICAL, x.severity());
        assertTrue(x.mitigation().startsWith("SET GLOBAL binlog_"), x.mitigation());
      }
      assertEquals(Verdict.FAIL, r.verdict());
    } finally {
      src.execute("SET GLOBAL binlog_format = 'ROW'", "SET GLOBAL binlog_row_image = 'FULL'");
    }
  }

  /** A MariaDB source's copy decodes rows, so the read probe times rows read through JDBC. */
  @Test
  void aMariaDbSourceIsTimedReadingRowsNotACopy(TestMariaDb src) throws Exception {
    table(src);
    io.migrationstudio.core.dialect.mariadb.MariaDbDialect maria =
        new io.migrationstudio.core.dialect.mariadb.MariaDbDialect();
    assertFalse(maria.readsCopyBinary());
    try (java.sql.Connection c = src.connect()) {
      io.migrationstudio.core.schema.Inventory inv =
          InventoryService.introspect(c, maria, src.name(), t -> true);
      Throughput tp = ThroughputProbe.measure(c, maria, src.name(), inv.tables());
      assertEquals(Throughput.READ_ROWS, tp.readMethod(), tp.toString());
      assertEquals(200, tp.sampledRows(), tp.toString());
      assertEquals(List.of("t"), tp.sampledTables());
      assertTrue(tp.relationBytesPerSecond() > 0 && tp.sampledBytes() > 0, tp.toString());
      assertTrue(c.getAutoCommit(), "the connection is as it was");
    }
  }

  @Test
  void binlogRetentionIsWeighedAgainstThePlannedCopy(TestMariaDb src, TestDatabase dst) {
    table(src);
    MigrationSpec spec = spec(src, src.user(), null, dst);
    long before = src.queryLong("SELECT @@GLOBAL.binlog_expire_logs_seconds");
    try {
      src.execute("SET GLOBAL binlog_expire_logs_seconds = 3600");
      // no plan estimate: under a day is a warning
      List<Risk> noEstimate = online(assess(spec, Optional.empty()));
      assertEquals(1, noEstimate.size(), noEstimate.toString());
      assertEquals("online-log-retention", noEstimate.get(0).key());
      assertEquals(Risk.Severity.HIGH, noEstimate.get(0).severity());
      // a plan of 1 byte/s: the copy takes longer than the hour the binlog is kept
      Throughput slow = new Throughput(1, 1, 1, 1, 1, 1, 1000, List.of("t"));
      List<Risk> tooShort = online(assess(spec, Optional.of(Json.bytes(Json.write(slow)))));
      assertEquals(1, tooShort.size(), tooShort.toString());
      assertEquals(Risk.Severity.CRITICAL, tooShort.get(0).severity());
      assertTrue(tooShort.get(0).detail().contains("plan estimates the copy"), tooShort.toString());
      // a fast plan: an hour is plenty
      Throughput fast = new Throughput(1, 1, 1, 1, 1L << 40, 1, 1000, List.of("t"));
      assertEquals(List.of(), online(assess(spec, Optional.of(Json.bytes(Json.write(fast))))));
    } finally {
      src.execute("SET GLOBAL binlog_expire_logs_seconds = " + before);
    }
  }

  @Test
  void aUserWithoutReplicationGrantsIsToldWhatToGrant(TestMariaDb src, TestDatabase dst) {
    table(src);
    String user = src.name().substring(Math.max(0, src.name().length() - 10)) + "_cr";
    String account = "'" + user + "'@'localhost'";
    src.execute(
        "CREATE USER " + account + " IDENTIFIED BY '" + PASSWORD + "'",
        "GRANT SELECT, SHOW VIEW ON " + src.name() + ".* TO " + account);
    MigrationSpec spec = spec(src, user, "${env:CR_PW}", dst);
    List<Risk> missing = online(assess(spec, Optional.empty()));
    assertEquals(1, missing.size(), missing.toString());
    Risk grants = missing.get(0);
    assertEquals("online-replication-privileges", grants.key());
    assertEquals(Risk.Severity.CRITICAL, grants.severity());
    assertTrue(
        grants.detail().contains("REPLICATION SLAVE and REPLICATION CLIENT"), grants.detail());
    assertTrue(
        grants.mitigation().startsWith("GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO "),
        grants.mitigation());

    src.execute("GRANT REPLICATION SLAVE, BINLOG MONITOR ON *.* TO " + account);
    assertEquals(List.of(), online(assess(spec, Optional.empty())));
  }

  /**
   * The inventory's read probes on a table larger than their row budgets make the server send no
   * more rows than those budgets: MariaDB's driver drains a result set closed early to its end (the
   * protocol cannot stop one), so an unbounded {@code SELECT *} sent the whole table, once per
   * probe, after the probe had stopped reading.
   */
  @Test
  void theInventorysReadProbesSendNoMoreRowsThanTheirBudgets(TestMariaDb src, TestDatabase dst)
      throws Exception {
    src.execute(
        "CREATE TABLE wide (id INT PRIMARY KEY, v CHAR(20))",
        "INSERT INTO wide SELECT seq, 'x' FROM seq_1_to_" + (ThroughputProbe.ROW_BUDGET + 50_000),
        "ANALYZE TABLE wide");
    MariaDbDialect maria = new MariaDbDialect();
    try (Connection c = src.connect();
        Connection t = dst.connect()) {
      List<TableInfo> tables =
          InventoryService.introspect(c, maria, src.name(), x -> true).tables();
      long before = rowsSent(c);
      Throughput read = ThroughputProbe.measure(c, maria, src.name(), tables);
      long sent = rowsSent(c) - before;
      assertTrue(read.sampledRows() > 0, read.toString());
      assertTrue(sent <= ThroughputProbe.ROW_BUDGET + 1, "read probe: " + sent + " rows sent");
      before = rowsSent(c);
      assertTrue(
          TargetWriteProbe.measure(c, maria, src.name(), tables, t, new PostgresDialect())
              .isPresent());
      sent = rowsSent(c) - before;
      assertTrue(sent <= TargetWriteProbe.ROW_BUDGET + 1, "write probe: " + sent + " rows sent");
    }
  }

  /** Rows the server has sent on this session (the status query's own row included). */
  private static long rowsSent(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SHOW SESSION STATUS LIKE 'Rows_sent'")) {
      assertTrue(rs.next());
      return rs.getLong(2);
    }
  }
}
