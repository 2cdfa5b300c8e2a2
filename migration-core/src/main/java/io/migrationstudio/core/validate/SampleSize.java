package io.migrationstudio.core.validate;

/**
 * How many rows a random sample needs to estimate a proportion at 95 % confidence within ±5 %
 * (Cochran's formula with the most conservative proportion p = 0.5): {@code n0 = z²·p(1−p)/e² =
 * 1.96²·0.25/0.05² ≈ 384.16}, corrected for a finite table of N rows to {@code n = n0 / (1 +
 * (n0−1)/N)}, rounded up; never fewer than {@value #MIN_ROWS} rows, or all rows when the table has
 * fewer.
 */
public final class SampleSize {
  /** z for 95 % confidence (two-sided). */
  static final double Z_95 = 1.96;

  /** Margin of error. */
  static final double MARGIN = 0.05;

  /** The proportion that needs the largest sample. */
  static final double P = 0.5;

  /** Smallest sample of a table with at least this many rows. */
  public static final int MIN_ROWS = Validator.MIN_SAMPLE_ROWS;

  /** The infinite-population sample size n0 ≈ 384.16. */
  static final double N0 = Z_95 * Z_95 * P * (1 - P) / (MARGIN * MARGIN);

  private SampleSize() {}

  /** The sample size of a table of {@code population} rows (0 for an empty table). */
  public static long of(long population) {
    if (population < 0) {
      throw new IllegalArgumentException("population must be >= 0, was " + population);
    }
    if (population <= MIN_ROWS) {
      return population;
    }
    double n = N0 / (1 + (N0 - 1) / population);
    // the epsilon keeps an exact integer result from rounding up through floating-point noise
    long rounded = (long) Math.ceil(n - 1e-9);
    return Math.max(MIN_ROWS, Math.min(rounded, population));
  }
}
