package io.migrationstudio.core.cutover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.cdc.apply.StreamService;
import io.migrationstudio.core.copy.TestMappings;
import io.migrationstudio.core.cutover.reverse.ReverseStream;
import io.migrationstudio.core.dialect.Dialect.WriteFreeze;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.git.GitArtifactStore;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.spec.SecretResolver;
import io.migrationstudio.core.spec.SpecLoader;
import io.migrationstudio.testkit.EmbeddedMariaDbServer;
import io.migrationstudio.testkit.MariaDbExtension;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import io.migrationstudio.testkit.TestMariaDb;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The decommission with {@code after_decommission: keep_frozen} on a target whose studio schema
 * another migration still uses, after a PgBouncer switch whose {@code .pre-cutover} copy is deleted
 * (the release and the schema drop: HypercareWorkflowIT); and on a MariaDB source, its {@code
 * studio} database left frozen, released, and shared with another migration.
 */
@ExtendWith({PostgresExtension.class, MariaDbExtension.class})
class DecommissionIT {
  @TempDir Path home;
  @TempDir Path etc;

  @Test
  void keepsTheFreezeAndASchemaAnotherMigrationUsesAndDropsTheCapture(
      TestDatabase source, TestDatabase target) throws Exception {
    String id = "decom-keep";
    String capture = StreamService.captureName(id);
    source.execute("CREATE TABLE t (id integer PRIMARY KEY)");
    target.execute(
        "CREATE SCHEMA studio",
        "CREATE TABLE studio.chunk_ledger (migration text NOT NULL, chunk int)",
        "INSERT INTO studio.chunk_ledger VALUES ('" + id + "', 0), ('other', 0), ('other', 1)",
        "CREATE TABLE studio.row_changes (migration text NOT NULL, capture text NOT NULL)",
        "INSERT INTO studio.row_changes VALUES ('" + id + "', 'c'), ('other', 'c')",
        // keyed by capture alone: this migration's forward stream and another one's
        "CREATE TABLE studio.stream_position (capture text PRIMARY KEY, position text)",
        "INSERT INTO studio.stream_position VALUES ('"
            + capture
            + "', '0/1'), ('studio_other', 'x')");
    // the reverse stream's bookkeeping on a PostgreSQL source: its position and its record of
    // changed rows, under <id>#reverse (this migration's, not another's)
    source.execute(
        "CREATE SCHEMA studio",
        "CREATE TABLE studio.row_changes (migration text NOT NULL, capture text NOT NULL)",
        "INSERT INTO studio.row_changes VALUES ('" + id + "#reverse', 'c')");
    // a reverse stream whose drop failed after its capture on the target: its origin is left
    source.execute("SELECT pg_replication_origin_create('" + ReverseStream.originName(id) + "')");
    try (Connection c = source.connect()) {
      Dialects.forName("postgresql")
          .changeCapture()
          .orElseThrow()
          .prepare(c, capture, List.of("t"));
      Dialects.forName("postgresql")
          .writeFreeze()
          .orElseThrow()
          .freezeWrites(c, List.of("public.t"), Duration.ofSeconds(10));
    }
    // what the PgBouncer switch left at the cutover: the entry it replaced, for the rollback
    Path ini = etc.resolve("pgbouncer.ini");
    Path kept = etc.resolve("pgbouncer.ini" + CutoverService.PRE_CUTOVER_SUFFIX);
    Files.writeString(ini, "[databases]\napp = host=localhost port=5433 dbname=tgt\n");
    Files.writeString(kept, "app = host=localhost port=5432 dbname=src\n");
    MigrationSpec spec =
        SpecLoader.parse(
            "id: "
                + id
                + "\nsource: { url: \""
                + source.jdbcUrl()
                + "\", user: postgres }\ntarget: { url: \""
                + target.jdbcUrl()
                + "\", user: postgres }\n"
                + "cutover: { switch: { type: pgbouncer, database: app, ini: \""
                + ini
                + "\", admin: { url: \"jdbc:postgresql://localhost:6432/pgbouncer\","
                + " user: admin } } }\n");
    assertEquals("keep_frozen", spec.cutover().afterDecommission(), "the default");
    try (GitArtifactStore store = GitArtifactStore.open(home, null)) {
      Decommission d = new Decommission(store, new SecretResolver(Map.of()));
      List<Decommission.Item> plan = d.plan(spec, id);
      assertEquals(Decommission.PRESENT, plan.get(0).state(), plan.toString());
      assertEquals(Decommission.PRESENT, plan.get(1).state(), "the origin: " + plan);
      assertEquals(Decommission.PRESENT, copy(plan).state(), plan.toString());
      assertTrue(Files.exists(kept), "the plan deletes nothing");
      assertEquals(1, count(source, "pg_replication_slots WHERE slot_name = '" + capture + "'"));

      List<Decommission.Item> done = d.execute(spec, id);
      assertEquals(Verdict.PASS, Decommission.verdict(done), done.toString());
      assertEquals(0, count(source, "pg_replication_slots WHERE slot_name = '" + capture + "'"));
      assertEquals(0, count(source, "pg_publication WHERE pubname = '" + capture + "'"));
      assertEquals(0, count(source, "pg_replication_origin WHERE roname = '" + capture + "'"));
      assertEquals(Decommission.DROPPED, done.get(1).state(), done.toString());
      assertEquals(1, count(source, "pg_trigger WHERE tgname = 'studio_write_guard'"), "kept");
      assertEquals(2, count(target, "studio.chunk_ledger WHERE migration = 'other'"));
      assertEquals(Decommission.DROPPED, copy(done).state(), done.toString());
      assertFalse(Files.exists(kept), "no rollback after the decommission: its copy goes");
      assertTrue(Files.readString(ini).contains("dbname=tgt"), "the ini itself stays");
      assertEquals(0, count(target, "studio.chunk_ledger WHERE migration = '" + id + "'"));
      assertEquals(0, count(target, "studio.row_changes WHERE migration = '" + id + "'"));
      assertEquals(1, count(target, "studio.row_changes WHERE migration = 'other'"));
      assertEquals(
          0,
          count(target, "studio.stream_position WHERE capture = '" + capture + "'"),
          "this migration's stream position goes with its rows");
      assertEquals(1, count(target, "studio.stream_position WHERE capture = 'studio_other'"));
      assertEquals(
          0,
          count(source, "pg_namespace WHERE nspname = 'studio'"),
          "the source's studio schema held only this migration's reverse rows: dropped");
      assertTrue(
          done.stream()
              .anyMatch(i -> i.what().startsWith("studio schema") && i.detail().contains("other")),
          done.toString());
      // idempotent: a second run finds the capture gone
      List<Decommission.Item> again = d.execute(spec, id);
      assertEquals(Decommission.ABSENT, again.get(0).state());
      assertEquals(Decommission.ABSENT, again.get(1).state(), again.toString());
      assertEquals(Decommission.ABSENT, copy(again).state());

      // another migration's reverse stream position alone keeps a source's studio schema
      source.execute(
          "CREATE SCHEMA studio",
          "CREATE TABLE studio.stream_position (capture text PRIMARY KEY, position text)",
          "INSERT INTO studio.stream_position VALUES ('studio_other_rev', '0/2')");
      d.execute(spec, id);
      assertEquals(1, count(source, "studio.stream_position"), "another migration's position");
    }
  }

