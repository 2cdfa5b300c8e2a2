package io.migrationstudio.core.dialect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.core.spec.SpecException;
import io.migrationstudio.core.spec.SpecLoader;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The early read-only check of validation queries: plain reads pass whatever their literals and
 * quoted names hold; statements that write, writable CTEs, SELECT INTO, row locks, sequence
 * advances, several statements and quoting or comment tricks of either engine are refused; and the
 * spec loader refuses such a query set before anything starts.
 */
class ReadOnlySqlTest {
  @Test
  void readsPass() {
    for (String sql :
        List.of(
            "SELECT count(*) FROM invoice",
            "select * from \"update\" where note = 'delete me; now' -- insert\n",
            "WITH t AS (SELECT 1 AS x) SELECT x FROM t;",
            "  (SELECT 1) UNION ALL (SELECT 2)",
            "VALUES (1), (2)",
            "TABLE invoice",
            "SELECT `delete` FROM `insert` WHERE a = 'it''s'",
            "SELECT lastval_seen, updated_at, deleted FROM t /* UPDATE */")) {
      assertEquals(Optional.empty(), ReadOnlySql.refusal(sql), sql);
    }
  }

  @Test
  void writesLocksSideEffectsAndTricksAreRefused() {
    for (String sql :
        List.of(
            "DELETE FROM invoice",
            "update invoice set total = 0",
            "INSERT INTO t VALUES (1)",
            "WITH d AS (DELETE FROM invoice RETURNING *) SELECT count(*) FROM d",
            "SELECT nextval('s')",
            "SELECT NEXT VALUE FOR s",
            "SELECT setval('s', 1)",
            "SELECT * INTO copy_of FROM invoice",
            "SELECT * FROM invoice FOR UPDATE",
            "SELECT 1; DELETE FROM invoice",
            "SELECT 1 FROM t LOCK IN SHARE MODE",
            "TRUNCATE invoice",
            "CALL wipe()",
            "SELECT set_config('default_transaction_read_only', 'off', false)",
            // PostgreSQL: E'\'' is one quote; read without escapes the DELETE looks quoted
            "SELECT E'\\'' , (WITH d AS (DELETE FROM t RETURNING 1) SELECT 1) --'",
            // MariaDB runs the text of an executable comment
            "SELECT 1 /*! , nextval(s) */",
            // MariaDB: '--' without a blank is minus minus, not a comment
            "SELECT 1--1, nextval(s)",
            "SELECT $$x$$",
            "EXPLAIN ANALYZE DELETE FROM t",
            "")) {
      assertTrue(ReadOnlySql.refusal(sql).isPresent(), "must be refused: " + sql);
    }
  }

  @Test
  void theSpecLoaderRefusesAQuerySetThatWrites() {
    String spec =
        """
        id: ro
        source: { url: "jdbc:postgresql://localhost/src", user: u }
        target: { url: "jdbc:postgresql://localhost/tgt", user: u }
        validation:
          queries:
            - { name: fine, sql: "SELECT 1" }
            - { name: wipe, sql: "WITH d AS (DELETE FROM t RETURNING 1) SELECT count(*) FROM d" }
            - { name: other, source_sql: "SELECT 1", target_sql: "UPDATE t SET x = 1" }
        """;
    SpecException e = assertThrows(SpecException.class, () -> SpecLoader.parse(spec));
    List<String> keys = e.problems().stream().map(p -> p.key()).toList();
    assertEquals(
        List.of("validation.queries[1].sql", "validation.queries[2].target_sql"),
        keys,
        keys.toString());
  }
}
