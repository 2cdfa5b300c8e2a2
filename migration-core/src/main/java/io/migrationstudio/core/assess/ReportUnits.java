package io.migrationstudio.core.assess;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Small Markdown helpers for the assessment reports. Identifiers are shown as code spans whose
 * fence is longer than any backtick run in the name, and table cells escape {@code |} and line
 * breaks, so hostile names (quotes, pipes, backticks, newlines) cannot break a report's layout.
 * Numbers use {@link Locale#ROOT} so reports do not depend on the machine's locale.
 */
final class Markdown {
  private static final Pattern BACKTICKS = Pattern.compile("`+");

  private Markdown() {}

  /** A name as an inline code span, safe inside a table cell. */
  static String code(String name) {
    if (name == null) {
      return "";
    }
    int longest = 0;
    Matcher m = BACKTICKS.matcher(name);
    while (m.find()) {
      longest = Math.max(longest, m.end() - m.start());
    }
    String fence = "`".repeat(longest + 1);
    String pad = name.startsWith("`") || name.endsWith("`") || name.isBlank() ? " " : "";
    return cell(fence + pad + name + pad + fence);
  }

  /** Names as code spans joined by {@code , }. */
  static String codes(List<String> names) {
    return String.join(", ", names.stream().map(Markdown::code).toList());
  }

  /** Text safe inside a table cell: pipes escaped, line breaks flattened. */
  static String cell(String text) {
    if (text == null) {
      return "";
    }
    return text.replace("|", "\\|").replace("\r\n", " ").replace('\n', ' ').replace('\r', ' ');
  }

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
