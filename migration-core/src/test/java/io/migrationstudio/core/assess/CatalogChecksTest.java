package io.migrationstudio.core.assess;

import static io.migrationstudio.core.assess.RiskAnalyzerTest.PG_TO_PG;
import static io.migrationstudio.core.assess.RiskAnalyzerTest.inventory;
import static io.migrationstudio.core.assess.RiskAnalyzerTest.pk;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.migrationstudio.contracts.spec.Approvers;
import io.migrationstudio.contracts.spec.ConnectionSpec;
import io.migrationstudio.contracts.spec.GateMode;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.spec.ReviewPolicy;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.schema.CanonicalType;
import io.migrationstudio.core.schema.CheckConstraint;
import io.migrationstudio.core.schema.Column;
import io.migrationstudio.core.schema.IndexInfo;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.core.schema.KeyConstraint;
import io.migrationstudio.core.schema.TableInfo;
import io.migrationstudio.core.schema.ViewInfo;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** One test per catalogue-only check, on hand-built inventories (no database). */
class CatalogChecksTest {
  /** A MySQL-like source: no dialect on this branch, so the inventory names the engine. */
  static Inventory mysql(List<TableInfo> tables, List<ViewInfo> views) {
    return new Inventory("mariadb", "11.4", "shop", "shop", tables, views, null, null, null);
  }

  static Column col(String name, String nativeType, CanonicalType type) {
    return Column.builder(name, nativeType, type).position(1).nullable(true).build();
  }

  static TableInfo t(
      String name, List<IndexInfo> indexes, List<CheckConstraint> checks, Column... cols) {
    return new TableInfo(
        "shop",
        name,
        List.of(cols),
        pk(name),
        null,
        null,
        checks,
        indexes,
        10,
        8192,
        null,
        List.of(),
        null,
        List.of(),
        false,
        null,
        null);
  }

  static final Column ID = Column.builder("id", "int", CanonicalType.INTEGER).position(1).build();

  /** The risks of one check only, in report order. */
  static List<Risk> run(String key, RiskContext ctx) {
    RiskReport r = RiskAnalyzer.report(ctx, Set.of(key), Set.of());
    CheckRun run = r.checks().get(RiskCatalog.keys().indexOf(key));
    assertEquals(CheckRun.Status.RAN, run.status(), key + ": " + run.reason());
    assertEquals(run.risks(), r.risks().size());
    return r.risks();
  }

  static List<Risk> run(String key, Inventory inv) {
    return run(key, RiskContext.of(inv, PG_TO_PG));
  }

  static List<String> objects(List<Risk> risks) {
    return risks.stream().flatMap(r -> r.objects().stream()).toList();
  }

  @Test
  void enumSetSpatialFulltextAcrossEngines() {
    Inventory inv =
        mysql(
            List.of(
                t(
                    "shop",
                    List.of(
                        new IndexInfo("ft_title", List.of("title"), false, "FULLTEXT", null, null)),
                    null,
                    ID,
                    col("size", "enum('s','m','l')", CanonicalType.ENUM),
                    col("tags", "set('a','b')", CanonicalType.UNSUPPORTED),
                    col("spot", "point", CanonicalType.UNSUPPORTED),
                    col("area", "geometry", CanonicalType.UNSUPPORTED),
                    col("title", "varchar(200)", CanonicalType.VARCHAR))),
            null);
    List<Risk> enums = run("enum-to-text", inv);
    assertEquals(List.of("shop.size"), objects(enums));
    assertEquals(Risk.Severity.MEDIUM, enums.get(0).severity());
    assertEquals(List.of("shop.tags"), objects(run("set-column", inv)));
    List<Risk> spatial = run("spatial-column-without-postgis", inv);
    assertEquals(List.of("shop.area", "shop.spot"), objects(spatial).stream().sorted().toList());
    assertEquals(Risk.Severity.HIGH, spatial.get(0).severity());
    assertEquals(Risk.Likelihood.MEDIUM, spatial.get(0).likelihood(), "PostGIS presence unknown");
    assertEquals(List.of("shop.ft_title"), objects(run("fulltext-index", inv)));
  }

  @Test
  void builtInPostgresPointIsNotSpatialBetweenPostgresDatabases() {
    Inventory inv =
        inventory(
            List.of(
                RiskAnalyzerTest.table(
                    "map",
                    pk("map"),
                    null,
                    null,
                    1,
                    1,
                    ID,
                    col("p", "point", CanonicalType.UNSUPPORTED),
                    col("g", "geometry(Point,4326)", CanonicalType.UNSUPPORTED))),
            null,
            null);
    assertEquals(List.of("map.g"), objects(run("spatial-column-without-postgis", inv)));
  }

