package io.migrationstudio.core.xengine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.EvidenceMask;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.report.StageOutput;
import io.migrationstudio.core.review.CompatibilityReport;
import io.migrationstudio.core.review.CompatibilityReviewer;
import io.migrationstudio.core.review.Finding;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.core.validate.ValidationReport;
import io.migrationstudio.core.validate.Validator;
import io.migrationstudio.testkit.MariaDbExtension;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import io.migrationstudio.testkit.TestMariaDb;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Values outside an enum, value maps and CEL-computed columns, reviewed on real MariaDB rows. In
 * non-strict mode MySQL/MariaDB store an invalid enum input as the error value {@code ''}: the
 * review finds it with its key, a value map with {@code unmapped: reject} fails on it, {@code
 * unmapped: null} is the decision, and Migrate and validation then agree on what arrives. The row
 * probe measures CEL columns (NULL into NOT NULL, overlength, evaluation failures) that the SQL
 * probes cannot.
 */
@ExtendWith({PostgresExtension.class, MariaDbExtension.class})
class ValueReviewMariaDbIT {
  /** The assertions read example keys and values; masking is FindingMaskingIT\'s. */
  private static final EvidenceMask PLAIN = EvidenceMask.plain(List.of("*"));

  private static final PostgresDialect PG = new PostgresDialect();

  private static final String TABLE =
      """
      version: 1
      source_engine: mariadb
      source_schema: %s
      target_schema: public
      tables:
        - source: accounts
          target: accounts
          primary_key: [id]
          columns:
            - source: id
              target: id
              disposition: map
              source_type: int(11)
              type: integer
              nullable: false
      %s
            - source: active
              target: active
              disposition: cast
              source_type: char(1)
              type: boolean
              values: {'Y': true, 'N': false}
      %s
      """;

  private static final String STATUS_PLAIN =
      """
            - source: status
              target: status
              disposition: cast
              source_type: enum('A','I')
              type: text
      """;

  private static final String NICK_PLAIN =
      """
            - source: nick
              target: nick
              disposition: map
              source_type: varchar(20)
              type: character varying(20)
      """;

  @Test
  void valuesOutsideTheEnumAreFoundAndDecidedByTheValueMap(TestMariaDb maria, TestDatabase target)
      throws Exception {
    maria.execute(
        "SET SESSION sql_mode = ''",
        "CREATE TABLE accounts (id int PRIMARY KEY, status enum('A','I') NOT NULL,"
            + " active char(1) NOT NULL, nick varchar(20) NULL)",
        "INSERT INTO accounts VALUES (1, 'A', 'Y', 'ann'), (2, 'I', 'N', 'bob'),"
            + " (3, 'Z', 'Y', 'carolina'), (4, 'A', 'N', NULL), (5, 'bogus', 'Y', 'x')");
    assertEquals(
        2, maria.queryLong("SELECT count(*) FROM accounts WHERE status = ''"), "stored as ''");
    Dialect source = Dialects.forUrl(maria.jdbcUrl());
    try (Connection src = maria.connect();
        Connection tgt = target.connect()) {
      Inventory inventory = InventoryService.introspect(src, source, maria.name(), t -> true);
      CompatibilityReviewer reviewer = new CompatibilityReviewer();

      // 1. status mapped to text as it is: the error value would arrive as ''
      MappingDocument plain = load(inventory, maria, STATUS_PLAIN, NICK_PLAIN);
      CompatibilityReport first = review(reviewer, src, source, maria, inventory, plain);
      Finding outside = find(first, "status", "values_outside_enum");
      assertEquals(Finding.Level.FAIL, outside.verdict());
      assertEquals(2L, outside.count());
      assertEquals(List.of("3", "5"), outside.examples());
      Finding active = find(first, "active", "value_map");
      assertEquals(Finding.Level.OK, active.verdict(), Json.write(first));
      assertEquals(5L, active.count(), "every row went through the value map");
      assertEquals(Verdict.FAIL, first.verdict());

      // 2. a value map without a policy rejects the unlisted '' (rows would be quarantined)
      String mapped =
          """
                - source: status
                  target: status
                  disposition: map
                  source_type: enum('A','I')
                  type: text
                  values: {'A': active, 'I': inactive}
          """;
      CompatibilityReport second =
          review(
              reviewer, src, source, maria, inventory, load(inventory, maria, mapped, NICK_PLAIN));
      Finding rejected = find(second, "status", "values_outside_enum");
      assertEquals(Finding.Level.FAIL, rejected.verdict());
      assertEquals(2L, rejected.count());
      assertEquals(List.of("3", "5"), rejected.examples());
      assertTrue(rejected.detail().contains("''"), rejected.detail());
      assertEquals(Verdict.FAIL, second.verdict());

      // 3. unmapped: null decides them: a warning, and the review passes
      MappingDocument decided =
          load(
              inventory,
              maria,
              mapped.stripTrailing()
                  + "\n"
                  + mapped
                      .lines()
                      .findFirst()
                      .orElseThrow()
                      .replace("- source: status", "  unmapped: null"),
              NICK_PLAIN);
      CompatibilityReport third = review(reviewer, src, source, maria, inventory, decided);
      assertEquals(Finding.Level.WARNING, find(third, "status", "values_outside_enum").verdict());
      assertEquals(Verdict.PASS, third.verdict(), Json.write(third));

      // Migrate and validation read through the same value map
      TargetPreparer.Prepared prepared =
          new TargetPreparer(source, PG).prepare(src, tgt, decided, "values-maria", 2);
      ChunkCopier copier = new ChunkCopier(source, PG);
      for (TablePlan plan : prepared.tables()) {
        TableMapping table = decided.bySource(plan.sourceTable()).orElseThrow();
        for (ChunkRange range : plan.chunks()) {
          copier.copy(src, tgt, decided, table, range, "values-maria", r -> {});
        }
      }
      assertEquals(5, target.queryLong("SELECT count(*) FROM accounts"));
      assertEquals(
          "1:active:true|2:inactive:false|3:null:true|4:active:false|5:null:true",
          queryString(
              tgt,
              "SELECT string_agg(id || ':' || coalesce(status, 'null') || ':' || active, '|'"
                  + " ORDER BY id) FROM accounts"));
      ValidationReport report =
          new Validator(source, PG).report(src, tgt, decided, "values-maria", 10, 2);
      assertEquals(Verdict.PASS, report.status(), Json.write(report));
    }
  }

