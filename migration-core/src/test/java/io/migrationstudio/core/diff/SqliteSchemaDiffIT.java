package io.migrationstudio.core.diff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.core.spec.SecretResolver;
import io.migrationstudio.testkit.SqliteDatabases;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SchemaDiff} between two SQLite files writes what SQLite's {@code ALTER TABLE} can run (add
 * and drop columns, create and drop tables and indexes, a unique key as a unique index) and names
 * the rest as a table rebuild: every statement of the forward script that is not a comment runs on
 * the old file, after which only the changes SQLite needs a rebuild for remain.
 */
class SqliteSchemaDiffIT {
  private static final SecretResolver SECRETS = new SecretResolver(Map.of());

  @Test
  void theForwardScriptRunsOnSqliteAndNamesWhatNeedsARebuild(@TempDir Path dir) throws Exception {
    Path older =
        SqliteDatabases.create(
            dir.resolve("old.db"),
            "CREATE TABLE users (id INTEGER PRIMARY KEY, email VARCHAR(255) NOT NULL, legacy INT);"
                + "CREATE TABLE old_audit (id INTEGER PRIMARY KEY, what TEXT);");
    Path newer =
        SqliteDatabases.create(
            dir.resolve("new.db"),
            "CREATE TABLE users (id INTEGER PRIMARY KEY, email VARCHAR(320) NOT NULL,"
                + " nick TEXT);"
                // a unique index, not a UNIQUE constraint: SQLite reads a constraint's index back
                // as
                // a constraint, and a CREATE UNIQUE INDEX (all SQLite can add) as an index
                + "CREATE UNIQUE INDEX users_nick_key ON users (nick);"
                + "CREATE TABLE prefs (user_id INTEGER PRIMARY KEY, theme TEXT NOT NULL DEFAULT"
                + " 'light');"
                + "CREATE INDEX idx_prefs_theme ON prefs (theme);");
    String oldUrl = SqliteDatabases.url(older);
    assertEquals("sqlite", DiffReport.engineOf(oldUrl).name());
    DiffSchema before = DiffReport.readLive(oldUrl, null, null, null, SECRETS);
    DiffSchema after = DiffReport.readLive(SqliteDatabases.url(newer), null, null, null, SECRETS);
    List<SchemaDiff.Change> changes =
        SchemaDiff.compare(DiffReport.engineOf(oldUrl), before, after);
    List<String> forward = SchemaDiff.forward(changes);
    assertTrue(
        forward.stream()
            .anyMatch(s -> s.startsWith("-- SQLite cannot change a column's type to VARCHAR(320)")),
        String.join("\n", forward));
    try (Connection c = DriverManager.getConnection(oldUrl);
        Statement st = c.createStatement()) {
      for (String s : forward) {
        if (!s.startsWith("--")) {
          st.execute(s);
        }
      }
    }
    List<SchemaDiff.Change> left =
        SchemaDiff.compare(
            DiffReport.engineOf(oldUrl),
            DiffReport.readLive(oldUrl, null, null, null, SECRETS),
            after);
    assertEquals(
        List.of("column users.email"),
        left.stream().map(SchemaDiff.Change::object).toList(),
        "all but the type change (a rebuild) applied");
  }
}
