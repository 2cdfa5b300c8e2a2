package io.migrationstudio.core.dialect.mariadb.binlog;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * FLOAT and DOUBLE as the server prints them in a result ({@code my_gcvt}): a FLOAT rounded to 6
 * significant digits ({@code FLT_DIG}), a DOUBLE with the shortest digits that read back as the
 * same double; plain notation while the decimal exponent is within ±{@value #WIDE} ({@code
 * 0.000000000000001}, {@code 123456789012345}), else {@code 1e-16} / {@code 1.5e20} (measured
 * against MariaDB 11.4 by {@code MariaDbChangeCaptureIT}).
 */
final class FloatText {
  private FloatText() {}

  /** From this decimal exponent up the server writes an exponent. */
  static final int WIDE = 15;

  static String of(float f) {
    if (f == 0) {
      return "0";
    }
    return format(new BigDecimal((double) f).round(new MathContext(6, RoundingMode.HALF_EVEN)));
  }

  static String of(double d) {
    if (d == 0) {
      return "0";
    }
    return format(new BigDecimal(Double.toString(d)));
  }

  private static String format(BigDecimal v) {
    BigDecimal digits = v.stripTrailingZeros();
    int exponent = digits.precision() - digits.scale() - 1;
    if (exponent >= -WIDE && exponent < WIDE) {
      return digits.toPlainString();
    }
    String unscaled = digits.unscaledValue().abs().toString();
    String mantissa =
        unscaled.length() == 1 ? unscaled : unscaled.charAt(0) + "." + unscaled.substring(1);
    return (digits.signum() < 0 ? "-" : "") + mantissa + "e" + exponent;
  }
}
