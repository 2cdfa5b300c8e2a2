package io.migrationstudio.core.dialect.sqlite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.core.dialect.sqlite.SqliteSql.Check;
import java.util.List;
import org.junit.jupiter.api.Test;

class SqliteSqlTest {

  @Test
  void checksAreCutFromCreateTableWithTheirNames() {
    String sql =
        """
        CREATE TABLE "we""ird" (
          a INTEGER CHECK (a > 0 AND (a < 10)),
          "check" TEXT DEFAULT 'CHECK (x)', -- CHECK (in a comment)
          b TEXT, /* CHECK (b) */
          CONSTRAINT [b not empty] CHECK (length(b) > 0 OR b = ')')
        )""";
    assertEquals(
        List.of(
            new Check(null, "a > 0 AND (a < 10)"),
            new Check("b not empty", "length(b) > 0 OR b = ')'")),
        SqliteSql.checks(sql));
  }

  @Test
  void partialIndexPredicateAndViewBody() {
    assertEquals(
        "\"x\" > 0 AND y IS NOT NULL",
        SqliteSql.afterTopLevelKeyword(
            "CREATE INDEX i ON t (a, (b || 'WHERE')) WHERE \"x\" > 0 AND y IS NOT NULL;", "WHERE"));
    assertNull(SqliteSql.afterTopLevelKeyword("CREATE INDEX i ON t (a)", "WHERE"));
    assertEquals(
        "SELECT a AS b FROM t",
        SqliteSql.afterTopLevelKeyword("CREATE VIEW \"as\" (b) AS SELECT a AS b FROM t", "AS"));
  }

  @Test
  void columnClausesGiveEachColumnsCollationAndGeneration() {
    String sql =
        """
        CREATE TABLE t (
          "check" VARCHAR(10, 2) COLLATE NOCASE CHECK ("check" COLLATE RTRIM <> 'AS (x)'),
          d TEXT DEFAULT ('a' COLLATE BINARY),
          v INT GENERATED ALWAYS AS (length("check") * 2) VIRTUAL,
          s TEXT AS (upper(d)) STORED NOT NULL,
          plain AS (1),
          CONSTRAINT k UNIQUE (d COLLATE NOCASE),
          CHECK (v > 0)
        ) WITHOUT ROWID""";
    assertEquals(
        List.of(
            new SqliteSql.ColumnClauses("check", "NOCASE", null, null),
            new SqliteSql.ColumnClauses("d", null, null, null),
            new SqliteSql.ColumnClauses("v", null, "length(\"check\") * 2", "VIRTUAL"),
            new SqliteSql.ColumnClauses("s", null, "upper(d)", "STORED"),
            new SqliteSql.ColumnClauses("plain", null, "1", "VIRTUAL")),
        SqliteSql.columnClauses(sql));
  }

  @Test
  void unquoteHandlesEveryQuoting() {
    assertEquals("a\"b", SqliteSql.unquote("\"a\"\"b\""));
    assertEquals("a b", SqliteSql.unquote("[a b]"));
    assertEquals("a`b", SqliteSql.unquote("`a``b`"));
    assertEquals("plain", SqliteSql.unquote("plain"));
  }

  @Test
  void autoincrementIsTheKeywordAfterPrimaryKeyOnly() {
    assertTrue(SqliteSql.autoincrement("CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT)"));
    assertTrue(
        SqliteSql.autoincrement(
            "CREATE TABLE t (id integer constraint k primary key desc on conflict abort"
                + " autoincrement, v)"));
    assertFalse(SqliteSql.autoincrement("CREATE TABLE t (id INTEGER PRIMARY KEY, v)"));
    assertFalse(
        SqliteSql.autoincrement(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, \"AUTOINCREMENT\" TEXT,"
                + " v TEXT DEFAULT 'PRIMARY KEY AUTOINCREMENT') -- PRIMARY KEY AUTOINCREMENT"));
  }

  @Test
  void viewColumnListsAreReadWithoutTheirQuoting() {
    assertEquals(
        List.of("as", "year born", "c"),
        SqliteSql.viewColumns(
            "CREATE VIEW IF NOT EXISTS \"v(1)\" (\"as\", [year born], c) AS SELECT a, (b), c FROM t"));
    assertEquals(List.of(), SqliteSql.viewColumns("CREATE VIEW v AS SELECT (a) AS b FROM t"));
    assertEquals(List.of(), SqliteSql.viewColumns("CREATE VIEW \"x (y)\" AS SELECT 1"));
  }
}
