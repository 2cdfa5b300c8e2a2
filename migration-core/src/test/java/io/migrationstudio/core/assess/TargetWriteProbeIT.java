package io.migrationstudio.core.assess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.core.dialect.postgres.PostgresDialect;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The target's write rate is measured by a timed sample copy of the largest source table into a
 * temporary table of the target, which nothing of keeps; the plan then adds the write time to the
 * read time.
 */
@ExtendWith(PostgresExtension.class)
class TargetWriteProbeIT {
  private static final PostgresDialect PG = new PostgresDialect();

  /**
   * Issue 14: the consumers are sampled on a connection of their own while the inventory's
   * connection runs the probes; the probes' session, busy through the window, is not a consumer.
   */
  @Test
  void consumersSampledWhileTheProbesRunLeaveOutTheProbesSession(TestDatabase source)
      throws Exception {
    try (Connection billing = connect(source, "billing-app");
        Connection probes = connect(source, "studio-probes");
        ConsumerWatch watch =
            ConsumerWatch.start(
                PG,
                source.connect(),
                "public",
                new io.migrationstudio.contracts.spec.ConsumerWindow("PT0.4S", 3),
                probes)) {
      try (java.sql.Statement st = probes.createStatement()) {
        st.execute("SELECT pg_sleep(0.6)"); // working through the whole window
      }
      java.util.List<io.migrationstudio.core.schema.ConsumerInfo> seen = watch.consumers();
      assertTrue(
          seen.stream().anyMatch(c -> "billing-app".equals(c.application())), seen.toString());
      assertTrue(
          seen.stream().noneMatch(c -> "studio-probes".equals(c.application())), seen.toString());
    }
  }

  private static Connection connect(TestDatabase db, String application) throws Exception {
    java.util.Properties props = new java.util.Properties();
    props.setProperty("user", db.user());
    props.setProperty("password", "");
    props.setProperty("ApplicationName", application);
    return java.sql.DriverManager.getConnection(db.jdbcUrl(), props);
  }

