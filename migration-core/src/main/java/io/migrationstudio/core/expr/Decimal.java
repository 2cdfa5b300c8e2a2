package io.migrationstudio.core.expr;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * An exact decimal as expressions see it: the CEL opaque type {@code decimal}. CEL has no decimal
 * type, and its {@code double} would silently round NUMERIC values, so DECIMAL columns reach
 * expressions as this value and keep every digit through {@code + - *}, comparisons, {@code round}
 * and {@code divide} (see {@link MigrationFunctions}).
 *
 * <p>The value is held normalized (trailing zeros stripped) so that {@code 1.10} and {@code 1.1}
 * are equal under CEL's {@code ==}, as they are in SQL. It is deliberately not a {@link Number}:
 * CEL's runtime would otherwise treat it as a number of another kind and compare it wrongly.
 */
final class Decimal {
  private final BigDecimal value;

  private Decimal(BigDecimal value) {
    this.value = value;
  }

  static Decimal of(BigDecimal value) {
    Objects.requireNonNull(value, "decimal value");
    BigDecimal normalized = value.signum() == 0 ? BigDecimal.ZERO : value.stripTrailingZeros();
    return new Decimal(normalized);
  }

  BigDecimal value() {
    return value;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Decimal d && value.equals(d.value);
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }

  /** The plain decimal text, never scientific notation ({@code 1E+3} is {@code 1000}). */
  @Override
  public String toString() {
    return value.toPlainString();
  }
}