  @Test
  void timezoneAndFloatSeverityDependOnEnginesAndKeys() {
    Column stamp = col("at", "timestamp without time zone", CanonicalType.TIMESTAMP);
    Column price = col("price", "real", CanonicalType.REAL);
    Column weight = col("weight", "double precision", CanonicalType.DOUBLE);
    TableInfo pg =
        new TableInfo(
            "public",
            "item",
            List.of(ID, stamp, price, weight),
            pk("item"),
            List.of(new KeyConstraint("item_price", List.of("price"))),
            null,
            null,
            null,
            1,
            1,
            null,
            List.of(),
            null,
            List.of(),
            false,
            null,
            null);
    Inventory same = inventory(List.of(pg), null, null);
    List<Risk> tz = run("timezone-semantics", same);
    assertEquals(Risk.Severity.LOW, tz.get(0).severity());
    List<Risk> floats = run("float-precision", same);
    assertEquals(
        List.of("item.price"), objects(floats), "unkeyed floats are fine between equal engines");
    assertEquals(Risk.Severity.MEDIUM, floats.get(0).severity());

    Inventory cross = mysql(List.of(pg), null);
    assertEquals(Risk.Severity.MEDIUM, run("timezone-semantics", cross).get(0).severity());
    assertEquals(List.of("item.price", "item.weight"), objects(run("float-precision", cross)));
  }

  @Test
  void identifiersTooLongReservedAndQuotedAreDisjoint() {
    String longName = "x".repeat(60) + "éé"; // 64 bytes
    Inventory inv =
        inventory(
            List.of(
                RiskAnalyzerTest.table(
                    "user",
                    pk("user"),
                    null,
                    null,
                    1,
                    1,
                    ID,
                    col(longName, "text", CanonicalType.TEXT),
                    col("Name", "text", CanonicalType.TEXT))),
            null,
            null);
    assertEquals(List.of("user." + longName), objects(run("identifier-too-long", inv)));
    assertEquals(List.of("user"), objects(run("reserved-word-identifier", inv)));
    assertEquals(
        List.of("user.Name", "user." + longName), objects(run("identifier-needs-quoting", inv)));
  }

  @Test
  void identifierChecksAreSkippedWhenTheTargetDeclaresNoRules() {
    MigrationSpec toUnknown = RiskAnalyzerTest.spec("jdbc:oracle:thin:@x:1521/db");
    RiskReport r =
        RiskAnalyzer.report(
            RiskContext.of(inventory(List.of(), null, null), toUnknown), Set.of(), Set.of());
    CheckRun run = r.checks().get(RiskCatalog.keys().indexOf("identifier-too-long"));
    assertEquals(CheckRun.Status.SKIPPED, run.status());
    assertTrue(run.reason().contains("unknown"), run.reason());
  }

  @Test
  void checksAndViewsNeedRewritingOnlyAcrossEngines() {
    TableInfo tbl = t("orders", null, List.of(new CheckConstraint("qty_pos", "`qty` > 0")), ID);
    List<ViewInfo> views =
        List.of(
            new ViewInfo("shop", "v_orders", false, "select `id` from `orders`"),
            new ViewInfo("shop", "m_totals", true, "select 1"));
    Inventory cross = mysql(List.of(tbl), views);
    assertEquals(List.of("orders.qty_pos"), objects(run("check-constraint-port", cross)));
    List<Risk> rewrite = run("view-needs-rewrite", cross);
    assertEquals(List.of("m_totals", "v_orders"), objects(rewrite));
    assertTrue(rewrite.get(1).detail().contains("select `id` from `orders`"));
    assertTrue(run("view-not-migrated", cross).isEmpty());
    assertEquals(List.of("m_totals"), objects(run("materialized-view-refresh", cross)));

    Inventory same = inventory(List.of(tbl), views, null);
    assertTrue(run("check-constraint-port", same).isEmpty());
    assertTrue(run("view-needs-rewrite", same).isEmpty());
    assertEquals(2, run("view-not-migrated", same).size());
  }

  @Test
  void autoIncrementColumnsWithoutSequencesNeedReset() {
    Column auto =
        Column.builder("id", "int", CanonicalType.INTEGER).position(1).identity(true).build();
    Inventory inv = mysql(List.of(t("orders", null, null, auto)), null);
    assertEquals(List.of("orders.id"), objects(run("sequence-reset", inv)));
  }

