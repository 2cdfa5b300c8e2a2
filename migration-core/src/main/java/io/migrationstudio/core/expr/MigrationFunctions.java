package io.migrationstudio.core.expr;

import com.google.protobuf.NullValue;
import dev.cel.common.CelFunctionDecl;
import dev.cel.common.CelOverloadDecl;
import dev.cel.common.types.CelType;
import dev.cel.common.types.OpaqueType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.types.TypeParamType;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime.CelFunctionBinding;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Locale;

/**
 * The functions expressions get beyond CEL's standard library and its strings, math and encoders
 * extensions. Only what those lack:
 *
 * <ul>
 *   <li>the exact {@code decimal} type: {@code decimal(string|int|double)}, {@code
 *       string(decimal)}, {@code int(decimal)} (exact: fails on a fraction or overflow), {@code
 *       double(decimal)} (the one explicitly lossy conversion), {@code + - *}, unary {@code -},
 *       {@code < <= > >=} ({@code ==} works as for every value), {@code round(decimal, int)} and
 *       {@code divide(decimal, decimal, int)} rounding half away from zero like PostgreSQL's {@code
 *       round(numeric, int)};
 *   <li>{@code lower(string)}, {@code upper(string)}: full Unicode case mapping (the extension's
 *       {@code lowerAscii()} leaves {@code É} alone);
 *   <li>{@code coalesce(a, b)} and {@code coalesce(a, b, c)}: the first argument that is not null.
 * </ul>
 *
 * Every function is total or fails with an evaluation error; none loops.
 */
final class MigrationFunctions {
  /** The CEL type of decimal values, {@link Decimal} at run time. */
  static final CelType DECIMAL = OpaqueType.create("decimal");

  /** The largest scale {@code round} and {@code divide} accept (PostgreSQL's numeric limit). */
  static final int MAX_SCALE = 1000;

  private static final CelType A = TypeParamType.create("A");

  private MigrationFunctions() {}

  static List<CelFunctionDecl> declarations() {
    CelType d = DECIMAL;
    CelType b = SimpleType.BOOL;
    return List.of(
        fn(
            "decimal",
            global("decimal_string", d, SimpleType.STRING),
            global("decimal_int", d, SimpleType.INT),
            global("decimal_double", d, SimpleType.DOUBLE)),
        fn("string", global("string_decimal", SimpleType.STRING, d)),
        fn("int", global("int_decimal", SimpleType.INT, d)),
        fn("double", global("double_decimal", SimpleType.DOUBLE, d)),
        fn("_+_", global("add_decimal", d, d, d)),
        fn("_-_", global("subtract_decimal", d, d, d)),
        fn("_*_", global("multiply_decimal", d, d, d)),
        fn("-_", global("negate_decimal", d, d)),
        fn("_<_", global("less_decimal", b, d, d)),
        fn("_<=_", global("less_equals_decimal", b, d, d)),
        fn("_>_", global("greater_decimal", b, d, d)),
        fn("_>=_", global("greater_equals_decimal", b, d, d)),
        fn("round", global("round_decimal_int", d, d, SimpleType.INT)),
        fn("divide", global("divide_decimal_decimal_int", d, d, d, SimpleType.INT)),
        fn("lower", global("lower_string", SimpleType.STRING, SimpleType.STRING)),
        fn("upper", global("upper_string", SimpleType.STRING, SimpleType.STRING)),
        fn("coalesce", global("coalesce_2", A, A, A), global("coalesce_3", A, A, A, A)));
  }

