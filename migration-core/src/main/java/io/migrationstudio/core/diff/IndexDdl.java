package io.migrationstudio.core.diff;

/**
 * An index's own DDL as a catalogue gives it, pointed at another table. PostgreSQL's {@code
 * pg_get_indexdef} names the table with its schema ({@code CREATE INDEX i ON s.t USING btree
 * (lower(name))}); run as is on a database whose table lives in another schema, it creates the
 * index in {@code s} or fails. {@link #onTable} replaces the table after {@code ON [ONLY]} (a
 * dotted name of bare or double-quoted identifiers, {@code ""} inside quotes) by the name the
 * diff's other statements use, and {@link #sameIgnoringTable} compares two definitions with their
 * tables left out (two schemas' catalogues name their own schema).
 */
final class IndexDdl {
  private IndexDdl() {}

  /** Where the table name is: {@code [start, end)} of the definition; null when not found. */
  private record Span(int start, int end) {}

  /** {@code definition} with its table replaced by {@code quotedTable}; as is when unparsable. */
  static String onTable(String definition, String quotedTable) {
    Span s = table(definition);
    return s == null
        ? definition
        : definition.substring(0, s.start) + quotedTable + definition.substring(s.end);
  }

  /** Equal definitions once each one's table is left out (spacing aside). */
  static boolean sameIgnoringTable(String a, String b) {
    if (a == null || b == null) {
      return a == b;
    }
    return SchemaDiff.norm(onTable(a, "_")).equals(SchemaDiff.norm(onTable(b, "_")));
  }

  /**
   * The table name of {@code CREATE [UNIQUE] INDEX [CONCURRENTLY] [IF NOT EXISTS] name ON [ONLY]
   * table ...}: the identifier chain after the first {@code ON} outside quotes.
   */
  private static Span table(String ddl) {
    int i = 0;
    int n = ddl.length();
    boolean afterOn = false;
    while (i < n) {
      char ch = ddl.charAt(i);
      if (Character.isWhitespace(ch)) {
        i++;
      } else if (ch == '"' && afterOn) {
        return chain(ddl, i);
      } else if (ch == '"') {
        i = quotedEnd(ddl, i);
        if (i < 0) {
          return null;
        }
      } else if (isWordChar(ch)) {
        int end = wordEnd(ddl, i);
        String word = ddl.substring(i, end);
        if (afterOn && word.equalsIgnoreCase("ONLY")) {
          i = end;
        } else if (afterOn) {
          return chain(ddl, i);
        } else {
          afterOn = word.equalsIgnoreCase("ON");
          i = end;
        }
      } else if (afterOn) {
        return chain(ddl, i);
      } else {
        i++;
      }
    }
    return null;
  }

  /** The dotted identifier chain starting at {@code start}; null when none starts there. */
  private static Span chain(String ddl, int start) {
    int i = start;
    while (true) {
      int end;
      if (i < ddl.length() && ddl.charAt(i) == '"') {
        end = quotedEnd(ddl, i);
      } else if (i < ddl.length() && isWordChar(ddl.charAt(i))) {
        end = wordEnd(ddl, i);
      } else {
        return null;
      }
      if (end < 0) {
        return null;
      }
      if (end < ddl.length() && ddl.charAt(end) == '.') {
        i = end + 1;
      } else {
        return new Span(start, end);
      }
    }
  }

  /** The index after the closing quote of the identifier opened at {@code open}; -1 if none. */
  private static int quotedEnd(String ddl, int open) {
    int i = open + 1;
    while (i < ddl.length()) {
      if (ddl.charAt(i) == '"') {
        if (i + 1 < ddl.length() && ddl.charAt(i + 1) == '"') {
          i += 2;
          continue;
        }
        return i + 1;
      }
      i++;
    }
    return -1;
  }

  private static int wordEnd(String ddl, int start) {
    int i = start;
    while (i < ddl.length() && isWordChar(ddl.charAt(i))) {
      i++;
    }
    return i;
  }

  private static boolean isWordChar(char ch) {
    return Character.isLetterOrDigit(ch) || ch == '_' || ch == '$';
  }
}
