package io.migrationstudio.core.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.migrationstudio.core.canonical.ColumnCodec;
import io.migrationstudio.core.canonical.ComparisonRule;
import io.migrationstudio.core.schema.CanonicalType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StreamedAggregatesTest {
  private static final List<ColumnCodec> CODECS =
      List.of(
          new ColumnCodec("i", CanonicalType.INTEGER, null),
          new ColumnCodec("d", CanonicalType.DOUBLE, null),
          new ColumnCodec("c", CanonicalType.CHAR, null),
          new ColumnCodec("b", CanonicalType.BOOLEAN, null));

  private static List<ValidationReport.Aggregate> of(List<Object[]> rows) {
    StreamedAggregates a = new StreamedAggregates(CODECS);
    rows.forEach(a::add);
    return a.result();
  }

  @Test
  void aggregatesDoNotDependOnRowOrderAndIgnoreCharPadding() {
    List<Object[]> rows = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      rows.add(
          new Object[] {
            i % 9 == 0 ? null : BigInteger.valueOf(i - 50),
            i * 0.1,
            "ab" + (i % 7) + "  ",
            i % 2 == 0
          });
    }
    List<ValidationReport.Aggregate> first = of(rows);
    Collections.shuffle(rows, new Random(7));
    assertEquals(first, of(rows), "floats summed exactly: order does not matter");
    ValidationReport.Aggregate i = first.get(0);
    assertEquals(200, i.count());
    assertEquals(23, i.nulls());
    assertEquals("-49", i.min());
    assertEquals("149", i.max());
    ValidationReport.Aggregate c = first.get(2);
    assertEquals("ab0", c.min());
    assertEquals("ab6", c.max());
    assertEquals("600", c.lengthSum(), "trailing blanks of char(n) are padding");
    ValidationReport.Aggregate b = first.get(3);
    assertEquals(null, b.min(), "booleans are not ordered here");
    assertEquals(null, b.sum());
  }

  @Test
  void instantsAreShownInUtcWhateverTheirOffset() {
    List<ColumnCodec> codecs = List.of(new ColumnCodec("t", CanonicalType.TIMESTAMPTZ, null));
    StreamedAggregates berlin = new StreamedAggregates(codecs);
    berlin.add(
        new Object[] {
          java.time.OffsetDateTime.parse("2024-03-01T10:00:00+01:00"),
        });
    StreamedAggregates utc = new StreamedAggregates(codecs);
    utc.add(new Object[] {java.time.OffsetDateTime.parse("2024-03-01T09:00:00Z")});
    assertEquals(utc.result(), berlin.result());
    assertEquals("2024-03-01T09:00Z", utc.result().get(0).min());
  }

  @Test
  void ruleAwareComparisonOfAggregates() {
    ValidationReport.Aggregate a = new ValidationReport.Aggregate(3, 0, "1.0", "3.0", "6.0", null);
    ValidationReport.Aggregate b =
        new ValidationReport.Aggregate(3, 0, "1.0005", "3.0", "6.0015", null);
    ComparisonRule tolerance =
        new ComparisonRule(new BigDecimal("0.001"), null, null, null, null, null);
    assertEquals(List.of("min", "sum"), ColumnAggregates.differing(a, b, null));
    assertEquals(List.of(), ColumnAggregates.differing(a, b, tolerance), "sum within 3 × 0.001");
    ValidationReport.Aggregate far =
        new ValidationReport.Aggregate(3, 0, "1.0", "3.0", "6.004", null);
    assertEquals(List.of("sum"), ColumnAggregates.differing(a, far, tolerance));
    ComparisonRule trim = new ComparisonRule(null, null, null, null, true, null);
    ValidationReport.Aggregate t1 = new ValidationReport.Aggregate(2, 1, " a", "b", null, "3");
    ValidationReport.Aggregate t2 = new ValidationReport.Aggregate(2, 0, "a", "b ", null, "2");
    assertEquals(List.of("nulls"), ColumnAggregates.differing(t1, t2, trim));
  }

  @Test
  void integerSumsStayExactPastTheRangeOfALong() {
    List<Object[]> rows = new ArrayList<>();
    BigInteger expected = BigInteger.ZERO;
    Random r = new Random(11);
    for (int i = 0; i < 500; i++) {
      BigInteger v =
          switch (i % 5) {
            case 0 -> BigInteger.valueOf(Long.MAX_VALUE - r.nextInt(1000));
            case 1 -> BigInteger.valueOf(Long.MIN_VALUE + r.nextInt(1000));
            case 2 -> BigInteger.valueOf(Long.MAX_VALUE).multiply(BigInteger.TEN);
            default -> BigInteger.valueOf(r.nextLong());
          };
      expected = expected.add(v);
      rows.add(new Object[] {v, null, null, null});
    }
    List<ValidationReport.Aggregate> first = of(rows);
    assertEquals(expected.toString(), first.get(0).sum());
    Collections.shuffle(rows, new Random(3));
    assertEquals(first, of(rows));
    assertEquals(
        BigInteger.valueOf(Long.MAX_VALUE).multiply(BigInteger.TEN).toString(), first.get(0).max());
  }
}
