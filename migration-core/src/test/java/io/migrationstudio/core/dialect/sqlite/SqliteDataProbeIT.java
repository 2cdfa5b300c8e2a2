package io.migrationstudio.core.dialect.sqlite;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.migrationstudio.core.contract.AbstractDataProbeIT;
import io.migrationstudio.core.contract.EngineDb;
import io.migrationstudio.core.dialect.DataProbe;
import io.migrationstudio.core.dialect.DataProbe.Anomaly;
import io.migrationstudio.core.dialect.DataProbe.Sample;
import io.migrationstudio.testkit.SqliteDatabases;
import java.math.BigInteger;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;

/** The data probe contract on SQLite, in temporary database files. */
class SqliteDataProbeIT extends AbstractDataProbeIT {
  /** Double quote, space, unicode and a reserved word: only Dialect.quote makes these work. */
  private static final String TABLE = "Odd \"Tab\" ü select";

  @TempDir Path dir;

  @Override
  protected String engine() {
    return "sqlite";
  }

  @Override
  protected String plantedTable() {
    return TABLE;
  }

  @Override
  protected EngineDb planted() throws Exception {
    EngineDb db =
        EngineDb.sqlite(
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
                CREATE TABLE codes (tenant INTEGER NOT NULL, code TEXT NOT NULL,
                  UNIQUE (tenant, code));
                INSERT INTO codes VALUES (1, 'X'), (1, 'x'), (2, 'X'), (2, 'y');
                CREATE TABLE "Empty One" (id INTEGER);
                """));
    try (Connection c = db.connect();
        PreparedStatement ps =
            c.prepareStatement(
                "UPDATE \"Odd \"\"Tab\"\" ü select\" SET \"Note\" = ? WHERE \"Row Id\" = ?")) {
      ps.setString(1, "tail\0");
      ps.setInt(2, 10);
      ps.executeUpdate();
    }
    return db;
  }

  @Override
  protected EngineDb chinook() {
    return EngineDb.sqlite(SqliteDatabases.chinook(dir));
  }

  @Override
  protected void assertEngineAnswers(DataProbe p) {
    assertEquals(Optional.empty(), p.cannotHold(Anomaly.ZERO_DATE));
    assertEquals(Optional.empty(), p.cannotHold(Anomaly.NUL_IN_TEXT));
    // zero dates (the contract's six) are text with a zero year, month or day; 0 is no date text
    assertEquals(
        new Sample(2, List.of("2", "10")),
        p.nulBytes(TABLE, "Note", List.of(KEY)),
        "a NUL inside and at the end of text");
    assertEquals(new Sample(2, List.of("2", "4")), p.nulBytes(TABLE, "Raw", List.of(KEY)));
    assertEquals(new Sample(2, List.of()), p.nulBytes(TABLE, "Note", List.of()));
    assertEquals(
        new Sample(6, List.of("2", "4", "5", "8", "9")),
        p.valuesAbove(TABLE, "Big", BigInteger.valueOf(7), List.of(KEY)),
        "SQLite's dynamic typing: text and integers above 7 alike");
    assertEquals(Optional.of("BINARY"), p.defaultCollation());
    assertEquals(Optional.empty(), p.hasExtension("postgis"));
  }
}
