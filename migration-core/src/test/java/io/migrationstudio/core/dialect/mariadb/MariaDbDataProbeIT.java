package io.migrationstudio.core.dialect.mariadb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.core.contract.AbstractDataProbeIT;
import io.migrationstudio.core.contract.EngineDb;
import io.migrationstudio.core.dialect.DataProbe;
import io.migrationstudio.core.dialect.DataProbe.Anomaly;
import io.migrationstudio.core.dialect.DataProbe.Sample;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The data probe contract on the shared embedded MariaDB, and its strict-session behaviour. */
class MariaDbDataProbeIT extends AbstractDataProbeIT {
  /** Backtick, quote, space, unicode and a reserved word: only Dialect.quote makes these work. */
  private static final String TABLE = "Odd `Tab\"le` ü select";

  @Override
  protected String engine() {
    return "mariadb";
  }

  @Override
  protected String plantedTable() {
    return TABLE;
  }

  @Override
  protected EngineDb planted() {
    EngineDb db = EngineDb.mariadb("planted");
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
    return db;
  }

  @Override
  protected EngineDb chinook() {
    return EngineDb.mariadbChinook();
  }

  @Override
  protected void assertEngineAnswers(DataProbe p) {
    assertEquals(Optional.empty(), p.cannotHold(Anomaly.ZERO_DATE));
    assertEquals(Optional.empty(), p.cannotHold(Anomaly.NUL_IN_TEXT));
    assertEquals(new Sample(3, List.of("2", "5", "9")), p.nulBytes(TABLE, "Note", List.of(KEY)));
    assertEquals(new Sample(3, List.of()), p.nulBytes(TABLE, "Note", List.of()));
    assertTrue(p.defaultCollation().isPresent(), "a MariaDB database has a default collation");
    assertEquals(Optional.empty(), p.hasExtension("postgis"));
  }

  @Test
  void zeroDatesAreFoundUnderAStrictSessionWhoseModeIsThenRestored() throws Exception {
    EngineDb db = planted();
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
}
