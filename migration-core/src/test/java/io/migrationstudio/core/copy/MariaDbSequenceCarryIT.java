package io.migrationstudio.core.copy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.testkit.MariaDbExtension;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import io.migrationstudio.testkit.TestMariaDb;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * MariaDB SEQUENCE objects arrive on PostgreSQL with their parameters and continue where the source
 * stands when the load ends: never called, called, descending, exhausted with CYCLE; an {@code
 * AUTO_INCREMENT} column's identity continues at the table's counter, past the keys of deleted
 * rows. A column with {@code ON UPDATE CURRENT_TIMESTAMP} keeps that behaviour on the target
 * through a trigger created after the load.
 */
@ExtendWith({PostgresExtension.class, MariaDbExtension.class})
class MariaDbSequenceCarryIT {
  @Test
  void mariaDbSequencesContinueOnTheTarget(TestMariaDb maria, TestDatabase target)
      throws Exception {
    maria.execute(
        "CREATE SEQUENCE fresh START WITH 100",
        "CREATE SEQUENCE used START WITH 100 NOCACHE",
        "SELECT NEXTVAL(used), NEXTVAL(used), NEXTVAL(used)",
        "CREATE SEQUENCE down INCREMENT BY -5 START WITH -10 MINVALUE -1000 MAXVALUE -1 NOCACHE",
        "SELECT NEXTVAL(down), NEXTVAL(down)",
        "CREATE SEQUENCE cyc MINVALUE 1 MAXVALUE 3 CYCLE NOCACHE",
        "SELECT NEXTVAL(cyc), NEXTVAL(cyc), NEXTVAL(cyc)",
        "CREATE TABLE stamped (id int PRIMARY KEY, v int NOT NULL, at timestamp(3) NOT NULL"
            + " DEFAULT current_timestamp(3) ON UPDATE current_timestamp(3))",
        "INSERT INTO stamped VALUES (1, 1, '2001-02-03 04:05:06.789'),"
            + " (2, 1, '2001-02-03 04:05:06.789')",
        "CREATE TABLE counted (id int AUTO_INCREMENT PRIMARY KEY, v int)",
        "INSERT INTO counted (v) VALUES (1), (2), (3), (4), (5), (6), (7), (8), (9), (10)",
        "DELETE FROM counted WHERE id > 8"); // AUTO_INCREMENT stays 11
    Dialect source = Dialects.forUrl(maria.jdbcUrl());
    try (Connection src = maria.connect();
        Connection tgt = target.connect()) {
      MappingDocument mapping = TestMappings.mariaDbIdentity(maria, src, t -> true);
      assertEquals(
          "CURRENT_TIMESTAMP",
          mapping.bySource("stamped").orElseThrow().bySource("at").orElseThrow().onUpdate());
      TargetPreparer.Prepared p =
          new TargetPreparer(source, Loads.PG).prepare(src, tgt, mapping, "mseq", 1000);
      ChunkCopier copier = new ChunkCopier(source, Loads.PG);
      for (io.migrationstudio.contracts.activity.TablePlan plan : p.tables()) {
        for (io.migrationstudio.contracts.activity.ChunkRange r : plan.chunks()) {
          copier.copy(
              src,
              tgt,
              mapping,
              mapping.bySource(plan.sourceTable()).orElseThrow(),
              r,
              "mseq",
              ChunkProgress.NONE);
        }
      }
      new LoadFinisher(Loads.PG).finish(src, source, tgt, mapping, "mseq", 0L);
    }
    String old = "SELECT count(*) FROM stamped WHERE at = '2001-02-03 04:05:06.789'";
    assertEquals(2, target.queryLong(old), "the load copied the times as they were");
    target.execute("UPDATE stamped SET v = 2 WHERE id = 1");
    assertEquals(1, target.queryLong(old), "an update of another column sets the time");
    assertEquals(
        1, target.queryLong("SELECT count(*) FROM stamped WHERE id = 1 AND at > '2020-01-01'"));
    target.execute("UPDATE stamped SET v = 3, at = '1999-01-01' WHERE id = 1");
    assertEquals(
        1,
        target.queryLong("SELECT count(*) FROM stamped WHERE id = 1 AND at = '1999-01-01'"),
        "an update that assigns the column keeps the value it assigns");
    target.execute(
        "SET session_replication_role = replica", "UPDATE stamped SET v = 5 WHERE id = 2");
    assertEquals(1, target.queryLong(old), "a replica session (the appliers) does not fire it");
    target.execute("UPDATE stamped SET v = 5 WHERE id = 2");
    assertEquals(1, target.queryLong(old), "an update that changes nothing leaves it");
    target.execute(
        "BEGIN",
        "SET LOCAL studio.applying = 'on'", // what the change stream of a MariaDB source sets
        "UPDATE stamped SET v = 6 WHERE id = 2",
        "COMMIT");
    assertEquals(1, target.queryLong(old), "nor does the change stream's transaction");
    assertEquals(100, target.queryLong("SELECT nextval('public.fresh')"), "never called: start");
    assertEquals(103, target.queryLong("SELECT nextval('public.used')"));
    assertEquals(-20, target.queryLong("SELECT nextval('public.down')"));
    assertEquals(1, target.queryLong("SELECT nextval('public.cyc')"), "cycled back to MINVALUE");
    assertEquals(
        11,
        target.queryLong("SELECT nextval(pg_get_serial_sequence('public.counted', 'id'))"),
        "the table's AUTO_INCREMENT, past the largest key (8)");
    assertEquals(
        1,
        target.queryLong(
            "SELECT count(*) FROM pg_sequences WHERE sequencename = 'down'"
                + " AND increment_by = -5 AND min_value = -1000 AND max_value = -1"));
  }

