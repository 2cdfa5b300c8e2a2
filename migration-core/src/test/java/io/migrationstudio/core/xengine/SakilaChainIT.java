package io.migrationstudio.core.xengine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.migrationstudio.contracts.activity.ChunkRange;
import io.migrationstudio.contracts.activity.TablePlan;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.assess.InventoryService;
import io.migrationstudio.core.assess.RiskAnalyzer;
import io.migrationstudio.core.copy.ChunkCopier;
import io.migrationstudio.core.copy.IntegrationChecker;
import io.migrationstudio.core.copy.LoadFinisher;
import io.migrationstudio.core.copy.TargetPreparer;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.dialect.postgres.PostgresDialect;
import io.migrationstudio.core.mapping.Disposition;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.MappingGenerator;
import io.migrationstudio.core.mapping.MappingLoader;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.report.StageOutput;
import io.migrationstudio.core.review.CompatibilityReviewer;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.core.spec.SecretResolver;
import io.migrationstudio.core.spec.SpecLoader;
import io.migrationstudio.core.validate.ValidationReport;
import io.migrationstudio.core.validate.Validator;
import io.migrationstudio.testkit.MariaDbExtension;
import io.migrationstudio.testkit.MariaDbSamples;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import io.migrationstudio.testkit.TestMariaDb;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 3's acceptance: Sakila from {@code sakila/mysql} in MariaDB migrates to PostgreSQL through
 * every service in workflow order. Its triggers, routines and views are reported as manual-port
 * risks carrying their definitions, the spatial column and the FULLTEXT index are flagged, every
 * type is decided (the spatial column by an explicit override) and validation passes with no
 * missing, extra or changed row.
 */
@ExtendWith({PostgresExtension.class, MariaDbExtension.class})
class SakilaChainIT {
  private static final PostgresDialect PG = new PostgresDialect();
  private static final SecretResolver SECRETS = new SecretResolver(Map.of());
  private static final int CHUNK_ROWS = 1000;

  /**
   * address.location is a MySQL geometry. The target has no PostGIS, and MariaDB hands out a
   * geometry as its internal format (a 4-byte SRID followed by WKB), which a bytea column would
   * carry as an opaque blob that no PostgreSQL consumer can read as a point: that would look
   * migrated without being usable. So the column is dropped, with the reason on record.
   */
  private static final String OVERRIDES =
      """
      tables:
        - source: address
          columns:
            - source: location
              disposition: drop
              reason: >-
                MySQL geometry (SRID + WKB) has no PostgreSQL type without PostGIS; re-create it
                from the address once PostGIS is installed on the target
      """;

  @Test
  void sakilaMigratesEndToEnd(TestMariaDb sakila, TestDatabase target) throws Exception {
    MariaDbSamples.loadSakila(sakila);
    String id = "sakila-mariadb";
    MigrationSpec spec =
        SpecLoader.parse(
            "id: "
                + id
                + "\nsource: { url: \""
                + sakila.jdbcUrl()
                + "\", user: root }\ntarget: { url: \""
                + target.jdbcUrl()
                + "\", user: postgres }\nmapping: { naming: snake_case }\n"
                + "migrate: { chunk_rows: "
                + CHUNK_ROWS
                + " }\n");

    StageOutput inventoryOut = new InventoryService(SECRETS).run(spec, Optional.empty());
    byte[] inventoryJson = inventoryOut.files().get(ArtifactPaths.INVENTORY_JSON);
    Inventory inventory = Json.read(inventoryJson, Inventory.class, "inventory");
    assertEquals(16, inventory.tables().size());
    assertEquals(6, inventory.triggers().size());
    assertEquals(6, inventory.routines().size());
    assertEquals(7, inventory.views().size());

    assertRisks(
        new RiskAnalyzer()
            .analyzeInventoryJson(inventoryJson, "inventory.json", spec, Set.of(), Set.of()));

    MappingDocument mapping =
        MappingLoader.load(
            MappingLoader.renderBytes(
                new MappingGenerator()
                    .generate(inventory, spec, OVERRIDES.getBytes(StandardCharsets.UTF_8))),
            inventory);
    assertEquals(
        Disposition.DROP,
        mapping.bySource("address").orElseThrow().bySource("location").orElseThrow().disposition());

    Dialect source = Dialects.forUrl(sakila.jdbcUrl());
    try (Connection src = Dialects.open(spec.source(), SECRETS, "source");
        Connection tgt = target.connect()) {
      StageOutput review =
          new CompatibilityReviewer()
              .review(src, source, inventory.schema(), tgt, inventory, mapping);
      assertEquals(Verdict.PASS, review.verdict(), text(review, ArtifactPaths.COMPATIBILITY_MD));
      assertReview(review);

      TargetPreparer.Prepared prepared =
          new TargetPreparer(source, PG).prepare(src, tgt, mapping, id, CHUNK_ROWS);
      ChunkCopier copier = new ChunkCopier(source, PG);
      for (TablePlan plan : prepared.tables()) {
        TableMapping table = mapping.bySource(plan.sourceTable()).orElseThrow();
        for (ChunkRange range : plan.chunks()) {
          assertFalse(copier.copy(src, tgt, mapping, table, range, id, r -> {}).alreadyCommitted());
        }
      }
      new LoadFinisher(PG).finish(tgt, mapping, id, 1_700_000_000_000L);
      StageOutput integration = new IntegrationChecker(PG).check(tgt, mapping, id, 0);
      assertEquals(
          Verdict.PASS, integration.verdict(), text(integration, ArtifactPaths.INTEGRATION_JSON));

      Validator validator = new Validator(source, PG);
      ValidationReport report = validator.report(src, tgt, mapping, id, 100, CHUNK_ROWS);
      assertEquals(
          Verdict.PASS,
          report.status(),
          text(
              validator.validate(src, tgt, mapping, id, 100, CHUNK_ROWS),
              ArtifactPaths.VALIDATION_MD));
      Map<String, Long> rows = new TreeMap<>();
      for (ValidationReport.TableValidation t : report.tables()) {
        rows.put(t.table(), t.targetRows());
        assertEquals(t.sourceRows(), t.targetRows(), t.table());
        assertEquals(
            0, t.missing() + t.extra() + t.changed(), "missing/extra/changed " + t.table());
      }
      assertEquals(
          "{actor=200, address=603, category=16, city=600, country=109, customer=599, film=1000,"
              + " film_actor=5462, film_category=1000, film_text=1000, inventory=4581, language=6,"
              + " payment=16049, rental=16044, staff=2, store=2}",
          rows.toString());
      assertTarget(tgt);
    }
  }

