package io.migrationstudio.core.assess;

import java.util.Locale;

/**
 * Counts, sizes and durations as the assessment reports show them, in {@link Locale#ROOT} so
 * reports do not depend on the machine's locale. Table cells and names go through {@link
 * io.migrationstudio.core.report.MarkdownTable}.
 */
final class ReportUnits {
  private ReportUnits() {}

  /** {@code 15,607}. */
  static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  /** Bytes in binary units: {@code 512 B}, {@code 8.0 KiB}, {@code 1.25 GiB}. */
  static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
    double v = n;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(
        Locale.ROOT, v >= 100 ? "%.0f %s" : v >= 10 ? "%.1f %s" : "%.2f %s", v, units[u]);
  }

  /**
   * A duration for people: {@code 0.04 s}, {@code 12.3 s}, {@code 3 min 20 s}, {@code 2 h 05 min}.
   */
  static String duration(double seconds) {
    if (seconds < 1) {
      return String.format(Locale.ROOT, "%.2f s", seconds);
    }
    if (seconds < 60) {
      return String.format(Locale.ROOT, "%.1f s", seconds);
    }
    long s = Math.round(seconds);
    if (s < 3600) {
      return String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60);
    }
    return String.format(Locale.ROOT, "%d h %02d min", s / 3600, (s % 3600) / 60);
  }
}
