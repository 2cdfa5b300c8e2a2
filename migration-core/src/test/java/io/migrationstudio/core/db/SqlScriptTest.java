package io.migrationstudio.core.db;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class SqlScriptTest {
  @Test
  void splitsOnSemicolonsOutsideQuotesCommentsAndDollarQuotes() {
    String script =
        "\\c db;\nCREATE TABLE \"a;b\" (x text); -- c;\n"
            + "INSERT INTO t VALUES ('it''s; fine');/* x; */\n"
            + "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;";
    List<String> s = SqlScript.split(script);
    assertEquals(3, s.size(), s.toString());
    assertEquals("CREATE TABLE \"a;b\" (x text)", s.get(0));
    assertEquals("INSERT INTO t VALUES ('it''s; fine')", s.get(1));
    assertEquals("CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql", s.get(2));
  }
}
