package io.migrationstudio.core.dialect.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.core.contract.AbstractDataProbeIT;
import io.migrationstudio.core.contract.EngineDb;
import io.migrationstudio.core.dialect.DataProbe;
import io.migrationstudio.core.dialect.DataProbe.Anomaly;
import io.migrationstudio.core.dialect.DataProbe.Sample;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import java.sql.Connection;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The data probe contract on the shared embedded PostgreSQL, and a probe outside public. */
@ExtendWith(PostgresExtension.class)
class PostgresDataProbeIT extends AbstractDataProbeIT {
  private static final String TABLE = "Odd \"Tab\" ü select";

  @Override
  protected String engine() {
    return "postgresql";
  }

  @Override
  protected String plantedTable() {
    return TABLE;
  }

  /** PostgreSQL refuses zero dates on input: "When" holds plain dates only. */
  @Override
  protected EngineDb planted() {
    EngineDb db = EngineDb.postgres("planted");
    db.execute(
        "CREATE TABLE \"Odd \"\"Tab\"\" ü select\" (\"Row Id\" int PRIMARY KEY, \"When\" date,"
            + " \"Note\" text, \"Raw\" bytea, \"Big\" numeric(20))",
        "INSERT INTO \"Odd \"\"Tab\"\" ü select\" VALUES"
            + " (1, '2024-01-31', 'fine', '\\x41', 1),"
            + " (2, NULL, 'a', '\\x00', 18446744073709551615),"
            + " (3, NULL, NULL, NULL, NULL),"
            + " (4, '2024-01-10', 'plain', '\\x4100', 9223372036854775807),"
            + " (5, '2024-03-01', 'x', NULL, 9223372036854775808),"
            + " (6, '1999-12-31', 'ok', NULL, 7)",
        "CREATE TABLE people (id int PRIMARY KEY, email text NOT NULL UNIQUE)",
        "INSERT INTO people VALUES (1, 'Bob'), (2, 'bob'), (3, 'alice'), (4, 'ALICE'),"
            + " (5, 'carol'), (6, 'aLiCe')",
        "CREATE TABLE codes (tenant int NOT NULL, code text NOT NULL, UNIQUE (tenant, code))",
        "INSERT INTO codes VALUES (1, 'X'), (1, 'x'), (2, 'X'), (2, 'y')",
        "CREATE TABLE \"Empty One\" (id int)");
    return db;
  }

  @Override
  protected EngineDb chinook() throws Exception {
    return EngineDb.postgresChinook();
  }

  @Override
  protected String chinookName(String pascalCase) {
    return EngineDb.snakeCase(pascalCase);
  }

  @Override
  protected void assertEngineAnswers(DataProbe p) {
    assertTrue(p.cannotHold(Anomaly.ZERO_DATE).isPresent());
    assertEquals(new Sample(2, List.of("2", "4")), p.nulBytes(TABLE, "Raw", List.of(KEY)));
    assertEquals(Sample.NONE, p.nulBytes(TABLE, "Note", List.of(KEY)), "text never holds NUL");
    assertTrue(p.defaultCollation().isPresent());
    assertEquals(Optional.of(false), p.hasExtension("postgis"));
  }

  @Test
  void aProbeOutsidePublicAnswersOnCompositeKeysAndHostileNames(TestDatabase db) throws Exception {
    db.execute(
        "CREATE SCHEMA \"Ω Schema\"",
        "CREATE TABLE \"Ω Schema\".\"Odd \"\"Table\"\"\" ("
            + " \"Key Part\" int, \"select\" text, blob bytea, big numeric(20),"
            + " PRIMARY KEY (\"Key Part\", \"select\"))",
        "INSERT INTO \"Ω Schema\".\"Odd \"\"Table\"\"\" VALUES"
            + " (1, 'Ünïcode', '\\x410042'::bytea, 18446744073709551615),"
            + " (1, 'ünïcode', '\\x4142'::bytea, 9223372036854775807),"
            + " (2, 'x', '\\x00'::bytea, 9223372036854775808),"
            + " (3, 'y', NULL, NULL)");
    try (Connection c = db.connect()) {
      DataProbe probe = Dialects.forUrl(db.jdbcUrl()).dataProbe(c, "Ω Schema").orElseThrow();
      String table = "Odd \"Table\"";
      List<String> key = List.of("Key Part", "select");

      assertEquals(
          new Sample(2, List.of("1, Ünïcode", "2, x")), probe.nulBytes(table, "blob", key));
      assertEquals(
          new Sample(2, List.of("1, Ünïcode", "2, x")),
          probe.valuesAbove(table, "big", SIGNED_MAX, key));
      assertEquals(
          new Sample(2, List.of("1, ünïcode")),
          probe.caseInsensitiveDuplicates(table, key, List.of("select")));
      assertEquals(List.of(table), probe.nonEmptyTables());
    }
  }
}