  /**
   * A MariaDB source left frozen ({@code keep_frozen}): its {@code studio} database loses the
   * reverse stream's bookkeeping but keeps the armed {@code guard_state} rows the guards read, so
   * writes are still refused with SQLState 25006; {@code studio release} then lifts the guards and
   * leaves no {@code studio} database behind.
   */
  @Test
  void aMariaDbSourceLeftFrozenKeepsOnlyItsGuardStateAndTheReleaseRemovesTheStudioDatabase(
      TestMariaDb maria, TestDatabase target) throws Exception {
    String id = "decom-maria-frozen";
    MigrationSpec spec = mariaDbSpec(id, maria, target, "keep_frozen");
    List<String> tables = frozenWithAReverseStream(spec, maria, id);
    try (GitArtifactStore store = GitArtifactStore.open(home, null)) {
      Decommission d = new Decommission(store, new SecretResolver(Map.of()));
      Decommission.Item planned = studioDatabase(d.plan(spec, id));
      assertEquals(Decommission.PRESENT, planned.state(), planned.toString());

      List<Decommission.Item> done = d.execute(spec, id);
      assertEquals(Verdict.PASS, Decommission.verdict(done), done.toString());
      assertEquals(Decommission.KEPT, studioDatabase(done).state(), done.toString());
      assertEquals(List.of("guard_state"), studioTables(maria), done.toString());
      assertEquals(1, maria.queryLong("SELECT count(*) FROM studio.guard_state WHERE armed = 1"));
      assertEquals("25006", refusal(maria), "still frozen, refused by the freeze itself");

      FreezeRelease.Released released =
          new FreezeRelease(new SecretResolver(Map.of())).release(spec);
      assertEquals(tables, released.tables());
      assertEquals(null, refusal(maria), "writes go through again");
      assertFalse(hasStudioDatabase(maria), released.describe());
    }
  }

