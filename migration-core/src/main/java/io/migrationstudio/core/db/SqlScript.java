package io.migrationstudio.core.db;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Splits a SQL script into statements and runs them. Understands single-quoted strings,
 * double-quoted identifiers, {@code --} and {@code /* *}{@code /} comments, PostgreSQL dollar
 * quoting, and skips psql meta-commands (lines starting with a backslash). Used to load the bundled
 * sample databases for the demo and the tests.
 */
public final class SqlScript {
  private SqlScript() {}

  /** The statements of a script, comments kept inside statements, empty ones dropped. */
  public static List<String> split(String script) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    int n = script.length();
    int i = 0;
    boolean lineStart = true;
    while (i < n) {
      char c = script.charAt(i);
      if (lineStart && c == '\\') {
        int eol = script.indexOf('\n', i);
        i = eol < 0 ? n : eol + 1;
        continue;
      }
      lineStart = false;
      if (c == '\'' || c == '"') {
        int end = i + 1;
        while (end < n) {
          if (script.charAt(end) == c) {
            if (end + 1 < n && script.charAt(end + 1) == c) {
              end += 2;
              continue;
            }
            break;
          }
          end++;
        }
        cur.append(script, i, Math.min(end + 1, n));
        i = end + 1;
      } else if (c == '-' && i + 1 < n && script.charAt(i + 1) == '-') {
        int eol = script.indexOf('\n', i);
        i = eol < 0 ? n : eol;
      } else if (c == '/' && i + 1 < n && script.charAt(i + 1) == '*') {
        int end = script.indexOf("*/", i + 2);
        i = end < 0 ? n : end + 2;
      } else if (c == '$' && dollarTag(script, i) != null) {
        String tag = dollarTag(script, i);
        int end = script.indexOf(tag, i + tag.length());
        int stop = end < 0 ? n : end + tag.length();
        cur.append(script, i, stop);
        i = stop;
      } else if (c == ';') {
        add(out, cur);
        cur.setLength(0);
        i++;
      } else {
        cur.append(c);
        if (c == '\n') {
          lineStart = true;
        }
        i++;
      }
    }
    add(out, cur);
    return out;
  }

  private static String dollarTag(String s, int i) {
    int j = i + 1;
    while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_')) {
      j++;
    }
    if (j < s.length() && s.charAt(j) == '$') {
      String tag = s.substring(i, j + 1);
      return tag.length() == 2 || Character.isLetter(tag.charAt(1)) || tag.charAt(1) == '_'
          ? tag
          : null;
    }
    return null;
  }

  private static void add(List<String> out, StringBuilder cur) {
    String s = cur.toString().strip();
    if (!s.isEmpty()) {
      out.add(s);
    }
  }

  /**
   * Runs a script; {@code DROP DATABASE} / {@code CREATE DATABASE} statements are skipped so a
   * sample script loads into the database the caller chose.
   */
  public static int run(Connection connection, String script) throws SQLException {
    int count = 0;
    try (Statement st = connection.createStatement()) {
      for (String sql : split(script)) {
        String head = sql.toUpperCase(Locale.ROOT);
        if (head.startsWith("DROP DATABASE") || head.startsWith("CREATE DATABASE")) {
          continue;
        }
        st.execute(sql);
        count++;
      }
    }
    return count;
  }

  /** A script bundled as a class-path resource. */
  public static String resource(String path) {
    try (InputStream in = SqlScript.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalArgumentException("no bundled script " + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
