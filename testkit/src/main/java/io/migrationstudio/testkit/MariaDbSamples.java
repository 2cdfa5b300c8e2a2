package io.migrationstudio.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The MySQL sample databases bundled under {@code testdata/} (copies of the shared test data, with
 * their licences), loaded through JDBC into a test database. Each script's own {@code DROP/CREATE
 * DATABASE} and {@code USE} statements are dropped so it lands in the given database.
 */
public final class MariaDbSamples {
  private static final Pattern SAKILA_QUALIFIER = Pattern.compile("\\bsakila\\.");

  /** MySQL 5.7+ version comments, which MariaDB ignores: {@code /*!50705 ... *}{@code /}. */
  private static final Pattern MYSQL57_COMMENT =
      Pattern.compile("/\\*!5[0-9]{4} (.*?)\\*/", Pattern.DOTALL);

  private MariaDbSamples() {}

  /**
   * Chinook 1.4.5 ({@code Chinook_MySql.sql}, MIT): 11 PascalCase tables, 15 607 rows. Loaded with
   * {@code NO_BACKSLASH_ESCAPES} so that the four track names holding a backslash keep it, as in
   * {@code Chinook_PostgreSql.sql}.
   */
  public static void loadChinook(TestMariaDb db) {
    String script = resource("testdata/chinook/Chinook_MySql.sql");
    load(
        db,
        List.of(script),
        false,
        "SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES')");
  }

  /**
   * Sakila ({@code sakila-schema.sql} and {@code sakila-data.sql}, CC BY-SA 3.0, see {@code
   * testdata/sakila/mysql/README.md}): 16 tables, 7 views, 3 triggers, 3 procedures, 3 functions,
   * the spatial column {@code address.location}. The views' {@code sakila.} qualifiers are
   * rewritten to the test database's name, so any database name works. MariaDB ignores MySQL 5.7+
   * version comments ({@code /*!50705 ...*}{@code /}), in which Sakila hides the spatial column,
   * its index and values, and the InnoDB engine of {@code film_text}: their content is unwrapped so
   * that MariaDB loads the same database as MySQL 8.
   */
  public static void loadSakila(TestMariaDb db) {
    String quotedName = "`" + db.name().replace("`", "``") + "`.";
    String schema =
        SAKILA_QUALIFIER
            .matcher(resource("testdata/sakila/mysql/sakila-schema.sql"))
            .replaceAll(Matcher.quoteReplacement(quotedName));
    String data = resource("testdata/sakila/mysql/sakila-data.sql");
    load(db, List.of(unwrapMysql57(schema), unwrapMysql57(data)), true, null);
  }

  private static String unwrapMysql57(String script) {
    return MYSQL57_COMMENT.matcher(script).replaceAll(m -> Matcher.quoteReplacement(m.group(1)));
  }

  private static void load(
      TestMariaDb db, List<String> scripts, boolean backslashEscapes, String sessionSetup) {
    try (Connection c = db.connect()) {
      if (sessionSetup != null) {
        try (Statement s = c.createStatement()) {
          s.execute(sessionSetup);
        }
      }
      for (String script : scripts) {
        List<String> statements =
            MariaDbScript.split(script, backslashEscapes).stream()
                .filter(sql -> !MariaDbScript.isDatabaseLevel(sql))
                .toList();
        MariaDbScript.run(c, statements);
      }
      if (!c.getAutoCommit()) {
        c.commit();
      }
    } catch (SQLException e) {
      throw new IllegalStateException(
          "cannot load sample into " + db.name() + ": " + e.getMessage(), e);
    }
  }

  private static String resource(String path) {
    try (InputStream in = MariaDbSamples.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("test data resource " + path + " is missing");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }
}
