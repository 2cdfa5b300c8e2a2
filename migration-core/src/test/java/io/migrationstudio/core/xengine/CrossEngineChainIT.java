package io.migrationstudio.core.xengine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.activity.ChunkRange;
import io.migrationstudio.contracts.activity.TablePlan;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.assess.InventoryService;
import io.migrationstudio.core.copy.ChunkCopier;
import io.migrationstudio.core.copy.IntegrationChecker;
import io.migrationstudio.core.copy.LoadFinisher;
import io.migrationstudio.core.copy.TargetPreparer;
import io.migrationstudio.core.db.SampleDatabases;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.dialect.postgres.PostgresDialect;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.MappingGenerator;
import io.migrationstudio.core.mapping.MappingLoader;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.EvidenceMask;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.report.StageOutput;
import io.migrationstudio.core.review.CompatibilityReviewer;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.core.spec.SecretResolver;
import io.migrationstudio.core.spec.SpecLoader;
import io.migrationstudio.core.validate.ValidationReport;
import io.migrationstudio.core.validate.Validator;
import io.migrationstudio.testkit.MariaDbExtension;
import io.migrationstudio.testkit.MariaDbSamples;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.SqliteDatabases;
import io.migrationstudio.testkit.TestDatabase;
import io.migrationstudio.testkit.TestMariaDb;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The acceptance: Chinook from {@code Chinook_MySql.sql} in MariaDB, migrated to PostgreSQL
 * with snake_case naming through every service in workflow order, equals Chinook from {@code
 * Chinook_PostgreSql.sql} loaded into another PostgreSQL database: the same tables and columns
 * (name, data type, character length, numeric precision and scale, nullability) and the same rows.
 * Chinook from {@code Chinook_Sqlite.sql} goes the same way with validation PASS and the same rows;
 * its types are SQLite's (INTEGER affinity is 64-bit, so keys arrive as bigint).
 */
@ExtendWith({PostgresExtension.class, MariaDbExtension.class})
class CrossEngineChainIT {
  private static final PostgresDialect PG = new PostgresDialect();
  private static final SecretResolver SECRETS = new SecretResolver(Map.of());
  private static final int CHUNK_ROWS = 1000;

  @Test
  void chinookFromMariaDbEqualsChinookForPostgres(
      TestMariaDb chinook, TestDatabase target, TestDatabase expected) throws Exception {
    MariaDbSamples.loadChinook(chinook);
    try (Connection c = expected.connect()) {
      SampleDatabases.loadChinookPostgres(c);
    }
    migrate(chinook.jdbcUrl(), "user: root", target, "chinook-mariadb");

    try (Connection t = target.connect();
        Connection e = expected.connect()) {
      assertEquals(columns(e), columns(t), "information_schema.columns of every table");
      assertSameRows(e, t);
    }
  }

  @Test
  void chinookFromSqliteMigratesWithTheSameRows(
      @TempDir Path dir, TestDatabase target, TestDatabase expected) throws Exception {
    Path file = SqliteDatabases.chinook(dir);
    try (Connection c = expected.connect()) {
      SampleDatabases.loadChinookPostgres(c);
    }
    migrate(SqliteDatabases.url(file), null, target, "chinook-sqlite");
    try (Connection t = target.connect();
        Connection e = expected.connect()) {
      assertEquals(tables(e), tables(t));
      // SQLite INTEGER is 64-bit: every integer column arrives as bigint, the rest as declared
      assertEquals(
          columns(e).stream().map(c -> c.replace("|integer|32|0|", "|bigint|64|0|")).toList(),
          columns(t));
      assertSameRows(e, t);
    }
  }

  /**
   * Every table holds the same rows, with one exception that is not the migration's: {@code
   * Chinook_PostgreSql.sql} writes the city {@code N'Edinburgh '} (customer 54 and 7 of its
   * invoices) as a national-character literal, which PostgreSQL types {@code character} and strips
   * of its trailing blank when it assigns it to varchar; the MySQL and SQLite scripts store the
   * blank, and the migration carries it faithfully. So customer and invoice are equal exactly when
   * trailing blanks of text are ignored, and every other table is equal byte for byte.
   */
  private static void assertSameRows(Connection expected, Connection target) throws SQLException {
    List<String> trimmed = new ArrayList<>();
    for (String table : tables(expected)) {
      if (!dump(expected, table, false).equals(dump(target, table, false))) {
        trimmed.add(table);
        assertEquals(dump(expected, table, true), dump(target, table, true), "rows of " + table);
      }
    }
    assertEquals(List.of("customer", "invoice"), trimmed, "tables holding 'Edinburgh '");
    assertEquals(
        8,
        strings(
                target,
                "SELECT city FROM customer WHERE city LIKE '% '"
                    + " UNION ALL SELECT billing_city FROM invoice WHERE billing_city LIKE '% '")
            .size(),
        "the 8 'Edinburgh ' values keep their blank");
  }

