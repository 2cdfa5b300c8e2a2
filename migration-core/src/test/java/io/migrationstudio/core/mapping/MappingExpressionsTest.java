package io.migrationstudio.core.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.core.expr.CompiledExpression;
import io.migrationstudio.core.schema.CanonicalType;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MappingExpressionsTest {
  private static ColumnMapping column(
      String source, String target, Disposition d, CanonicalType c, String def, String expr) {
    return ColumnMapping.builder()
        .source(source)
        .target(target)
        .disposition(d)
        .sourceType("x")
        .type("t")
        .canonical(c)
        .nullable(true)
        .defaultValue(def)
        .expression(expr)
        .build();
  }

  private static TableMapping table(ColumnMapping... columns) {
    return new TableMapping("T", "t", null, List.of(), List.of(columns), null, null, null);
  }

  @Test
  void theZeroDateRuleOfTheDocsCompilesAndPassesValuesThrough() {
    List<String> problems = new ArrayList<>();
    Map<String, CompiledExpression> compiled =
        MappingExpressions.compile(
            table(
                column(
                    "released",
                    "released",
                    Disposition.TRANSFORM,
                    CanonicalType.DATE,
                    null,
                    "released == null ? null : released"),
                column(
                    "at",
                    "at",
                    Disposition.TRANSFORM,
                    CanonicalType.TIMESTAMP,
                    null,
                    "coalesce(at, timestamp(\"1970-01-01T00:00:00Z\"))")),
            Map.of("released", CanonicalType.DATE, "at", CanonicalType.TIMESTAMP),
            problems);
    assertEquals(List.of(), problems);
    CompiledExpression released = compiled.get("released");
    assertTrue(released.nullAware(), "a null-aware expression sees a zero date as null");
    Map<String, Object> row = new HashMap<>();
    row.put("released", null);
    assertNull(released.evaluate(row));
    row.put("released", LocalDate.of(2024, 1, 31));
    assertEquals(LocalDate.of(2024, 1, 31), released.evaluate(row));
    row.put("at", null);
    assertEquals(java.time.LocalDateTime.of(1970, 1, 1, 0, 0), compiled.get("at").evaluate(row));
  }

  @Test
  void aDefaultIsCelAndItsExpressionWinsOverItsDefault() {
    ColumnMapping both =
        column(null, "n", Disposition.DEFAULT, CanonicalType.INTEGER, "1", "40 + 2");
    ColumnMapping constant =
        column(null, "s", Disposition.DEFAULT, CanonicalType.TEXT, "'n/a'", null);
    ColumnMapping none = column(null, "z", Disposition.DEFAULT, CanonicalType.TEXT, null, null);
    assertEquals("40 + 2", MappingExpressions.expressionOf(both));
    assertEquals("'n/a'", MappingExpressions.expressionOf(constant));
    assertNull(MappingExpressions.expressionOf(none));
    List<String> problems = new ArrayList<>();
    Map<String, CompiledExpression> compiled =
        MappingExpressions.compile(table(both, constant, none), Map.of(), problems);
    assertEquals(List.of(), problems);
    assertEquals(42, ((Number) compiled.get("n").evaluate(Map.of())).intValue());
    assertEquals("n/a", compiled.get("s").evaluate(Map.of()));
    assertEquals(List.of("n", "s"), List.copyOf(compiled.keySet()));
  }
}