  @Test
  void theRowProbeMeasuresCelColumns(TestMariaDb maria) throws Exception {
    maria.execute(
        "CREATE TABLE accounts (id int PRIMARY KEY, status enum('A','I') NOT NULL,"
            + " active char(1) NOT NULL, nick varchar(20) NULL)",
        "INSERT INTO accounts VALUES (1, 'A', 'Y', 'ann'), (2, 'I', 'N', 'bob'),"
            + " (3, 'A', 'Y', 'carolina'), (4, 'A', 'N', NULL), (5, 'I', 'Y', '12x'),"
            + " (6, 'I', 'Y', 'anastasia')");
    Dialect source = Dialects.forUrl(maria.jdbcUrl());
    String nick =
        """
              - source: nick
                target: nick
                disposition: transform
                source_type: varchar(20)
                type: character varying(5)
                nullable: false
                expression: upper(nick)
              - target: nick_number
                disposition: derive
                type: bigint
                expression: "row['nick'] == null ? 0 : int(row['nick'])"
        """;
    try (Connection src = maria.connect()) {
      Inventory inventory = InventoryService.introspect(src, source, maria.name(), t -> true);
      CompatibilityReport report =
          review(
              new CompatibilityReviewer(),
              src,
              source,
              maria,
              inventory,
              load(inventory, maria, STATUS_PLAIN, nick));
      Finding notNull = find(report, "nick", "not_null");
      assertEquals(Finding.Level.FAIL, notNull.verdict());
      assertEquals(1L, notNull.count());
      assertEquals(List.of("4"), notNull.examples());
      Finding tooLong = find(report, "nick", "max_length");
      assertEquals(2L, tooLong.count());
      assertEquals("9", tooLong.maxSeen());
      assertEquals(List.of("3", "6"), tooLong.examples());
      Finding failed = find(report, "nick_number", "expression_error");
      assertEquals(5L, failed.count(), "every non-numeric nick fails int()");
      assertEquals(List.of("1", "2", "3", "5", "6"), failed.examples());
      Finding status = find(report, "status", "values_outside_enum");
      assertEquals(Finding.Level.OK, status.verdict(), "strict mode stored no error value");
      assertEquals(Verdict.FAIL, report.verdict());
    }
  }

  private static String queryString(Connection c, String sql) throws Exception {
    try (java.sql.Statement s = c.createStatement();
        java.sql.ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static MappingDocument load(
      Inventory inventory, TestMariaDb maria, String status, String nick) {
    String yaml = TABLE.formatted(maria.name(), indent(status), indent(nick));
    return MappingLoader.load(yaml.getBytes(StandardCharsets.UTF_8), inventory);
  }

  /** Column entries written at any indentation, re-indented under columns:. */
  private static String indent(String entries) {
    List<String> lines = entries.lines().filter(l -> !l.isBlank()).toList();
    int min = lines.stream().mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
    return String.join("\n", lines.stream().map(l -> "      " + l.substring(min)).toList());
  }

  private static CompatibilityReport review(
      CompatibilityReviewer reviewer,
      Connection src,
      Dialect source,
      TestMariaDb maria,
      Inventory inventory,
      MappingDocument mapping) {
    StageOutput out = reviewer.review(src, source, maria.name(), null, inventory, mapping, PLAIN);
    return Json.read(
        out.files().get(ArtifactPaths.COMPATIBILITY_JSON), CompatibilityReport.class, "c");
  }

  private static Finding find(CompatibilityReport report, String column, String check) {
    return report.findings().stream()
        .filter(f -> column.equals(f.column()) && f.check().equals(check))
        .findFirst()
        .orElseThrow(
            () -> new AssertionError("no " + check + " for " + column + ": " + Json.write(report)));
  }
}
