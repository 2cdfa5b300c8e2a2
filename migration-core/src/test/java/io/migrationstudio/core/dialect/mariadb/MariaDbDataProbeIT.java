package io.migrationstudio.core.dialect.mariadb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.core.assess.InventoryService;
import io.migrationstudio.core.dialect.DataProbe;
import io.migrationstudio.core.dialect.DataProbe.Anomaly;
import io.migrationstudio.core.dialect.DataProbe.Sample;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.schema.CanonicalType;
import io.migrationstudio.core.schema.Column;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.core.schema.TableInfo;
import io.migrationstudio.testkit.MariaDbExtension;
import io.migrationstudio.testkit.MariaDbSamples;
import io.migrationstudio.testkit.TestMariaDb;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The MariaDB data probe on planted anomalies and on clean Chinook (shared embedded MariaDB). */
@ExtendWith(MariaDbExtension.class)
class MariaDbDataProbeIT {
  /** Backtick, quote, space, unicode and a reserved word: only Dialect.quote makes these work. */
  private static final String TABLE = "Odd `Tab\"le` ü select";

  private static final String KEY = "Row Id";
  private static final BigInteger SIGNED_MAX = BigInteger.valueOf(Long.MAX_VALUE);

  private static DataProbe probe(Connection c, TestMariaDb db) {
    Dialect dialect = Dialects.forUrl(db.jdbcUrl());
    assertEquals("mariadb", dialect.name());
    return dialect.dataProbe(c, db.name()).orElseThrow();
  }

  private static void plant(TestMariaDb db) {
    db.execute(
        "SET SESSION sql_mode = ''",
        "CREATE TABLE `Odd ``Tab\"le`` ü select` (`Row Id` int PRIMARY KEY, `When` date NULL,"
            + " `Note` varchar(40) NULL, `Big` bigint unsigned NULL)",
        "INSERT INTO `Odd ``Tab\"le`` ü select` VALUES"
            + " (1, '2024-01-31', 'fine', 1),"
            + " (2, '0000-00-00', CONCAT('a', CHAR(0), 'b'), 18446744073709551615),"
            + " (3, NULL, NULL, NULL),"
            + " (4, '2024-00-10', 'plain', 9223372036854775807),"
            + " (5, '2024-03-00', CONCAT(CHAR(0), 'x'), 9223372036854775808),"
            + " (6, '0000-00-00', 'ok', 7), (7, '0000-05-05', 'ok', 8), (8, '0000-00-00', 'ok', 9),"
            + " (9, '1999-12-31', CONCAT('tail', CHAR(0)), 10)",
        "CREATE TABLE people (id int PRIMARY KEY,"
            + " email varchar(40) COLLATE utf8mb4_bin NOT NULL UNIQUE)",
        "INSERT INTO people VALUES (1, 'Bob'), (2, 'bob'), (3, 'alice'), (4, 'ALICE'),"
            + " (5, 'carol'), (6, 'aLiCe')",
        "CREATE TABLE codes (tenant int NOT NULL, code varchar(10) COLLATE utf8mb4_bin NOT NULL,"
            + " UNIQUE (tenant, code))",
        "INSERT INTO codes VALUES (1, 'X'), (1, 'x'), (2, 'X'), (2, 'y')",
        "CREATE TABLE `Empty One` (id int)");
  }

  @Test
  void everyCheckFindsThePlantedAnomaliesWithCountsAndOrderedKeys(TestMariaDb db) throws Exception {
    plant(db);
    try (Connection c = db.connect()) {
      DataProbe p = probe(c, db);
      assertEquals("mariadb", p.engine());
      assertEquals(Optional.empty(), p.cannotHold(Anomaly.ZERO_DATE));
      assertEquals(Optional.empty(), p.cannotHold(Anomaly.NUL_IN_TEXT));

      Sample zero = p.zeroDates(TABLE, "When", List.of(KEY));
      assertEquals(new Sample(6, List.of("2", "4", "5", "6", "7")), zero);

      assertEquals(new Sample(3, List.of("2", "5", "9")), p.nulBytes(TABLE, "Note", List.of(KEY)));
      assertEquals(new Sample(3, List.of()), p.nulBytes(TABLE, "Note", List.of()));

      assertEquals(
          new Sample(2, List.of("2", "5")), p.valuesAbove(TABLE, "Big", SIGNED_MAX, List.of(KEY)));

      assertEquals(
          new Sample(5, List.of("alice", "bob")),
          p.caseInsensitiveDuplicates("people", List.of("email"), List.of("email")));
      assertEquals(
          new Sample(2, List.of("1, x")),
          p.caseInsensitiveDuplicates("codes", List.of("tenant", "code"), List.of("code")));

      assertEquals(List.of(TABLE, "codes", "people"), p.nonEmptyTables());
      assertTrue(p.defaultCollation().isPresent(), "a MariaDB database has a default collation");
      assertEquals(Optional.empty(), p.hasExtension("postgis"));
    }
  }

  @Test
  void zeroDatesAreFoundUnderAStrictSessionWhoseModeIsThenRestored(TestMariaDb db)
      throws Exception {
    plant(db);
    String strict = "STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE";
    try (Connection c = db.connect()) {
      try (Statement s = c.createStatement()) {
        s.execute("SET SESSION sql_mode = '" + strict + "'");
      }
      assertEquals(6, probe(c, db).zeroDates(TABLE, "When", List.of(KEY)).count());
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT @@SESSION.sql_mode")) {
        rs.next();
        assertEquals(strict, rs.getString(1));
      }
    }
  }

  @Test
  void cleanChinookHasNoAnomalies(TestMariaDb chinook) throws Exception {
    MariaDbSamples.loadChinook(chinook);
    Set<CanonicalType> dates =
        Set.of(CanonicalType.DATE, CanonicalType.TIMESTAMP, CanonicalType.TIMESTAMPTZ);
    try (Connection c = chinook.connect()) {
      Dialect dialect = Dialects.forUrl(chinook.jdbcUrl());
      Inventory inv = InventoryService.introspect(c, dialect, chinook.name(), t -> true);
      DataProbe p = probe(c, chinook);
      int texts = 0;
      int dateColumns = 0;
      int ints = 0;
      List<String> tables = new ArrayList<>();
      for (TableInfo t : inv.tables()) {
        tables.add(t.name());
        List<String> keys = t.primaryKey().columns();
        for (Column col : t.columns()) {
          String at = t.name() + "." + col.name();
          if (col.type().isText()) {
            texts++;
            assertEquals(Sample.NONE, p.nulBytes(t.name(), col.name(), keys), at);
          } else if (dates.contains(col.type())) {
            dateColumns++;
            assertEquals(Sample.NONE, p.zeroDates(t.name(), col.name(), keys), at);
          } else if (col.type().isInteger()) {
            ints++;
            assertEquals(Sample.NONE, p.valuesAbove(t.name(), col.name(), SIGNED_MAX, keys), at);
          }
        }
      }
      assertTrue(
          texts > 20 && dateColumns >= 3 && ints > 10, texts + "/" + dateColumns + "/" + ints);
      for (String t : List.of("Genre", "MediaType", "Playlist")) {
        assertEquals(
            Sample.NONE,
            p.caseInsensitiveDuplicates(t, List.of("Name"), List.of("Name")),
            t + ": Playlist names repeat, but exactly, which is no case collision");
      }
      assertEquals(tables.stream().sorted().toList(), p.nonEmptyTables());
      assertEquals(11, p.nonEmptyTables().size());
    }
  }
}
