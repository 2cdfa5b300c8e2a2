package io.migrationstudio.core.dialect.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.core.assess.ConsumerSampler;
import io.migrationstudio.core.assess.InventoryService;
import io.migrationstudio.core.assess.Throughput;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.schema.Column;
import io.migrationstudio.core.schema.ConsumerInfo;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.core.schema.RoutineInfo;
import io.migrationstudio.core.schema.TableInfo;
import io.migrationstudio.core.schema.TriggerInfo;
import io.migrationstudio.core.schema.TypeInfo;
import io.migrationstudio.core.schema.ViewInfo;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Pagila schema (PostgreSQL 18 syntax) inventoried completely on the embedded PostgreSQL 17:
 * every count per object kind equals what pg_catalog holds for the loaded copy.
 *
 * <p>The copy is derived by {@link #derivedPagila}: {@code uuidv7()} (PostgreSQL 18) becomes {@code
 * gen_random_uuid()}, VIRTUAL generated columns (PostgreSQL 18) become STORED, and every object of
 * the pgvector extension (not available here) is dropped: the extension, its comment, the table
 * {@code film_embedding} with its primary key, FK, HNSW index and {@code last_updated} trigger.
 * Against the testdata README (71 tables incl. partitions, 7 views, 1 materialized view, 9
 * functions, 16 triggers, 2 domains, 1 enum, 1 aggregate, 13 sequences, 32 indexes) the copy
 * therefore has 70 tables incl. partitions, 15 triggers and one index fewer; the rest is equal.
 */
@ExtendWith(PostgresExtension.class)
class PagilaInventoryIT {
  private static final Pattern DUMP_ENTRY = Pattern.compile("(?m)(?=^--\\n-- Name: )");
  private static final Pattern PGVECTOR = Pattern.compile("\\bvector\\b|film_embedding");