  /** The chain as the workflow runs it, each stage's checker asserted green. */
  private static void migrate(String sourceUrl, String user, TestDatabase target, String id)
      throws Exception {
    MigrationSpec spec =
        SpecLoader.parse(
            "id: "
                + id
                + "\nsource: { url: \""
                + sourceUrl
                + "\""
                + (user == null ? "" : ", " + user)
                + " }\ntarget: { url: \""
                + target.jdbcUrl()
                + "\", user: postgres }\nmapping: { naming: snake_case }\n"
                + "migrate: { chunk_rows: "
                + CHUNK_ROWS
                + " }\n");
    StageOutput inventoryOut = new InventoryService(SECRETS).run(spec, Optional.empty());
    Inventory inventory =
        Json.read(
            inventoryOut.files().get(ArtifactPaths.INVENTORY_JSON), Inventory.class, "inventory");
    assertEquals(11, inventory.tables().size());
    MappingDocument mapping =
        MappingLoader.load(
            MappingLoader.renderBytes(new MappingGenerator().generate(inventory, spec)), inventory);
    Dialect source = Dialects.forUrl(sourceUrl);
    try (Connection src = Dialects.open(spec.source(), SECRETS, "source");
        Connection tgt = target.connect()) {
      StageOutput review =
          new CompatibilityReviewer()
              // plain evidence: the test reads real values in the dry run (masked by default)
              .review(
                  src,
                  source,
                  inventory.schema(),
                  tgt,
                  inventory,
                  mapping,
                  EvidenceMask.plain(List.of("*")));
      assertEquals(Verdict.PASS, review.verdict(), text(review, ArtifactPaths.COMPATIBILITY_MD));
      assertTrue(
          text(review, ArtifactPaths.DRY_RUN_MD).contains("| 1 | For Those About To Rock"),
          text(review, ArtifactPaths.DRY_RUN_MD));

      TargetPreparer.Prepared prepared =
          new TargetPreparer(source, PG).prepare(src, tgt, mapping, id, CHUNK_ROWS);
      ChunkCopier copier = new ChunkCopier(source, PG);
      for (TablePlan plan : prepared.tables()) {
        TableMapping table = mapping.bySource(plan.sourceTable()).orElseThrow();
        for (ChunkRange range : plan.chunks()) {
          assertFalse(copier.copy(src, tgt, mapping, table, range, id, r -> {}).alreadyCommitted());
        }
      }
      new LoadFinisher(PG).finish(tgt, mapping, id, 1_700_000_000_000L);
      StageOutput integration = new IntegrationChecker(PG).check(tgt, mapping, id, 0);
      assertEquals(
          Verdict.PASS, integration.verdict(), text(integration, ArtifactPaths.INTEGRATION_JSON));

      ValidationReport report =
          new Validator(source, PG).report(src, tgt, mapping, id, 100, CHUNK_ROWS);
      assertEquals(
          Verdict.PASS,
          report.status(),
          text(
              new Validator(source, PG).validate(src, tgt, mapping, id, 100, CHUNK_ROWS),
              ArtifactPaths.VALIDATION_MD));
      long rows =
          report.tables().stream().mapToLong(ValidationReport.TableValidation::targetRows).sum();
      assertEquals(15_607, rows, "every Chinook row");
    }
  }

  private static String text(StageOutput out, String path) {
    return new String(out.files().get(path), StandardCharsets.UTF_8);
  }

  private static List<String> tables(Connection c) throws SQLException {
    return strings(
        c,
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
            + " ORDER BY table_name");
  }

  /** name|data type|length or precision|scale|nullability of every column, in a stable order. */
  private static List<String> columns(Connection c) throws SQLException {
    return strings(
        c,
        "SELECT table_name || '.' || column_name || '|' || data_type || '|'"
            + " || coalesce(character_maximum_length, numeric_precision, -1) || '|'"
            + " || coalesce(numeric_scale, -1) || '|' || is_nullable"
            + " FROM information_schema.columns WHERE table_schema = 'public'"
            + " ORDER BY table_name, ordinal_position");
  }

  /** A table's rows as text, sorted; {@code rtrim}: trailing blanks of varchar values cut. */
  private static List<String> dump(Connection c, String table, boolean rtrim) throws SQLException {
    List<String> columns =
        strings(
            c,
            "SELECT CASE WHEN data_type = 'character varying' AND "
                + rtrim
                + " THEN 'rtrim(' || quote_ident(column_name) || ')'"
                + " ELSE quote_ident(column_name) END FROM information_schema.columns"
                + " WHERE table_schema = 'public' AND table_name = '"
                + table
                + "' ORDER BY ordinal_position");
    return strings(
        c,
        "SELECT CAST(ROW("
            + String.join(", ", columns)
            + ") AS text) FROM "
            + PG.qualify("public", table)
            + " ORDER BY 1");
  }

  private static List<String> strings(Connection c, String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }
}