  @Test
  void lobColumnsAreBoundedTextExcluded() {
    Column bounded =
        Column.builder("code", "varchar(10)", CanonicalType.VARCHAR)
            .position(2)
            .nullable(true)
            .length(10)
            .build();
    Inventory inv =
        inventory(
            List.of(
                RiskAnalyzerTest.table(
                    "doc",
                    pk("doc"),
                    null,
                    null,
                    1,
                    1,
                    ID,
                    bounded,
                    col("body", "text", CanonicalType.TEXT),
                    col("blob", "bytea", CanonicalType.BYTES),
                    col("meta", "jsonb", CanonicalType.JSON))),
            null,
            null);
    List<Risk> lob = run("lob-column", inv);
    assertEquals(List.of("doc.blob", "doc.body", "doc.meta"), objects(lob));
    assertEquals(Risk.Severity.LOW, lob.get(0).severity());
  }

  @Test
  void triggersRoutinesPartitionsAndGeneratedColumnsAreReadFromInventoryJson() {
    Inventory inv =
        mysql(
            List.of(
                t("orders", null, null, ID, col("total", "decimal(10,2)", CanonicalType.DECIMAL))),
            null);
    RiskContext plain = RiskContext.of(inv, PG_TO_PG);
    // the inventory always catalogues triggers and routines now: empty lists, checks run
    RiskReport empty = RiskAnalyzer.report(plain, Set.of(), Set.of());
    for (String key : List.of("trigger-needs-manual-port", "routine-needs-manual-port")) {
      CheckRun run = empty.checks().get(RiskCatalog.keys().indexOf(key));
      assertEquals(CheckRun.Status.RAN, run.status(), key);
    }
    // an inventory.json written before they were catalogued has no such lists: skipped
    ObjectNode old = (ObjectNode) Json.mapper().valueToTree(inv);
    old.remove(List.of("triggers", "routines"));
    RiskReport without = RiskAnalyzer.report(plain.withInventoryJson(old), Set.of(), Set.of());
    for (String key : List.of("trigger-needs-manual-port", "routine-needs-manual-port")) {
      CheckRun run = without.checks().get(RiskCatalog.keys().indexOf(key));
      assertEquals(CheckRun.Status.SKIPPED, run.status(), key);
      assertTrue(run.reason().contains("inventory.json has no"), run.reason());
    }

    ObjectNode json = (ObjectNode) Json.mapper().valueToTree(inv);
    ArrayNode triggers = json.putArray("triggers");
    triggers
        .addObject()
        .put("table", "orders")
        .put("name", "orders_audit")
        .put("timing", "AFTER")
        .put("events", "INSERT")
        .put("definition", "INSERT INTO audit VALUES (NEW.id)");
    json.putArray("routines")
        .addObject()
        .put("name", "total_of")
        .put("kind", "FUNCTION")
        .put("language", "SQL");
    ObjectNode table = (ObjectNode) json.get("tables").get(0);
    table.put("partition_key", "RANGE (id)");
    ((ObjectNode) table.get("columns").get(1)).put("generated", "qty * price");
    RiskContext rich = plain.withInventoryJson(json);

    List<Risk> trig = run("trigger-needs-manual-port", rich);
    assertEquals(List.of("orders.orders_audit"), objects(trig));
    assertTrue(trig.get(0).detail().contains("INSERT INTO audit VALUES (NEW.id)"));
    assertEquals(Risk.Severity.HIGH, trig.get(0).severity());
    assertEquals(List.of("total_of"), objects(run("routine-needs-manual-port", rich)));
    assertEquals(List.of("orders"), objects(run("partitioned-table", rich)));
    assertEquals(List.of("orders.total"), objects(run("generated-column", rich)));
    JsonNode untouched = rich.inventoryJson();
    assertTrue(untouched.has("triggers"));
    assertTrue(run("partitioned-table", plain).isEmpty());
  }

  @Test
  void gatesNoOneCanOpenAreHighRisks() {
    MigrationSpec spec =
        new MigrationSpec(
            "gates",
            null,
            new ConnectionSpec("jdbc:postgresql://s/db", "u", null, null),
            new ConnectionSpec("jdbc:postgresql://t/db", "u", null, null),
            null,
            null,
            null,
            null,
            null,
            new ReviewPolicy(
                GateMode.AUTO,
                GateMode.ASK,
                GateMode.AUTO,
                GateMode.AUTO,
                GateMode.EXTERNAL,
                null,
                null,
                null,
                GateMode.AUTO),
            new Approvers(Map.of()),
            null);
    List<Risk> risks =
        run(
            "no-approvers-for-external-gate",
            RiskContext.of(inventory(List.of(), null, null), spec));
    assertEquals(List.of("reviews.cutover", "reviews.mapping"), objects(risks));
    assertTrue(risks.stream().allMatch(r -> r.severity() == Risk.Severity.HIGH));
    assertTrue(run("no-approvers-for-external-gate", inventory(List.of(), null, null)).isEmpty());
  }
}