  /** The Pagila dump rewritten for PostgreSQL 17 without pgvector (see the class comment). */
  static String derivedPagila() throws IOException {
    String dump;
    try (InputStream in =
        PagilaInventoryIT.class
            .getClassLoader()
            .getResourceAsStream("testdata/pagila/pagila-schema.sql")) {
      assertNotNull(in, "testkit resource testdata/pagila/pagila-schema.sql");
      dump = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    StringBuilder out = new StringBuilder();
    int dropped = 0;
    for (String entry : DUMP_ENTRY.split(dump)) {
      String header = entry.lines().skip(1).findFirst().orElse("");
      if (header.startsWith("-- Name: ") && PGVECTOR.matcher(header).find()) {
        dropped++;
        continue;
      }
      out.append(entry);
    }
    // extension, its comment, table, pkey, index, trigger, FK
    assertEquals(7, dropped, "pgvector-dependent dump entries dropped");
    return out.toString()
        .replace("uuidv7()", "gen_random_uuid()")
        .replaceAll("(GENERATED ALWAYS AS \\(.*\\)) VIRTUAL", "$1 STORED");
  }

  private static void load(TestDatabase db) throws Exception {
    try (Connection c = db.connect();
        Statement s = c.createStatement()) {
      s.execute(derivedPagila());
    }
  }

  @Test
  void pagilaIsInventoriedCompletely(TestDatabase pagila) throws Exception {
    load(pagila);
    PostgresDialect dialect = new PostgresDialect();
    Inventory inv;
    try (Connection c = pagila.connect()) {
      inv = InventoryService.introspect(c, dialect, "public", n -> true);
    }
    String ns = "JOIN pg_namespace n ON n.oid = %s AND n.nspname = 'public'";

    // tables: partitions are listed under their parent, not as tables
    long relations =
        pagila.queryLong(
            "SELECT count(*) FROM pg_class c "
                + ns.formatted("c.relnamespace")
                + " WHERE c.relkind IN ('r', 'p')");
    long partitions =
        pagila.queryLong(
            "SELECT count(*) FROM pg_class c "
                + ns.formatted("c.relnamespace")
                + " WHERE c.relkind IN ('r', 'p') AND c.relispartition");
    assertEquals(70, relations, "README's 71 minus film_embedding");
    assertEquals(relations - partitions, inv.tables().size());
    assertEquals(partitions, inv.tables().stream().mapToLong(t -> t.partitions().size()).sum());
    TableInfo payment = inv.table("payment").orElseThrow();
    assertEquals("RANGE (payment_date)", payment.partitionKey());
    assertEquals(partitions, payment.partitions().size(), "payment holds every partition");
    assertEquals(payment.partitions().stream().sorted().toList(), payment.partitions());

    // views and the materialized view, with their dependencies
    assertEquals(
        pagila.queryLong(
            "SELECT count(*) FROM pg_class c "
                + ns.formatted("c.relnamespace")
                + " WHERE relkind = 'v'"),
        inv.views().stream().filter(v -> !v.materialized()).count());
    assertEquals(
        pagila.queryLong(
            "SELECT count(*) FROM pg_class c "
                + ns.formatted("c.relnamespace")
                + " WHERE relkind = 'm'"),
        inv.views().stream().filter(ViewInfo::materialized).count());
    assertEquals(7, inv.views().stream().filter(v -> !v.materialized()).count());
    ViewInfo actorInfo =
        inv.views().stream().filter(v -> v.name().equals("actor_info")).findFirst().orElseThrow();
    assertEquals(
        List.of("actor", "category", "film", "film_actor", "film_category"), actorInfo.dependsOn());
    assertTrue(inv.views().stream().allMatch(v -> !v.dependsOn().isEmpty()));

    // routines: functions, aggregates (no procedure in Pagila)
    String procs = "SELECT count(*) FROM pg_proc p " + ns.formatted("p.pronamespace");
    assertEquals(
        pagila.queryLong(procs + " WHERE p.prokind IN ('f', 'w')"),
        inv.routines().stream().filter(r -> r.kind().equals("function")).count());
    assertEquals(9, inv.routines().stream().filter(r -> r.kind().equals("function")).count());
    assertEquals(
        pagila.queryLong(procs + " WHERE p.prokind = 'a'"),
        inv.routines().stream().filter(r -> r.kind().equals("aggregate")).count());
    RoutineInfo aggregate =
        inv.routines().stream().filter(r -> r.kind().equals("aggregate")).findFirst().orElseThrow();
    assertTrue(aggregate.definition().startsWith("CREATE AGGREGATE"), aggregate.definition());
    assertTrue(
        inv.routines().stream()
            .filter(r -> r.kind().equals("function"))
            .allMatch(r -> r.definition().startsWith("CREATE OR REPLACE FUNCTION")));

    // triggers: user triggers, not the FK system triggers
    assertEquals(
        pagila.queryLong(
            "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                + ns.formatted("c.relnamespace")
                + " WHERE NOT t.tgisinternal AND t.tgparentid = 0"),
        inv.triggers().size());
    assertEquals(15, inv.triggers().size(), "README's 16 minus film_embedding's last_updated");
    TriggerInfo fulltext =
        inv.triggers().stream()
            .filter(t -> t.name().equals("film_fulltext_trigger"))
            .findFirst()
            .orElseThrow();
    assertEquals("film", fulltext.table());
    assertEquals("BEFORE", fulltext.timing());
    assertEquals("INSERT OR UPDATE", fulltext.events());
    assertEquals("ROW", fulltext.level());

    // types
    String types = "SELECT count(*) FROM pg_type t " + ns.formatted("t.typnamespace");
    assertEquals(
        pagila.queryLong(types + " WHERE t.typtype = 'd'"),
        inv.types().stream().filter(t -> t.kind().equals("domain")).count());
    assertEquals(2, inv.types().stream().filter(t -> t.kind().equals("domain")).count());
    assertEquals(
        pagila.queryLong(types + " WHERE t.typtype = 'e'"),
        inv.types().stream().filter(t -> t.kind().equals("enum")).count());
    TypeInfo rating =
        inv.types().stream().filter(t -> t.name().equals("mpaa_rating")).findFirst().orElseThrow();
    assertEquals(List.of("G", "PG", "PG-13", "R", "NC-17"), rating.values());
    TypeInfo year =
        inv.types().stream().filter(t -> t.name().equals("year")).findFirst().orElseThrow();
    assertEquals("integer", year.baseType());
    assertEquals("CHECK (VALUE >= 1901 AND VALUE <= 2155)", year.constraint());
    TypeInfo dotless =
        inv.types().stream().filter(t -> t.name().equals("bıgınt")).findFirst().orElseThrow();
    assertEquals("bigint", dotless.baseType());
    assertNull(dotless.constraint());

    // sequences and secondary indexes (those not backing a PK/unique constraint, on tables)
    assertEquals(
        pagila.queryLong(
            "SELECT count(*) FROM pg_class c "
                + ns.formatted("c.relnamespace")
                + " WHERE relkind = 'S'"),
        inv.sequences().size());
    assertEquals(13, inv.sequences().size());
    assertEquals(
        pagila.queryLong(
            "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
                + ns.formatted("c.relnamespace")
                + " WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition"
                + " AND NOT EXISTS (SELECT 1 FROM pg_constraint co WHERE co.conindid ="
                + " i.indexrelid AND co.conrelid = i.indrelid AND co.contype IN ('p', 'u', 'x'))"),
        inv.tables().stream().mapToLong(t -> t.indexes().size()).sum());

    // the generated column: its expression, not a default
    Column hours = inv.table("film").orElseThrow().column("length_hours").orElseThrow();
    assertNotNull(hours.generated());
    assertTrue(hours.generated().contains("round"), hours.generated());
    assertNull(hours.defaultExpression());

    // byte-stable and readable back
    String json = Json.write(inv);
    assertEquals(
        json,
        Json.write(
            Json.read(json.getBytes(StandardCharsets.UTF_8), Inventory.class, "inventory.json")));
    try (Connection c = pagila.connect()) {
      assertEquals(json, Json.write(InventoryService.introspect(c, dialect, "public", n -> true)));
    }
    String md =
        new String(
            InventoryService.render(inv, new Throughput(1, 1, 1, 1, 1, 1, 1, List.of()), 1)
                .files()
                .get(ArtifactPaths.INVENTORY_MD),
            StandardCharsets.UTF_8);
    for (String section :
        List.of("## Partitions", "## Triggers", "## Routines", "## Types", "## Consumers")) {
      assertTrue(md.contains(section), section);
    }
    assertTrue(md.contains("`film_fulltext_trigger`"));
  }

  @Test
  void consumersNameTheApplicationsConnected(TestDatabase db) throws Exception {
    PostgresDialect dialect = new PostgresDialect();
    Properties props = new Properties();
    props.setProperty("user", db.user());
    props.setProperty("password", "");
    props.setProperty("ApplicationName", "billing-app");
    List<Connection> billing = new ArrayList<>();
    try (Connection studio = db.connect()) {
      for (int i = 0; i < 2; i++) {
        billing.add(DriverManager.getConnection(db.jdbcUrl(), props));
      }
      List<ConsumerInfo> consumers =
          ConsumerSampler.sample(dialect, studio, "public", Duration.ofMillis(200));
      ConsumerInfo app =
          consumers.stream()
              .filter(c -> "billing-app".equals(c.application()))
              .findFirst()
              .orElseThrow(() -> new AssertionError("billing-app not in " + consumers));
      assertEquals(2, app.sessions());
      assertEquals(db.user(), app.user());
      assertEquals("idle", app.state());
      assertEquals(
          1, consumers.stream().filter(c -> "billing-app".equals(c.application())).count());
    } finally {
      for (Connection c : billing) {
        c.close();
      }
    }
  }
}
