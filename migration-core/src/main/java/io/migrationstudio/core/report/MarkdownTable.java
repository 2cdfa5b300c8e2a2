package io.migrationstudio.core.report;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one Markdown table renderer of every report: one escaping rule for a cell, so a value or a
 * hostile name (pipes, backslashes, line breaks, backticks) can neither break a table's layout nor
 * look like another value.
 *
 * <p>The rule ({@link #cell}): {@code \} becomes {@code \\} and {@code |} becomes {@code \|} (GFM
 * splits cells before it reads escapes, so the pipe stays in its cell); each line break ({@code
 * \r\n}, {@code \r}, {@code \n}) becomes the two characters {@code \n}, visible and unambiguous;
 * null is the empty cell. Everything else is kept as it is: backticks (prose may format code in a
 * cell; a pipe inside a code span is still escaped), leading and trailing spaces (GFM trims them on
 * display; the raw report keeps them), the empty string. Values of data (rows, sampled values) go
 * through {@link #value}, which also tells {@code NULL} from the empty string.
 */
public final class MarkdownTable {
  /** How a data value that is SQL {@code NULL} is shown. */
  public static final String NULL = "_NULL_";

  /** How a data value that is the empty string is shown. */
  public static final String EMPTY = "''";

  private static final Pattern BACKTICKS = Pattern.compile("`+");

  private MarkdownTable() {}

  /** Text safe inside a table cell (see the class comment for the rule). */
  public static String cell(String text) {
    if (text == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(text.length() + 8);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '|' -> out.append("\\|");
        case '\r' -> {
          out.append("\\n");
          if (i + 1 < text.length() && text.charAt(i + 1) == '\n') {
            i++;
          }
        }
        case '\n' -> out.append("\\n");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  /**
   * A data value: {@link #NULL} for null, {@link #EMPTY} for the empty string, else cut to {@code
   * width} code points (the last one an ellipsis) when longer, and escaped as a {@link #cell}.
   */
  public static String value(String value, int width) {
    if (value == null) {
      return NULL;
    }
    if (value.isEmpty()) {
      return EMPTY;
    }
    String v = value;
    if (v.codePointCount(0, v.length()) > width) {
      v = v.substring(0, v.offsetByCodePoints(0, width - 1)) + "…";
    }
    return cell(v);
  }

  /**
   * A name as an inline code span, safe inside a table cell: the fence is longer than any backtick
   * run in the name (padded with a space when the name starts or ends with one, or is blank); pipes
   * are escaped and line breaks become spaces (a code span shows backslashes as they are, so
   * nothing else is escaped). Null is the empty cell.
   */
  public static String code(String name) {
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
    String inner =
        name.replace("|", "\\|").replace("\r\n", " ").replace('\n', ' ').replace('\r', ' ');
    return fence + pad + inner + pad + fence;
  }

  /** Names as code spans joined by {@code , }. */
  public static String codes(List<String> names) {
    return String.join(", ", names.stream().map(MarkdownTable::code).toList());
  }

  /** One row of cells already rendered: {@code | a | b |} and a line break. */
  public static void row(StringBuilder out, List<String> cells) {
    out.append("| ").append(String.join(" | ", cells)).append(" |\n");
  }

  /** A header row of {@code names} (already rendered) and its left-aligned separator line. */
  public static void header(StringBuilder out, List<String> names) {
    row(out, names);
    out.append("|").append("---|".repeat(names.size())).append("\n");
  }
}
