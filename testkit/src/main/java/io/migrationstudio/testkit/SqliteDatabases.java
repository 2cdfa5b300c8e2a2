package io.migrationstudio.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * SQLite test databases: files created in a directory the test owns (a JUnit {@code @TempDir}).
 *
 * <p>Chinook comes from {@code Chinook_Sqlite.sql} (Chinook 1.4.5, MIT licence, bundled with its
 * LICENSE.md under {@code testdata/chinook/}), run unchanged through the driver: the script's
 * leading {@code DROP TABLE IF EXISTS} statements are no-ops on a new file, and the whole script
 * runs in one transaction (one fsync instead of ~15 600).
 */
public final class SqliteDatabases {
  private static final String CHINOOK = "/testdata/chinook/Chinook_Sqlite.sql";

  private SqliteDatabases() {}

  /** The JDBC URL of a database file. */
  public static String url(Path file) {
    return "jdbc:sqlite:" + file.toAbsolutePath();
  }

  /** Creates {@code dir/chinook.db} from the bundled script and returns its path. */
  public static Path chinook(Path dir) {
    return create(dir.resolve("chinook.db"), script(CHINOOK));
  }

  /**
   * Creates a new database file and runs {@code script} (any number of ';'-separated statements) in
   * one transaction. Fails if the file already exists, so a test never reuses stale data.
   */
  public static Path create(Path file, String script) {
    if (Files.exists(file)) {
      throw new IllegalStateException("SQLite test database " + file + " already exists");
    }
    try (Connection c = DriverManager.getConnection(url(file));
        Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      s.executeUpdate(script); // the xerial driver runs every statement of the text
      c.commit();
    } catch (SQLException e) {
      throw new IllegalStateException("creating SQLite database " + file + " failed", e);
    }
    return file;
  }

  private static String script(String resource) {
    try (InputStream in = SqliteDatabases.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("test resource " + resource + " is missing");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
