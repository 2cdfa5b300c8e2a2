package io.migrationstudio.core.copy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.spec.ConnectionSpec;
import io.migrationstudio.contracts.spec.MappingOptions;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.spec.TypeRule;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.assess.InventoryService;
import io.migrationstudio.core.dialect.postgres.PostgresDialect;
import io.migrationstudio.core.mapping.ColumnMapping;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.MappingGenerator;
import io.migrationstudio.core.mapping.MappingLoader;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.core.validate.ValidationReport;
import io.migrationstudio.core.validate.Validator;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A type rule's time zone on a same-engine copy: PostgreSQL {@code timestamp} cast to timestamptz
 * in SQL reads the wall times in the rule's zone ({@code AT TIME ZONE}), whatever the session's
 * zone, and validation reads the source through the same projection and passes.
 */
@ExtendWith(PostgresExtension.class)
class SourceTimeZoneIT {
  private static final PostgresDialect PG = new PostgresDialect();

  @Test
  void zoneLessTimestampsAreReadInTheRulesZone(TestDatabase source, TestDatabase target)
      throws Exception {
    source.execute(
        "CREATE TABLE visits (id int PRIMARY KEY, at timestamp(3), noted timestamp)",
        "INSERT INTO visits VALUES (1, '2024-07-01 12:00:00.250', '2024-07-01 12:00'),"
            + " (2, '2024-01-15 08:30:00', NULL), (3, NULL, '2024-01-15 08:30')");
    try (Connection src = source.connect();
        Connection tgt = target.connect();
        Statement s = tgt.createStatement();
        Statement ss = src.createStatement()) {
      // the sessions' zone is not the rule's: a plain cast would read New York wall times
      ss.execute("SET TIME ZONE 'America/New_York'");
      s.execute("SET TIME ZONE 'America/New_York'");
      Inventory inventory = InventoryService.introspect(src, PG, "public", t -> true);
      MigrationSpec spec =
          new MigrationSpec(
              "tz",
              null,
              new ConnectionSpec(source.jdbcUrl(), "postgres", null, null),
              new ConnectionSpec(target.jdbcUrl(), "postgres", null, null),
              null,
              new MappingOptions(
                  "identity",
                  null,
                  List.of(
                      new TypeRule(
                          new TypeRule.Match(null, "visits", "at"),
                          "timestamp(3) with time zone",
                          "Europe/Berlin",
                          null))),
              null,
              null,
              null,
              null,
              null,
              null);
      MappingDocument mapping =
          MappingLoader.load(
              MappingLoader.renderBytes(new MappingGenerator().generate(inventory, spec, null)),
              inventory);
      ColumnMapping at = mapping.bySource("visits").orElseThrow().bySource("at").orElseThrow();
      assertEquals("Europe/Berlin", at.sourceTimeZone());
      TableSql sql = new TableSql(PG, PG, mapping, mapping.bySource("visits").orElseThrow());
      assertTrue(
          sql.projection(at)
              .equals("CAST((\"at\" AT TIME ZONE 'Europe/Berlin') AS timestamp(3) with time zone)"),
          sql.projection(at));

      TargetPreparer.Prepared prepared = Loads.prepare(src, tgt, mapping, "tz", 2);
      Loads.copyAll(src, tgt, mapping, prepared, "tz");
      try (ResultSet rs =
          s.executeQuery(
              "SELECT string_agg(id || '=' || coalesce(to_char(at AT TIME ZONE 'UTC',"
                  + " 'YYYY-MM-DD HH24:MI:SS.MS'), 'null'), ' ' ORDER BY id) FROM visits")) {
        rs.next();
        assertEquals(
            "1=2024-07-01 10:00:00.250 2=2024-01-15 07:30:00.000 3=null",
            rs.getString(1),
            "Berlin summer time is UTC+2, winter time UTC+1");
      }
      ValidationReport report = new Validator(PG, PG).report(src, tgt, mapping, "tz", 10, 2);
      assertEquals(Verdict.PASS, report.status(), Json.write(report));
    }
  }
}
