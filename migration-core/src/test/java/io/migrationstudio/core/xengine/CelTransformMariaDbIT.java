package io.migrationstudio.core.xengine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.migrationstudio.contracts.activity.ChunkRange;
import io.migrationstudio.contracts.activity.TablePlan;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.assess.InventoryService;
import io.migrationstudio.core.copy.ChunkCopier;
import io.migrationstudio.core.copy.TargetPreparer;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.dialect.postgres.PostgresDialect;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.MappingLoader;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.core.validate.ValidationReport;
import io.migrationstudio.core.validate.Validator;
import io.migrationstudio.testkit.MariaDbExtension;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import io.migrationstudio.testkit.TestMariaDb;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A CEL transform across engines: MariaDB rows, with a MySQL zero date, copied to PostgreSQL
 * through the chunk copier. {@code upper(title)} runs in Java on the raw MariaDB value, and the
 * documented zero-date rule ({@code released == null ? null : released}) turns the zero date into
 * NULL instead of quarantining its row; validation reads the source the same way and passes.
 */
@ExtendWith({PostgresExtension.class, MariaDbExtension.class})
class CelTransformMariaDbIT {
  private static final PostgresDialect PG = new PostgresDialect();

  @Test
  void aTransformAndTheZeroDateRuleRunOnMariaDbRows(TestMariaDb maria, TestDatabase target)
      throws Exception {
    maria.execute(
        "SET SESSION sql_mode = ''",
        "CREATE TABLE `Release Log` (id int PRIMARY KEY, title varchar(40) NOT NULL,"
            + " released date NULL)",
        "INSERT INTO `Release Log` VALUES (1, 'straße', '2024-01-31'), (2, 'ok', '0000-00-00'),"
            + " (3, 'none', NULL)");
    Dialect source = Dialects.forUrl(maria.jdbcUrl());
    try (Connection src = maria.connect();
        Connection tgt = target.connect()) {
      Inventory inventory = InventoryService.introspect(src, source, maria.name(), t -> true);
      String yaml =
          """
          version: 1
          source_engine: mariadb
          source_schema: %s
          target_schema: public
          tables:
            - source: Release Log
              target: release_log
              primary_key: [id]
              columns:
                - source: id
                  target: id
                  disposition: map
                  source_type: int(11)
                  type: integer
                  nullable: false
                - source: title
                  target: title
                  disposition: transform
                  source_type: varchar(40)
                  type: character varying(40)
                  nullable: false
                  expression: upper(title)
                - source: released
                  target: released
                  disposition: transform
                  source_type: date
                  type: date
                  expression: "released == null ? null : released"
          """
              .formatted(maria.name());
      MappingDocument mapping =
          MappingLoader.load(yaml.getBytes(StandardCharsets.UTF_8), inventory);

      TargetPreparer.Prepared prepared =
          new TargetPreparer(source, PG).prepare(src, tgt, mapping, "cel-maria", 2);
      ChunkCopier copier = new ChunkCopier(source, PG);
      for (TablePlan plan : prepared.tables()) {
        TableMapping table = mapping.bySource(plan.sourceTable()).orElseThrow();
        for (ChunkRange range : plan.chunks()) {
          copier.copy(src, tgt, mapping, table, range, "cel-maria", r -> {});
        }
      }
      assertEquals(3, target.queryLong("SELECT count(*) FROM release_log"));
      assertEquals(0, target.queryLong("SELECT count(*) FROM studio.rejects"));
      assertEquals(
          1,
          target.queryLong(
              "SELECT count(*) FROM release_log WHERE id = 1 AND title = 'STRASSE'"
                  + " AND released = DATE '2024-01-31'"),
          "full-Unicode upper, the date as it is");
      assertEquals(
          2,
          target.queryLong(
              "SELECT count(*) FROM release_log WHERE id IN (2, 3) AND released IS NULL"),
          "the zero date and the NULL both arrive as NULL");

      ValidationReport report =
          new Validator(source, PG).report(src, tgt, mapping, "cel-maria", 10, 2);
      assertEquals(Verdict.PASS, report.status(), Json.write(report));
    }
  }
}
