package io.migrationstudio.core.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import org.junit.jupiter.api.Test;

class MarkdownTableTest {

  @Test
  void pipesAndBackslashesAreEscapedSoACellStaysOneCell() {
    assertEquals("a\\|b", MarkdownTable.cell("a|b"));
    assertEquals("a\\\\b", MarkdownTable.cell("a\\b"));
    // a value ending in a backslash cannot escape the pipe that closes its cell
    assertEquals("a\\\\\\|", MarkdownTable.cell("a\\|"));
    assertEquals("C:\\\\temp\\\\x", MarkdownTable.cell("C:\\temp\\x"));
  }

  @Test
  void everyLineBreakBecomesAVisibleBackslashN() {
    assertEquals("a\\nb", MarkdownTable.cell("a\nb"));
    assertEquals("a\\nb", MarkdownTable.cell("a\r\nb"));
    assertEquals("a\\nb", MarkdownTable.cell("a\rb"));
    assertEquals("a\\n\\nb", MarkdownTable.cell("a\n\nb"));
    assertEquals("a\\n\\nb", MarkdownTable.cell("a\r\n\r\nb"));
    for (String s : List.of("x\ny", "x\r\ny", "\n", "\r")) {
      assertFalse(MarkdownTable.cell(s).contains("\n"), s);
      assertFalse(MarkdownTable.cell(s).contains("\r"), s);
    }
  }

  @Test
  void backticksSpacesAndTheEmptyStringAreKept() {
    assertEquals("use `ALTER TABLE`", MarkdownTable.cell("use `ALTER TABLE`"));
    assertEquals("`a\\|b`", MarkdownTable.cell("`a|b`"));
    assertEquals("  padded  ", MarkdownTable.cell("  padded  "));
    assertEquals("", MarkdownTable.cell(""));
    assertEquals("", MarkdownTable.cell(null));
  }

  @Test
  void dataValuesTellNullFromEmptyAndAreCut() {
    assertEquals(MarkdownTable.NULL, MarkdownTable.value(null, 10));
    assertEquals(MarkdownTable.EMPTY, MarkdownTable.value("", 10));
    assertEquals(" ", MarkdownTable.value(" ", 10));
    assertEquals("abcd…", MarkdownTable.value("abcdefgh", 5));
    assertEquals("a\\|b", MarkdownTable.value("a|b", 5));
    // cut by code points, not chars: an emoji is never split
    assertEquals("😀😀…", MarkdownTable.value("😀😀😀😀", 3));
  }

  @Test
  void namesBecomeCodeSpansWithALongerFence() {
    assertEquals("`orders`", MarkdownTable.code("orders"));
    assertEquals("``a`b``", MarkdownTable.code("a`b"));
    assertEquals("`` `a ``", MarkdownTable.code("`a"));
    assertEquals("`a\\|b`", MarkdownTable.code("a|b"));
    assertEquals("`a b`", MarkdownTable.code("a\nb"));
    // inside a code span backslashes show as they are: not doubled
    assertEquals("`a\\b`", MarkdownTable.code("a\\b"));
    assertEquals("`  `", MarkdownTable.code(""));
    assertEquals("", MarkdownTable.code(null));
    assertEquals("`a`, `b`", MarkdownTable.codes(List.of("a", "b")));
  }

  @Test
  void rowsAndHeaders() {
    StringBuilder out = new StringBuilder();
    MarkdownTable.header(out, List.of("a", "b"));
    MarkdownTable.row(out, List.of(MarkdownTable.cell("x|y"), MarkdownTable.value(null, 5)));
    assertEquals("| a | b |\n|---|---|\n| x\\|y | _NULL_ |\n", out.toString());
  }
}
