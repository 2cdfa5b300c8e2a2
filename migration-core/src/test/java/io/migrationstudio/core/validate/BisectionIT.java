package io.migrationstudio.core.validate;

import static io.migrationstudio.core.copy.Loads.PG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.copy.TargetSchema;
import io.migrationstudio.core.copy.TestMappings;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Bisection and the two hash paths on real PostgreSQL: a million rows with three scattered
 * differences are narrowed to exactly those three, and the SQL path and the client-side path agree
 * on a clean table and on the differences of a dirty one.
 */
@ExtendWith(PostgresExtension.class)
class BisectionIT {
  private static final int ROWS = 1_000_000;
  private static final int CHUNK_ROWS = 100_000;

  private static final String DDL =
      "CREATE TABLE big (id bigint PRIMARY KEY, name text NOT NULL, amount numeric(12,2),"
          + " at timestamptz)";

  private static String fill(int rows) {
    return "INSERT INTO big SELECT g, 'row ' || g, g * 0.01,"
        + " timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second'"
        + " FROM generate_series(1, "
        + rows
        + ") g";
  }

  @Test
  void aMillionRowsWithThreeScatteredDifferencesYieldExactlyThoseThree(
      TestDatabase source, TestDatabase target) throws Exception {
    source.execute(DDL, fill(ROWS), "DELETE FROM big WHERE id = 876543", "ANALYZE big");
    target.execute(
        DDL,
        fill(ROWS),
        "UPDATE big SET name = 'changed' WHERE id = 123457",
        "DELETE FROM big WHERE id = 500001",
        "ANALYZE big");
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      MappingDocument mapping = TestMappings.identity(src, "public", "public");
      ValidationReport r = new Validator(PG, PG).report(src, tgt, mapping, "big", 100, CHUNK_ROWS);
      ValidationReport.TableValidation t = r.tables().get(0);
      assertEquals(Verdict.FAIL, t.status());
      assertEquals("sql", t.hashPath(), "identity PostgreSQL → PostgreSQL hashes in SQL");
      assertEquals(
          List.of(
              new ValidationReport.Difference(
                  "changed",
                  "123457",
                  List.of("name"),
                  List.of(new ValidationReport.ValueDifference("name", "row 123457", "changed"))),
              new ValidationReport.Difference("extra", "876543", List.of()),
              new ValidationReport.Difference("missing", "500001", List.of())),
          t.differences(),
          Json.write(t));
      assertEquals(1, t.missing());
      assertEquals(1, t.extra());
      assertEquals(1, t.changed());
      assertEquals(ROWS / CHUNK_ROWS, t.chunks());
      assertEquals(3, t.chunksDiffering());
      assertTrue(t.bisectionSteps() > 0, "bisected");
      // each differing chunk: about half + quarter + ... of a chunk hashed per side, plus leaves;
      // the chunks are cut at sampled keys (ValidationChunks), so a chunk may hold ±25 % rows
      long bound = 3L * 2 * CHUNK_ROWS * 3 / 2;
      assertTrue(
          t.bisectionRowsRead() > 0 && t.bisectionRowsRead() <= bound,
          "rows read while bisecting: " + t.bisectionRowsRead() + " (bound " + bound + ")");
      assertEquals(ROWS - 1, t.sourceRows());
      assertEquals(ROWS - 1, t.targetRows());
    }
  }

  @Test
  void theSqlPathAndTheClientPathAgree(TestDatabase source, TestDatabase target) throws Exception {
    String ddl =
        "CREATE TABLE mixed (id integer PRIMARY KEY, label varchar(40), price numeric(10,2),"
            + " ratio double precision, flag boolean, payload bytea, made timestamp, tags text[])";
    String fill =
        "INSERT INTO mixed SELECT g, CASE WHEN g % 7 = 0 THEN NULL WHEN g % 11 = 0 THEN ''"
            + " ELSE 'label ' || g END, g * 1.25, g / 3.0, g % 2 = 0,"
            + " decode(md5(g::text), 'hex'), timestamp '2024-02-29 12:00' + g * interval '1 ms',"
            + " ARRAY['a' || g, 'b'] FROM generate_series(1, 20000) g";
    source.execute(ddl, fill);
    target.execute(ddl, fill);
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      MappingDocument mapping = TestMappings.identity(src, "public", "public");
      Validator sqlPath = new Validator(PG, PG);
      Validator clientPath = new Validator(PG, PG, TargetSchema.DEFAULT_STUDIO_SCHEMA, 64, false);

      ValidationReport.TableValidation a =
          sqlPath.report(src, tgt, mapping, "m", 100, 1000).tables().get(0);
      ValidationReport.TableValidation b =
          clientPath.report(src, tgt, mapping, "m", 100, 1000).tables().get(0);
      assertEquals("sql", a.hashPath());
      assertEquals("client", b.hashPath());
      assertEquals(Verdict.PASS, a.status(), Json.write(a));
      assertEquals(Verdict.PASS, b.status(), Json.write(b));

      target.execute(
          "UPDATE mixed SET ratio = ratio * (1 + 1e-15) WHERE id = 4321",
          "UPDATE mixed SET payload = decode('00', 'hex'), flag = NOT flag WHERE id = 17",
          "DELETE FROM mixed WHERE id = 19999",
          "INSERT INTO mixed (id, label) VALUES (20001, 'new')");
      ValidationReport.TableValidation c =
          sqlPath.report(src, tgt, mapping, "m", 100, 1000).tables().get(0);
      ValidationReport.TableValidation d =
          clientPath.report(src, tgt, mapping, "m", 100, 1000).tables().get(0);
      assertEquals(Verdict.FAIL, c.status());
      assertEquals(c.differences(), d.differences(), Json.write(c) + "\n" + Json.write(d));
      assertEquals(
          List.of(
              "changed 17 [flag, payload]",
              "changed 4321 [ratio]",
              "extra 20001 []",
              "missing 19999 []"),
          c.differences().stream().map(x -> x.kind() + " " + x.key() + " " + x.columns()).toList());
      assertEquals(3, c.chunksDiffering());
      assertEquals(c.chunksDiffering(), d.chunksDiffering());
      assertTrue(d.bisectionRowsRead() > 0);
    }
  }

  @Test
  void textAndCompositeKeysAreBisectedToo(TestDatabase source, TestDatabase target)
      throws Exception {
    String ddl =
        "CREATE TABLE words (k text PRIMARY KEY, n integer);"
            + " CREATE TABLE pairs (a integer, b integer, v text, PRIMARY KEY (a, b))";
    String fill =
        "INSERT INTO words SELECT 'w' || lpad(g::text, 6, '0'), g FROM generate_series(1, 30000) g;"
            + " INSERT INTO pairs SELECT g / 5000, g, 'v' || g FROM generate_series(1, 30000) g";
    source.execute(ddl, fill);
    target.execute(
        ddl,
        fill,
        "UPDATE words SET n = -1 WHERE k = 'w012345'",
        "DELETE FROM words WHERE k = 'w029999'",
        "INSERT INTO words VALUES ('w000000x', 0)",
        "UPDATE pairs SET v = 'x' WHERE a = 2 AND b = 12000",
        "DELETE FROM pairs WHERE a = 4 AND b = 21000");
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      MappingDocument mapping = TestMappings.identity(src, "public", "public");
      for (boolean sql : new boolean[] {true, false}) {
        ValidationReport r =
            new Validator(PG, PG, TargetSchema.DEFAULT_STUDIO_SCHEMA, 64, sql)
                .report(src, tgt, mapping, "keys", 100, 10_000);
        java.util.Map<String, List<String>> found = new java.util.TreeMap<>();
        for (ValidationReport.TableValidation t : r.tables()) {
          found.put(
              t.table(),
              t.differences().stream()
                  .map(d -> d.kind() + " " + d.key() + " " + d.columns())
                  .toList());
          assertEquals(sql ? "sql" : "client", t.hashPath());
        }
        assertEquals(
            java.util.Map.of(
                "words",
                List.of("changed w012345 [n]", "extra w000000x []", "missing w029999 []"),
                "pairs",
                List.of("changed 2, 12000 [v]", "missing 4, 21000 []")),
            found,
            "sql path " + sql);
        ValidationReport.TableValidation words =
            r.tables().stream().filter(t -> t.table().equals("words")).findFirst().orElseThrow();
        assertTrue(words.bisectionSteps() > 0, "the text key is split");
      }
    }
  }
}
