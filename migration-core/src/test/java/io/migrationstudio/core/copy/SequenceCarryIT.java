package io.migrationstudio.core.copy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Free-standing sequences arrive with their parameters and the value they have when the load ends:
 * the next {@code nextval} on the target returns what the source's next {@code nextval} would
 * (ascending, descending, cycling, never called, a narrow type), values handed out on the source
 * during the copy included; an owned sequence is still set past the copied keys; a source user who
 * may not read a sequence gets an error naming it and the grant.
 */
@ExtendWith(PostgresExtension.class)
class SequenceCarryIT {
  private static final String[] SOURCE = {
    "CREATE SEQUENCE fresh START 100",
    "CREATE SEQUENCE used START 100",
    "SELECT nextval('used'), nextval('used'), nextval('used')",
    "CREATE SEQUENCE down INCREMENT -5 START -10",
    "SELECT nextval('down'), nextval('down')",
    "CREATE SEQUENCE cyc MINVALUE 1 MAXVALUE 3 CYCLE",
    "SELECT nextval('cyc'), nextval('cyc'), nextval('cyc')",
    "CREATE SEQUENCE small AS smallint INCREMENT 10 CACHE 5",
    "SELECT setval('small', 32000)",
    "CREATE TABLE item (id serial PRIMARY KEY, name text)",
    "INSERT INTO item (name) SELECT 'n' || g FROM generate_series(1, 7) g"
  };

  @Test
  void everySequenceContinuesOnTheTargetWhereTheSourceStands(
      TestDatabase source, TestDatabase target) throws Exception {
    source.execute(SOURCE);
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      MappingDocument mapping = TestMappings.identity(src, "public", "public");
      TargetPreparer.Prepared p = Loads.prepare(src, tgt, mapping, "seq", 1000);
      Loads.copyAll(src, tgt, mapping, p, "seq");
      // handed out during the copy: the value read when the load ends counts
      source.execute("SELECT nextval('used')");
      new LoadFinisher(Loads.PG).finish(src, Loads.PG, tgt, mapping, "seq", 0L);
    }
    assertEquals(100, target.queryLong("SELECT nextval('fresh')"), "never called: its start");
    assertEquals(104, target.queryLong("SELECT nextval('used')"));
    assertEquals(-20, target.queryLong("SELECT nextval('down')"));
    assertEquals(1, target.queryLong("SELECT nextval('cyc')"), "cycled back to MINVALUE");
    assertEquals(2, target.queryLong("SELECT nextval('cyc')"));
    assertEquals(32010, target.queryLong("SELECT nextval('small')"));
    assertEquals(8, target.queryLong("SELECT nextval(pg_get_serial_sequence('item', 'id'))"));
    assertEquals(
        1,
        target.queryLong(
            "SELECT count(*) FROM pg_sequences WHERE sequencename = 'small'"
                + " AND data_type = 'smallint'::regtype AND increment_by = 10 AND cache_size = 5"
                + " AND max_value = 32767"),
        "type, increment, cache and bounds arrive");
    assertEquals(
        1,
        target.queryLong(
            "SELECT count(*) FROM pg_sequences WHERE sequencename = 'cyc' AND cycle"
                + " AND min_value = 1 AND max_value = 3"));
    assertEquals(
        1,
        target.queryLong(
            "SELECT count(*) FROM pg_sequences WHERE sequencename = 'down'"
                + " AND increment_by = -5 AND start_value = -10 AND max_value = -1"));
  }

  @Test
  void aSourceUserWhoMayNotReadASequenceIsToldWhichGrantIsMissing(
      TestDatabase source, TestDatabase target) throws Exception {
    String user = "seq_reader_" + Long.toHexString(System.nanoTime());
    source.execute(
        "CREATE SEQUENCE secret START 5",
        "CREATE ROLE " + user + " LOGIN",
        "GRANT USAGE ON SCHEMA public TO " + user);
    MappingDocument mapping;
    try (Connection src = source.connect()) {
      mapping = TestMappings.identity(src, "public", "public");
    }
    try (Connection owner = source.connect();
        Connection src = DriverManager.getConnection(source.jdbcUrl(), user, "");
        Connection tgt = target.connect()) {
      Loads.prepare(owner, tgt, mapping, "priv", 1000);
      MigrationException e =
          assertThrows(
              MigrationException.class,
              () -> new LoadFinisher(Loads.PG).finish(src, Loads.PG, tgt, mapping, "priv", 0L));
      assertEquals(ErrorCode.MISSING_OBJECT, e.code());
      assertTrue(e.getMessage().contains("GRANT SELECT ON SEQUENCE"), e.getMessage());
      assertTrue(e.getMessage().contains("\"secret\""), e.getMessage());
    }
  }
}
