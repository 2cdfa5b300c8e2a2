package io.migrationstudio.core.dialect.sqlite;

import java.util.ArrayList;
import java.util.List;

/**
 * The little SQL reading the catalog needs from the {@code sql} text SQLite keeps in {@code
 * sqlite_schema}: CHECK constraints, AUTOINCREMENT and each column's COLLATE and generation of a
 * CREATE TABLE, the WHERE predicate of a partial CREATE INDEX, the SELECT of a CREATE VIEW and its
 * column list.
 *
 * <p>It is a tokenizer, not a parser: it knows SQLite's four quotings ({@code 'string'}, {@code
 * "name"}, {@code [name]}, {@code `name`}, doubled quote characters inside), both comment styles
 * and parenthesis depth. That is enough because every piece wanted here is found by a keyword at a
 * known depth outside quotes, and its text is then cut from the original statement unchanged.
 */
final class SqliteSql {

  private SqliteSql() {}

  /** Token kinds: bare words (keywords, names, numbers), quoted names, strings, punctuation. */
  enum Kind {
    WORD,
    QUOTED,
    STRING,
    PUNCT
  }

  /** A token, its text span in the statement and the parenthesis depth it sits at. */
  record Token(Kind kind, String text, int start, int end, int depth) {
    boolean isWord(String word) {
      return kind == Kind.WORD && text.equalsIgnoreCase(word);
    }

    boolean isPunct(char c) {
      return kind == Kind.PUNCT && text.length() == 1 && text.charAt(0) == c;
    }
  }

  /**
   * A CHECK constraint: its name when the SQL gives one ({@code CONSTRAINT x CHECK}), else null.
   */
  record Check(String name, String expression) {}

