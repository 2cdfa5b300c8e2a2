package io.migrationstudio.core.review;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.activity.ChunkRange;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.assess.InventoryService;
import io.migrationstudio.core.copy.ChunkCopier;
import io.migrationstudio.core.copy.TargetPreparer;
import io.migrationstudio.core.db.SampleDatabases;
import io.migrationstudio.core.dialect.postgres.PostgresDialect;
import io.migrationstudio.core.mapping.ColumnMapping;
import io.migrationstudio.core.mapping.Fixtures;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.MappingGenerator;
import io.migrationstudio.core.mapping.MappingLoader;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.EvidenceMask;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.report.StageOutput;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class CompatibilityReviewerIT {
  /** These tests read the rendered values; masking is DryRunMaskingIT's. */
  private static final EvidenceMask PLAIN = EvidenceMask.plain(List.of("*"));

  private static final PostgresDialect PG = new PostgresDialect();
  private final MappingGenerator generator = new MappingGenerator();
  private final CompatibilityReviewer reviewer = new CompatibilityReviewer();

  @Test
  void chinookIdentityMappingPassesWithAByteStableDryRun(TestDatabase chinook, TestDatabase target)
      throws Exception {
    try (Connection src = chinook.connect();
        Connection dst = target.connect()) {
      SampleDatabases.loadChinookPostgres(src);
      Inventory inv = InventoryService.introspect(src, PG, "public", t -> true);
      MappingDocument mapping = generator.generate(inv, Fixtures.spec("identity", null));
      MappingLoader.load(MappingLoader.renderBytes(mapping), inv);

      StageOutput first = reviewer.review(src, PG, "public", dst, inv, mapping, PLAIN);
      StageOutput second = reviewer.review(src, PG, "public", dst, inv, mapping, PLAIN);

      assertEquals(Verdict.PASS, first.verdict(), text(first, ArtifactPaths.COMPATIBILITY_MD));
      assertEquals(first.files().keySet(), second.files().keySet());
      for (String path : first.files().keySet()) {
        assertArrayEquals(first.files().get(path), second.files().get(path), path);
      }
      String dryRun = text(first, ArtifactPaths.DRY_RUN_MD);
      assertTrue(dryRun.contains("## album → album"), dryRun);
      assertTrue(dryRun.contains("| 1 | For Those About To Rock We Salute You | 1 |"), dryRun);
      // 11 tables, each with a source and a target table of 3 rows
      assertEquals(22, count(dryRun, "\n|---"), dryRun);
      CompatibilityReport report =
          Json.read(
              first.files().get(ArtifactPaths.COMPATIBILITY_JSON), CompatibilityReport.class, "c");
      assertEquals(0, report.fail());
      assertEquals(11, report.tables());
      String md = text(first, ArtifactPaths.COMPATIBILITY_MD);
      assertTrue(md.startsWith("# Compatibility review\n\n**Verdict: PASS**"), md);
    }
  }

  @Test
  void narrowedMappingFailsWithMeasuredCountsAndExampleKeys(TestDatabase chinook) throws Exception {
    try (Connection src = chinook.connect()) {
      SampleDatabases.loadChinookPostgres(src);
      Inventory inv = InventoryService.introspect(src, PG, "public", t -> true);
      String overrides =
          """
          tables:
            - source: customer
              columns:
                - source: company
                  type: character varying(10)
                - source: fax
                  nullable: false
            - source: track
              columns:
                - source: milliseconds
                  type: smallint
                - source: unit_price
                  type: numeric(3,1)
                - source: composer
                  disposition: transform
                  expression: >-
                    composer == null ? "unknown"
                    : size(composer) > 20 ? composer.substring(0, 20) : composer
                  type: character varying(20)
                  nullable: false
            - source: invoice
              columns:
                - source: invoice_date
                  type: date
          """;
      MappingDocument mapping =
          generator.generate(inv, Fixtures.spec("identity", "o.yaml"), Json.bytes(overrides));
      StageOutput out = reviewer.review(src, PG, "public", null, inv, mapping, PLAIN);
      assertEquals(Verdict.FAIL, out.verdict());
      CompatibilityReport report =
          Json.read(
              out.files().get(ArtifactPaths.COMPATIBILITY_JSON), CompatibilityReport.class, "c");

      Finding company = find(report, "customer", "company", "max_length");
      assertEquals(Finding.Level.FAIL, company.verdict());
      assertEquals(
          count(chinook, "SELECT count(*) FROM customer WHERE char_length(company) > 10"),
          company.count());
      assertEquals(
          keys(
              chinook,
              "SELECT customer_id FROM customer WHERE char_length(company) > 10 ORDER BY 1 LIMIT 5"),
          company.examples());
      assertEquals(
          String.valueOf(count(chinook, "SELECT max(char_length(company)) FROM customer")),
          company.maxSeen());

      Finding fax = find(report, "customer", "fax", "not_null");
      assertEquals(Finding.Level.FAIL, fax.verdict());
      assertEquals(count(chinook, "SELECT count(*) FROM customer WHERE fax IS NULL"), fax.count());
      assertTrue(fax.count() > 0);

      Finding ms = find(report, "track", "milliseconds", "integer_range");
      assertEquals(
          count(chinook, "SELECT count(*) FROM track WHERE milliseconds > 32767"), ms.count());
      assertEquals(
          keys(chinook, "SELECT track_id FROM track WHERE milliseconds > 32767 ORDER BY 1 LIMIT 5"),
          ms.examples());

      Finding price = find(report, "track", "unit_price", "numeric_scale");
      assertEquals(
          count(chinook, "SELECT count(*) FROM track WHERE unit_price <> round(unit_price, 1)"),
          price.count());
      assertEquals(
          Finding.Level.OK, find(report, "track", "unit_price", "numeric_range").verdict());

      // the explicit CEL transform truncates and fills NULLs itself: it is not source SQL, so no
      // aggregate probe measures it (the dry run evaluates it), and nothing is reported lost
      assertTrue(
          report.findings().stream()
              .noneMatch(f -> "composer".equals(f.column()) && f.verdict() == Finding.Level.FAIL),
          "the composer transform loses nothing unannounced");
      // timestamp → date is accepted as an explicit cast, but named
      assertEquals(
          Finding.Level.WARNING, find(report, "invoice", "invoice_date", "type_change").verdict());

      String md = text(out, ArtifactPaths.COMPATIBILITY_MD);
      assertTrue(md.startsWith("# Compatibility review\n\n**Verdict: FAIL**"), md);
      int firstFail = md.indexOf("| fail |");
      int firstOk = md.indexOf("| ok |");
      assertTrue(firstFail > 0 && firstFail < firstOk, "failures are listed first");
      String dryRun = text(out, ArtifactPaths.DRY_RUN_MD);
      assertTrue(
          dryRun.contains("| 1 | 2 | 2021-01-01 00:00:00 | Theodor-Heuss-Straße 34 |"), dryRun);
      assertTrue(dryRun.contains("| 1 | 2 | 2021-01-01 | Theodor-Heuss-Straße 34 |"), dryRun);
    }
  }

  @Test
  void hostileIdentifiersUnderSnakeCase(TestDatabase hostile) throws Exception {
    hostile.execute(
        "CREATE SCHEMA \"Sales \"\"Dept\"\"\"",
        "CREATE TABLE \"Sales \"\"Dept\"\"\".\"Order Items\" ("
            + "\"Line\"\"Id\" integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
            + " \"select\" text, \"Größe\" numeric(10,3) NOT NULL, \"HTTPServer\" bigint,"
            + " \"Note|Pipe\" text)",
        "INSERT INTO \"Sales \"\"Dept\"\"\".\"Order Items\" (\"select\", \"Größe\", \"HTTPServer\", \"Note|Pipe\")"
            + " VALUES ('short', 1.5, 1, 'a|b'), (NULL, 2.25, 9000000000, repeat('x', 60)),"
            + " ('a much longer value', 3, NULL, E'line\\nbreak'), ('ok', 4, 2, '')");
    String schema = "Sales \"Dept\"";
    try (Connection src = hostile.connect()) {
      Inventory inv = InventoryService.introspect(src, PG, schema, t -> true);
      MappingDocument mapping = generator.generate(inv, Fixtures.spec("snake_case", null));
      TableMapping items = mapping.tables().get(0);
      assertEquals("order_items", items.target());
      assertEquals(
          List.of("line_id", "select", "größe", "http_server", "note_pipe"),
          items.columns().stream().map(ColumnMapping::target).toList());
      assertTrue(items.columns().get(0).identity());
      assertEquals(List.of("line_id"), items.primaryKey());

      StageOutput pass = reviewer.review(src, PG, schema, null, inv, mapping, PLAIN);
      assertEquals(Verdict.PASS, pass.verdict(), text(pass, ArtifactPaths.COMPATIBILITY_MD));
      String dryRun = text(pass, ArtifactPaths.DRY_RUN_MD);
      assertTrue(dryRun.contains("| line_id | select | größe | http_server | note_pipe |"), dryRun);
      assertTrue(
          dryRun.contains("| Line\"Id | select | Größe | HTTPServer | Note\\|Pipe |"), dryRun);
      assertTrue(dryRun.contains("| 1 | short | 1.500 | 1 | a\\|b |"), dryRun);
      assertTrue(
          dryRun.contains("| 2 | _NULL_ | 2.250 | 9000000000 | " + "x".repeat(39) + "… |"), dryRun);
      assertTrue(
          dryRun.contains("| 3 | a much longer value | 3.000 | _NULL_ | line\\nbreak |"), dryRun);

      String overrides =
          """
          tables:
            - source: Order Items
              columns:
                - source: select
                  type: character varying(5)
                  nullable: false
                - source: HTTPServer
                  type: integer
                - source: Größe
                  type: numeric(10,1)
          """;
      MappingDocument narrowed =
          generator.generate(inv, Fixtures.spec("snake_case", "o.yaml"), Json.bytes(overrides));
      StageOutput fail = reviewer.review(src, PG, schema, null, inv, narrowed, PLAIN);
      assertEquals(Verdict.FAIL, fail.verdict());
      CompatibilityReport report =
          Json.read(
              fail.files().get(ArtifactPaths.COMPATIBILITY_JSON), CompatibilityReport.class, "c");
      Finding length = find(report, "Order Items", "select", "max_length");
      assertEquals(1L, length.count());
      assertEquals(List.of("3"), length.examples());
      assertEquals("19", length.maxSeen());
      Finding nulls = find(report, "Order Items", "select", "not_null");
      assertEquals(1L, nulls.count());
      assertEquals(List.of("2"), nulls.examples());
      Finding range = find(report, "Order Items", "HTTPServer", "integer_range");
      assertEquals(List.of("2"), range.examples());
      Finding scale = find(report, "Order Items", "Größe", "numeric_scale");
      assertEquals(1L, scale.count());
      assertEquals(List.of("2"), scale.examples());
    }
  }

  @Test
  void castsTheReviewCannotReasonAboutAreProbedOnTheWholeColumn(TestDatabase db) throws Exception {
    db.execute(
        "CREATE TABLE codes (id int PRIMARY KEY, code text NOT NULL)",
        "INSERT INTO codes SELECT g, g::text FROM generate_series(1, 50) g",
        "INSERT INTO codes VALUES (51, 'not a number')");
    try (Connection src = db.connect()) {
      Inventory inv = InventoryService.introspect(src, PG, "public", t -> true);
      String overrides =
          """
          tables:
            - source: codes
              columns:
                - source: code
                  type: integer
          """;
      MappingDocument mapping =
          generator.generate(inv, Fixtures.spec("identity", "o.yaml"), Json.bytes(overrides));
      StageOutput out = reviewer.review(src, PG, "public", null, inv, mapping, PLAIN);
      assertEquals(Verdict.FAIL, out.verdict());
      CompatibilityReport report =
          Json.read(
              out.files().get(ArtifactPaths.COMPATIBILITY_JSON), CompatibilityReport.class, "c");
      Finding cast = find(report, "codes", "code", "cast");
      assertEquals(Finding.Level.FAIL, cast.verdict());
      assertTrue(cast.detail().contains("22P02"), cast.detail());
      // the first three rows still cast, so the dry run shows them
      assertTrue(text(out, ArtifactPaths.DRY_RUN_MD).contains("| 1 | 1 |"));
    }
  }

  @Test
  void theDryRunShowsWhatMigrateWrites(TestDatabase db, TestDatabase target) throws Exception {
    db.execute(
        "CREATE TABLE \"Order Items\" (id int PRIMARY KEY, amount numeric(10,3),"
            + " at timestamp, note text)",
        "INSERT INTO \"Order Items\" VALUES (1, 1.25, '2009-01-01 00:00:00', E'a\\nb'),"
            + " (2, NULL, '2009-01-02 10:30:00.5', 'plain')");
    String overrides =
        """
        tables:
          - source: Order Items
            columns:
              - source: amount
                type: numeric(10,1)
              - target: answer
                type: integer
                disposition: default
                expression: 40 + 2
        """;
    try (Connection src = db.connect();
        Connection dst = target.connect()) {
      Inventory inv = InventoryService.introspect(src, PG, "public", t -> true);
      MappingDocument mapping =
          generator.generate(inv, Fixtures.spec("identity", "o.yaml"), Json.bytes(overrides));
      String dryRun =
          text(
              reviewer.review(src, PG, "public", null, inv, mapping, PLAIN),
              ArtifactPaths.DRY_RUN_MD);
      // the cast rounds, the timestamp is COPY text, the newline is escaped as COPY escapes it, the
      // default without a value takes its expression
      assertTrue(dryRun.contains("| id | amount | at | note | answer |"), dryRun);
      assertTrue(dryRun.contains("| 1 | 1.3 | 2009-01-01 00:00 | a\\\\nb | 42 |"), dryRun);
      assertTrue(dryRun.contains("| 2 | _NULL_ | 2009-01-02 10:30:00.500 | plain | 42 |"), dryRun);

      // Migrate writes the same values
      mapping =
          new MappingDocument(
              mapping.version(),
              mapping.naming(),
              mapping.sourceEngine(),
              mapping.sourceSchema(),
              "public",
              mapping.tables(),
              mapping.sequences());
      TargetPreparer.Prepared prepared =
          new TargetPreparer(PG, PG).prepare(src, dst, mapping, "m", 10);
      for (ChunkRange range : prepared.tables().get(0).chunks()) {
        new ChunkCopier(PG, PG)
            .copy(src, dst, mapping, mapping.tables().get(0), range, "m", rows -> {});
      }
      assertEquals(
          List.of("1|1.3|2009-01-01 00:00:00|a\nb|42", "2||2009-01-02 10:30:00.5|plain|42"),
          keys(
              target,
              "SELECT concat_ws('|', id, coalesce(amount::text, ''), at, note, answer)"
                  + " FROM \"Order Items\" ORDER BY id"));
    }
  }

  private static Finding find(
      CompatibilityReport report, String table, String column, String check) {
    return report.findings().stream()
        .filter(
            f -> f.table().equals(table) && column.equals(f.column()) && f.check().equals(check))
        .findFirst()
        .orElseThrow(
            () ->
                new AssertionError(
                    "no "
                        + check
                        + " finding for "
                        + table
                        + "."
                        + column
                        + " in "
                        + Json.write(report)));
  }

  private static String text(StageOutput out, String path) {
    return new String(out.files().get(path), StandardCharsets.UTF_8);
  }

  private static int count(String text, String needle) {
    int n = 0;
    for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }

  private static Long count(TestDatabase db, String sql) {
    return db.queryLong(sql);
  }

  private static List<String> keys(TestDatabase db, String sql) throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = db.connect();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }
}
