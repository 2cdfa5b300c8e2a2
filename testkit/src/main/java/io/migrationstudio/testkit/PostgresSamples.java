package io.migrationstudio.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.postgresql.PGConnection;

/**
 * The PostgreSQL sample databases bundled under {@code testdata/} (copies of the shared test data,
 * with their licences), loaded through JDBC into a test database as {@code psql} would load them:
 * the schema script in one simple-query round trip, the data script statement by statement with
 * each {@code COPY ... FROM stdin} block sent through pgjdbc's COPY API.
 */
public final class PostgresSamples {
  private PostgresSamples() {}

  /**
   * Sakila for PostgreSQL ({@code testdata/sakila/postgres}, jOOQ's port, BSD-2, see its {@code
   * LICENSE}): 15 tables, {@code payment} with six children by inheritance (empty: every payment is
   * from 2005) and an INSERT rule per child, 7 views, the enum {@code mpaa_rating}, the domain
   * {@code year}, a {@code tsvector} column, 9 functions and the aggregate {@code group_concat}, 15
   * triggers, 13 free-standing sequences set by {@code setval} ({@code DEFAULT nextval(...)}, not
   * owned by their columns), 46 273 rows.
   */
  public static void loadSakila(TestDatabase db) {
    String schema = resource("testdata/sakila/postgres/sakila-schema.sql");
    String data = resource("testdata/sakila/postgres/sakila-data.sql");
    try (Connection c = db.connect()) {
      try (Statement s = c.createStatement()) {
        s.execute(schema);
      }
      runDump(c, data);
    } catch (SQLException | IOException e) {
      throw new IllegalStateException(
          "cannot load Sakila into " + db.name() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Runs a plain-format dump whose statements end a line with {@code ;} (no function bodies), with
   * {@code COPY ... FROM stdin;} blocks ended by a {@code \.} line.
   */
  static void runDump(Connection c, String script) throws SQLException, IOException {
    BufferedReader in = new BufferedReader(new StringReader(script));
    StringBuilder statement = new StringBuilder();
    try (Statement s = c.createStatement()) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (statement.isEmpty() && (line.isBlank() || line.startsWith("--"))) {
          continue;
        }
        statement.append(line).append('\n');
        if (!line.stripTrailing().endsWith(";")) {
          continue;
        }
        String sql = statement.toString().strip();
        statement.setLength(0);
        if (sql.startsWith("COPY ") && sql.endsWith("FROM stdin;")) {
          StringBuilder rows = new StringBuilder();
          for (String row = in.readLine(); row != null && !row.equals("\\."); row = in.readLine()) {
            rows.append(row).append('\n');
          }
          c.unwrap(PGConnection.class)
              .getCopyAPI()
              .copyIn(sql.substring(0, sql.length() - 1), new StringReader(rows.toString()));
        } else {
          s.execute(sql);
        }
      }
    }
  }

  private static String resource(String path) {
    try (InputStream in = PostgresSamples.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("test data resource " + path + " is missing");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }
}
