package io.migrationstudio.core.copy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.testkit.MariaDbExtension;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import io.migrationstudio.testkit.TestMariaDb;
import java.sql.Connection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * MariaDB SEQUENCE objects arrive on PostgreSQL with their parameters and continue where the source
 * stands when the load ends: never called, called, descending, exhausted with CYCLE.
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
        "SELECT NEXTVAL(cyc), NEXTVAL(cyc), NEXTVAL(cyc)");
    Dialect source = Dialects.forUrl(maria.jdbcUrl());
    try (Connection src = maria.connect();
        Connection tgt = target.connect()) {
      MappingDocument mapping = TestMappings.mariaDbIdentity(maria, src, t -> true);
      new TargetPreparer(source, Loads.PG).prepare(src, tgt, mapping, "mseq", 1000);
      new LoadFinisher(Loads.PG).finish(src, source, tgt, mapping, "mseq", 0L);
    }
    assertEquals(100, target.queryLong("SELECT nextval('public.fresh')"), "never called: start");
    assertEquals(103, target.queryLong("SELECT nextval('public.used')"));
    assertEquals(-20, target.queryLong("SELECT nextval('public.down')"));
    assertEquals(1, target.queryLong("SELECT nextval('public.cyc')"), "cycled back to MINVALUE");
    assertEquals(
        1,
        target.queryLong(
            "SELECT count(*) FROM pg_sequences WHERE sequencename = 'down'"
                + " AND increment_by = -5 AND min_value = -1000 AND max_value = -1"));
  }
}
