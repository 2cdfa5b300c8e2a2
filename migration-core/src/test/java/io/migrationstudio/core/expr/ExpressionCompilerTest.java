package io.migrationstudio.core.expr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.core.schema.CanonicalType;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class ExpressionCompilerTest {
  private static final Map<String, CanonicalType> COLUMNS = columns();

  private final ExpressionCompiler compiler = new ExpressionCompiler();

  private static Map<String, CanonicalType> columns() {
    Map<String, CanonicalType> m = new LinkedHashMap<>();
    m.put("small", CanonicalType.SMALLINT);
    m.put("n", CanonicalType.INTEGER);
    m.put("big", CanonicalType.BIGINT);
    m.put("price", CanonicalType.DECIMAL);
    m.put("ratio", CanonicalType.REAL);
    m.put("d", CanonicalType.DOUBLE);
    m.put("code", CanonicalType.CHAR);
    m.put("Name", CanonicalType.VARCHAR);
    m.put("note", CanonicalType.TEXT);
    m.put("born", CanonicalType.DATE);
    m.put("at", CanonicalType.TIME);
    m.put("created", CanonicalType.TIMESTAMP);
    m.put("seen", CanonicalType.TIMESTAMPTZ);
    m.put("wait", CanonicalType.INTERVAL);
    m.put("blob", CanonicalType.BYTES);
    m.put("id", CanonicalType.UUID);
    m.put("doc", CanonicalType.JSON);
    m.put("x", CanonicalType.XML);
    m.put("tags", CanonicalType.ARRAY);
    m.put("mood", CanonicalType.ENUM);
    m.put("geo", CanonicalType.UNSUPPORTED);
    m.put("active", CanonicalType.BOOLEAN);
    m.put("Added At", CanonicalType.TIMESTAMPTZ);
    m.put("in", CanonicalType.INTEGER);
    m.put("Ünï \"q\"", CanonicalType.TEXT);
    return m;
  }

  private static Map<String, Object> row() {
    Map<String, Object> r = new HashMap<>();
    r.put("small", (short) 7);
    r.put("n", 42);
    r.put("big", 9_000_000_000L);
    r.put("price", new BigDecimal("19.990"));
    r.put("ratio", 0.5f);
    r.put("d", 2.25);
    r.put("code", "AB");
    r.put("Name", "Élodie Dupré");
    r.put("note", "  spaced  ");
    r.put("born", LocalDate.of(1990, 5, 17));
    r.put("at", LocalTime.of(13, 45, 30));
    r.put("created", LocalDateTime.of(2024, 2, 29, 23, 59, 59, 123_456_000));
    r.put("seen", OffsetDateTime.of(2024, 1, 1, 1, 0, 0, 0, ZoneOffset.ofHours(2)));
    r.put("wait", "1 day");
    r.put("blob", new byte[] {1, 2, 3});
    r.put("id", UUID.fromString("123e4567-e89b-12d3-a456-426614174000"));
    r.put("doc", "{\"a\": {\"b\": [1, 2.5, 0.1000000000000000000001]}, \"s\": \"x\", \"z\": null}");
    r.put("x", "<a/>");
    r.put("tags", null);
    r.put("mood", "happy");
    r.put("geo", null);
    r.put("active", true);
    r.put("Added At", Instant.parse("2020-01-01T00:00:00Z"));
    r.put("in", 5);
    r.put("Ünï \"q\"", "unicode");
    return r;
  }

  private Object eval(String expression, CanonicalType result) {
    return compiler.compile("T", "c", expression, COLUMNS, result).evaluate(row());
  }

  private MigrationException compileError(String expression, CanonicalType result) {
    return assertThrows(
        MigrationException.class,
        () -> compiler.compile("Album", "title_out", expression, COLUMNS, result));
  }

  /** Per target type: expressions that type-check and evaluate, and ones that must not compile. */
  @Test
  void typeChecksEveryTypeBothWays() {
    record Case(CanonicalType target, List<String> good, List<String> bad) {}
    List<Case> cases =
        List.of(
            new Case(
                CanonicalType.SMALLINT,
                List.of("small + 1", "int(code.size())"),
                List.of("small + 1.0", "code", "price")),
            new Case(
                CanonicalType.INTEGER,
                List.of("n * 2", "int(d)", "int('12')", "int(price * decimal(0))", "row['in'] + n"),
                List.of("in + n", "n * 2.0", "n + big == 1", "d", "n + 'x'")),
            new Case(
                CanonicalType.BIGINT,
                List.of("big / 1000", "small + n + big", "seen.getFullYear()"),
                List.of("big / 1000.0", "created", "price")),
            new Case(
                CanonicalType.DECIMAL,
                List.of("price * decimal('1.2')", "n", "round(price, 1)", "decimal(d)"),
                List.of("price * 1.2", "price + 1", "d", "string(price)")),
            new Case(CanonicalType.REAL, List.of("ratio * 2.0"), List.of("ratio * 2", "n")),
            new Case(
                CanonicalType.DOUBLE,
                List.of("d + ratio", "double(n)", "double(price)"),
                List.of("d + n", "price")),
            new Case(
                CanonicalType.VARCHAR,
                List.of(
                    "upper(Name)",
                    "note.trim()",
                    "Name.substring(0, 3) + code",
                    "string(price)",
                    "string(id)",
                    "mood",
                    "x"),
                List.of("Name + 1", "Name.size()", "lower(n)", "price")),
            new Case(CanonicalType.TEXT, List.of("row['Ünï \"q\"']"), List.of("blob")),
            new Case(CanonicalType.UUID, List.of("id"), List.of("n")),
            new Case(
                CanonicalType.BOOLEAN,
                List.of("active && n > 1", "Name.startsWith('É')", "price > decimal(10)"),
                List.of("n", "active + 1", "price > 10")),
            new Case(CanonicalType.BYTES, List.of("blob + b'x'"), List.of("Name")),
            new Case(
                CanonicalType.DATE,
                List.of("born + duration('24h')", "timestamp('2020-01-01T00:00:00Z')"),
                List.of("'2020-01-01'", "born + 1")),
            new Case(CanonicalType.TIME, List.of("at + duration('1m')"), List.of("at + 1")),
            new Case(
                CanonicalType.TIMESTAMP,
                List.of("created - duration('1h')", "born"),
                List.of("created + 1", "at")),
            new Case(
                CanonicalType.TIMESTAMPTZ,
                List.of("seen", "row['Added At']"),
                List.of("seen - seen", "n")),
            new Case(
                CanonicalType.JSON,
                List.of("doc.a", "{'k': n, 'p': price}", "[1, 'two', null]"),
                List.of("doc +", "undefined_column")));
    List<String> failures = new ArrayList<>();
    for (Case c : cases) {
      for (String good : c.good()) {
        try {
          eval(good, c.target());
        } catch (RuntimeException e) {
          failures.add(c.target() + " should accept '" + good + "': " + e.getMessage());
        }
      }
      for (String bad : c.bad()) {
        try {
          compiler.compile("T", "c", bad, COLUMNS, c.target());
          failures.add(c.target() + " should refuse '" + bad + "'");
        } catch (MigrationException e) {
          if (e.code() != ErrorCode.INVALID_ARTIFACT) {
            failures.add(c.target() + " '" + bad + "' failed with " + e.code());
          }
        }
      }
    }
    assertEquals(List.of(), failures);
  }

  @Test
  void valuesCrossBothWaysWithoutLoss() {
    assertEquals((short) 8, eval("small + 1", CanonicalType.SMALLINT));
    assertEquals(84, eval("n * 2", CanonicalType.INTEGER));
    assertEquals(9_000_000_001L, eval("big + 1", CanonicalType.BIGINT));
    // decimals stay exact: 19.990 * 3 is 59.97, not 59.970000000000006
    assertEquals(
        0,
        new BigDecimal("59.97")
            .compareTo((BigDecimal) eval("price * decimal(3)", CanonicalType.DECIMAL)));
    assertEquals(
        new BigDecimal("6.66"), eval("divide(price, decimal(3), 2)", CanonicalType.DECIMAL));
    assertEquals(new BigDecimal("20"), eval("round(price, 0)", CanonicalType.DECIMAL));
    assertEquals(true, eval("price == decimal('19.99')", CanonicalType.BOOLEAN));
    assertEquals("19.99", eval("string(price)", CanonicalType.TEXT));
    assertEquals(1.0f, eval("ratio * 2.0", CanonicalType.REAL));
    assertEquals("ÉLODIE DUPRÉ", eval("upper(Name)", CanonicalType.TEXT));
    assertEquals("élodie dupré", eval("lower(Name)", CanonicalType.TEXT));
    assertEquals("spaced", eval("note.trim()", CanonicalType.TEXT));
    assertEquals("happy!", eval("mood + '!'", CanonicalType.TEXT));
    assertEquals(
        UUID.fromString("123e4567-e89b-12d3-a456-426614174000"), eval("id", CanonicalType.UUID));
    assertEquals(false, eval("!active", CanonicalType.BOOLEAN));
    assertArrayEquals(new byte[] {1, 2, 3, 'x'}, (byte[]) eval("blob + b'x'", CanonicalType.BYTES));
    assertEquals(LocalDate.of(1990, 5, 18), eval("born + duration('24h')", CanonicalType.DATE));
    assertEquals(LocalTime.of(13, 46, 30), eval("at + duration('1m')", CanonicalType.TIME));
    assertEquals(
        LocalDateTime.of(2024, 2, 29, 22, 59, 59, 123_456_000),
        eval("created - duration('1h')", CanonicalType.TIMESTAMP));
    assertEquals(
        OffsetDateTime.of(2023, 12, 31, 23, 0, 0, 0, ZoneOffset.UTC),
        eval("seen", CanonicalType.TIMESTAMPTZ));
    assertEquals(2023L, eval("seen.getFullYear()", CanonicalType.BIGINT));
    assertEquals("{\"b\":[1,2.5,0.1000000000000000000001]}", eval("doc.a", CanonicalType.JSON));
    assertEquals(true, eval("has(doc.s) && !has(doc.q)", CanonicalType.BOOLEAN));
    assertEquals(
        OffsetDateTime.of(2020, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC),
        eval("row['Added At']", CanonicalType.TIMESTAMPTZ));
    assertEquals(47, eval("row['in'] + n", CanonicalType.INTEGER));
    assertEquals("unicode", eval("row['Ünï \"q\"']", CanonicalType.TEXT));
  }

  @Test
  void nullPropagatesUnlessTheExpressionHandlesIt() {
    CompiledExpression strict =
        compiler.compile("T", "c", "upper(Name) + code", COLUMNS, CanonicalType.TEXT);
    assertFalse(strict.nullAware());
    assertEquals(Set.of("Name", "code"), strict.columns());
    Map<String, Object> r = row();
    r.put("Name", null);
    assertNull(strict.evaluate(r));

    CompiledExpression aware =
        compiler.compile(
            "T", "c", "Name == null ? 'unknown' : upper(Name)", COLUMNS, CanonicalType.TEXT);
    assertTrue(aware.nullAware());
    assertEquals("unknown", aware.evaluate(r));
    assertEquals("ÉLODIE DUPRÉ", aware.evaluate(row()));

    CompiledExpression coalesce =
        compiler.compile("T", "c", "coalesce(Name, note, 'none')", COLUMNS, CanonicalType.TEXT);
    assertEquals("  spaced  ", coalesce.evaluate(r));
    r.put("note", null);
    assertEquals("none", coalesce.evaluate(r));

    // a null-aware expression that still uses the NULL is an error, not a silent NULL
    CompiledExpression misuse =
        compiler.compile(
            "T", "c", "n == null || n > 1 ? n + 1 : 0", COLUMNS, CanonicalType.INTEGER);
    Map<String, Object> nullN = row();
    nullN.put("n", null);
    MigrationException e = assertThrows(MigrationException.class, () -> misuse.evaluate(nullN));
    assertEquals(ErrorCode.PERMANENT_SQL, e.code());

    // timestamps and JSON compare with null too
    Map<String, Object> nullSeen = row();
    nullSeen.put("seen", null);
    assertEquals(
        true,
        compiler
            .compile("T", "c", "seen == null", COLUMNS, CanonicalType.BOOLEAN)
            .evaluate(nullSeen));
    assertNull(
        compiler
            .compile("T", "c", "seen + duration('1s')", COLUMNS, CanonicalType.TIMESTAMPTZ)
            .evaluate(nullSeen));
  }

  @Test
  void compileErrorsNameTableColumnExpressionAndPosition() {
    MigrationException e = compileError("upper(Name) + 1", CanonicalType.TEXT);
    assertEquals(ErrorCode.INVALID_ARTIFACT, e.code());
    assertTrue(e.getMessage().contains("table \"Album\""), e.getMessage());
    assertTrue(e.getMessage().contains("column \"title_out\""), e.getMessage());
    assertTrue(e.getMessage().contains("'upper(Name) + 1'"), e.getMessage());
    assertTrue(e.getMessage().contains("<input>:1:13"), e.getMessage());
    assertTrue(e.getMessage().contains("no matching overload"), e.getMessage());

    MigrationException wrongResult = compileError("n + 1", CanonicalType.TEXT);
    assertTrue(wrongResult.getMessage().contains("produces int"), wrongResult.getMessage());
    assertTrue(wrongResult.getMessage().contains("needs string"), wrongResult.getMessage());

    MigrationException unknown = compileError("Nmae", CanonicalType.TEXT);
    assertTrue(unknown.getMessage().contains("undeclared reference to 'Nmae'"));

    MigrationException interval = compileError("wait", CanonicalType.TEXT);
    assertTrue(interval.getMessage().contains("\"wait\" (INTERVAL)"), interval.getMessage());
    MigrationException array = compileError("row['tags'] == null", CanonicalType.BOOLEAN);
    assertTrue(array.getMessage().contains("\"tags\" (ARRAY)"), array.getMessage());

    assertEquals(ErrorCode.INVALID_ARTIFACT, compileError(" ", CanonicalType.TEXT).code());
    assertEquals(
        ErrorCode.INVALID_ARTIFACT, compileError("'x'.repeat(", CanonicalType.TEXT).code());
    assertEquals(ErrorCode.INVALID_ARTIFACT, compileError("n", CanonicalType.INTERVAL).code());
    assertEquals(
        ErrorCode.INVALID_ARTIFACT,
        compileError("1" + " + 1".repeat(2_000), CanonicalType.INTEGER).code());
  }

  @Test
  void rowErrorsAreDataExceptionsNamingTheExpression() {
    Map<String, String> cases =
        Map.of(
            "n / (n - 42)", "division by zero",
            "big * big", "overflow",
            "int('x' + Name)", "int",
            "int(divide(price, decimal(0), 2))", "division by zero");
    cases.forEach(
        (expression, why) -> {
          MigrationException e =
              assertThrows(MigrationException.class, () -> eval(expression, CanonicalType.BIGINT));
          assertEquals(ErrorCode.PERMANENT_SQL, e.code(), expression);
          assertTrue(e.getMessage().contains("'" + expression + "'"), e.getMessage());
        });
    MigrationException range =
        assertThrows(MigrationException.class, () -> eval("n * 1000", CanonicalType.SMALLINT));
    assertEquals(ErrorCode.PERMANENT_SQL, range.code());
    assertTrue(range.getMessage().contains("SMALLINT"), range.getMessage());
    MigrationException notADay =
        assertThrows(
            MigrationException.class, () -> eval("born + duration('1h')", CanonicalType.DATE));
    assertTrue(notADay.getMessage().contains("whole day"), notADay.getMessage());
    MigrationException missing =
        assertThrows(
            MigrationException.class,
            () ->
                compiler
                    .compile("T", "c", "n + 1", COLUMNS, CanonicalType.INTEGER)
                    .evaluate(Map.of("big", 1L)));
    assertEquals(ErrorCode.INTERNAL, missing.code());
  }

  @Test
  void costLimitStopsRunawayComprehensions() {
    ExpressionCompiler small = new ExpressionCompiler(500);
    String square = "[1,2,3,4,5,6,7,8,9,10].map(x, [1,2,3,4,5,6,7,8,9,10].map(y, x * y + n))";
    String size = "size(" + square + ") == 10";
    MigrationException e =
        assertThrows(
            MigrationException.class,
            () -> small.compile("T", "c", size, COLUMNS, CanonicalType.BOOLEAN).evaluate(row()));
    assertEquals(ErrorCode.PERMANENT_SQL, e.code());
    assertTrue(e.getMessage().contains("cost limit of 500"), e.getMessage());
    // the same expression passes under the default limit
    assertEquals(true, eval(size, CanonicalType.BOOLEAN));
    // without comprehensions the bound is checked once, at compile time
    MigrationException big =
        assertThrows(
            MigrationException.class,
            () ->
                new ExpressionCompiler(10)
                    .compile("T", "c", "n + n + n + n + n + n", COLUMNS, CanonicalType.INTEGER));
    assertEquals(ErrorCode.INVALID_ARTIFACT, big.code());
    assertThrows(IllegalArgumentException.class, () -> new ExpressionCompiler(0));
  }

  @Test
  void oneCompiledExpressionServesManyThreads() throws Exception {
    CompiledExpression e =
        compiler.compile(
            "T", "c", "string(n) + ':' + upper(Name.substring(0, 1))", COLUMNS, CanonicalType.TEXT);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int offset = t;
        results.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 20_000; i++) {
                    Map<String, Object> r = new HashMap<>();
                    r.put("n", i + offset);
                    r.put("Name", "ab");
                    if (!((i + offset) + ":A").equals(e.evaluate(r))) {
                      return false;
                    }
                  }
                  return true;
                }));
      }
      for (Future<Boolean> f : results) {
        assertTrue(f.get());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Prints the cost of an evaluation; the number is information, not a pass mark. 100,000
   * evaluations by default (under a second once warm); {@code -Dslow=true} times a million, as
   * before, when the number itself is wanted.
   */
  @Test
  void microTimingOfManyEvaluations() {
    CompiledExpression e =
        compiler.compile(
            "T",
            "c",
            "Name == null ? 'n/a' : upper(Name.trim()) + '-' + string(n * 2)",
            COLUMNS,
            CanonicalType.TEXT);
    Map<String, Object> r = new HashMap<>();
    r.put("Name", " élodie ");
    int rows = Boolean.getBoolean("slow") ? 1_000_000 : 100_000;
    long checksum = 0;
    long start = System.nanoTime();
    for (int i = 0; i < rows; i++) {
      r.put("n", i);
      checksum += ((String) e.evaluate(r)).length();
    }
    long nanos = System.nanoTime() - start;
    System.out.printf(
        "expression micro-timing: %,d evaluations in %,d ms (%,.0f ns each, %,.0f rows/s)%n",
        rows, nanos / 1_000_000, (double) nanos / rows, rows * 1e9 / nanos);
    assertTrue(checksum > 0);
    assertEquals(
        "ÉLODIE-4", e.evaluate(Map.of("Name", " élodie ", "n", 2)), "the timed expression works");
  }
}
