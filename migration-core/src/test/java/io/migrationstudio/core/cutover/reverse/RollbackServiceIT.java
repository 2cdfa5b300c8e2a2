package io.migrationstudio.core.cutover.reverse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.activity.CaptureStarted;
import io.migrationstudio.contracts.spec.ConnectionSpec;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.assess.InventoryService;
import io.migrationstudio.core.cdc.ChangeSource;
import io.migrationstudio.core.cdc.RowChange;
import io.migrationstudio.core.cdc.SourceTransaction;
import io.migrationstudio.core.cdc.StreamPosition;
import io.migrationstudio.core.cdc.apply.StreamService;
import io.migrationstudio.core.copy.Loads;
import io.migrationstudio.core.copy.TestMappings;
import io.migrationstudio.core.cutover.CutoverService;
import io.migrationstudio.core.cutover.CutoverStep;
import io.migrationstudio.core.dialect.Dialect.WriteFreeze;
import io.migrationstudio.core.dialect.Secrets;
import io.migrationstudio.core.dialect.postgres.PostgresChangeCapture;
import io.migrationstudio.core.dialect.postgres.PostgresDialect;
import io.migrationstudio.core.mapping.ColumnMapping;
import io.migrationstudio.core.mapping.Disposition;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.MappingLoader;
import io.migrationstudio.core.mapping.SequenceMapping;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.schema.CanonicalType;
import io.migrationstudio.core.spec.SpecLoader;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The way back on two real PostgreSQL servers (the testkit's shared one as the source, a second
 * embedded one as the target, both {@code wal_level=logical}): the source frozen by the cutover's
 * write guards, the target taking application writes after the switch point, then a rollback. What
 * reached the source is compared by each server's own md5 of the rows, not through the studio.
 */
@ExtendWith(PostgresExtension.class)
class RollbackServiceIT {
  private static final Secrets SECRETS = (value, key) -> value;
  private static final PostgresDialect PG = new PostgresDialect();
  private static final String SCHEMA =
      """
      CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL, note varchar(40));
      CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id int NOT NULL
        REFERENCES customers (id), amount numeric(10,2), status text);
      CREATE TABLE audit (id serial PRIMARY KEY, what text);
      CREATE FUNCTION audit_orders() RETURNS trigger LANGUAGE plpgsql AS
        $$ BEGIN INSERT INTO audit (what) VALUES (TG_OP); RETURN NULL; END $$;
      CREATE TRIGGER audit_orders AFTER INSERT OR UPDATE OR DELETE ON orders
        FOR EACH ROW EXECUTE FUNCTION audit_orders();
      INSERT INTO customers (name, note) SELECT 'customer ' || g, 'n' || g
        FROM generate_series(1, 20) g;
      INSERT INTO orders (customer_id, amount, status)
        SELECT 1 + g % 20, g * 1.25, 'new' FROM generate_series(1, 50) g;
      """;

  private static EmbeddedPostgres targetServer;

  @BeforeAll
  static void startTheTarget() throws Exception {
    targetServer =
        EmbeddedPostgres.builder()
            .setServerConfig("fsync", "off")
            .setServerConfig("synchronous_commit", "off")
            .setServerConfig("wal_level", "logical")
            .setServerConfig("max_wal_senders", "5")
            .setServerConfig("max_replication_slots", "5")
            .start();
  }

  @AfterAll
  static void stopTheTarget() throws Exception {
    if (targetServer != null) {
      targetServer.close();
    }
  }

  private static Connection targetAdmin(String db) throws SQLException {
    return DriverManager.getConnection(
        "jdbc:postgresql://localhost:" + targetServer.getPort() + "/" + db, "postgres", "");
  }

  /** One migration switched to the target: source frozen, reverse capture started. */
  private record Fixture(
      String id,
      String studio,
      String app,
      MigrationSpec spec,
      String targetDb,
      MappingDocument mapping,
      CaptureStarted reverse) {}

