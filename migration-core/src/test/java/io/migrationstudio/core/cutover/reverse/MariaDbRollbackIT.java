package io.migrationstudio.core.cutover.reverse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.activity.CaptureStarted;
import io.migrationstudio.contracts.activity.ChunkRange;
import io.migrationstudio.contracts.activity.TablePlan;
import io.migrationstudio.contracts.spec.ConnectionSpec;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.cdc.ChangeSource;
import io.migrationstudio.core.cdc.RowChange;
import io.migrationstudio.core.cdc.SourceTransaction;
import io.migrationstudio.core.cdc.StreamPosition;
import io.migrationstudio.core.copy.ChunkCopier;
import io.migrationstudio.core.copy.ChunkProgress;
import io.migrationstudio.core.copy.LoadFinisher;
import io.migrationstudio.core.copy.TargetPreparer;
import io.migrationstudio.core.copy.TestMappings;
import io.migrationstudio.core.cutover.CutoverLog;
import io.migrationstudio.core.cutover.CutoverStep;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.Dialect.WriteFreeze;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.dialect.Secrets;
import io.migrationstudio.core.dialect.mariadb.MariaDbApplierSession;
import io.migrationstudio.core.dialect.postgres.PostgresDialect;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.testkit.MariaDbExtension;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import io.migrationstudio.testkit.TestMariaDb;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The way back from PostgreSQL to a MariaDB source (the testkit's shared servers): a MariaDB →
 * PostgreSQL migration copied, the source frozen by the cutover's write guards, the source server
 * running in {@code +03:00}, the target taking application writes after the switch point (unsigned,
 * enum, set, binary, {@code timestamp} and {@code datetime} values, a key change, a multi-row
 * transaction, a rolled-back one, an identity jump), then a rollback. Its {@code timestamp}, {@code
 * datetime} and {@code time} columns without fractional digits take values with a fraction on the
 * target ({@code now()}, literals): PostgreSQL rounds them to the source's digits, so the
 * rollback's checksums find both sides equal (with PostgreSQL's 6 digits MariaDB cut them: "changed
 * 1"). What reached the source is compared by each server's own rendering of the rows ({@code
 * UNIX_TIMESTAMP}, {@code HEX}), not through the studio.
 */
@ExtendWith({MariaDbExtension.class, PostgresExtension.class})
class MariaDbRollbackIT {
  private static final Secrets SECRETS = (value, key) -> value;
  private static final PostgresDialect PG = new PostgresDialect();
  private static final String SCHEMA =
      """
      CREATE TABLE customers (id int AUTO_INCREMENT PRIMARY KEY, name varchar(40) NOT NULL,
        vip tinyint(1) NOT NULL DEFAULT 0, kind enum('retail','trade') NOT NULL DEFAULT 'retail',
        tags set('x','y','z') NOT NULL DEFAULT '', seen timestamp(3) NULL, born datetime(6) NULL,
        credit int unsigned, big bigint unsigned, photo varbinary(16), score decimal(10,2),
        touched timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP, visited datetime NULL,
        opens time NULL) ENGINE=InnoDB;
      CREATE TABLE orders (id bigint AUTO_INCREMENT PRIMARY KEY, customer_id int NOT NULL,
        amount decimal(10,2), status varchar(20),
        FOREIGN KEY (customer_id) REFERENCES customers (id)) ENGINE=InnoDB;
      """;

  /** Each row as MariaDB renders it (instants as epoch seconds, bytes as hex). */
  private static final String MARIA_CUSTOMERS =
      "SELECT CONCAT_WS('|', id, name, vip, kind, tags, COALESCE(UNIX_TIMESTAMP(seen), '-'),"
          + " COALESCE(DATE_FORMAT(born, '%Y-%m-%d %H:%i:%s.%f'), '-'), COALESCE(credit, '-'),"
          + " COALESCE(big, '-'), COALESCE(HEX(photo), '-'), COALESCE(score, '-'),"
          + " UNIX_TIMESTAMP(touched), COALESCE(DATE_FORMAT(visited, '%Y-%m-%d %H:%i:%s.%f'), '-'),"
          + " COALESCE(TIME_FORMAT(opens, '%H:%i:%s.%f'), '-'))"
          + " FROM customers ORDER BY id";

  /** The same rendering on PostgreSQL. */
  private static final String PG_CUSTOMERS =
      "SELECT concat_ws('|', id, name, CASE WHEN vip THEN 1 ELSE 0 END, kind,"
          + " array_to_string(tags, ','),"
          + " COALESCE(to_char(extract(epoch FROM seen), 'FM9999999999.000'), '-'),"
          + " COALESCE(to_char(born, 'YYYY-MM-DD HH24:MI:SS.US'), '-'), COALESCE(credit::text, '-'),"
          + " COALESCE(big::text, '-'), COALESCE(upper(encode(photo, 'hex')), '-'),"
          + " COALESCE(score::text, '-'), trim_scale(extract(epoch FROM touched)),"
          + " COALESCE(to_char(visited, 'YYYY-MM-DD HH24:MI:SS.US'), '-'),"
          + " COALESCE(to_char(opens, 'HH24:MI:SS.US'), '-')) FROM customers ORDER BY id";

