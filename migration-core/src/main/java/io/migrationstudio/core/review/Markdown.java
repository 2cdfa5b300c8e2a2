package io.migrationstudio.core.review;

import java.util.List;

/** Markdown table cells that cannot break the table: pipes escaped, line breaks made visible. */
final class Markdown {
  static final String NULL = "_NULL_";

  private Markdown() {}

  /** A cell value, cut to {@code width} code points (the last one an ellipsis) when longer. */
  static String cell(String value, int width) {
    if (value == null) {
      return NULL;
    }
    String v = value;
    if (v.codePointCount(0, v.length()) > width) {
      v = v.substring(0, v.offsetByCodePoints(0, width - 1)) + "…";
    }
    return escape(v);
  }

  /** A cell without truncation. */
  static String escape(String value) {
    if (value == null) {
      return "";
    }
    if (value.isEmpty()) {
      return "''";
    }
    return value
        .replace("\\", "\\\\")
        .replace("|", "\\|")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n");
  }

  static void row(StringBuilder out, List<String> cells) {
    out.append("| ").append(String.join(" | ", cells)).append(" |\n");
  }

  static void header(StringBuilder out, List<String> names) {
    row(out, names);
    out.append("|").append("---|".repeat(names.size())).append("\n");
  }
}