  /**
   * Source and target databases, the studio's and the application's roles on the source, the
   * mapping ({@code edit} applied to the renamed one) copied, the cutover's freeze of the source,
   * then the switch point: the reverse capture.
   */
  private Fixture switched(TestDatabase source, UnaryOperator<MappingDocument> edit)
      throws Exception {
    String suffix = Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL);
    String id = "rb_" + suffix;
    String studio = "studio_src_" + suffix;
    String app = "app_" + suffix;
    source.execute(SCHEMA);
    // the studio's source user: no superuser; owns the tables (the freeze's triggers), may create
    // its schema, enter replica mode and use a replication origin: the measured grants
    source.execute(
        "CREATE ROLE " + studio + " LOGIN",
        "ALTER TABLE customers OWNER TO " + studio,
        "ALTER TABLE orders OWNER TO " + studio,
        "ALTER TABLE audit OWNER TO " + studio,
        "GRANT CREATE ON DATABASE " + source.name() + " TO " + studio,
        "GRANT CREATE ON SCHEMA public TO " + studio,
        "GRANT SET ON PARAMETER session_replication_role TO " + studio,
        "GRANT EXECUTE ON FUNCTION pg_replication_origin_create(text),"
            + " pg_replication_origin_session_setup(text), pg_replication_origin_drop(text) TO "
            + studio,
        "CREATE ROLE " + app + " LOGIN",
        "GRANT SELECT, INSERT, UPDATE, DELETE ON customers, orders, audit TO " + app,
        "GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO " + app);
    String targetDb = "tgt_" + suffix;
    try (Connection admin = targetAdmin("postgres");
        Statement s = admin.createStatement()) {
      s.execute("CREATE DATABASE " + targetDb);
    }
    ConnectionSpec sourceSpec = new ConnectionSpec(source.jdbcUrl(), studio, null, "public");
    ConnectionSpec targetSpec =
        new ConnectionSpec(
            "jdbc:postgresql://localhost:" + targetServer.getPort() + "/" + targetDb,
            "postgres",
            null,
            "public");
    MigrationSpec spec =
        new MigrationSpec(
            id, null, sourceSpec, targetSpec, null, null, null, null, null, null, null, null);
    MappingDocument mapping;
    try (Connection src = source.connect();
        Connection tgt = targetAdmin(targetDb)) {
      mapping = edit.apply(renamed(src, TestMappings.identity(src, "public", "public")));
      Loads.migrate(src, tgt, mapping, id, 10);
    }
    try (Connection control = DriverManager.getConnection(source.jdbcUrl(), studio, "")) {
      PG.writeFreeze()
          .orElseThrow()
          .freezeWrites(
              control, ReverseStream.sourceTables(PG, PG, mapping), Duration.ofSeconds(10));
    }
    CaptureStarted reverse = new ReverseStream(SECRETS).prepare(spec, mapping, id);
    return new Fixture(id, studio, app, spec, targetDb, mapping, reverse);
  }

  @Test
  void everyWriteMadeOnTheTargetAfterTheSwitchIsOnTheSourceAfterTheRollback(TestDatabase source)
      throws Exception {
    Fixture f = switched(source, m -> m);
    String id = f.id();
    String app = f.app();
    MigrationSpec spec = f.spec();
    MappingDocument mapping = f.mapping();
    CaptureStarted reverse = f.reverse();
    WriteFreeze guards = PG.writeFreeze().orElseThrow();
    String forwardSlot = StreamService.captureName(id);
    PostgresChangeCapture capture = (PostgresChangeCapture) PG.changeCapture().orElseThrow();
    try (Connection src = source.connect();
        Connection tgt = targetAdmin(f.targetDb())) {
      // the forward stream's slot, as an online migration left it: after the rollback it must not
      // carry the reverse applier's writes back
      StreamPosition forwardStart = capture.prepare(src, "public", forwardSlot, tables(mapping));
      try {
        applicationWritesOnTheTarget(tgt);
        long auditBefore = source.queryLong("SELECT count(*) FROM audit");

        try (Connection appSession = DriverManager.getConnection(source.jdbcUrl(), app, "")) {
          assertTrue(
              guards.tryWrite(appSession, "public.customers").startsWith("SQLState 25006"),
              "the application is refused on the frozen source");
          assertEquals("42501", sqlState(appSession, "SET session_replication_role = replica"));
          assertEquals(
              "42501", sqlState(appSession, "SELECT pg_replication_origin_session_setup('x')"));
        }

        // hypercare: a slice of the reverse stream while the target takes writes
        ReverseStream.Progress slice =
            new ReverseStream(SECRETS)
                .drain(spec, mapping, id, reverse.position(), null, Duration.ofSeconds(2));
        assertEquals(15, slice.changes(), slice.toString());
        assertEquals(false, slice.reached(), "a slice asks for no position");
        assertTrue(slice.lagBytes() >= 0, slice.toString());
        assertEquals(
            md5(tgt, "SELECT id, full_name, note FROM clients"),
            md5(src, "SELECT id, name, note FROM customers"),
            "the slice brought the target's writes to the frozen source already");

        long started = System.nanoTime();
        // no start position, as the workflow's rollback and studio rollback SPEC ask: the record
        // from its first batch
        RollbackLog log =
            new RollbackService(SECRETS)
                .rollback(spec, mapping, id, null, Duration.ofSeconds(60), null);
        long wallMillis = (System.nanoTime() - started) / 1_000_000;
        System.out.println(
            "rollback: "
                + log.rollbackMillis()
                + " ms frozen-to-writable, "
                + wallMillis
                + " ms in all\n"
                + log.markdown());
        assertEquals(Verdict.PASS, log.verdict(), log.markdown());
        // both frozen sides compared on the rows the target changed since the switch (the
        // reverse applier's record on the source), not every table in full: clients 21 (inserted,
        // then renamed) and 3; purchases 7, 2 and 1000 (a key change), 4991-5000
        assertEquals(
            io.migrationstudio.core.cutover.CutoverLog.CHECK_CHANGED,
            log.finalCheck().mode(),
            log.markdown());
        assertEquals(15, log.finalCheck().rows(), log.markdown());
        assertEquals(2, log.finalCheck().tables(), log.markdown());
        assertEquals(0, log.finalCheck().tablesInFull(), log.markdown());
        assertTrue(log.markdown().contains("- final check: changed, 15 rows"), log.markdown());

        // every write, by the servers' own md5 of the rows
        assertEquals(
            md5(tgt, "SELECT id, full_name, note FROM clients"),
            md5(src, "SELECT id, name, note FROM customers"));
        assertEquals(
            md5(tgt, "SELECT id, customer_id, amount, status FROM purchases"),
            md5(src, "SELECT id, customer_id, amount, status FROM orders"));
        assertEquals(1, source.queryLong("SELECT count(*) FROM orders WHERE id = 1000"));
        assertEquals(0, source.queryLong("SELECT count(*) FROM orders WHERE id = 2"));
        assertEquals(0, source.queryLong("SELECT count(*) FROM orders WHERE status = 'aborted'"));
        assertEquals(
            auditBefore,
            source.queryLong("SELECT count(*) FROM audit"),
            "the source's own triggers did not fire again for rows the target computed");

        // sequences ahead of every value used on either side
        long sourceNext = nextAsApp(source, app, "customers_id_seq");
        assertTrue(sourceNext > queryLong(tgt, "SELECT max(id) FROM clients"), "" + sourceNext);
        long ordersNext = nextAsApp(source, app, "orders_id_seq");
        assertTrue(ordersNext > 5000, "the target's sequence had reached 5000: " + ordersNext);

        // the application writes on the source again; the target now refuses it
        try (Connection appSession = DriverManager.getConnection(source.jdbcUrl(), app, "")) {
          assertNull(guards.tryWrite(appSession, "public.customers"));
          try (Statement s = appSession.createStatement()) {
            s.execute("INSERT INTO customers (name) VALUES ('after rollback')");
          }
        }
        assertNotNull(guards.tryWrite(tgt, "public.clients"));

        // loop prevention: the forward slot sees the application's write, not the reverse's
        assertEquals(
            List.of("INSERT customers after rollback"),
            forwardChanges(capture, spec.source(), forwardSlot, mapping, forwardStart, src));
        assertEquals(
            0,
            queryLong(
                tgt,
                "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '"
                    + reverse.capture()
                    + "'"),
            "the rollback dropped the reverse slot");
      } finally {
        new ReverseStream(SECRETS).drop(spec, id);
        capture.drop(src, forwardSlot);
      }
    }
  }

  @Test
  void aWriteTheSourceCannotHoldStopsTheRollbackWithTheTargetWritableAndTheSourceFrozen(
      TestDatabase source) throws Exception {
    // customers.note widened from varchar(40) to text on the way in: the way back narrows it
    Fixture f = switched(source, RollbackServiceIT::widenedNote);
    assertTrue(
        MappingInversion.findings(f.mapping()).stream()
            .anyMatch(x -> !x.blocking() && "note".equals(x.column())),
        "the Mapping stage would have warned: " + MappingInversion.findings(f.mapping()));
    WriteFreeze guards = PG.writeFreeze().orElseThrow();
    try (Connection tgt = targetAdmin(f.targetDb());
        Statement s = tgt.createStatement()) {
      s.execute("UPDATE clients SET note = 'ok' WHERE id = 1");
      s.execute("UPDATE clients SET note = repeat('x', 50) WHERE id = 2");
      RollbackLog log =
          new RollbackService(SECRETS)
              .rollback(f.spec(), f.mapping(), f.id(), null, Duration.ofSeconds(20), null);
      assertEquals(Verdict.FAIL, log.verdict(), log.markdown());
      assertEquals(
          List.of(RollbackService.DRAIN),
          log.steps().stream().filter(CutoverStep::failed).map(CutoverStep::name).toList(),
          log.markdown());
      assertTrue(log.steps().stream().anyMatch(x -> x.detail().contains("22001")), log.markdown());
      assertEquals(
          RollbackService.UNFREEZE_TARGET,
          log.steps().get(log.steps().size() - 1).name(),
          log.markdown());
      assertNull(guards.tryWrite(tgt, "public.clients"), "the target takes writes again");
      try (Connection appSession = DriverManager.getConnection(source.jdbcUrl(), f.app(), "")) {
        assertTrue(
            guards.tryWrite(appSession, "public.customers").startsWith("SQLState 25006"),
            "the source stays frozen");
      }
      assertEquals(
          1,
          source.queryLong("SELECT count(*) FROM customers WHERE id = 2 AND note = 'n2'"),
          "nothing of the failed transaction reached the source");
      assertEquals(
          1,
          queryLong(
              tgt,
              "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '"
                  + f.reverse().capture()
                  + "'"),
          "the reverse capture is kept for the next attempt");
    } finally {
      new ReverseStream(SECRETS).drop(f.spec(), f.id());
    }
  }

  /**
   * A {@code command} switch is switched back by its hook, a real shell script, run in the rollback
   * direction: the first attempt's hook exits 3, so the rollback fails at the switch back with the
   * hook's code and output, the target takes writes again, the source stays frozen and the reverse
   * capture is kept; a write on the target in between, then the second attempt (the hook fixed)
   * passes with the target as {@code STUDIO_OLD_*}, the source as {@code STUDIO_NEW_*}, and that
   * write on the source.
   */
  @Test
  void aCommandSwitchIsSwitchedBackByItsHookAndAFailingHookFailsTheRollbackWithTheSourceFrozen(
      TestDatabase source) throws Exception {
    Fixture f = switched(source, m -> m);
    Path dir = Files.createTempDirectory("rollback-hook");
    Path hook = dir.resolve("repoint.sh");
    Files.writeString(
        hook,
        String.join(
            "\n",
            "#!/bin/sh",
            "env | grep '^STUDIO_' | sort > \"$(dirname \"$0\")/env.txt\"",
            "echo \"$STUDIO_SWITCH_DIRECTION\" >> \"$(dirname \"$0\")/runs.txt\"",
            "echo \"repointing from $STUDIO_OLD_DATABASE to $STUDIO_NEW_DATABASE\"",
            "if [ -e \"$(dirname \"$0\")/refuse\" ]; then",
            "  echo 'load balancer refused the change' >&2",
            "  exit 3",
            "fi",
            ""));
    Files.writeString(dir.resolve("refuse"), "");
    MigrationSpec spec =
        SpecLoader.parse(
            "id: rb-hook\n"
                + "source: { url: \""
                + f.spec().source().url()
                + "\", user: "
                + f.studio()
                + ", schema: public }\n"
                + "target: { url: \""
                + f.spec().target().url()
                + "\", user: postgres, schema: public }\n"
                + "cutover: { switch: { type: command, command: [/bin/sh, \""
                + hook
                + "\"], timeout: PT20S } }\n");
    WriteFreeze guards = PG.writeFreeze().orElseThrow();
    try (Connection tgt = targetAdmin(f.targetDb());
        Statement s = tgt.createStatement()) {
      s.execute("UPDATE clients SET note = 'before the rollback' WHERE id = 4");
      RollbackLog failed =
          new RollbackService(SECRETS)
              .rollback(
                  spec,
                  f.mapping(),
                  f.id(),
                  f.reverse().position(),
                  Duration.ofSeconds(60),
                  CutoverService.switchBack(spec, SECRETS));
      assertEquals(Verdict.FAIL, failed.verdict(), failed.markdown());
      assertEquals(
          List.of(RollbackService.SWITCH_BACK),
          failed.steps().stream().filter(CutoverStep::failed).map(CutoverStep::name).toList(),
          failed.markdown());
      assertTrue(failed.summary().contains("exited with code 3"), failed.summary());
      assertTrue(failed.summary().contains("load balancer refused"), failed.summary());
      assertTrue(failed.summary().contains("run the rollback again"), failed.summary());
      assertEquals(
          RollbackService.UNFREEZE_TARGET,
          failed.steps().get(failed.steps().size() - 1).name(),
          failed.markdown());
      assertNull(guards.tryWrite(tgt, "public.clients"), "the target takes writes again");
      try (Connection appSession = DriverManager.getConnection(source.jdbcUrl(), f.app(), "")) {
        assertTrue(
            guards.tryWrite(appSession, "public.customers").startsWith("SQLState 25006"),
            "the source stays frozen");
      }

      // a superuser bypasses the guards (replica mode skips triggers) and changes a value on the
      // frozen source: the counts stay equal, the checksums do not, and the switch back is
      // refused before the hook runs. A row the target never changed is not in the reverse
      // stream's record of changed rows: with that record cut (a gap), the check compares every
      // table in full and finds it
      source.execute(
          "SET session_replication_role = replica",
          "UPDATE customers SET note = 'drift' WHERE id = 5");
      source.execute(
          "DELETE FROM studio.row_changes WHERE migration = '"
              + ReverseStream.recordName(f.id())
              + "'");
      RollbackLog drifted =
          new RollbackService(SECRETS)
              .rollback(
                  spec,
                  f.mapping(),
                  f.id(),
                  f.reverse().position(),
                  Duration.ofSeconds(60),
                  CutoverService.switchBack(spec, SECRETS));
      assertEquals(Verdict.FAIL, drifted.verdict(), drifted.markdown());
      assertEquals(
          io.migrationstudio.core.cutover.CutoverLog.CHECK_FULL,
          drifted.finalCheck().mode(),
          drifted.markdown());
      assertTrue(
          drifted.finalCheck().reason().contains("may be incomplete"),
          drifted.finalCheck().reason());
      assertEquals(
          io.migrationstudio.core.cutover.CutoverLog.CHECK_CHANGED,
          failed.finalCheck().mode(),
          "the first attempt compared the changed rows: " + failed.markdown());
      CutoverStep refused =
          drifted.steps().stream().filter(CutoverStep::failed).findFirst().orElseThrow();
      assertEquals(RollbackService.CHECKSUMS, refused.name(), drifted.markdown());
      assertTrue(
          refused.detail().startsWith("1 of 2 tables differ")
              && refused
                  .detail()
                  .contains("customers (20 vs 20 rows; missing 0, extra 0, changed 1"),
          refused.detail());
      assertTrue(
          drifted.steps().stream().noneMatch(x -> x.name().equals(RollbackService.SWITCH_BACK)),
          drifted.markdown());
      assertEquals(
          List.of("rollback"),
          Files.readAllLines(dir.resolve("runs.txt")),
          "only the first attempt ran the hook");
      assertEquals(
          RollbackService.UNFREEZE_TARGET,
          drifted.steps().get(drifted.steps().size() - 1).name(),
          drifted.markdown());
      assertNull(guards.tryWrite(tgt, "public.clients"), "the target takes writes again");
      try (Connection appSession = DriverManager.getConnection(source.jdbcUrl(), f.app(), "")) {
        assertTrue(
            guards.tryWrite(appSession, "public.customers").startsWith("SQLState 25006"),
            "the source stays frozen");
      }
      source.execute(
          "SET session_replication_role = replica",
          "UPDATE customers SET note = 'n5' WHERE id = 5");

      s.execute("INSERT INTO clients (full_name, note) VALUES ('between attempts', 'x')");
      Files.delete(dir.resolve("refuse"));
      RollbackLog log =
          new RollbackService(SECRETS)
              .rollback(
                  spec,
                  f.mapping(),
                  f.id(),
                  null,
                  Duration.ofSeconds(60),
                  CutoverService.switchBack(spec, SECRETS));
      System.out.println(failed.markdown() + "\n" + log.markdown());
      assertEquals(Verdict.PASS, log.verdict(), log.markdown());
      assertTrue(log.switchBack().startsWith("command: the hook"), log.switchBack());
      CutoverStep back =
          log.steps().stream()
              .filter(x -> x.name().equals(RollbackService.SWITCH_BACK))
              .findFirst()
              .orElseThrow();
      assertTrue(
          back.detail().contains("(rollback) exited 0")
              && back.detail().contains("repointing from " + f.targetDb() + " to " + source.name()),
          back.detail());
      List<String> env = Files.readAllLines(dir.resolve("env.txt"));
      assertTrue(env.contains("STUDIO_SWITCH_DIRECTION=rollback"), env.toString());
      assertTrue(env.contains("STUDIO_MIGRATION=rb-hook"), env.toString());
      assertTrue(env.contains("STUDIO_OLD_DATABASE=" + f.targetDb()), env.toString());
      assertTrue(env.contains("STUDIO_NEW_DATABASE=" + source.name()), env.toString());
      assertTrue(env.contains("STUDIO_NEW_USER=" + f.studio()), env.toString());
      assertEquals(
          1,
          source.queryLong(
              "SELECT count(*) FROM customers WHERE name = 'between attempts' AND note = 'x'"),
          "the write made between the attempts is on the source");
      assertEquals(
          1, source.queryLong("SELECT count(*) FROM customers WHERE note = 'before the rollback'"));
      try (Connection appSession = DriverManager.getConnection(source.jdbcUrl(), f.app(), "")) {
        assertNull(guards.tryWrite(appSession, "public.customers"), "the source takes writes");
      }
    } finally {
      new ReverseStream(SECRETS).drop(f.spec(), f.id());
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static MappingDocument widenedNote(MappingDocument mapping) {
    List<TableMapping> tables = new ArrayList<>();
    for (TableMapping t : mapping.tables()) {
      tables.add(
          t.withColumns(
              t.columns().stream()
                  .map(
                      c ->
                          !"note".equals(c.source())
                              ? c
                              : ColumnMapping.builder()
                                  .source(c.source())
                                  .target(c.target())
                                  .disposition(Disposition.CAST)
                                  .sourceType(c.sourceType())
                                  .type("text")
                                  .canonical(CanonicalType.TEXT)
                                  .nullable(c.nullable())
                                  .reason("widened")
                                  .build())
                  .toList()));
    }
    return new MappingDocument(
        mapping.version(),
        mapping.naming(),
        mapping.sourceEngine(),
        mapping.sourceSchema(),
        mapping.targetSchema(),
        tables,
        mapping.sequences());
  }

  /**
   * The application on the target after the switch: an insert taking the sequence, an update, a
   * delete, a key change, a multi-row transaction, a rolled-back transaction, a sequence jump.
   */
  private static void applicationWritesOnTheTarget(Connection tgt) throws SQLException {
    try (Statement s = tgt.createStatement()) {
      s.execute("INSERT INTO clients (full_name, note) VALUES ('new on target', 'x')");
      s.execute("UPDATE clients SET note = 'changed on target' WHERE id = 3");
      s.execute("DELETE FROM purchases WHERE id = 7");
      s.execute("UPDATE purchases SET id = 1000 WHERE id = 2");
      tgt.setAutoCommit(false);
      s.execute("SELECT setval(pg_get_serial_sequence('purchases', 'id'), 4990)");
      for (int i = 0; i < 10; i++) {
        s.execute(
            "INSERT INTO purchases (customer_id, amount, status) VALUES (21, "
                + i
                + ".5, 'multi')");
      }
      s.execute("UPDATE clients SET full_name = 'renamed in tx' WHERE id = 21");
      tgt.commit();
      s.execute("INSERT INTO purchases (customer_id, amount, status) VALUES (1, 1, 'aborted')");
      tgt.rollback();
      tgt.setAutoCommit(true);
    }
  }

  /** {@code orders → purchases}, {@code customers.name → full_name}: the way back renames too. */
  private static MappingDocument renamed(Connection src, MappingDocument mapping) throws Exception {
    List<TableMapping> tables = new ArrayList<>();
    for (TableMapping t : mapping.tables()) {
      if (t.source().equals("orders")) {
        t =
            new TableMapping(
                t.source(),
                "purchases",
                t.filter(),
                t.primaryKey(),
                t.columns(),
                t.uniqueKeys(),
                List.of(), // its key names customers, which the target calls clients
                t.indexes());
      } else if (t.source().equals("customers")) {
        List<ColumnMapping> columns = new ArrayList<>();
        for (ColumnMapping c : t.columns()) {
          columns.add(
              !"name".equals(c.source())
                  ? c
                  : ColumnMapping.builder()
                      .source(c.source())
                      .target("full_name")
                      .disposition(c.disposition())
                      .sourceType(c.sourceType())
                      .type(c.type())
                      .canonical(c.canonical())
                      .nullable(c.nullable())
                      .identity(c.identity())
                      .defaultValue(c.defaultValue())
                      .expression(c.expression())
                      .reason(c.reason())
                      .build());
        }
        t =
            new TableMapping(
                t.source(),
                "clients",
                t.filter(),
                t.primaryKey(),
                columns,
                t.uniqueKeys(),
                t.foreignKeys(),
                t.indexes());
      }
      if (!t.source().equals("audit")) {
        tables.add(t);
      }
    }
    MappingDocument edited =
        new MappingDocument(
            mapping.version(),
            mapping.naming(),
            mapping.sourceEngine(),
            mapping.sourceSchema(),
            mapping.targetSchema(),
            tables,
            mapping.sequences().stream()
                .filter(s -> s.table() == null || !s.table().equals("audit"))
                .map(
                    s ->
                        new SequenceMapping(
                            s.source(),
                            s.target(),
                            "customers".equals(s.table())
                                ? "clients"
                                : "orders".equals(s.table()) ? "purchases" : s.table(),
                            s.column(),
                            s.options()))
                .toList());
    return MappingLoader.load(
        MappingLoader.renderBytes(edited),
        InventoryService.introspect(src, PG, "public", t -> true));
  }

  private static List<String> tables(MappingDocument mapping) {
    return mapping.tables().stream().map(TableMapping::source).toList();
  }

  /**
   * The row changes the forward slot delivers from {@code from} up to a marker written now on the
   * source, as {@code KIND table name}.
   */
  private static List<String> forwardChanges(
      PostgresChangeCapture capture,
      ConnectionSpec sourceSpec,
      String slot,
      MappingDocument mapping,
      StreamPosition from,
      Connection src)
      throws Exception {
    StreamPosition marker = capture.emitHeartbeat(src, "test-end");
    List<String> out = new ArrayList<>();
    int transactions = 0;
    try (ChangeSource log =
        capture.open(
            new ConnectionSpec(sourceSpec.url(), "postgres", null, "public"),
            SECRETS,
            slot,
            tables(mapping),
            from)) {
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      StreamPosition last = from;
      while (last.compareTo(marker) < 0 && System.nanoTime() < deadline) {
        for (SourceTransaction tx : log.poll(Duration.ofMillis(200), 1000)) {
          transactions++;
          last = tx.commit();
          for (RowChange c : tx.changes()) {
            out.add(c.kind() + " " + c.table() + " " + c.row().get("name"));
          }
        }
      }
      assertTrue(last.compareTo(marker) >= 0, "the forward stream reached its marker");
    }
    assertTrue(transactions > 2, "the reverse applier's transactions arrived, empty");
    return out;
  }

  private static String md5(Connection c, String rows) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT md5(string_agg(r::text, '|' ORDER BY r.id)) || ':' || count(*) FROM ("
                    + rows
                    + ") r")) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static long queryLong(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static long nextAsApp(TestDatabase db, String app, String sequence) throws SQLException {
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), app, "")) {
      return queryLong(c, "SELECT nextval('" + sequence + "')");
    }
  }

  /** The SQLState the statement fails with (null when it succeeds). */
  private static String sqlState(Connection c, String sql) {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
      return null;
    } catch (SQLException e) {
      return e.getSQLState();
    }
  }
}