  private static final String ORDERS =
      "SELECT CONCAT_WS('|', id, customer_id, amount, status) FROM orders ORDER BY id";
  private static final String PG_ORDERS =
      "SELECT concat_ws('|', id, customer_id, amount, status) FROM orders ORDER BY id";

  @AfterEach
  void resetGlobalZone() throws SQLException {
    root("SET GLOBAL time_zone = 'SYSTEM'");
  }

  private record Fixture(
      String id,
      String app,
      MigrationSpec spec,
      MappingDocument mapping,
      Dialect md,
      CaptureStarted reverse,
      StreamPosition forwardStart) {}

  /**
   * The source in {@code +03:00} with rows written there, copied to the target, the application's
   * account, the cutover's freeze, the forward capture's position, then the switch point: the
   * reverse capture.
   */
  private Fixture switched(TestMariaDb maria, TestDatabase target) throws Exception {
    return copied(maria, target, true);
  }

  /**
   * The source copied to the target; {@code atSwitchPoint}: frozen, with the forward capture's
   * position and the reverse capture (the cutover's switch point); else an online migration with
   * its forward change stream prepared (the state a drill starts from), nothing frozen.
   */
  private Fixture copied(TestMariaDb maria, TestDatabase target, boolean atSwitchPoint)
      throws Exception {
    String suffix = Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL);
    String id = "mrb_" + suffix;
    String app = "app_" + suffix;
    root("SET GLOBAL time_zone = '+03:00'");
    maria.execute(SCHEMA.split(";\\s*(?=CREATE|$)"));
    try (Connection plain = maria.connect();
        Statement s = plain.createStatement()) {
      assertEquals("+03:00", queryString(plain, "SELECT @@session.time_zone"));
      for (int i = 1; i <= 20; i++) {
        s.execute(
            "INSERT INTO customers (name, vip, kind, tags, seen, born, credit, big, photo, score,"
                + " visited, opens) VALUES ('customer "
                + i
                + "', "
                + (i % 2)
                + ", '"
                + (i % 3 == 0 ? "trade" : "retail")
                + "', '"
                + (i % 4 == 0 ? "x,z" : "")
                + "', '2024-05-01 10:00:0"
                + (i % 10)
                + ".250', '1999-12-31 23:59:59.123456', "
                + (4_000_000_000L + i)
                + ", 18446744073709551"
                + (100 + i)
                + ", x'00ff"
                + String.format("%02x", i)
                + "', "
                + i
                + ".25, '2024-05-01 10:00:00', '09:30:00')");
      }
      for (int i = 1; i <= 50; i++) {
        s.execute(
            "INSERT INTO orders (customer_id, amount, status) VALUES ("
                + (1 + i % 20)
                + ", "
                + i
                + ".25, 'new')");
      }
    }
    root(
        "CREATE USER '" + app + "'@'localhost' IDENTIFIED BY 'app-pw'",
        "GRANT SELECT, INSERT, UPDATE, DELETE ON `"
            + maria.name()
            + "`.* TO '"
            + app
            + "'@'localhost'");
    Dialect md = Dialects.forUrl(maria.jdbcUrl());
    MappingDocument mapping;
    try (Connection src = maria.connect()) {
      mapping = TestMappings.mariaDbIdentity(maria, src, t -> true);
    }
    assertTrue(
        MappingInversion.findings(mapping).stream().noneMatch(MappingInversion.Finding::blocking),
        "the catalogue's types have a way back: " + MappingInversion.findings(mapping));
    ConnectionSpec sourceSpec = new ConnectionSpec(maria.jdbcUrl(), "root", null, maria.name());
    ConnectionSpec targetSpec = new ConnectionSpec(target.jdbcUrl(), target.user(), null, "public");
    MigrationSpec spec =
        atSwitchPoint
            ? new MigrationSpec(
                id, null, sourceSpec, targetSpec, null, null, null, null, null, null, null, null)
            : new MigrationSpec(
                id,
                null,
                sourceSpec,
                targetSpec,
                null,
                null,
                new io.migrationstudio.contracts.spec.MigrateOptions(
                    "online", null, null, null, null, null, null, null, null, "PT5S", null),
                null,
                // a loaded machine: the catch-up and the way back get room
                new io.migrationstudio.contracts.spec.CutoverOptions(
                    null, "PT5M", null, null, null, "PT1M", null, null, null, null, null),
                null,
                null,
                null);
    try (Connection src = Dialects.open(sourceSpec, SECRETS, "source");
        Connection tgt = target.connect()) {
      TargetPreparer.Prepared prepared =
          new TargetPreparer(md, PG).prepare(src, tgt, mapping, id, 10);
      ChunkCopier copier = new ChunkCopier(md, PG);
      for (TablePlan plan : prepared.tables()) {
        TableMapping table = mapping.bySource(plan.sourceTable()).orElseThrow();
        for (ChunkRange r : plan.chunks()) {
          copier.copy(src, tgt, mapping, table, r, id, ChunkProgress.NONE);
        }
      }
      new LoadFinisher(PG).finish(tgt, mapping, id, 0L);
      assertEquals(rows(src, MARIA_CUSTOMERS), rows(tgt, PG_CUSTOMERS), "the copy is exact");
      if (!atSwitchPoint) {
        StreamPosition start =
            StreamPosition.parse(
                new io.migrationstudio.core.cdc.apply.StreamService(SECRETS)
                    .prepare(spec, mapping, id)
                    .position());
        return new Fixture(id, app, spec, mapping, md, null, start);
      }
      StreamPosition forwardStart =
          md.changeCapture().orElseThrow().prepare(src, id, tables(mapping));
      md.writeFreeze()
          .orElseThrow()
          .freezeWrites(src, ReverseStream.sourceTables(md, PG, mapping), Duration.ofSeconds(10));
      CaptureStarted reverse = new ReverseStream(SECRETS).prepare(spec, mapping, id);
      return new Fixture(id, app, spec, mapping, md, reverse, forwardStart);
    }
  }

  @Test
  void everyWriteMadeOnPostgresAfterTheSwitchIsOnMariaDbAfterTheRollback(
      TestMariaDb maria, TestDatabase target) throws Exception {
    Fixture f = switched(maria, target);
    WriteFreeze guards = f.md().writeFreeze().orElseThrow();
    String customers = "`" + maria.name() + "`.`customers`";
    try (Connection tgt = target.connect()) {
      applicationWritesOnTheTarget(tgt);

      // the freeze holds for the application and for root; the applier's marker needs a privilege
      try (Connection appSession =
          DriverManager.getConnection(maria.jdbcUrl(), f.app(), "app-pw")) {
        assertTrue(guards.tryWrite(appSession, customers).startsWith("SQLState 25006"));
        var refused =
            org.junit.jupiter.api.Assertions.assertThrows(
                io.migrationstudio.contracts.MigrationException.class,
                () -> MariaDbApplierSession.enter(appSession),
                "an application account cannot mark its session as the applier's");
        assertEquals(1227, vendorCode(refused), refused.toString());
      }
      try (Connection rootSession = maria.connect()) {
        assertTrue(guards.tryWrite(rootSession, customers).startsWith("SQLState 25006"));
      }

      // hypercare: a slice while the target takes writes
      ReverseStream.Progress slice =
          new ReverseStream(SECRETS)
              .drain(f.spec(), f.mapping(), f.id(), f.reverse().position(), null, ofSeconds(3));
      assertTrue(slice.changes() > 0, slice.toString());

      // a value changed on the frozen source behind the guards (the applier's session passes
      // them) in a row the target never changed: outside the reverse applier's record of the rows
      // it changed. With that record cut (a gap) the rollback compares every table in full, finds
      // it and refuses the switch back
      String record = "'" + ReverseStream.recordName(f.id()) + "'";
      String saved = "`studio`.`saved_" + f.id() + "`";
      try (Connection rootSession = maria.connect();
          Statement s = rootSession.createStatement()) {
        MariaDbApplierSession.enter(rootSession);
        s.execute("UPDATE customers SET score = 1.00 WHERE id = 5");
        s.execute(
            "CREATE TABLE "
                + saved
                + " AS SELECT * FROM studio.row_changes WHERE migration = "
                + record);
        assertTrue(
            maria.queryLong("SELECT count(*) FROM " + saved) > 0, "the slice's batches recorded");
        s.execute("DELETE FROM studio.row_changes WHERE migration = " + record);
      }
      RollbackLog drifted =
          new RollbackService(SECRETS)
              .rollback(f.spec(), f.mapping(), f.id(), f.reverse().position(), ofSeconds(60), null);
      assertEquals(Verdict.FAIL, drifted.verdict(), drifted.markdown());
      assertEquals(CutoverLog.CHECK_FULL, drifted.finalCheck().mode(), drifted.markdown());
      assertTrue(
          drifted.finalCheck().reason().contains("may be incomplete"),
          drifted.finalCheck().reason());
      // the reverse record starts at the switch, not at a Validation's proof
      assertTrue(
          drifted.finalCheck().reason().contains("after the switch"),
          drifted.finalCheck().reason());
      CutoverStep refused =
          drifted.steps().stream().filter(CutoverStep::failed).findFirst().orElseThrow();
      assertEquals(RollbackService.CHECKSUMS, refused.name(), drifted.markdown());
      assertTrue(
          refused.detail().startsWith("1 of 2 tables differ")
              && refused
                  .detail()
                  .contains("customers (21 vs 21 rows; missing 0, extra 0, changed 1"),
          refused.detail());
      // the drift repaired and the record put back: the record is whole again
      try (Connection rootSession = maria.connect();
          Statement s = rootSession.createStatement()) {
        MariaDbApplierSession.enter(rootSession);
        s.execute("UPDATE customers SET score = 5.25 WHERE id = 5");
        s.execute("INSERT INTO studio.row_changes SELECT * FROM " + saved);
        s.execute("DROP TABLE " + saved);
        // the source's orders counter already past the 5000 the target's identity reached (keys
        // the source handed out and lost): the rollback must not lower it to 5001
        s.execute("ALTER TABLE orders AUTO_INCREMENT = 9000");
      }

      RollbackLog log =
          new RollbackService(SECRETS)
              .rollback(f.spec(), f.mapping(), f.id(), f.reverse().position(), ofSeconds(60), null);
      System.out.println("rollback: " + log.rollbackMillis() + " ms\n" + log.markdown());
      assertEquals(Verdict.PASS, log.verdict(), log.markdown());
      // both frozen sides compared on the rows the target changed since the switch, read from the
      // MariaDB applier's record on the source, not every table in full: customers 21 (inserted,
      // then changed) and 3; orders 7, 2 and 1000 (a key change), 4991-5000
      assertEquals(CutoverLog.CHECK_CHANGED, log.finalCheck().mode(), log.markdown());
      assertEquals(15, log.finalCheck().rows(), log.markdown());
      assertEquals(2, log.finalCheck().tables(), log.markdown());
      assertEquals(0, log.finalCheck().tablesInFull(), log.markdown());
      assertTrue(log.markdown().contains("- final check: changed, 15 rows"), log.markdown());

      try (Connection src = maria.connect()) {
        assertEquals(rows(tgt, PG_CUSTOMERS), rows(src, MARIA_CUSTOMERS));
        assertEquals(rows(tgt, PG_ORDERS), rows(src, ORDERS));
        assertEquals(1, maria.queryLong("SELECT count(*) FROM orders WHERE id = 1000"));
        assertEquals(0, maria.queryLong("SELECT count(*) FROM orders WHERE id IN (2, 7)"));
        assertEquals(0, maria.queryLong("SELECT count(*) FROM orders WHERE status = 'aborted'"));
        assertEquals(
            "1893499200.123",
            queryString(src, "SELECT UNIX_TIMESTAMP(seen) FROM customers WHERE name = 'new'"),
            "the instant written on the target, whatever the source server's zone");
        // datetime, time and timestamp without a fraction: PostgreSQL rounded what the
        // application wrote (touched: its now() default) to whole seconds, the source took that
        assertEquals(
            "2031-02-03 04:05:07.000000|23:15:01.000000|0",
            queryString(
                src,
                "SELECT CONCAT_WS('|', DATE_FORMAT(visited, '%Y-%m-%d %H:%i:%s.%f'),"
                    + " TIME_FORMAT(opens, '%H:%i:%s.%f'), MICROSECOND(touched))"
                    + " FROM customers WHERE name = 'new'"));

        // the application writes on the source again, past every key the target used
        try (Connection appSession =
                DriverManager.getConnection(maria.jdbcUrl(), f.app(), "app-pw");
            Statement s = appSession.createStatement()) {
          assertNull(guards.tryWrite(appSession, customers));
          s.execute("INSERT INTO customers (name) VALUES ('after rollback')");
          s.execute("INSERT INTO orders (customer_id, status) VALUES (1, 'after rollback')");
        }
        assertEquals(
            9000,
            maria.queryLong("SELECT id FROM orders WHERE status = 'after rollback'"),
            "AUTO_INCREMENT past the 5000 the target's identity reached, and not lowered from the"
                + " source's own 9000");

        // loop prevention: the forward binlog reader sees the application's writes only
        assertEquals(
            List.of("INSERT customers after rollback", "INSERT orders null"),
            forwardChanges(f, src));
      }
    } finally {
      new ReverseStream(SECRETS).drop(f.spec(), f.id());
    }
  }

  /**
   * The drill of an online migration from MariaDB rehearses what a real rollback does there, on the
   * real pair: catch-up, freeze (the write guards), marker, drain, the reverse stream from the
   * switch point, the drill's tagged writes on PostgreSQL, then {@link RollbackService}'s way back
   * (target frozen, reverse drain through the MariaDB applier, source sequences, checksums, source
   * unfrozen) and the target unfrozen. {@code drill.json} records it (the drill's writes and the
   * reverse changes, 0: the tagged writes are not applied back); the source holds what it held and
   * takes the application's writes again. Before, a MariaDB source's drill skipped the way back and
   * said a rollback loses every write made on the target.
   */
  @Test
  void theDrillOfAMariaDbSourceRehearsesTheRealWayBack(TestMariaDb maria, TestDatabase target)
      throws Exception {
    Fixture f = copied(maria, target, false);
    var stream = new io.migrationstudio.core.cdc.apply.StreamService(SECRETS);
    String capture = io.migrationstudio.core.cdc.apply.StreamService.captureName(f.id());
    try {
      maria.execute(
          "INSERT INTO orders (customer_id, amount, status) VALUES (1, 1.00, 'streamed')");
      long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      while (target.queryLong("SELECT count(*) FROM orders WHERE status = 'streamed'") == 0
          && System.nanoTime() < deadline) {
        stream.applySlice(
            f.spec(),
            f.mapping(),
            f.id(),
            capture,
            f.forwardStart().text(),
            Duration.ofSeconds(2),
            p -> {});
      }
      List<String> customers;
      List<String> orders;
      try (Connection src = maria.connect()) {
        customers = rows(src, MARIA_CUSTOMERS);
        orders = rows(src, ORDERS);
      }
      io.migrationstudio.core.cutover.DrillReport drill =
          new io.migrationstudio.core.cutover.CutoverService(
                  null, new io.migrationstudio.core.spec.SecretResolver(java.util.Map.of()))
              .rehearseRealPath(f.spec(), f.id(), f.mapping(), "approved", 7L);
      System.out.println("MariaDB drill: " + drill.summary());
      assertEquals(Verdict.PASS, drill.verdict(), drill.toString());
      List<String> names = drill.steps().stream().map(CutoverStep::name).toList();
      for (String step :
          List.of(
              "start the reverse stream at the switch point",
              "the drill's writes on the target (tagged: the reverse stream skips them)",
              RollbackService.DRAIN,
              "unfreeze source writes",
              "unfreeze target writes (the drill's rollback froze them)")) {
        assertTrue(names.contains(step), step + " in " + names);
      }
      assertTrue(drill.drillWrites() != null && drill.drillWrites() > 0, drill.toString());
      assertEquals(0L, drill.reverseChanges(), "the drill's tagged writes were not applied back");
      assertTrue(
          drill.notRehearsed().stream().noneMatch(n -> n.contains("no way back")),
          drill.notRehearsed().toString());
      try (Connection src = maria.connect()) {
        assertEquals(customers, rows(src, MARIA_CUSTOMERS), "the source holds what it held");
        assertEquals(orders, rows(src, ORDERS));
      }
      try (Connection appSession = DriverManager.getConnection(maria.jdbcUrl(), f.app(), "app-pw");
          Statement st = appSession.createStatement()) {
        st.execute("INSERT INTO orders (customer_id, status) VALUES (1, 'after the drill')");
      }
      // (the target's identities are set at the execution, not by the drill: an explicit key)
      target.execute(
          "INSERT INTO orders (id, customer_id, status) VALUES (100000, 1, 'target writable')");
    } finally {
      stream.drop(f.spec(), capture);
    }
  }

  /**
   * Issue 15 (bench/cutover-mariadb.sh failed 1 round in 5): with a {@code config-file} switch the
   * applications follow the file, so during the drill they write to the target as soon as it names
   * it. The drill made the reverse capture after the switch, and the application's first writes on
   * the target committed before the slot's consistent point: the way back never carried them, the
   * source kept the old rows, and the execution's final check found them different (the bench: 15
   * rows of the target's first eight transactions). The reverse capture is now made before the
   * switch, as at the execution, so an application write the moment the file names the target
   * reaches the source.
   */
  @Test
  void anApplicationWriteTheMomentTheDrillsSwitchNamesTheTargetReachesTheSource(
      TestMariaDb maria,
      TestDatabase target,
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    Fixture f = copied(maria, target, false);
    java.nio.file.Path file = dir.resolve("app.properties");
    MigrationSpec spec =
        f.spec()
            .withCutover(
                new io.migrationstudio.contracts.spec.CutoverOptions(
                    null,
                    "PT5M",
                    null,
                    new io.migrationstudio.contracts.spec.SwitchSpec(
                        "config-file", file.toString(), null, null, null, null, null, null, null),
                    null,
                    "PT1M",
                    null,
                    null,
                    null,
                    null,
                    null));
    var stream = new io.migrationstudio.core.cdc.apply.StreamService(SECRETS);
    String capture = io.migrationstudio.core.cdc.apply.StreamService.captureName(f.id());
    var acknowledged = new java.util.concurrent.CompletableFuture<Integer>();
    // the application: follows the file, and writes once the moment it names the target
    Thread application =
        new Thread(
            () -> {
              try (Connection tgt = target.connect();
                  Statement s = tgt.createStatement()) {
                while (!java.nio.file.Files.exists(file)
                    || !java.nio.file.Files.readString(file).contains(target.jdbcUrl())) {
                  Thread.sleep(1);
                }
                acknowledged.complete(
                    s.executeUpdate(
                        "UPDATE customers SET name = 'right after the switch' WHERE id = 3"));
              } catch (Exception | Error e) {
                acknowledged.completeExceptionally(e);
              }
            },
            "application");
    try {
      streamOne(maria, target, f, stream, capture);
      application.start();
      io.migrationstudio.core.cutover.DrillReport drill =
          new io.migrationstudio.core.cutover.CutoverService(
                  null, new io.migrationstudio.core.spec.SecretResolver(java.util.Map.of()))
              .rehearseRealPath(spec, f.id(), f.mapping(), "approved", 7L);
      assertEquals(
          1,
          acknowledged.get(30, java.util.concurrent.TimeUnit.SECONDS),
          "the application's write on the target was acknowledged");
      assertEquals(Verdict.PASS, drill.verdict(), drill.toString());
      try (Connection src = maria.connect()) {
        assertEquals(
            "right after the switch",
            queryString(src, "SELECT name FROM customers WHERE id = 3"),
            "the write the application made on the target is on the source after the drill");
      }
      assertEquals(1L, drill.reverseChanges(), "the application's write came back: " + drill);
      List<String> names = drill.steps().stream().map(CutoverStep::name).toList();
      assertTrue(
          names.indexOf("start the reverse stream at the switch point")
              < names.indexOf("switch traffic to the target"),
          "the reverse capture is made before the switch: " + names);
      assertTrue(!java.nio.file.Files.exists(file), "the drill's switch was reverted");
    } finally {
      application.interrupt();
      application.join(10_000);
      stream.drop(f.spec(), capture);
    }
  }

  /**
   * The live cutover of a MariaDB source as the Cutover stage runs it ({@code executeCutover}: an
   * online migration with its stream applied, the reverse stream, no switch), every step of {@code
   * cutover-log.json} printed with its time. The write guards (triggers) are made before the freeze
   * with the guard state of their tables off, and the freeze is one statement that turns it on (it
   * waits for the transactions that wrote to the tables in scope, as {@code CREATE TRIGGER}'s
   * metadata lock did); before, the triggers were created inside the window. After the cutover the
   * guards refuse the application's account and root.
   */
  @Test
  void theLiveCutoverMakesTheGuardsBeforeTheFreezeAndArmsThemInOneStatement(
      TestMariaDb maria,
      TestDatabase target,
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path home)
      throws Exception {
    Fixture f = copied(maria, target, false);
    var stream = new io.migrationstudio.core.cdc.apply.StreamService(SECRETS);
    String capture = io.migrationstudio.core.cdc.apply.StreamService.captureName(f.id());
    List<String> guarded = ReverseStream.sourceTables(f.md(), PG, f.mapping());
    try (io.migrationstudio.core.git.GitArtifactStore store =
        io.migrationstudio.core.git.GitArtifactStore.open(home, null)) {
      streamOne(maria, target, f, stream, capture);
      String branch = "migrations/" + f.id();
      store.openBranch(branch);
      String commit =
          store
              .commit(
                  branch,
                  "studio",
                  "evidence",
                  java.util.Map.of(
                      io.migrationstudio.core.report.ArtifactPaths.MAPPING_YAML,
                      io.migrationstudio.core.report.Json.bytes(
                          io.migrationstudio.core.report.Json.writeYaml(f.mapping()))))
              .head();
      var out =
          new io.migrationstudio.core.cutover.CutoverService(
                  store, new io.migrationstudio.core.spec.SecretResolver(java.util.Map.of()))
              .executeCutover(f.spec(), f.id(), branch, commit);
      var log =
          io.migrationstudio.core.report.Json.read(
              out.files().get(io.migrationstudio.core.report.ArtifactPaths.CUTOVER_LOG_JSON),
              io.migrationstudio.core.cutover.CutoverLog.class,
              "cutover-log.json");
      StringBuilder times = new StringBuilder("MariaDB live cutover steps (ms):\n");
      log.steps()
          .forEach(
              st ->
                  times
                      .append(String.format("%6d  %s  %s", st.millis(), st.status(), st.name()))
                      .append('\n'));
      times.append("write_unavailable_ms ").append(log.live().writeUnavailableMillis());
      System.out.println(times);
      assertEquals(Verdict.PASS, log.verdict(), log.summary() + "\n" + times);
      List<String> names = log.steps().stream().map(CutoverStep::name).toList();
      int made = names.indexOf("make the write guards before the freeze, not yet refusing");
      int freeze = names.indexOf("freeze source writes");
      assertTrue(made >= 0 && made < freeze, names.toString());
      assertTrue(
          log.steps().get(freeze).detail().contains("one statement"),
          log.steps().get(freeze).detail());

      // the forward stream's record of changed rows is pruned with its capture after the switch
      CutoverStep dropped =
          log.steps().get(names.indexOf("stop and drop the forward change capture"));
      assertTrue(dropped.detail().matches(".*pruned \\([1-9][0-9]* batches\\)"), dropped.detail());
      assertEquals(
          0,
          target.queryLong(
              "SELECT count(*) FROM studio.row_changes WHERE migration = '" + f.id() + "'"));

      WriteFreeze guards = f.md().writeFreeze().orElseThrow();
      String customers = "`" + maria.name() + "`.`customers`";
      try (Connection appSession =
          DriverManager.getConnection(maria.jdbcUrl(), f.app(), "app-pw")) {
        assertTrue(guards.tryWrite(appSession, customers).startsWith("SQLState 25006"));
        appSession.setAutoCommit(false);
        try (Statement s = appSession.createStatement()) {
          SQLException refused =
              org.junit.jupiter.api.Assertions.assertThrows(
                  SQLException.class,
                  () -> s.execute("INSERT INTO orders (customer_id, status) VALUES (1, 'x')"));
          assertEquals("25006", refused.getSQLState(), refused.toString());
        }
        appSession.rollback();
      }
      try (Connection rootSession = maria.connect()) {
        assertTrue(guards.tryWrite(rootSession, customers).startsWith("SQLState 25006"));
      }
      // at the same load: the freeze with the guards made inside it (as before), then made ahead
      try (Connection src = maria.connect()) {
        guards.unfreezeWrites(src, guarded);
        long t0 = System.nanoTime();
        f.md().writeFreeze().orElseThrow().freezeWrites(src, guarded, Duration.ofSeconds(10));
        long inside = (System.nanoTime() - t0) / 1_000_000;
        guards.unfreezeWrites(src, guarded);
        WriteFreeze ahead = f.md().writeFreeze().orElseThrow();
        ahead.prepare(src, guarded, Duration.ofSeconds(10));
        t0 = System.nanoTime();
        ahead.freezeWrites(src, guarded, Duration.ofSeconds(10));
        System.out.println(
            "freeze, guards made inside it: "
                + inside
                + " ms; made ahead, armed: "
                + (System.nanoTime() - t0) / 1_000_000
                + " ms; cutover freeze step: "
                + log.steps().get(freeze).detail());
      }
    } finally {
      try (Connection src = maria.connect()) {
        f.md().writeFreeze().orElseThrow().unfreezeWrites(src, guarded);
      }
      new ReverseStream(SECRETS).drop(f.spec(), f.id());
      stream.drop(f.spec(), capture);
    }
  }

  /** A row written on the source after the copy, applied by the forward stream's slices. */
  private static void streamOne(
      TestMariaDb maria,
      TestDatabase target,
      Fixture f,
      io.migrationstudio.core.cdc.apply.StreamService stream,
      String capture) {
    maria.execute("INSERT INTO orders (customer_id, amount, status) VALUES (1, 1.00, 'streamed')");
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (target.queryLong("SELECT count(*) FROM orders WHERE status = 'streamed'") == 0
        && System.nanoTime() < deadline) {
      stream.applySlice(
          f.spec(),
          f.mapping(),
          f.id(),
          capture,
          f.forwardStart().text(),
          Duration.ofSeconds(2),
          p -> {});
    }
  }

  /**
   * A {@code TRUNCATE} passes the guards of the frozen source (no trigger fires on it) during the
   * hypercare: the target never changed those rows, so the reverse applier's record does not name
   * them, but InnoDB gave the table a new id, which the rollback's changed-rows check sees against
   * the id kept at the switch: it compares {@code orders} in full, finds every row missing and
   * refuses the switch back (before, the check compared customer 1 only and passed).
   */
  @Test
  void aTruncateThatPassedTheGuardsAfterTheSwitchIsFoundByTheRollbacksCheck(
      TestMariaDb maria, TestDatabase target) throws Exception {
    Fixture f = switched(maria, target);
    try (Connection tgt = target.connect();
        Statement s = tgt.createStatement()) {
      s.execute("UPDATE customers SET name = 'on the target' WHERE id = 1");
      try (Connection rootSession = maria.connect();
          Statement r = rootSession.createStatement()) {
        r.execute("TRUNCATE TABLE orders"); // no guard fires
      }
      RollbackLog log =
          new RollbackService(SECRETS)
              .rollback(f.spec(), f.mapping(), f.id(), f.reverse().position(), ofSeconds(60), null);
      assertEquals(Verdict.FAIL, log.verdict(), log.markdown());
      assertEquals(CutoverLog.CHECK_CHANGED, log.finalCheck().mode(), log.markdown());
      assertEquals(1, log.finalCheck().tablesInFull(), log.markdown());
      CutoverStep refused =
          log.steps().stream().filter(CutoverStep::failed).findFirst().orElseThrow();
      assertEquals(RollbackService.CHECKSUMS, refused.name(), log.markdown());
      assertTrue(
          refused.detail().contains("orders (0 vs 50 rows; missing 0, extra 50"), refused.detail());
    } finally {
      new ReverseStream(SECRETS).drop(f.spec(), f.id());
    }
  }

  @Test
  void aValueTheSourceColumnCannotHoldStopsTheRollbackWithTheSourceFrozen(
      TestMariaDb maria, TestDatabase target) throws Exception {
    Fixture f = switched(maria, target);
    assertTrue(
        MappingInversion.findings(f.mapping()).stream()
            .anyMatch(x -> !x.blocking() && "credit".equals(x.column())),
        "the Mapping stage warned that int unsigned widened: "
            + MappingInversion.findings(f.mapping()));
    WriteFreeze guards = f.md().writeFreeze().orElseThrow();
    try (Connection tgt = target.connect();
        Statement s = tgt.createStatement()) {
      // one target transaction: the reverse stream applies a source transaction whole or not at
      // all (two autocommit statements are two transactions, and the first may be applied in a
      // batch of its own before the second fails: CI saw that once)
      tgt.setAutoCommit(false);
      s.execute("UPDATE customers SET name = 'ok' WHERE id = 1");
      s.execute("UPDATE customers SET credit = -1 WHERE id = 2");
      tgt.commit();
      tgt.setAutoCommit(true);
      RollbackLog log =
          new RollbackService(SECRETS)
              .rollback(f.spec(), f.mapping(), f.id(), null, ofSeconds(20), null);
      assertEquals(Verdict.FAIL, log.verdict(), log.markdown());
      assertEquals(
          List.of(RollbackService.DRAIN),
          log.steps().stream().filter(CutoverStep::failed).map(CutoverStep::name).toList(),
          log.markdown());
      assertTrue(log.markdown().contains("credit"), log.markdown());
      assertNull(
          PG.writeFreeze().orElseThrow().tryWrite(tgt, "public.customers"),
          "the target takes writes again");
      try (Connection appSession =
          DriverManager.getConnection(maria.jdbcUrl(), f.app(), "app-pw")) {
        assertTrue(
            guards
                .tryWrite(appSession, "`" + maria.name() + "`.`customers`")
                .startsWith("SQLState 25006"),
            "the source stays frozen");
      }
      assertEquals(
          0,
          maria.queryLong("SELECT count(*) FROM customers WHERE name = 'ok'"),
          "nothing of the failed transaction reached the source");
    } finally {
      new ReverseStream(SECRETS).drop(f.spec(), f.id());
    }
  }

  /**
   * The application on PostgreSQL after the switch: an insert with every kind of value, updates, a
   * delete, a key change, a multi-row transaction after an identity jump, a rolled-back one.
   */
  private static void applicationWritesOnTheTarget(Connection tgt) throws SQLException {
    try (Statement s = tgt.createStatement()) {
      s.execute(
          "INSERT INTO customers (name, vip, kind, tags, seen, born, credit, big, photo, score,"
              + " visited, opens) VALUES ('new', true, 'trade', '{x,z}', '2030-01-01 15:00:00.123+03',"
              + " '2031-02-03 04:05:06.654321', 4294967295, 18446744073709551615, '\\xdeadbeef',"
              + " 99999999.99, '2031-02-03 04:05:06.7', '23:15:00.6')");
      s.execute(
          "UPDATE customers SET name = 'changed', tags = '{y}', vip = false, seen = NULL"
              + " WHERE id = 3");
      s.execute("DELETE FROM orders WHERE id = 7");
      s.execute("UPDATE orders SET id = 1000 WHERE id = 2");
      tgt.setAutoCommit(false);
      s.execute("SELECT setval(pg_get_serial_sequence('orders', 'id'), 4990)");
      for (int i = 0; i < 10; i++) {
        s.execute(
            "INSERT INTO orders (customer_id, amount, status) VALUES (21, " + i + ".5, 'multi')");
      }
      s.execute("UPDATE customers SET kind = 'retail', photo = NULL WHERE id = 21");
      tgt.commit();
      s.execute("INSERT INTO orders (customer_id, amount, status) VALUES (1, 1, 'aborted')");
      tgt.rollback();
      tgt.setAutoCommit(true);
    }
  }

  /** The forward capture's row changes from its start to the source's head, as text. */
  private static List<String> forwardChanges(Fixture f, Connection src) throws Exception {
    var capture = f.md().changeCapture().orElseThrow();
    StreamPosition head = capture.head(src);
    List<String> out = new ArrayList<>();
    try (ChangeSource log =
        capture.open(f.spec().source(), SECRETS, f.id(), tables(f.mapping()), f.forwardStart())) {
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      StreamPosition last = f.forwardStart();
      while (last.compareTo(head) < 0 && System.nanoTime() < deadline) {
        for (SourceTransaction tx : log.poll(Duration.ofMillis(200), 1000)) {
          last = tx.commit();
          for (RowChange c : tx.changes()) {
            out.add(c.kind() + " " + c.table() + " " + c.row().get("name"));
          }
        }
      }
      assertTrue(last.compareTo(head) >= 0, "the forward reader reached the head " + head);
    }
    return out;
  }

  private static List<String> tables(MappingDocument mapping) {
    return mapping.tables().stream().map(TableMapping::source).toList();
  }

  private static List<String> rows(Connection c, String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  private static String queryString(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static int vendorCode(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException q && q.getErrorCode() != 0) {
        return q.getErrorCode();
      }
    }
    return 0;
  }

  private static Duration ofSeconds(long s) {
    return Duration.ofSeconds(s);
  }

  private static void root(String... sql) throws SQLException {
    try (Connection c =
            DriverManager.getConnection(
                io.migrationstudio.testkit.EmbeddedMariaDbServer.jdbcUrl(""), "root", "");
        Statement s = c.createStatement()) {
      for (String q : sql) {
        s.execute(q);
      }
    }
  }
}