  static List<Token> tokens(String sql) {
    List<Token> out = new ArrayList<>();
    int depth = 0;
    int i = 0;
    int n = sql.length();
    while (i < n) {
      char c = sql.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
        int eol = sql.indexOf('\n', i);
        i = eol < 0 ? n : eol + 1;
      } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
        int close = sql.indexOf("*/", i + 2);
        i = close < 0 ? n : close + 2;
      } else if (c == '\'' || c == '"' || c == '`' || c == '[') {
        char close = c == '[' ? ']' : c;
        int j = i + 1;
        while (j < n) {
          if (sql.charAt(j) == close) {
            if (close != ']' && j + 1 < n && sql.charAt(j + 1) == close) {
              j += 2; // doubled quote inside
              continue;
            }
            break;
          }
          j++;
        }
        int end = Math.min(j + 1, n);
        out.add(
            new Token(c == '\'' ? Kind.STRING : Kind.QUOTED, sql.substring(i, end), i, end, depth));
        i = end;
      } else if (Character.isLetterOrDigit(c) || c == '_' || c == '$' || c > 127) {
        int j = i + 1;
        while (j < n) {
          char d = sql.charAt(j);
          if (!(Character.isLetterOrDigit(d) || d == '_' || d == '$' || d > 127)) {
            break;
          }
          j++;
        }
        out.add(new Token(Kind.WORD, sql.substring(i, j), i, j, depth));
        i = j;
      } else {
        if (c == ')') {
          depth--;
        }
        out.add(new Token(Kind.PUNCT, String.valueOf(c), i, i + 1, depth));
        if (c == '(') {
          depth++;
        }
        i++;
      }
    }
    return out;
  }

  /** A name as written ({@code "a""b"}, {@code [x]}, {@code `y`} or bare) without its quoting. */
  static String unquote(String name) {
    if (name.length() >= 2) {
      char first = name.charAt(0);
      char last = name.charAt(name.length() - 1);
      if (first == '[' && last == ']') {
        return name.substring(1, name.length() - 1);
      }
      if ((first == '"' || first == '`' || first == '\'') && last == first) {
        String q = String.valueOf(first);
        return name.substring(1, name.length() - 1).replace(q + q, q);
      }
    }
    return name;
  }

  /**
   * The CHECK constraints of a CREATE TABLE statement in order of appearance, column and table
   * constraints alike, each expression as written between its parentheses.
   */
  static List<Check> checks(String createTable) {
    List<Token> t = tokens(createTable);
    List<Check> out = new ArrayList<>();
    for (int i = 0; i + 1 < t.size(); i++) {
      if (!t.get(i).isWord("CHECK") || !t.get(i + 1).isPunct('(')) {
        continue;
      }
      int open = i + 1;
      int close = matchingClose(t, open);
      if (close < 0) {
        break;
      }
      String name =
          i >= 2 && t.get(i - 2).isWord("CONSTRAINT") ? unquote(t.get(i - 1).text()) : null;
      String expression = createTable.substring(t.get(open).end(), t.get(close).start()).strip();
      out.add(new Check(name, expression));
      i = close;
    }
    return out;
  }

  /**
   * The text after the first {@code keyword} outside any parentheses, without a trailing semicolon,
   * or null: the predicate of {@code CREATE INDEX ... WHERE p}, the SELECT of {@code CREATE VIEW v
   * AS SELECT ...}.
   */
  static String afterTopLevelKeyword(String sql, String keyword) {
    for (Token token : tokens(sql)) {
      if (token.depth() == 0 && token.isWord(keyword)) {
        String rest = sql.substring(token.end()).strip();
        while (rest.endsWith(";")) {
          rest = rest.substring(0, rest.length() - 1).strip();
        }
        return rest;
      }
    }
    return null;
  }

  /**
   * Whether a CREATE TABLE statement declares {@code PRIMARY KEY [ASC|DESC] [ON CONFLICT x]
   * AUTOINCREMENT} (SQLite allows it on an INTEGER PRIMARY KEY column only); a column named
   * autoincrement is not the keyword.
   */
  static boolean autoincrement(String createTable) {
    List<Token> t = tokens(createTable);
    for (int i = 0; i < t.size(); i++) {
      if (t.get(i).depth() != 1 || !t.get(i).isWord("AUTOINCREMENT")) {
        continue;
      }
      int j = i - 1;
      if (j >= 2 && t.get(j - 2).isWord("ON") && t.get(j - 1).isWord("CONFLICT")) {
        j -= 3;
      }
      if (j >= 0 && (t.get(j).isWord("ASC") || t.get(j).isWord("DESC"))) {
        j--;
      }
      if (j >= 1 && t.get(j).isWord("KEY") && t.get(j - 1).isWord("PRIMARY")) {
        return true;
      }
    }
    return false;
  }

  /**
   * The column list of {@code CREATE VIEW v (a, b) AS ...}, names without their quoting; empty when
   * the statement declares none (the view's columns are then named by its SELECT).
   */
  static List<String> viewColumns(String createView) {
    List<Token> t = tokens(createView);
    int as = -1;
    for (int i = 0; i < t.size() && as < 0; i++) {
      if (t.get(i).depth() == 0 && t.get(i).isWord("AS")) {
        as = i;
      }
    }
    if (as < 1 || !t.get(as - 1).isPunct(')')) {
      return List.of();
    }
    int open = as - 1;
    while (open >= 0 && !(t.get(open).isPunct('(') && t.get(open).depth() == 0)) {
      open--;
    }
    List<String> out = new ArrayList<>();
    for (int i = open + 1; i < as - 1; i++) {
      Token token = t.get(i);
      if (token.kind() == Kind.WORD || token.kind() == Kind.QUOTED || token.kind() == Kind.STRING) {
        out.add(unquote(token.text()));
      }
    }
    return List.copyOf(out);
  }

  /**
   * What a column definition of a CREATE TABLE declares that no pragma shows: its {@code COLLATE}
   * (null when none) and, for a generated column, the expression between the parentheses of {@code
   * [GENERATED ALWAYS] AS (...)} and its kind ({@code VIRTUAL}, SQLite's default, or {@code
   * STORED}).
   */
  record ColumnClauses(String name, String collation, String generated, String generatedKind) {}

  /** The column definitions of a CREATE TABLE in order (table constraints are skipped). */
  static List<ColumnClauses> columnClauses(String createTable) {
    List<ColumnClauses> out = new ArrayList<>();
    for (List<Token> def : definitions(createTable)) {
      if (!isTableConstraint(def.get(0))) {
        out.add(column(createTable, def));
      }
    }
    return out;
  }

  /**
   * The definitions between the outer parentheses of a CREATE TABLE, each as its tokens (columns
   * and table constraints, in order; the separating commas left out).
   */
  private static List<List<Token>> definitions(String createTable) {
    List<Token> t = tokens(createTable);
    List<List<Token>> out = new ArrayList<>();
    int i = 0;
    while (i < t.size() && !t.get(i).isPunct('(')) {
      i++;
    }
    for (int from = i + 1; from < t.size(); ) {
      int to = from;
      while (to < t.size()
          && t.get(to).depth() >= 1
          && !(t.get(to).depth() == 1 && t.get(to).isPunct(','))) {
        to++;
      }
      if (to > from) {
        out.add(t.subList(from, to));
      }
      if (to >= t.size() || !t.get(to).isPunct(',')) {
        break;
      }
      from = to + 1;
    }
    return out;
  }

  private static boolean isTableConstraint(Token first) {
    return first.kind() == Kind.WORD
        && List.of("CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN")
            .contains(first.text().toUpperCase(java.util.Locale.ROOT));
  }

  private static ColumnClauses column(String sql, List<Token> def) {
    String collation = null;
    String generated = null;
    String kind = null;
    for (int i = 1; i < def.size(); i++) {
      Token token = def.get(i);
      if (token.depth() != 1) {
        continue;
      }
      if (token.isWord("COLLATE") && i + 1 < def.size()) {
        collation = unquote(def.get(i + 1).text());
      } else if (token.isWord("AS") && i + 1 < def.size() && def.get(i + 1).isPunct('(')) {
        int close = matchingClose(def, i + 1);
        if (close < 0) {
          break;
        }
        generated = sql.substring(def.get(i + 1).end(), def.get(close).start()).strip();
        boolean stored = close + 1 < def.size() && def.get(close + 1).isWord("STORED");
        kind = stored ? "STORED" : "VIRTUAL";
        i = close;
      }
    }
    return new ColumnClauses(unquote(def.get(0).text()), collation, generated, kind);
  }

  /**
   * The foreign keys of a CREATE TABLE declared {@code DEFERRABLE INITIALLY DEFERRED} (no pragma
   * shows it), each by its child columns without their quoting: a column's {@code REFERENCES}
   * clause names that column, a table's {@code FOREIGN KEY (a, b)} its list. {@code NOT
   * DEFERRABLE}, {@code DEFERRABLE} alone and {@code INITIALLY IMMEDIATE} are not deferred.
   */
  static List<List<String>> deferredForeignKeys(String createTable) {
    List<List<String>> out = new ArrayList<>();
    for (List<Token> def : definitions(createTable)) {
      if (deferred(def)) {
        out.add(childColumns(def));
      }
    }
    return out;
  }

  /** Whether a definition's tokens hold {@code DEFERRABLE INITIALLY DEFERRED} without NOT. */
  private static boolean deferred(List<Token> def) {
    for (int i = 0; i + 2 < def.size(); i++) {
      if (def.get(i).depth() == 1
          && def.get(i).isWord("DEFERRABLE")
          && !(i > 0 && def.get(i - 1).isWord("NOT"))
          && def.get(i + 1).isWord("INITIALLY")
          && def.get(i + 2).isWord("DEFERRED")) {
        return true;
      }
    }
    return false;
  }

  /** The child columns of a foreign key definition: {@code FOREIGN KEY (...)}'s or the column. */
  private static List<String> childColumns(List<Token> def) {
    for (int i = 0; i + 2 < def.size(); i++) {
      if (def.get(i).isWord("FOREIGN") && def.get(i + 1).isWord("KEY")) {
        List<String> cols = new ArrayList<>();
        int close = matchingClose(def, i + 2);
        for (int j = i + 3; j < close; j++) {
          if (!def.get(j).isPunct(',')) {
            cols.add(unquote(def.get(j).text()));
          }
        }
        return List.copyOf(cols);
      }
    }
    return List.of(unquote(def.get(0).text()));
  }

  private static int matchingClose(List<Token> t, int open) {
    int depth = t.get(open).depth();
    for (int j = open + 1; j < t.size(); j++) {
      if (t.get(j).isPunct(')') && t.get(j).depth() == depth) {
        return j;
      }
    }
    return -1;
  }
}
