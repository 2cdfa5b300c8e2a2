package io.migrationstudio.core.review;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.core.assess.InventoryService;
import io.migrationstudio.core.dialect.postgres.PostgresDialect;
import io.migrationstudio.core.mapping.Fixtures;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.MappingGenerator;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.EvidenceMask;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.report.StageOutput;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The review's findings publish no source value unless the spec says so: the example row keys (here
 * e-mail addresses), {@code max_seen} when it is a value (not a length), and details that quote
 * values (a value map's unlisted values, a failing cast, a failing expression) are masked in
 * compatibility.json, compatibility.md and dry-run.md, as the dry run's rows are; with the table
 * listed under {@code mapping.evidence.plain} they are shown.
 */
@ExtendWith(PostgresExtension.class)
class FindingMaskingIT {
  private static final PostgresDialect PG = new PostgresDialect();

  /** Source values, each of which some finding quotes when shown plain. */
  private static final List<String> SECRETS =
      List.of(
          "zoe.secret",
          "Zoe.Secret",
          "amy.private",
          "example.org",
          "9876543210123",
          "furious",
          "twelve",
          "Zorro",
          "toolong");

  private static final String OVERRIDES =
      """
      tables:
        - source: person
          columns:
            - source: email
              disposition: transform
              expression: lower(email)
            - source: nick
              type: character varying(5)
            - source: mood
              type: integer
              values: {'sad': 1}
            - target: nick_number
              disposition: derive
              type: bigint
              expression: "int(row['nick'])"
        - source: counter
          columns:
            - source: visits
              type: integer
            - source: code
              type: integer
      """;

  @Test
  void findingsQuoteNoSourceValueUnlessPlain(TestDatabase db) throws Exception {
    db.execute(
        "CREATE TABLE person (email text PRIMARY KEY, nick text, mood text)",
        "INSERT INTO person VALUES"
            + " ('zoe.secret@example.org', 'Zorro', 'furious'),"
            + " ('Zoe.Secret@example.org', '12', 'sad'),"
            + " ('amy.private@example.org', 'toolong', 'sad')",
        "CREATE TABLE counter (owner text PRIMARY KEY, visits bigint, code text)",
        "INSERT INTO counter VALUES ('zoe.secret@example.org', 9876543210123, 'twelve'),"
            + " ('amy.private@example.org', 2, '6')");
    try (Connection src = db.connect()) {
      Inventory inv = InventoryService.introspect(src, PG, "public", t -> true);
      MappingDocument mapping =
          new MappingGenerator()
              .generate(inv, Fixtures.spec("identity", "o.yaml"), Json.bytes(OVERRIDES));
      CompatibilityReviewer reviewer = new CompatibilityReviewer();

      StageOutput plain =
          reviewer.review(src, PG, "public", null, inv, mapping, EvidenceMask.plain(List.of("*")));
      String shown = all(plain);
      for (String secret : SECRETS) {
        assertTrue(shown.contains(secret), "plain evidence shows '" + secret + "':\n" + shown);
      }

      StageOutput masked = reviewer.review(src, PG, "public", null, inv, mapping);
      for (Map.Entry<String, byte[]> f : masked.files().entrySet()) {
        String text = new String(f.getValue(), UTF_8);
        for (String secret : SECRETS) {
          assertFalse(text.contains(secret), f.getKey() + " shows '" + secret + "':\n" + text);
        }
      }
      CompatibilityReport report =
          Json.read(
              masked.files().get(ArtifactPaths.COMPATIBILITY_JSON), CompatibilityReport.class, "c");
      Finding nick = find(report, "nick", "max_length");
      assertEquals("7", nick.maxSeen(), "a length is not a value: shown");
      assertEquals(List.of("xxx.xxxxxxx@xxxxxxx.xxx"), nick.examples(), "the key's shape");
      Finding visits = find(report, "visits", "integer_range");
      assertEquals("#############", visits.maxSeen());
      Finding mood = find(report, "mood", "values_outside_enum");
      assertTrue(mood.detail().contains("'xxxxxxx'"), mood.detail());
      Finding failed = find(report, "nick_number", "expression_error");
      assertTrue(
          failed.detail().contains("expression 'int(row['nick'])' failed"),
          "names and expressions stay: " + failed.detail());
      assertTrue(failed.detail().contains("For input string: \"xxxxxxx\""), failed.detail());
      Finding cast = find(report, "code", "cast");
      assertTrue(cast.detail().contains("for type integer: \"xxxxxx\""), cast.detail());
      Finding dup = find(report, "email", "duplicate_key");
      assertEquals(1L, dup.count());
      assertTrue(dup.examples().get(0).contains(" (same target key as "), "the text stays: " + dup);

      // a table listed plain shows its findings' values; the other table's stay masked
      CompatibilityReport onlyPerson =
          Json.read(
              reviewer
                  .review(
                      src, PG, "public", null, inv, mapping, EvidenceMask.plain(List.of("person")))
                  .files()
                  .get(ArtifactPaths.COMPATIBILITY_JSON),
              CompatibilityReport.class,
              "c");
      assertEquals(
          List.of("amy.private@example.org"), find(onlyPerson, "nick", "max_length").examples());
      assertTrue(
          find(onlyPerson, "mood", "values_outside_enum").detail().contains("'furious'"), "plain");
      assertEquals("#############", find(onlyPerson, "visits", "integer_range").maxSeen());
    }
  }

  private static Finding find(CompatibilityReport report, String column, String check) {
    return report.findings().stream()
        .filter(f -> column.equals(f.column()) && f.check().equals(check))
        .findFirst()
        .orElseThrow(() -> new AssertionError(column + " " + check + ":\n" + Json.write(report)));
  }

  private static String all(StageOutput out) {
    StringBuilder sb = new StringBuilder();
    out.files()
        .forEach((k, v) -> sb.append("== ").append(k).append('\n').append(new String(v, UTF_8)));
    return sb.toString();
  }
}
