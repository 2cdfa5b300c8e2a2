package io.migrationstudio.testkit;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Splits a MySQL/MariaDB script the way the {@code mariadb} client does and runs it over JDBC.
 * Understands {@code DELIMITER} lines (for trigger and routine bodies), single/double-quoted
 * strings (doubled quotes, and backslash escapes unless the session runs with {@code
 * NO_BACKSLASH_ESCAPES}), backtick identifiers, {@code --}, {@code #} and {@code /* *}{@code /}
 * comments (dropped) and version comments {@code /*!NNNNN ... *}{@code /} (kept: the server
 * executes them). CRLF line ends are accepted.
 */
public final class MariaDbScript {
  private MariaDbScript() {}

  /** The statements of a script, without their delimiters; blank ones dropped. */
  public static List<String> split(String script, boolean backslashEscapes) {
    String s = script.replace("\r\n", "\n").replace('\r', '\n');
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    String delimiter = ";";
    int n = s.length();
    int i = 0;
    while (i < n) {
      if ((i == 0 || s.charAt(i - 1) == '\n') && startsWithIgnoreCase(s, i, "DELIMITER ")) {
        add(out, cur);
        int eol = s.indexOf('\n', i);
        int end = eol < 0 ? n : eol;
        delimiter = s.substring(i + "DELIMITER ".length(), end).trim();
        if (delimiter.isEmpty()) {
          throw new IllegalArgumentException("DELIMITER without a delimiter at offset " + i);
        }
        i = end;
        continue;
      }
      char c = s.charAt(i);
      if (c == '\'' || c == '"' || c == '`') {
        int end = quotedEnd(s, i, backslashEscapes && c != '`');
        cur.append(s, i, end);
        i = end;
      } else if (c == '-'
          && s.startsWith("--", i)
          && (i + 2 >= n || Character.isWhitespace(s.charAt(i + 2)))) {
        i = lineEnd(s, i);
      } else if (c == '#') {
        i = lineEnd(s, i);
      } else if (c == '/' && s.startsWith("/*", i)) {
        int close = s.indexOf("*/", i + 2);
        int end = close < 0 ? n : close + 2;
        if (s.startsWith("/*!", i)) {
          cur.append(s, i, end);
        } else {
          cur.append(' ');
        }
        i = end;
      } else if (s.startsWith(delimiter, i)) {
        add(out, cur);
        i += delimiter.length();
      } else {
        cur.append(c);
        i++;
      }
    }
    add(out, cur);
    return out;
  }

  /** Runs the statements in order on one session; a failure names the statement. */
  public static void run(Connection connection, List<String> statements) throws SQLException {
    try (Statement st = connection.createStatement()) {
      for (String sql : statements) {
        try {
          st.execute(sql);
        } catch (SQLException e) {
          String head = sql.length() > 200 ? sql.substring(0, 200) + "..." : sql;
          throw new SQLException(
              "script statement failed: " + e.getMessage() + "\n  in: " + head,
              e.getSQLState(),
              e.getErrorCode(),
              e);
        }
      }
    }
  }

  private static int quotedEnd(String s, int start, boolean backslashEscapes) {
    char q = s.charAt(start);
    int i = start + 1;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (backslashEscapes && c == '\\') {
        i += 2;
      } else if (c == q) {
        if (i + 1 < s.length() && s.charAt(i + 1) == q) {
          i += 2;
        } else {
          return i + 1;
        }
      } else {
        i++;
      }
    }
    throw new IllegalArgumentException("unterminated " + q + " quote starting at offset " + start);
  }

  private static int lineEnd(String s, int i) {
    int eol = s.indexOf('\n', i);
    return eol < 0 ? s.length() : eol;
  }

  private static boolean startsWithIgnoreCase(String s, int i, String prefix) {
    return s.regionMatches(true, i, prefix, 0, prefix.length());
  }

  private static void add(List<String> out, StringBuilder cur) {
    String sql = cur.toString().strip();
    if (!sql.isEmpty()) {
      out.add(sql);
    }
    cur.setLength(0);
  }

  /** Whether a statement creates, drops or selects a whole database (stripped by loaders). */
  static boolean isDatabaseLevel(String sql) {
    String u = sql.toUpperCase(Locale.ROOT).replaceAll("\\s+", " ");
    return u.startsWith("USE ")
        || u.startsWith("DROP DATABASE")
        || u.startsWith("DROP SCHEMA")
        || u.startsWith("CREATE DATABASE")
        || u.startsWith("CREATE SCHEMA");
  }
}
