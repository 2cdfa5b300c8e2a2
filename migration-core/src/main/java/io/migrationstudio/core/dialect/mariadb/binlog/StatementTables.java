package io.migrationstudio.core.dialect.mariadb.binlog;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The tables a statement of the binlog's QUERY events changes, read from the statement's head: the
 * table of {@code ALTER TABLE}, {@code CREATE OR REPLACE TABLE}, {@code TRUNCATE}, the tables of
 * {@code DROP TABLE a, b} and {@code RENAME TABLE a TO b, c TO d} (both sides), the target of a
 * statement-based {@code INSERT}/{@code REPLACE}/{@code UPDATE}/{@code DELETE}, and every table of
 * a dropped database ({@code DROP DATABASE}: reported as the table {@code *}). Names elsewhere in
 * the statement (columns, a foreign key's table) are not the statement's target and are ignored.
 */
final class StatementTables {
  private StatementTables() {}

  /** What a statement does to which tables; {@code verb} is upper case. */
  record Target(String verb, List<QualifiedName> tables) {}

  /** A table, {@code database} resolved against the statement's default database. */
  record QualifiedName(String database, String table) {}

  private static final Pattern TOKEN =
      Pattern.compile(
          "\\s*(?:(/\\*.*?\\*/)|(`(?:[^`]|``)*`|[\\w$]+)|(\\.)|(,)|(\\S))", Pattern.DOTALL);

  private static final Set<String> NOISE =
      Set.of(
          "TABLE",
          "TABLES",
          "ONLINE",
          "IGNORE",
          "TEMPORARY",
          "IF",
          "NOT",
          "EXISTS",
          "INTO",
          "FROM",
          "LOW_PRIORITY",
          "QUICK",
          "DELAYED",
          "HIGH_PRIORITY",
          "OR",
          "REPLACE");

  /** The statement's target, or null for a statement that changes no table (BEGIN, GRANT...). */
  static Target of(String sql, String defaultDatabase) {
    List<String> tokens = tokens(sql);
    if (tokens.isEmpty()) {
      return null;
    }
    String verb = tokens.get(0).toUpperCase(Locale.ROOT);
    if (verb.equals("CREATE")) {
      // only CREATE OR REPLACE replaces an existing table
      if (tokens.size() < 3 || !tokens.get(1).equalsIgnoreCase("OR")) {
        return null;
      }
      verb = "CREATE OR REPLACE";
    }
    if (verb.equals("DROP")
        && tokens.size() > 1
        && (tokens.get(1).equalsIgnoreCase("DATABASE")
            || tokens.get(1).equalsIgnoreCase("SCHEMA"))) {
      List<String> rest = tokens.subList(2, tokens.size());
      rest = skipNoise(rest);
      return rest.isEmpty()
          ? null
          : new Target("DROP DATABASE", List.of(new QualifiedName(unquote(rest.get(0)), "*")));
    }
    boolean list;
    switch (verb) {
      case "ALTER", "CREATE OR REPLACE", "INSERT", "REPLACE", "UPDATE" -> list = false;
      case "DROP", "RENAME", "TRUNCATE", "DELETE" -> list = true;
      default -> {
        return null;
      }
    }
    if ((verb.equals("ALTER") || verb.equals("DROP") || verb.equals("RENAME"))
        && !(tokens.size() > 1 && tokens.get(1).toUpperCase(Locale.ROOT).startsWith("TABLE"))
        && !(tokens.size() > 2
            && (tokens.get(1).equalsIgnoreCase("ONLINE")
                || tokens.get(1).equalsIgnoreCase("IGNORE")
                || tokens.get(1).equalsIgnoreCase("TEMPORARY"))
            && tokens.get(2).toUpperCase(Locale.ROOT).startsWith("TABLE"))) {
      return null; // ALTER VIEW, DROP INDEX, DROP USER...
    }
    List<String> rest =
        skipNoise(tokens.subList(verb.equals("CREATE OR REPLACE") ? 3 : 1, tokens.size()));
    List<QualifiedName> names = new ArrayList<>();
    int i = 0;
    while (i < rest.size()) {
      String first = rest.get(i);
      if (!isName(first)) {
        break;
      }
      String db = defaultDatabase;
      String table = unquote(first);
      if (i + 2 < rest.size() && rest.get(i + 1).equals(".") && isName(rest.get(i + 2))) {
        db = table;
        table = unquote(rest.get(i + 2));
        i += 3;
      } else {
        i++;
      }
      names.add(new QualifiedName(db, table));
      if (!list || i >= rest.size()) {
        break;
      }
      String next = rest.get(i);
      if (next.equals(",") || (verb.equals("RENAME") && next.equalsIgnoreCase("TO"))) {
        i++;
      } else {
        break;
      }
    }
    return names.isEmpty() ? null : new Target(verb, List.copyOf(names));
  }

  private static List<String> skipNoise(List<String> tokens) {
    int i = 0;
    while (i < tokens.size() && NOISE.contains(tokens.get(i).toUpperCase(Locale.ROOT))) {
      i++;
    }
    return tokens.subList(i, tokens.size());
  }

  private static boolean isName(String token) {
    return token.startsWith("`")
        || Character.isLetterOrDigit(token.charAt(0))
        || token.charAt(0) == '_'
        || token.charAt(0) == '$';
  }

  private static List<String> tokens(String sql) {
    List<String> out = new ArrayList<>();
    Matcher m = TOKEN.matcher(sql);
    while (out.size() < 200 && m.lookingAt()) {
      if (m.group(1) == null) {
        out.add(m.group().trim());
      }
      m.region(m.end(), sql.length());
    }
    return out;
  }

  static String unquote(String identifier) {
    return identifier.startsWith("`")
        ? identifier.substring(1, identifier.length() - 1).replace("``", "`")
        : identifier;
  }
}
