package io.migrationstudio.core.xengine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.migrationstudio.contracts.activity.ChunkRange;
import io.migrationstudio.contracts.activity.TablePlan;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.assess.InventoryService;
import io.migrationstudio.core.copy.ChunkCopier;
import io.migrationstudio.core.copy.IntegrationChecker;
import io.migrationstudio.core.copy.LoadFinisher;
import io.migrationstudio.core.copy.TargetPreparer;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.dialect.postgres.PostgresDialect;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.MappingGenerator;
import io.migrationstudio.core.mapping.MappingLoader;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.core.spec.SecretResolver;
import io.migrationstudio.core.spec.SpecLoader;
import io.migrationstudio.core.validate.ValidationReport;
import io.migrationstudio.core.validate.Validator;
import io.migrationstudio.testkit.MariaDbExtension;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import io.migrationstudio.testkit.TestMariaDb;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two MariaDB tables whose names differ only in case ({@code CaseT}, {@code caset}; legal with
 * {@code lower_case_table_names=0}) migrate through the whole chain, each with its own primary key.
 * The catalogue once joined names case-insensitively and gave each table the other's key columns,
 * so the key build failed.
 */
@ExtendWith({PostgresExtension.class, MariaDbExtension.class})
class CaseDistinctTablesMariaDbIT {
  private static final PostgresDialect PG = new PostgresDialect();
  private static final SecretResolver SECRETS = new SecretResolver(Map.of());

  @Test
  void tablesWhoseNamesDifferOnlyInCaseMigrateWithTheirOwnKeys(
      TestMariaDb cases, TestDatabase target) throws Exception {
    cases.execute(
        "CREATE TABLE `CaseT` (`a` INT NOT NULL PRIMARY KEY, `b` VARCHAR(10))",
        "CREATE TABLE `caset` (`x` INT NOT NULL, `y` INT NOT NULL, PRIMARY KEY (`y`, `x`))",
        "INSERT INTO `CaseT` VALUES (1, 'one'), (2, 'two')",
        "INSERT INTO `caset` VALUES (1, 1), (2, 1), (3, 1)");
    MigrationSpec spec =
        SpecLoader.parse(
            "id: case-distinct\nsource: { url: \""
                + cases.jdbcUrl()
                + "\", user: root }\ntarget: { url: \""
                + target.jdbcUrl()
                + "\", user: postgres }\nmapping: { naming: identity }\n");
    Inventory inventory =
        Json.read(
            new InventoryService(SECRETS)
                .run(spec, Optional.empty())
                .files()
                .get(ArtifactPaths.INVENTORY_JSON),
            Inventory.class,
            "inventory");
    MappingDocument mapping =
        MappingLoader.load(
            MappingLoader.renderBytes(new MappingGenerator().generate(inventory, spec)), inventory);
    Dialect source = Dialects.forUrl(cases.jdbcUrl());
    try (Connection src = cases.connect();
        Connection tgt = target.connect()) {
      TargetPreparer.Prepared prepared =
          new TargetPreparer(source, PG).prepare(src, tgt, mapping, "case-distinct", 1000);
      ChunkCopier copier = new ChunkCopier(source, PG);
      for (TablePlan plan : prepared.tables()) {
        TableMapping table = mapping.bySource(plan.sourceTable()).orElseThrow();
        for (ChunkRange range : plan.chunks()) {
          copier.copy(src, tgt, mapping, table, range, "case-distinct", r -> {});
        }
      }
      new LoadFinisher(PG).finish(tgt, mapping, "case-distinct", 1_700_000_000_000L);
      assertEquals(
          Verdict.PASS,
          new IntegrationChecker(PG).check(tgt, mapping, "case-distinct", 0).verdict());
      assertEquals(
          List.of("CaseT|a", "caset|y,x"), primaryKeys(tgt), "each target table has its own key");
      ValidationReport report =
          new Validator(source, PG).report(src, tgt, mapping, "case-distinct", 100, 1000);
      assertEquals(Verdict.PASS, report.status());
      assertEquals(
          5,
          report.tables().stream().mapToLong(ValidationReport.TableValidation::targetRows).sum());
    }
  }

  private static List<String> primaryKeys(Connection c) throws Exception {
    List<String> out = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT t.relname, string_agg(a.attname, ',' ORDER BY k.ord)"
                    + " FROM pg_constraint p JOIN pg_class t ON t.oid = p.conrelid"
                    + " CROSS JOIN LATERAL unnest(p.conkey) WITH ORDINALITY k(att, ord)"
                    + " JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.att"
                    + " WHERE p.contype = 'p' AND t.relnamespace = 'public'::regnamespace"
                    + " GROUP BY t.relname ORDER BY t.relname COLLATE \"C\"")) {
      while (rs.next()) {
        out.add(rs.getString(1) + "|" + rs.getString(2));
      }
    }
    return out;
  }
}