  @Test
  void aSampleOfTheLargestTableIsCopiedIntoTheTargetAndTimed(
      TestDatabase source, TestDatabase target) throws Exception {
    source.execute(
        "CREATE TABLE small (id int PRIMARY KEY)",
        "INSERT INTO small VALUES (1)",
        "CREATE TABLE big (id int PRIMARY KEY, note text, at timestamptz, n numeric)",
        "CREATE INDEX big_note ON big (note, at)",
        "CREATE INDEX big_lower ON big (lower(note))",
        "INSERT INTO big SELECT g, 'row ' || g || E' with\\ttab', now(), g / 7.0"
            + " FROM generate_series(1, 20000) g",
        "ANALYZE");
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      Inventory inv = InventoryService.introspect(src, PG, "public", t -> true);
      Optional<TargetWriteProbe.Measured> m =
          TargetWriteProbe.measure(src, PG, "public", inv.tables(), tgt, PG);
      assertTrue(m.isPresent());
      assertEquals("big", m.get().table());
      // the whole table fits the row budget; only the 1 s read budget can cut it (CI at load 25:
      // 19,000 rows), and then the sample is still a real one
      assertTrue(
          m.get().rows() == 20000 || m.get().rows() >= 1000,
          "the sample fits the budgets: " + m.get());
      assertTrue(m.get().relationBytesPerSecond() > 0, m.toString());
      // primary key and (note, at) built on the sample; the expression index is left out
      assertEquals(2, m.get().indexes(), m.toString());
      assertTrue(m.get().indexMillis() > 0, m.toString());
      assertTrue(tgt.getAutoCommit(), "the target connection is as it was");
      try (ResultSet rs =
          tgt.createStatement()
              .executeQuery(
                  "SELECT to_regclass('pg_temp.studio_write_probe_1') IS NULL AND to_regclass('pg_temp.studio_write_probe_3') IS NULL")) {
        rs.next();
        assertTrue(rs.getBoolean(1), "the probe's table is gone");
      }
      Throughput read = ThroughputProbe.measure(src, PG, "public", inv.tables());
      Throughput both =
          read.withTarget(m.get().relationBytesPerSecond(), m.get().rows(), m.get().millis(), null)
              .withIndexBuild(m.get().relationBytes(), m.get().indexes(), m.get().indexMillis());
      String md = PlanReport.render(inv, io.migrationstudio.core.schema.LoadOrder.of(inv), both, 2);
      assertTrue(md.contains("rows of the largest table copied into a temporary table"), md);
      assertTrue(md.contains("the sampled table's 2 indexes and keys built"), md);
      io.migrationstudio.core.schema.LoadOrder.Plan order =
          io.migrationstudio.core.schema.LoadOrder.of(inv);
      double readOnly =
          PlanReport.estimate(inv, order, read).stream()
              .mapToDouble(PlanReport.TableEstimate::copy)
              .sum();
      double withWrite =
          PlanReport.estimate(inv, order, both).stream()
              .mapToDouble(PlanReport.TableEstimate::copy)
              .sum();
      // PostgreSQL -> PostgreSQL streams COPY to COPY: each table takes the longer of the two
      double longer =
          inv.tables().stream()
              .filter(t -> t.rowCount() > 0)
              .mapToDouble(
                  t ->
                      Math.max(
                          (double) t.sizeBytes() / both.relationBytesPerSecond(),
                          (double) t.sizeBytes() / both.targetRelationBytesPerSecond()))
              .sum();
      assertTrue(withWrite >= readOnly, withWrite + " vs " + readOnly);
      assertEquals(longer, withWrite, 1e-6);
      PlanReport.TableEstimate big =
          PlanReport.estimate(inv, order, both).stream()
              .filter(e -> e.table().name().equals("big"))
              .findFirst()
              .orElseThrow();
      assertTrue(big.indexMeasured() && big.allowance() > 0, big.toString());
    }
  }

  /**
   * A PostgreSQL source's copy reads a binary {@code COPY ... TO STDOUT}, so the read probe times
   * that: rows counted by framing the binary stream (a JDBC read would not pass {@code
   * CopyFraming}), the whole small table read once, value sizes from its first rows.
   */
  @Test
  void aPostgresSourceIsTimedReadingTheBinaryCopyTheCopyReads(TestDatabase source)
      throws Exception {
    source.execute(
        "CREATE TABLE wide (id int PRIMARY KEY, note text, n numeric,"
            + " twice int GENERATED ALWAYS AS (id * 2) STORED)",
        "INSERT INTO wide SELECT g, repeat('x', 40) || g, g / 7.0"
            + " FROM generate_series(1, 20000) g",
        "CREATE TABLE one (id int PRIMARY KEY)",
        "INSERT INTO one VALUES (1)",
        "ANALYZE");
    assertTrue(PG.readsCopyBinary());
    try (Connection src = source.connect()) {
      java.io.ByteArrayOutputStream stream = new java.io.ByteArrayOutputStream();
      assertTrue(PG.copyBinaryOut(src, "SELECT 1", stream::writeBytes));
      assertEquals(
          "PGCOPY\n\u00ff\r\n\u0000",
          new String(stream.toByteArray(), 0, 11, java.nio.charset.StandardCharsets.ISO_8859_1),
          "the dialect's stream is a binary COPY");

      Inventory inv = InventoryService.introspect(src, PG, "public", t -> true);
      long wideSize = inv.table("wide").orElseThrow().sizeBytes();
      Throughput tp = ThroughputProbe.measure(src, PG, "public", inv.tables());
      assertEquals(Throughput.READ_BINARY_COPY, tp.readMethod(), tp.toString());
      // the largest table first and whole (64 MiB budget); the 1-row table unless the 2 s time
      // budget ran out on a loaded machine
      assertTrue(tp.sampledTables().contains("wide"), tp.toString());
      assertTrue(tp.sampledRows() == 20_001 || tp.sampledRows() == 20_000, "every row read: " + tp);
      assertTrue(tp.sampledRelationBytes() >= wideSize, tp + " vs " + wideSize);
      // the first 1,000 rows' value sizes stand for all 20,000 (their numbers have fewer digits:
      // ~7 % fewer bytes); the generated column is not copied, so not counted
      long exact =
          source.queryLong(
              "SELECT sum(octet_length(id::text) + octet_length(note) + octet_length(n::text))"
                  + " FROM wide");
      assertTrue(
          Math.abs(tp.sampledBytes() - exact) < exact / 5,
          "value sizes " + tp.sampledBytes() + " vs " + exact);
      // plausible: at least 1 MB/s on any machine this runs on, and the rate is bytes / time
      assertTrue(tp.relationBytesPerSecond() >= 1_000_000, tp.toString());
      assertTrue(tp.sampledMillis() < 60_000, tp.toString());
      assertTrue(src.getAutoCommit(), "the source connection is as it was");
      try (ResultSet rs = src.createStatement().executeQuery("SELECT count(*) FROM one")) {
        assertTrue(rs.next() && rs.getLong(1) == 1, "the connection is usable after the COPY");
      }
    }
  }
}
