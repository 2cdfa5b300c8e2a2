package io.migrationstudio.core.dialect.sqlite;

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
import io.migrationstudio.testkit.SqliteDatabases;
import java.math.BigInteger;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SQLite data probe on planted anomalies and on clean Chinook, in temporary database files. */
class SqliteDataProbeIT {
  /** Double quote, space, unicode and a reserved word: only Dialect.quote makes these work. */
  private static final String TABLE = "Odd \"Tab\" ü select";

  private static final String KEY = "Row Id";
  private static final BigInteger SIGNED_MAX = BigInteger.valueOf(Long.MAX_VALUE);

  @TempDir Path dir;

  private static DataProbe probe(Connection c, String url) {
    Dialect dialect = Dialects.forUrl(url);
    assertEquals("sqlite", dialect.name());
    return dialect.dataProbe(c, "main").orElseThrow();
  }

  private String plant() throws Exception {
    Path file =
        SqliteDatabases.create(
            dir.resolve("planted.db"),
            """
            CREATE TABLE "Odd ""Tab"" ü select" ("Row Id" INTEGER PRIMARY KEY, "When" DATE,
              "Note" TEXT, "Raw" BLOB, "Big" INTEGER);
            INSERT INTO "Odd ""Tab"" ü select" VALUES
              (1, '2024-01-31', 'fine', x'41', 1),
              (2, '0000-00-00', 'a' || char(0) || 'b', x'00', '18446744073709551615'),
              (3, NULL, NULL, NULL, NULL),
              (4, '2024-00-10 12:00:00', 'plain', x'4100', 9223372036854775807),
              (5, '2024-03-00', NULL, NULL, 9223372036854775808),
              (6, '0000-00-00 00:00:00', 'ok', NULL, 7),
              (7, '0000-05-05', 'ok', NULL, -1),
              (8, '0000-00-00', 'ok', NULL, 9),
              (9, 0, 'ok', NULL, 10),
              (10, '1999-12-31', 'ok', NULL, 11);
            CREATE TABLE people (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE);
            INSERT INTO people VALUES (1, 'Bob'), (2, 'bob'), (3, 'alice'), (4, 'ALICE'),
              (5, 'carol'), (6, 'aLiCe');
            CREATE TABLE codes (tenant INTEGER NOT NULL, code TEXT NOT NULL, UNIQUE (tenant, code));
            INSERT INTO codes VALUES (1, 'X'), (1, 'x'), (2, 'X'), (2, 'y');
            CREATE TABLE "Empty One" (id INTEGER);
            """);
    String url = SqliteDatabases.url(file);
    try (Connection c = DriverManager.getConnection(url);
        PreparedStatement ps =
            c.prepareStatement(
                "UPDATE \"Odd \"\"Tab\"\" ü select\" SET \"Note\" = ? WHERE \"Row Id\" = ?")) {
      ps.setString(1, "tail\0");
      ps.setInt(2, 10);
      ps.executeUpdate();
    }
    return url;
  }

  @Test
  void everyCheckFindsThePlantedAnomaliesWithCountsAndOrderedKeys() throws Exception {
    String url = plant();
    try (Connection c = DriverManager.getConnection(url)) {
      DataProbe p = probe(c, url);
      assertEquals("sqlite", p.engine());
      assertEquals(Optional.empty(), p.cannotHold(Anomaly.ZERO_DATE));
      assertEquals(Optional.empty(), p.cannotHold(Anomaly.NUL_IN_TEXT));

      assertEquals(
          new Sample(6, List.of("2", "4", "5", "6", "7")),
          p.zeroDates(TABLE, "When", List.of(KEY)),
          "text dates with a zero year, month or day; the number 0 is no date text");

      assertEquals(
          new Sample(2, List.of("2", "10")),
          p.nulBytes(TABLE, "Note", List.of(KEY)),
          "a NUL inside and at the end of text");
      assertEquals(new Sample(2, List.of("2", "4")), p.nulBytes(TABLE, "Raw", List.of(KEY)));
      assertEquals(new Sample(2, List.of()), p.nulBytes(TABLE, "Note", List.of()));

      assertEquals(
          new Sample(2, List.of("2", "5")), p.valuesAbove(TABLE, "Big", SIGNED_MAX, List.of(KEY)));
      assertEquals(
          new Sample(6, List.of("2", "4", "5", "8", "9")),
          p.valuesAbove(TABLE, "Big", BigInteger.valueOf(7), List.of(KEY)));

      assertEquals(
          new Sample(5, List.of("alice", "bob")),
          p.caseInsensitiveDuplicates("people", List.of("email"), List.of("email")));
      assertEquals(
          new Sample(2, List.of("1, x")),
          p.caseInsensitiveDuplicates("codes", List.of("tenant", "code"), List.of("code")));

      assertEquals(List.of(TABLE, "codes", "people"), p.nonEmptyTables());
      assertEquals(Optional.of("BINARY"), p.defaultCollation());
      assertEquals(Optional.empty(), p.hasExtension("postgis"));
    }
  }

  @Test
  void cleanChinookHasNoAnomalies() throws Exception {
    String url = SqliteDatabases.url(SqliteDatabases.chinook(dir));
    Set<CanonicalType> dates =
        Set.of(CanonicalType.DATE, CanonicalType.TIMESTAMP, CanonicalType.TIMESTAMPTZ);
    try (Connection c = DriverManager.getConnection(url)) {
      Dialect dialect = Dialects.forUrl(url);
      Inventory inv = InventoryService.introspect(c, dialect, "main", t -> true);
      DataProbe p = probe(c, url);
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