  /**
   * The cutover reads the source's counters while the source is frozen: 30 tables' {@code
   * AUTO_INCREMENT} counters cost the statements one table's does (before: a session setting and a
   * query per column, 60 here).
   */
  @Test
  void thirtyTablesCountersAreReadInAsManyStatementsAsOnesAre(TestMariaDb maria) throws Exception {
    List<String> ddl = new ArrayList<>();
    for (int i = 1; i <= 30; i++) {
      ddl.add("CREATE TABLE many_" + i + " (id int AUTO_INCREMENT PRIMARY KEY, v int)");
      ddl.add(
          "INSERT INTO many_"
              + i
              + " (v) VALUES "
              + String.join(", ", java.util.Collections.nCopies(i, "(0)")));
    }
    ddl.add("DELETE FROM many_30"); // its counter stands past every key it had
    maria.execute(ddl.toArray(String[]::new));
    Dialect source = Dialects.forUrl(maria.jdbcUrl());
    try (Connection src = maria.connect()) {
      MappingDocument one = TestMappings.mariaDbIdentity(maria, src, t -> t.equals("many_7"));
      MappingDocument many = TestMappings.mariaDbIdentity(maria, src, t -> t.startsWith("many_"));
      CountedStatements forOne = new CountedStatements();
      SourceCounters oneCounters = SourceCounters.read(forOne.wrap(src), source, one);
      CountedStatements forMany = new CountedStatements();
      SourceCounters manyCounters = SourceCounters.read(forMany.wrap(src), source, many);
      assertEquals(8, oneCounters.next("many_7", "id").orElseThrow());
      for (int i = 1; i <= 30; i++) {
        assertEquals(i + 1, manyCounters.next("many_" + i, "id").orElseThrow(), "many_" + i);
      }
      assertEquals(
          forOne.executed(),
          forMany.executed(),
          "statements for 30 tables (" + forMany.executed() + ") vs one");
      assertTrue(forMany.executed() <= 2, forMany.executed() + " statements");
    }
  }
}
