package io.migrationstudio.core.report;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How row values appear in evidence (the dry run's sample rows, and any other file that shows
 * source data): masked unless the spec lists the table or column under {@code
 * mapping.evidence.plain}, so a migration branch is safe to push to a shared git host.
 *
 * <p>A masked value keeps its shape and nothing else: every letter becomes {@code x}, every digit
 * {@code #}, common punctuation and blanks stay, any other character becomes {@code *}. So an
 * e-mail shows as {@code xxxx.xxx@xxxxxxx.xxx}, a phone as {@code +## (###) ###-####}, a date as
 * {@code ####-##-##}, a number as {@code -####.##}: lengths, formats and magnitudes can be
 * reviewed, values cannot be read. Binary values show their length only ({@code <16 bytes>}); plain
 * binary values are shown as hex ({@code \x0a1b...}), never as raw bytes. NULL stays NULL.
 *
 * <p>Besides rows, findings quote source values: example row keys ({@link #key}), the largest value
 * seen, and messages of failed casts or expressions that quote the failing value ({@link #quoted});
 * all go through the same mask.
 *
 * <p>Plain entries are source names: {@code table} (every column of the table), {@code
 * table.column}, or {@code *} (everything plain).
 */
public final class EvidenceMask {
  private static final String KEPT = " .,:;@-_+/()[]{}'\"#&=?!%$<>~^`|\\\t\n\r";
  private static final EvidenceMask MASKED = new EvidenceMask(Set.of());

  /** A quoted segment of a message: {@code '...'} or {@code "..."}. */
  private static final Pattern QUOTED = Pattern.compile("'[^']*'|\"[^\"]*\"");

  private final Set<String> plain;

  private EvidenceMask(Set<String> plain) {
    this.plain = Set.copyOf(plain);
  }

  /** Everything masked: the default. */
  public static EvidenceMask masked() {
    return MASKED;
  }

  /** Masked except the listed tables and {@code table.column}s ({@code *}: nothing masked). */
  public static EvidenceMask plain(List<String> entries) {
    return entries == null || entries.isEmpty() ? MASKED : new EvidenceMask(Set.copyOf(entries));
  }

  /** Whether the values of {@code table.column} are shown as they are. */
  public boolean isPlain(String table, String column) {
    return plain.contains("*") || plain.contains(table) || plain.contains(table + "." + column);
  }

  /** A text value of {@code table.column} as evidence shows it; null stays null. */
  public String text(String table, String column, String value) {
    return value == null || isPlain(table, column) ? value : shape(value);
  }

  /** A binary value of {@code table.column}: hex when plain, its length otherwise. */
  public String bytes(String table, String column, byte[] value) {
    if (value == null) {
      return null;
    }
    return isPlain(table, column) ? hex(value) : "<" + value.length + " bytes>";
  }

  /**
   * A row key as findings show it: one value, or {@code (a, b)}; each value masked unless its key
   * column (of {@code table}) is plain.
   */
  public String key(String table, List<String> columns, List<String> values) {
    List<String> parts = new ArrayList<>(values.size());
    for (int i = 0; i < values.size(); i++) {
      String column = i < columns.size() ? columns.get(i) : null;
      parts.add(String.valueOf(text(table, column, values.get(i))));
    }
    return parts.size() == 1 ? parts.get(0) : "(" + String.join(", ", parts) + ")";
  }

  /**
   * A message that may quote values of {@code table.column} (a database error such as {@code
   * invalid input syntax for type integer: "twelve"}, an expression's failure): unless plain, every
   * quoted segment ({@code '...'}, {@code "..."}) is shown as its shape, except segments that
   * overlap an occurrence of a string in {@code keep} (names of tables, columns, types,
   * expressions: not values). {@code column} null: plain only when the table is.
   */
  public String quoted(String table, String column, String message, Collection<String> keep) {
    if (message == null || isPlain(table, column == null ? "\u0000" : column)) {
      return message;
    }
    List<int[]> names = new ArrayList<>();
    for (String k : keep) {
      if (k == null || k.isEmpty()) {
        continue;
      }
      for (int at = message.indexOf(k); at >= 0; at = message.indexOf(k, at + 1)) {
        names.add(new int[] {at, at + k.length()});
      }
    }
    Matcher m = QUOTED.matcher(message);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      int start = m.start();
      int end = m.end();
      boolean name = names.stream().anyMatch(n -> n[0] < end && start < n[1]);
      String q = m.group();
      String shown =
          name ? q : q.charAt(0) + shape(q.substring(1, q.length() - 1)) + q.charAt(q.length() - 1);
      m.appendReplacement(sb, Matcher.quoteReplacement(shown));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  /** {@code \x} and the lower-case hex digits of the bytes. */
  public static String hex(byte[] value) {
    return "\\x" + HexFormat.of().formatHex(value);
  }

  /**
   * The shape of a value: letters {@code x}, digits {@code #}, punctuation kept, rest {@code *}.
   */
  public static String shape(String value) {
    StringBuilder out = new StringBuilder(value.length());
    value
        .codePoints()
        .forEach(
            cp -> {
              if (Character.isLetter(cp)) {
                out.append('x');
              } else if (Character.isDigit(cp)) {
                out.append('#');
              } else if (cp < 128 && KEPT.indexOf(cp) >= 0) {
                out.appendCodePoint(cp);
              } else {
                out.append('*');
              }
            });
    return out.toString();
  }
}