  /**
   * The review decides every column: the only findings that are not OK are the dropped spatial
   * column and the two indexes that do not carry over (SPATIAL on it, FULLTEXT on film_text), and
   * Sakila holds no zero date, so no transform has to decide one.
   */
  private static void assertReview(StageOutput review) throws Exception {
    JsonNode tree = Json.mapper().readTree(review.files().get(ArtifactPaths.COMPATIBILITY_JSON));
    assertEquals(0, tree.get("fail").asLong());
    List<String> notOk = new ArrayList<>();
    int zeroDateChecks = 0;
    for (JsonNode f : tree.get("findings")) {
      String where =
          f.get("table").asText() + (f.has("column") ? "." + f.get("column").asText() : "");
      if (f.get("check").asText().equals("zero_date")) {
        zeroDateChecks++;
        assertEquals(0, f.get("count").asLong(), "zero dates in " + where);
      }
      if (!f.get("verdict").asText().equals("ok")) {
        notOk.add(where + " " + f.get("check").asText() + " " + f.get("detail").asText());
      }
    }
    assertEquals(19, zeroDateChecks, "every date/time column is probed for zero dates");
    assertEquals(3, notOk.size(), notOk.toString());
    assertTrue(
        notOk.get(0).startsWith("address index_not_carried index idx_location"), notOk.get(0));
    assertTrue(
        notOk.get(1).startsWith("address.location column_dropped dropped (MySQL geometry"),
        notOk.get(1));
    assertTrue(
        notOk
            .get(2)
            .startsWith(
                "film_text index_not_carried index idx_title_description is not in the mapping"
                    + " (its method fulltext has no PostgreSQL equivalent"),
        notOk.get(2));
  }