  static List<CelFunctionBinding> bindings() {
    return List.of(
        CelFunctionBinding.from("decimal_string", String.class, MigrationFunctions::parseDecimal),
        CelFunctionBinding.from("decimal_int", Long.class, v -> Decimal.of(BigDecimal.valueOf(v))),
        CelFunctionBinding.from("decimal_double", Double.class, MigrationFunctions::fromDouble),
        CelFunctionBinding.from("string_decimal", Decimal.class, Decimal::toString),
        CelFunctionBinding.from("int_decimal", Decimal.class, MigrationFunctions::toLong),
        CelFunctionBinding.from("double_decimal", Decimal.class, v -> v.value().doubleValue()),
        CelFunctionBinding.from(
            "add_decimal", Decimal.class, Decimal.class, (x, y) -> dec(x.value().add(y.value()))),
        CelFunctionBinding.from(
            "subtract_decimal",
            Decimal.class,
            Decimal.class,
            (x, y) -> dec(x.value().subtract(y.value()))),
        CelFunctionBinding.from(
            "multiply_decimal",
            Decimal.class,
            Decimal.class,
            (x, y) -> dec(x.value().multiply(y.value()))),
        CelFunctionBinding.from("negate_decimal", Decimal.class, x -> dec(x.value().negate())),
        CelFunctionBinding.from(
            "less_decimal", Decimal.class, Decimal.class, (x, y) -> compare(x, y) < 0),
        CelFunctionBinding.from(
            "less_equals_decimal", Decimal.class, Decimal.class, (x, y) -> compare(x, y) <= 0),
        CelFunctionBinding.from(
            "greater_decimal", Decimal.class, Decimal.class, (x, y) -> compare(x, y) > 0),
        CelFunctionBinding.from(
            "greater_equals_decimal", Decimal.class, Decimal.class, (x, y) -> compare(x, y) >= 0),
        CelFunctionBinding.from(
            "round_decimal_int",
            Decimal.class,
            Long.class,
            (x, scale) -> dec(x.value().setScale(scale(scale), RoundingMode.HALF_UP))),
        CelFunctionBinding.from(
            "divide_decimal_decimal_int",
            List.of(Decimal.class, Decimal.class, Long.class),
            args -> divide((Decimal) args[0], (Decimal) args[1], (Long) args[2])),
        CelFunctionBinding.from("lower_string", String.class, s -> s.toLowerCase(Locale.ROOT)),
        CelFunctionBinding.from("upper_string", String.class, s -> s.toUpperCase(Locale.ROOT)),
        CelFunctionBinding.from(
            "coalesce_2", List.of(Object.class, Object.class), args -> first(args)),
        CelFunctionBinding.from(
            "coalesce_3", List.of(Object.class, Object.class, Object.class), args -> first(args)));
  }

  private static CelFunctionDecl fn(String name, CelOverloadDecl... overloads) {
    return CelFunctionDecl.newFunctionDeclaration(name, overloads);
  }

  private static CelOverloadDecl global(String id, CelType result, CelType... params) {
    return CelOverloadDecl.newGlobalOverload(id, result, params);
  }

  private static Decimal dec(BigDecimal v) {
    return Decimal.of(v);
  }

  private static int compare(Decimal x, Decimal y) {
    return x.value().compareTo(y.value());
  }

  private static Object first(Object[] args) {
    for (Object a : args) {
      if (a != null && a != NullValue.NULL_VALUE) {
        return a;
      }
    }
    return NullValue.NULL_VALUE;
  }

  private static Decimal parseDecimal(String text) throws CelEvaluationException {
    try {
      return Decimal.of(new BigDecimal(text.trim()));
    } catch (NumberFormatException e) {
      throw new CelEvaluationException(
          "decimal('" + abbreviate(text) + "'): not a decimal number (expected e.g. '-12.50')");
    }
  }

  private static Decimal fromDouble(Double v) throws CelEvaluationException {
    if (v.isNaN() || v.isInfinite()) {
      throw new CelEvaluationException("decimal(" + v + "): NaN and infinities are no decimals");
    }
    // the shortest decimal that reads back as this double: what the double prints as
    return Decimal.of(BigDecimal.valueOf(v));
  }

  private static Long toLong(Decimal v) throws CelEvaluationException {
    try {
      return v.value().longValueExact();
    } catch (ArithmeticException e) {
      throw new CelEvaluationException(
          "int(decimal "
              + v
              + "): not an integer in int's range; round(value, 0) first if the fraction may go");
    }
  }

  private static int scale(Long scale) throws CelEvaluationException {
    if (scale < 0 || scale > MAX_SCALE) {
      throw new CelEvaluationException(
          "scale " + scale + " is outside 0.." + MAX_SCALE + " (digits after the point)");
    }
    return scale.intValue();
  }

  private static Decimal divide(Decimal x, Decimal y, Long scale) throws CelEvaluationException {
    if (y.value().signum() == 0) {
      throw new CelEvaluationException("divide(" + x + ", 0, " + scale + "): division by zero");
    }
    return dec(x.value().divide(y.value(), scale(scale), RoundingMode.HALF_UP));
  }

  static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "…";
  }
}
