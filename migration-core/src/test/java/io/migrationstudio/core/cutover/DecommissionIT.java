package io.migrationstudio.core.cutover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.cdc.apply.StreamService;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.git.GitArtifactStore;
import io.migrationstudio.core.spec.SecretResolver;
import io.migrationstudio.core.spec.SpecLoader;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The decommission with {@code after_decommission: keep_frozen} on a target whose studio schema
 * another migration still uses, after a PgBouncer switch whose {@code .pre-cutover} copy is deleted
 * (the release and the schema drop: HypercareWorkflowIT).
 */
@ExtendWith(PostgresExtension.class)
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
        "INSERT INTO studio.row_changes VALUES ('" + id + "', 'c'), ('other', 'c')");
    // the reverse stream's bookkeeping on a PostgreSQL source: its position and its record of
    // changed rows, under <id>#reverse (this migration's, not another's)
    source.execute(
        "CREATE SCHEMA studio",
        "CREATE TABLE studio.row_changes (migration text NOT NULL, capture text NOT NULL)",
        "INSERT INTO studio.row_changes VALUES ('" + id + "#reverse', 'c')");
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
      assertEquals(Decommission.PRESENT, copy(plan).state(), plan.toString());
      assertTrue(Files.exists(kept), "the plan deletes nothing");
      assertEquals(1, count(source, "pg_replication_slots WHERE slot_name = '" + capture + "'"));

      List<Decommission.Item> done = d.execute(spec, id);
      assertEquals(Verdict.PASS, Decommission.verdict(done), done.toString());
      assertEquals(0, count(source, "pg_replication_slots WHERE slot_name = '" + capture + "'"));
      assertEquals(0, count(source, "pg_publication WHERE pubname = '" + capture + "'"));
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
          count(source, "pg_namespace WHERE nspname = 'studio'"),
          "the source's studio schema held only this migration's reverse rows: dropped");
      assertTrue(
          done.stream()
              .anyMatch(i -> i.what().startsWith("studio schema") && i.detail().contains("other")),
          done.toString());
      // idempotent: a second run finds the capture gone
      List<Decommission.Item> again = d.execute(spec, id);
      assertEquals(Decommission.ABSENT, again.get(0).state());
      assertEquals(Decommission.ABSENT, copy(again).state());
    }
  }

  private static Decommission.Item copy(List<Decommission.Item> items) {
    return items.stream().filter(i -> i.what().startsWith("switch copy")).findFirst().orElseThrow();
  }

  private static long count(TestDatabase db, String fromWhere) {
    return db.queryLong("SELECT count(*) FROM " + fromWhere);
  }
}