  /**
   * {@code after_decommission: release} on a MariaDB source whose {@code studio} database another
   * migration's reverse stream also uses: only this migration's rows go, then, once the other one
   * is gone too, the database.
   */
  @Test
  void aMariaDbSourceReleasedAtTheDecommissionKeepsTheStudioDatabaseOnlyForAnotherMigration(
      TestMariaDb maria, TestDatabase target) throws Exception {
    String id = "decom-maria-release";
    MigrationSpec spec = mariaDbSpec(id, maria, target, "release");
    frozenWithAReverseStream(spec, maria, id);
    maria.execute(
        "INSERT INTO studio.stream_position (capture, position) VALUES ('studio_other_rev', 'p')");
    try (GitArtifactStore store = GitArtifactStore.open(home, null)) {
      Decommission d = new Decommission(store, new SecretResolver(Map.of()));
      List<Decommission.Item> done = d.execute(spec, id);
      assertEquals(Verdict.PASS, Decommission.verdict(done), done.toString());
      assertEquals(null, refusal(maria), "released");
      assertEquals(Decommission.KEPT, studioDatabase(done).state(), done.toString());
      assertEquals(1, maria.queryLong("SELECT count(*) FROM studio.stream_position"));
      assertEquals(0, maria.queryLong("SELECT count(*) FROM studio.row_changes"));
      assertEquals(0, maria.queryLong("SELECT count(*) FROM studio.reverse_tables"));
      assertFalse(studioTables(maria).contains("guard_state"), studioTables(maria).toString());

      maria.execute("DELETE FROM studio.stream_position");
      List<Decommission.Item> again = d.execute(spec, id);
      assertEquals(Decommission.DROPPED, studioDatabase(again).state(), again.toString());
      assertFalse(hasStudioDatabase(maria));
    }
  }

  private MigrationSpec mariaDbSpec(
      String id, TestMariaDb maria, TestDatabase target, String afterDecommission) {
    return SpecLoader.parse(
        "id: "
            + id
            + "\nsource: { url: \""
            + maria.jdbcUrl()
            + "\", user: root, schema: "
            + maria.name()
            + " }\ntarget: { url: \""
            + target.jdbcUrl()
            + "\", user: postgres }\ncutover: { after_decommission: "
            + afterDecommission
            + " }\n");
  }

  /**
   * A source table {@code t} with the cutover's guards made ahead and armed, and the reverse
   * stream's bookkeeping on the source with a position and a batch of this migration; the {@code
   * studio} database starts empty (the server is shared with the tests before, which are over).
   */
  private static List<String> frozenWithAReverseStream(
      MigrationSpec spec, TestMariaDb maria, String id) throws Exception {
    root("DROP DATABASE IF EXISTS studio");
    maria.execute("CREATE TABLE t (id int PRIMARY KEY, v int)", "INSERT INTO t VALUES (1, 1)");
    MappingDocument mapping;
    try (Connection c = maria.connect()) {
      mapping = TestMappings.mariaDbIdentity(maria, c, x -> true);
    }
    new ReverseStream(new SecretResolver(Map.of())).prepareSource(spec, mapping, id);
    String capture = ReverseStream.captureName(id);
    maria.execute(
        "INSERT INTO studio.stream_position (capture, position) VALUES ('" + capture + "', 'p')",
        "INSERT INTO studio.row_changes VALUES ('"
            + ReverseStream.recordName(id)
            + "', '"
            + capture
            + "', '', 'k', 'p', 1, 1, '[]')");
    List<String> tables = List.of("`" + maria.name() + "`.`t`");
    WriteFreeze freeze = Dialects.forUrl(maria.jdbcUrl()).writeFreeze().orElseThrow();
    try (Connection c = maria.connect()) {
      freeze.prepare(c, tables, Duration.ofSeconds(10));
      freeze.freezeWrites(c, tables, Duration.ofSeconds(10));
    }
    assertEquals("25006", refusal(maria));
    return tables;
  }

  /** The SQLState an update of {@code t} is refused with, null when it goes through. */
  private static String refusal(TestMariaDb maria) throws Exception {
    try (Connection c = maria.connect();
        Statement s = c.createStatement()) {
      s.executeUpdate("UPDATE t SET v = v + 1");
      return null;
    } catch (SQLException e) {
      return e.getSQLState();
    }
  }

  private static List<String> studioTables(TestMariaDb maria) throws Exception {
    List<String> out = new java.util.ArrayList<>();
    try (Connection c = maria.connect();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SHOW TABLES FROM studio")) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  private static boolean hasStudioDatabase(TestMariaDb maria) throws Exception {
    try (Connection c = maria.connect();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SHOW DATABASES LIKE 'studio'")) {
      return rs.next();
    }
  }

  private static void root(String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(EmbeddedMariaDbServer.jdbcUrl(""), "root", "");
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static Decommission.Item studioDatabase(List<Decommission.Item> items) {
    return items.stream()
        .filter(i -> i.what().startsWith("studio database") && i.where().equals("source"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no studio database item on the source: " + items));
  }

  private static Decommission.Item copy(List<Decommission.Item> items) {
    return items.stream().filter(i -> i.what().startsWith("switch copy")).findFirst().orElseThrow();
  }

  private static long count(TestDatabase db, String fromWhere) {
    return db.queryLong("SELECT count(*) FROM " + fromWhere);
  }
}
