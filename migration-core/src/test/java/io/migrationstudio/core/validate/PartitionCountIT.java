package io.migrationstudio.core.validate;

import static io.migrationstudio.core.copy.Loads.PG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.copy.Loads;
import io.migrationstudio.core.copy.TestMappings;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A RANGE-partitioned PostgreSQL source: rows counted per partition on both sides. */
@ExtendWith(PostgresExtension.class)
class PartitionCountIT {
  private static final String[] SOURCE = {
    "CREATE TABLE events (id integer NOT NULL, at date NOT NULL, note text,"
        + " PRIMARY KEY (id, at)) PARTITION BY RANGE (at)",
    "CREATE TABLE events_2024 PARTITION OF events"
        + " FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')",
    "CREATE TABLE events_2025 PARTITION OF events"
        + " FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')",
    "CREATE TABLE events_rest PARTITION OF events DEFAULT",
    "INSERT INTO events SELECT g, DATE '2024-01-01' + (g * 3), 'n' || g"
        + " FROM generate_series(1, 300) g",
    "CREATE TABLE plain (id integer PRIMARY KEY)",
    "INSERT INTO plain SELECT generate_series(1, 10)"
  };

  @Test
  void aDeletedRowIsNamedByItsPartition(TestDatabase source, TestDatabase target) throws Exception {
    source.execute(SOURCE);
    // a plain target table (made by hand; a PostgreSQL migration would carry the partitioning):
    // its rows are counted by the source partitions' bounds
    target.execute("CREATE TABLE events (id integer NOT NULL, at date NOT NULL, note text)");
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      MappingDocument mapping = TestMappings.identity(src, "public", "public");
      Loads.migrate(src, tgt, mapping, "parts", 100);
      Validator validator = new Validator(PG, PG);

      ValidationReport clean = validator.report(src, tgt, mapping, "parts", 100, 100);
      assertEquals(Verdict.PASS, clean.status(), Json.write(clean));
      ValidationReport.TableValidation events = table(clean, "events");
      // 300 rows every 3 days from 2024-01-04: 121 in (leap) 2024, 122 in 2025, 57 after
      assertEquals(
          List.of("events_2024=121/121", "events_2025=122/122", "events_rest=57/57"),
          events.partitions().stream()
              .map(p -> p.partition() + "=" + p.sourceRows() + "/" + p.targetRows())
              .toList());
      assertEquals("bounds", events.partitions().get(0).targetMethod());
      assertEquals(
          "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')", events.partitions().get(0).bounds());
      assertNull(events.partitionsNote());
      assertTrue(table(clean, "plain").partitions().isEmpty(), "a plain table has no partitions");
      assertFalse(
          Json.write(table(clean, "plain")).contains("partition"),
          "validation.json of an unpartitioned table is unchanged");

      target.execute("DELETE FROM events WHERE id = 150");
      ValidationReport dirty = validator.report(src, tgt, mapping, "parts", 100, 100);
      ValidationReport.TableValidation d = table(dirty, "events");
      assertEquals(Verdict.FAIL, d.status());
      assertEquals(
          List.of("events_2025"),
          d.partitions().stream()
              .filter(ValidationReport.PartitionCount::differs)
              .map(ValidationReport.PartitionCount::partition)
              .toList());
      ValidationReport.PartitionCount p2025 = d.partitions().get(1);
      assertEquals(122, p2025.sourceRows());
      assertEquals(121L, p2025.targetRows());
      String md = Validator.markdown(dirty);
      assertTrue(md.contains("| events_2025 |"), md);
      assertTrue(Json.write(dirty).contains("\"partitions\""), "partitions in validation.json");
    }
  }

  @Test
  void anIdenticallyPartitionedTargetIsCountedPerPartition(TestDatabase source, TestDatabase target)
      throws Exception {
    source.execute(SOURCE);
    target.execute(
        SOURCE[0], SOURCE[1], SOURCE[2], SOURCE[3], "CREATE TABLE plain (id integer PRIMARY KEY)");
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      MappingDocument mapping = TestMappings.identity(src, "public", "public");
      Loads.migrate(src, tgt, mapping, "same", 100);
      target.execute("DELETE FROM events_rest WHERE id = 299");
      ValidationReport r = new Validator(PG, PG).report(src, tgt, mapping, "same", 100, 100);
      ValidationReport.TableValidation events = table(r, "events");
      assertEquals(Verdict.FAIL, events.status());
      assertEquals(
          List.of(
              "events_2024=121/121 partition",
              "events_2025=122/122 partition",
              "events_rest=57/56 partition"),
          events.partitions().stream()
              .map(
                  p ->
                      p.partition()
                          + "="
                          + p.sourceRows()
                          + "/"
                          + p.targetRows()
                          + " "
                          + p.targetMethod())
              .toList());
      assertNotNull(events.partitions().get(2).bounds());
    }
  }

  private static ValidationReport.TableValidation table(ValidationReport r, String name) {
    return r.tables().stream().filter(t -> t.table().equals(name)).findFirst().orElseThrow();
  }
}
