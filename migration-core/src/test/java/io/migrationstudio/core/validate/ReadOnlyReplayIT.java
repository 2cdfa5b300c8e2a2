package io.migrationstudio.core.validate;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.spec.ConnectionSpec;
import io.migrationstudio.contracts.spec.QuerySpec;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.report.StageOutput;
import io.migrationstudio.core.spec.SecretResolver;
import io.migrationstudio.testkit.MariaDbExtension;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import io.migrationstudio.testkit.TestMariaDb;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The regression replay only reads, on PostgreSQL and MariaDB sources: a query set holding a
 * DELETE, an UPDATE, a writable CTE or a nextval is refused before any query runs; a function that
 * writes (which no text check can see) fails inside the read-only transaction; a session opened for
 * reading refuses an autocommit write. In every case no row changes on either side.
 */
@ExtendWith({PostgresExtension.class, MariaDbExtension.class})
class ReadOnlyReplayIT {
  private static final SecretResolver SECRETS = new SecretResolver(Map.of());
  private static final byte[] VALIDATION_PASS = "{\"status\":\"PASS\"}".getBytes(UTF_8);

  @Test
  void postgresQueriesThatWriteChangeNothingOnEitherSide(TestDatabase source, TestDatabase target)
      throws Exception {
    for (TestDatabase db : List.of(source, target)) {
      db.execute(
          "CREATE TABLE item (id int PRIMARY KEY, qty int)",
          "INSERT INTO item SELECT g, g FROM generate_series(1, 10) g",
          "CREATE SEQUENCE s",
          "CREATE FUNCTION wipe() RETURNS bigint LANGUAGE sql AS"
              + " 'DELETE FROM item WHERE id > 5 RETURNING 1; SELECT count(*) FROM item'");
    }
    ConnectionSpec src = new ConnectionSpec(source.jdbcUrl(), source.user(), null, null);
    ConnectionSpec tgt = new ConnectionSpec(target.jdbcUrl(), target.user(), null, null);
    assertReplayChangesNothing(
        src,
        tgt,
        List.of(
            "DELETE FROM item WHERE id < 5",
            "UPDATE item SET qty = 0",
            "WITH d AS (DELETE FROM item RETURNING id) SELECT count(*) FROM d",
            "SELECT nextval('s')"),
        "SELECT wipe()",
        () -> List.of(source.queryLong(SUM), target.queryLong(SUM)));
    for (TestDatabase db : List.of(source, target)) {
      assertEquals(0, db.queryLong("SELECT is_called::int FROM s"), "nextval never ran");
    }
  }

  @Test
  void mariaDbQueriesThatWriteChangeNothingOnEitherSide(TestMariaDb maria, TestDatabase target)
      throws Exception {
    maria.execute(
        "CREATE TABLE item (id int PRIMARY KEY, qty int)",
        "INSERT INTO item SELECT seq, seq FROM seq_1_to_10",
        "CREATE FUNCTION wipe() RETURNS int MODIFIES SQL DATA"
            + " BEGIN DELETE FROM item WHERE id > 5; RETURN 1; END");
    target.execute(
        "CREATE TABLE item (id int PRIMARY KEY, qty int)",
        "INSERT INTO item SELECT g, g FROM generate_series(1, 10) g",
        "CREATE FUNCTION wipe() RETURNS bigint LANGUAGE sql AS"
            + " 'DELETE FROM item WHERE id > 5 RETURNING 1; SELECT 1::bigint'");
    ConnectionSpec src = new ConnectionSpec(maria.jdbcUrl(), maria.user(), null, null);
    ConnectionSpec tgt = new ConnectionSpec(target.jdbcUrl(), target.user(), null, null);
    assertReplayChangesNothing(
        src,
        tgt,
        List.of("DELETE FROM item WHERE id < 5", "UPDATE item SET qty = 0"),
        "SELECT wipe()",
        () -> List.of(maria.queryLong(SUM), target.queryLong(SUM)));
  }

  private static final String SUM = "SELECT sum(id * 100 + qty) FROM item";

  private static void assertReplayChangesNothing(
      ConnectionSpec srcSpec,
      ConnectionSpec tgtSpec,
      List<String> refused,
      String writingFunction,
      java.util.function.Supplier<List<Long>> sums)
      throws Exception {
    List<Long> before = sums.get();
    Dialect sd = Dialects.forUrl(srcSpec.url());
    Dialect td = Dialects.forUrl(tgtSpec.url());
    try (Connection src = Dialects.openReadOnly(srcSpec, SECRETS, "source");
        Connection tgt = Dialects.openReadOnly(tgtSpec, SECRETS, "target")) {
      for (String sql : refused) {
        StageOutput out =
            new RegressionReplayer(sd, td)
                .replay(
                    src,
                    tgt,
                    "ro",
                    List.of(
                        new QuerySpec("fine", "SELECT count(*) FROM item", null, null),
                        new QuerySpec("bad", sql, null, null)),
                    0.5,
                    VALIDATION_PASS);
        assertEquals(Verdict.FAIL, out.verdict(), sql);
        RegressionReplayer.Report report =
            Json.read(
                out.files().get(ArtifactPaths.REGRESSION_JSON),
                RegressionReplayer.Report.class,
                "regression");
        assertTrue(report.queries().get(1).error().startsWith("refused, nothing ran"), sql);
        assertNotNull(report.queries().get(0).error(), "no query of the set runs");
        assertEquals(before, sums.get(), "no row changed by " + sql);
      }
      StageOutput out =
          new RegressionReplayer(sd, td)
              .replay(
                  src,
                  tgt,
                  "ro",
                  List.of(new QuerySpec("function", writingFunction, null, null)),
                  0.5,
                  VALIDATION_PASS);
      assertEquals(Verdict.FAIL, out.verdict(), "the read-only transaction refuses the write");
      assertEquals(before, sums.get(), "no row changed by a function that writes");

      // the sessions themselves refuse writes, autocommit included
      for (Connection c : List.of(src, tgt)) {
        assertTrue(c.getAutoCommit());
        assertThrows(SQLException.class, () -> exec(c, "DELETE FROM item WHERE id = 1"));
      }
      assertEquals(before, sums.get(), "no row changed by an autocommit DELETE");
    }
  }

  private static void exec(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }
}
