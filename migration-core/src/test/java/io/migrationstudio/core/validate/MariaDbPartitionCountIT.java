package io.migrationstudio.core.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.activity.ChunkRange;
import io.migrationstudio.contracts.activity.TablePlan;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.copy.ChunkCopier;
import io.migrationstudio.core.copy.TargetPreparer;
import io.migrationstudio.core.copy.TestMappings;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.dialect.postgres.PostgresDialect;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.testkit.MariaDbExtension;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import io.migrationstudio.testkit.TestMariaDb;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * MariaDB partitions counted on both sides: RANGE COLUMNS bounds evaluated on the (plain)
 * PostgreSQL target, HASH partitions counted on the source only, with a note.
 */
@ExtendWith({PostgresExtension.class, MariaDbExtension.class})
class MariaDbPartitionCountIT {
  private static final PostgresDialect PG = new PostgresDialect();

  @Test
  void rangePartitionsAreCountedOnBothSidesAndHashOnesOnTheSource(
      TestMariaDb maria, TestDatabase target) throws Exception {
    StringBuilder rows = new StringBuilder();
    StringBuilder ids = new StringBuilder();
    for (int i = 1; i <= 300; i++) {
      rows.append(i == 1 ? "" : ", ")
          .append("(")
          .append(i)
          .append(", '2024-01-01' + INTERVAL ")
          .append(i * 3)
          .append(" DAY, ")
          .append(i)
          .append(")");
      ids.append(i == 1 ? "" : ", ").append("(").append(i).append(")");
    }
    maria.execute(
        "CREATE TABLE readings (id int NOT NULL, at date NOT NULL, v int,"
            + " PRIMARY KEY (id, at)) PARTITION BY RANGE COLUMNS (at)"
            + " (PARTITION p2024 VALUES LESS THAN ('2025-01-01'),"
            + " PARTITION p2025 VALUES LESS THAN ('2026-01-01'),"
            + " PARTITION pmax VALUES LESS THAN (MAXVALUE))",
        "INSERT INTO readings VALUES " + rows,
        "CREATE TABLE hashed (id int PRIMARY KEY) PARTITION BY HASH (id) PARTITIONS 3",
        "INSERT INTO hashed VALUES " + ids);
    Dialect source = Dialects.forUrl(maria.jdbcUrl());
    try (Connection src = maria.connect();
        Connection tgt = target.connect()) {
      MappingDocument mapping = TestMappings.mariaDbIdentity(maria, src, n -> true);
      TargetPreparer.Prepared prepared =
          new TargetPreparer(source, PG).prepare(src, tgt, mapping, "parts", 100);
      ChunkCopier copier = new ChunkCopier(source, PG);
      for (TablePlan plan : prepared.tables()) {
        TableMapping table = mapping.bySource(plan.sourceTable()).orElseThrow();
        for (ChunkRange range : plan.chunks()) {
          copier.copy(src, tgt, mapping, table, range, "parts", r -> {});
        }
      }
      Validator validator = new Validator(source, PG);

      ValidationReport clean = validator.report(src, tgt, mapping, "parts", 100, 100);
      assertEquals(Verdict.PASS, clean.status(), Json.write(clean));
      ValidationReport.TableValidation readings = table(clean, "readings");
      // every 3 days from 2024-01-04: 121 in (leap) 2024, 122 in 2025, 57 after
      assertEquals(
          List.of("p2024=121/121", "p2025=122/122", "pmax=57/57"),
          readings.partitions().stream()
              .map(p -> p.partition() + "=" + p.sourceRows() + "/" + p.targetRows())
              .toList());
      assertEquals("VALUES LESS THAN ('2025-01-01')", readings.partitions().get(0).bounds());
      assertNull(readings.partitionsNote());
      ValidationReport.TableValidation hashed = table(clean, "hashed");
      assertEquals(
          300, hashed.partitions().stream().mapToLong(p -> p.sourceRows()).sum(), "source counts");
      assertTrue(hashed.partitions().stream().allMatch(p -> p.targetRows() == null));
      assertNotNull(hashed.partitionsNote(), "HASH bounds are not values: said so");

      target.execute("DELETE FROM readings WHERE id = 150");
      ValidationReport.TableValidation dirty =
          table(validator.report(src, tgt, mapping, "parts", 100, 100), "readings");
      assertEquals(Verdict.FAIL, dirty.status());
      assertEquals(
          List.of("p2025"),
          dirty.partitions().stream()
              .filter(ValidationReport.PartitionCount::differs)
              .map(ValidationReport.PartitionCount::partition)
              .toList());
    }
  }

  private static ValidationReport.TableValidation table(ValidationReport r, String name) {
    return r.tables().stream().filter(t -> t.table().equals(name)).findFirst().orElseThrow();
  }
}
