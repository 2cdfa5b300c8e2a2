package io.migrationstudio.core.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.migrationstudio.core.canonical.ComparisonRule;
import io.migrationstudio.core.schema.CanonicalType;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Every with-method of {@link ColumnMapping} changes what it names and keeps every other value; its
 * builder sets every component by name and keeps every value of the column it starts from.
 */
class ColumnMappingCopiesTest {

  /** A generated MAP column with a value in every component. */
  static final ColumnMapping FULL =
      new ColumnMapping(
          "price",
          "price_eur",
          Disposition.MAP,
          "decimal(10,2)",
          "numeric(10,2)",
          CanonicalType.DECIMAL,
          true,
          false,
          null,
          "price * 1",
          "converted",
          "decimal -> numeric",
          "Europe/Paris",
          Map.of("1", "one"),
          UnmappedPolicy.KEEP,
          new ComparisonRule(new BigDecimal("0.01"), null, null, null, null, null),
          "amount * 2",
          "\"C\"",
          "now()");

  @Test
  void withCompareKeepsEveryOtherValue() throws Exception {
    ComparisonRule trim = new ComparisonRule(null, null, null, null, true, null);
    ColumnMapping copy = check(c -> c.withCompare(trim), Set.of("compare"));
    assertEquals(trim, copy.compare());
    assertEquals("decimal -> numeric", copy.rule(), "the type rule is not the comparison rule");
  }

  @Test
  void withValueMapKeepsEveryOtherValue() throws Exception {
    ColumnMapping copy =
        check(
            c -> c.withValueMap(Map.of("2", "two"), UnmappedPolicy.NULL),
            Set.of("values", "unmapped"));
    assertEquals(Map.of("2", "two"), copy.values());
    assertEquals(UnmappedPolicy.NULL, copy.unmapped());
  }

  @Test
  void withGeneratedAndCollationKeepsEveryOtherValue() throws Exception {
    ColumnMapping copy =
        check(c -> c.withGeneratedAndCollation(null, null), Set.of("generated", "collation"));
    assertEquals(null, copy.generated());
    assertEquals(null, copy.collation());
  }

  @Test
  void withOnUpdateKeepsEveryOtherValue() throws Exception {
    ColumnMapping copy = check(c -> c.withOnUpdate("clock_timestamp()"), Set.of("onUpdate"));
    assertEquals("clock_timestamp()", copy.onUpdate());
  }

  @Test
  void theBuilderSetsEveryComponentByItsName() throws Exception {
    ColumnMapping.Builder b = ColumnMapping.builder();
    for (RecordComponent c : ColumnMapping.class.getRecordComponents()) {
      ColumnMapping.Builder.class
          .getMethod(c.getName(), c.getType())
          .invoke(b, c.getAccessor().invoke(FULL));
    }
    assertEquals(FULL, b.build());
  }

  @Test
  void toBuilderKeepsEveryValue() {
    assertEquals(FULL, FULL.toBuilder().build());
  }

  @Test
  void anUnsetComponentIsNullOrFalse() throws Exception {
    ColumnMapping dropped =
        ColumnMapping.builder().source("x").disposition(Disposition.DROP).build();
    assertEquals("x", dropped.source());
    assertEquals(Disposition.DROP, dropped.disposition());
    for (RecordComponent c : ColumnMapping.class.getRecordComponents()) {
      if (!Set.of("source", "disposition").contains(c.getName())) {
        Object unset = c.getType() == boolean.class ? Boolean.FALSE : null;
        assertEquals(unset, c.getAccessor().invoke(dropped), c.getName() + " unset");
      }
    }
  }

  /**
   * Applies {@code with} to {@link #FULL}; every component but {@code changed} must read the same.
   */
  private static ColumnMapping check(UnaryOperator<ColumnMapping> with, Set<String> changed)
      throws Exception {
    ColumnMapping copy = with.apply(FULL);
    for (RecordComponent c : ColumnMapping.class.getRecordComponents()) {
      if (!changed.contains(c.getName())) {
        assertEquals(
            c.getAccessor().invoke(FULL), c.getAccessor().invoke(copy), c.getName() + " kept");
      }
    }
    return copy;
  }
}