  /**
   * Sakila's special types as they land: enum, set (a text[] of its members), year, unsigned keys,
   * blob, the FK cycle.
   */
  private static void assertTarget(Connection tgt) throws SQLException {
    assertEquals(
        List.of(
            "actor.actor_id integer",
            "customer.active boolean",
            "customer.create_date timestamp without time zone",
            "film.last_update timestamp with time zone",
            "film.rating text",
            "film.release_year smallint",
            "film.special_features ARRAY",
            "staff.picture bytea",
            "store.store_id smallint"),
        strings(
            tgt,
            "SELECT table_name || '.' || column_name || ' ' || data_type"
                + " FROM information_schema.columns WHERE table_schema = 'public' AND"
                + " (table_name, column_name) IN (('actor', 'actor_id'), ('customer', 'active'),"
                + " ('customer', 'create_date'), ('film', 'last_update'), ('film', 'rating'),"
                + " ('film', 'release_year'), ('film', 'special_features'), ('staff', 'picture'),"
                + " ('store', 'store_id')) ORDER BY 1"));
    assertEquals(
        List.of(
            "(1,PG,\"{\"\"Deleted Scenes\"\",\"\"Behind the Scenes\"\"}\",2006,\"2006-02-15 05:03:42\")",
            "(2,G,\"{Trailers,\"\"Deleted Scenes\"\"}\",2006,\"2006-02-15 05:03:42\")"),
        strings(
            tgt,
            "SELECT CAST(ROW(film_id, rating, special_features, release_year,"
                + " last_update AT TIME ZONE 'UTC') AS text) FROM film WHERE film_id IN (1, 2)"
                + " ORDER BY 1"));
    assertEquals(
        List.of("(1,36365)", "(2,)"),
        strings(
            tgt,
            "SELECT CAST(ROW(staff_id, octet_length(picture)) AS text) FROM staff ORDER BY 1"));
    assertEquals(
        List.of("film_text_pkey"),
        strings(
            tgt,
            "SELECT indexname FROM pg_indexes WHERE schemaname = 'public'"
                + " AND tablename = 'film_text' ORDER BY 1"),
        "the FULLTEXT index is not recreated as something else");
    assertEquals(
        List.of("fk_staff_store staff -> store", "fk_store_staff store -> staff"),
        strings(
            tgt,
            "SELECT conname || ' ' || conrelid::regclass || ' -> ' || confrelid::regclass"
                + " FROM pg_constraint WHERE contype = 'f'"
                + " AND conrelid::regclass::text IN ('staff', 'store')"
                + " AND confrelid::regclass::text IN ('staff', 'store') ORDER BY 1"),
        "both foreign keys of the store/staff cycle exist after the load");
  }

  /**
   * Each Sakila risk the issue names, with its objects and, where the check has them, definitions.
   */
  private static void assertRisks(StageOutput risks) throws Exception {
    JsonNode tree = Json.mapper().readTree(risks.files().get(ArtifactPaths.RISKS_JSON));
    Map<String, List<JsonNode>> byKey = new TreeMap<>();
    for (JsonNode r : tree.get("risks")) {
      byKey.computeIfAbsent(r.get("key").asText(), k -> new ArrayList<>()).add(r);
    }
    assertEquals(
        List.of(
            "customer.customer_create_date",
            "film.del_film",
            "film.ins_film",
            "film.upd_film",
            "payment.payment_date",
            "rental.rental_date"),
        objects(byKey, "trigger-needs-manual-port"));
    for (JsonNode r : byKey.get("trigger-needs-manual-port")) {
      assertTrue(detail(r).contains("Definition: CREATE TRIGGER `"), detail(r));
    }
    assertEquals(
        List.of(
            "film_in_stock",
            "film_not_in_stock",
            "get_customer_balance",
            "inventory_held_by_customer",
            "inventory_in_stock",
            "rewards_report"),
        objects(byKey, "routine-needs-manual-port"));
    List<String> kinds = new ArrayList<>();
    for (JsonNode r : byKey.get("routine-needs-manual-port")) {
      assertTrue(detail(r).contains("BEGIN"), detail(r));
      kinds.add(detail(r).substring(0, detail(r).indexOf(" in SQL:")));
    }
    assertEquals(
        List.of("procedure", "procedure", "function", "function", "function", "procedure"), kinds);
    assertEquals(
        List.of(
            "actor_info",
            "customer_list",
            "film_list",
            "nicer_but_slower_film_list",
            "sales_by_film_category",
            "sales_by_store",
            "staff_list"),
        objects(byKey, "view-needs-rewrite"));
    for (JsonNode r : byKey.get("view-needs-rewrite")) {
      assertTrue(detail(r).toLowerCase(java.util.Locale.ROOT).contains("select"), detail(r));
    }
    assertEquals(List.of("address.location"), objects(byKey, "spatial-column-without-postgis"));
    assertEquals(List.of("film_text.idx_title_description"), objects(byKey, "fulltext-index"));
    assertEquals(List.of("film.rating"), objects(byKey, "enum-to-text"));
    assertEquals(List.of("film.special_features"), objects(byKey, "set-column"));
    assertEquals(List.of("address.location"), objects(byKey, "unsupported-type"));
    assertEquals(List.of("staff", "store"), objects(byKey, "fk-cycle"));
    assertEquals(List.of("staff.picture"), objects(byKey, "lob-column"));
  }

  private static List<String> objects(Map<String, List<JsonNode>> byKey, String key) {
    List<String> out = new ArrayList<>();
    for (JsonNode r : byKey.getOrDefault(key, List.of())) {
      for (JsonNode o : r.get("objects")) {
        out.add(o.asText());
      }
    }
    return out;
  }

  private static String detail(JsonNode risk) {
    return risk.get("detail").asText();
  }

  private static String text(StageOutput out, String path) {
    return new String(out.files().get(path), StandardCharsets.UTF_8);
  }

  private static List<String> strings(Connection c, String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }
}
