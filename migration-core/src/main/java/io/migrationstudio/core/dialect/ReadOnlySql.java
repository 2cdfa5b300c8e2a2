package io.migrationstudio.core.dialect;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The early check that a user's query (the spec's {@code validation.queries}) only reads: one
 * statement, starting with {@code SELECT}, {@code WITH}, {@code VALUES}, {@code TABLE} or a
 * parenthesis, and no word outside literals, quoted names and comments that writes, locks or has a
 * side effect ({@code INSERT}, {@code UPDATE}, {@code DELETE}, {@code MERGE}, DDL, {@code INTO},
 * {@code FOR UPDATE}, {@code nextval}, {@code setval}, {@code set_config}, ...: a writable CTE or a
 * {@code SELECT ... INTO} is refused). It is a guard rail that names the problem before anything
 * runs, not the guarantee: the queries run in read-only transactions that are rolled back ({@link
 * Dialect#beginReadOnlyTransaction}), which is what refuses a function that writes.
 *
 * <p>The text is lexed twice, as PostgreSQL and as MariaDB read it (backslash escapes, {@code #}
 * comments, executable comments), and a word found in either reading counts, so no quoting or
 * comment trick of either engine hides one; dollar-quoted strings are refused outright.
 */
public final class ReadOnlySql {
  private static final Set<String> FIRST_WORDS = Set.of("select", "with", "values", "table");

  private static final Set<String> WRITING_WORDS =
      Set.of(
          "insert",
          "update",
          "delete",
          "merge",
          "upsert",
          "truncate",
          "drop",
          "alter",
          "create",
          "rename",
          "grant",
          "revoke",
          "copy",
          "call",
          "lock",
          "into",
          "handler",
          "load",
          "nextval",
          "setval",
          "set_config",
          "lo_import",
          "lo_export",
          "lo_unlink",
          "lo_create",
          "lo_put",
          "dblink_exec",
          "pg_terminate_backend",
          "pg_cancel_backend",
          "pg_reload_conf",
          "pg_advisory_lock",
          "pg_advisory_xact_lock",
          "get_lock",
          "sleep",
          "pg_sleep",
          "benchmark");

  private ReadOnlySql() {}

  /** Why {@code sql} is not accepted as a read-only query; empty when it is. */
  public static Optional<String> refusal(String sql) {
    if (sql == null || sql.isBlank()) {
      return Optional.of("the query is empty");
    }
    if (sql.matches("(?s).*\\$[A-Za-z_0-9]*\\$.*")) {
      return Optional.of(
          "dollar-quoted strings ($$...$$) are not accepted in a read-only query; use '...'");
    }
    for (boolean mariaDb : new boolean[] {false, true}) {
      Optional<String> why = check(code(sql, mariaDb));
      if (why.isPresent()) {
        return why;
      }
    }
    return Optional.empty();
  }

  private static Optional<String> check(String code) {
    String trimmed = code.strip();
    while (trimmed.endsWith(";")) {
      trimmed = trimmed.substring(0, trimmed.length() - 1).strip();
    }
    if (trimmed.contains(";")) {
      return Optional.of("it holds more than one statement (a ';' before the end)");
    }
    List<String> words = words(trimmed);
    if (words.isEmpty() && !trimmed.startsWith("(")) {
      return Optional.of("it holds no statement");
    }
    if (!trimmed.startsWith("(") && !FIRST_WORDS.contains(words.get(0))) {
      return Optional.of(
          "it starts with "
              + words.get(0).toUpperCase(Locale.ROOT)
              + "; a read-only query starts with SELECT, WITH, VALUES or TABLE");
    }
    for (int i = 0; i < words.size(); i++) {
      String w = words.get(i);
      if (WRITING_WORDS.contains(w)) {
        return Optional.of(
            "it uses "
                + w.toUpperCase(Locale.ROOT)
                + ", which writes, locks or has a side effect; validation queries only read");
      }
      if (w.equals("next")
          && i + 2 < words.size()
          && words.get(i + 1).equals("value")
          && words.get(i + 2).equals("for")) {
        return Optional.of("it uses NEXT VALUE FOR, which advances a sequence");
      }
    }
    return Optional.empty();
  }

  /** The words of code, lower-cased. */
  private static List<String> words(String code) {
    List<String> out = new ArrayList<>();
    for (String w : code.toLowerCase(Locale.ROOT).split("[^a-z0-9_]+")) {
      if (!w.isEmpty()) {
        out.add(w);
      }
    }
    return out;
  }

  /**
   * {@code sql} with comments, string literals and quoted names replaced by a blank: what is left
   * is code. {@code mariaDb}: lex as MariaDB does (backslash escapes in literals, {@code #} and
   * {@code -- } comments, {@code /*! ... *}{@code /} executed as code); otherwise as PostgreSQL
   * does ({@code --} comments, nested block comments).
   */
  static String code(String sql, boolean mariaDb) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    int n = sql.length();
    while (i < n) {
      char ch = sql.charAt(i);
      char next = i + 1 < n ? sql.charAt(i + 1) : '\0';
      if ((ch == '-' && next == '-' && (!mariaDb || i + 2 >= n || sql.charAt(i + 2) <= ' '))
          || (mariaDb && ch == '#')) {
        int end = sql.indexOf('\n', i);
        i = end < 0 ? n : end + 1;
        out.append(' ');
      } else if (ch == '/' && next == '*') {
        if (mariaDb && i + 2 < n && (sql.charAt(i + 2) == '!' || sql.charAt(i + 2) == 'M')) {
          out.append(' '); // an executable comment: its text is code
          i += 2;
          continue;
        }
        int depth = 1;
        int j = i + 2;
        while (j < n && depth > 0) {
          if (sql.startsWith("*/", j)) {
            depth--;
            j += 2;
          } else if (!mariaDb && sql.startsWith("/*", j)) {
            depth++;
            j += 2;
          } else {
            j++;
          }
        }
        i = j;
        out.append(' ');
      } else if (ch == '\'' || ch == '"' || ch == '`') {
        int j = i + 1;
        while (j < n && sql.charAt(j) != ch) {
          j += mariaDb && ch != '`' && sql.charAt(j) == '\\' ? 2 : 1;
        }
        i = Math.min(n, j + 1);
        out.append(' ');
      } else {
        out.append(ch);
        i++;
      }
    }
    return out.toString();
  }
}
