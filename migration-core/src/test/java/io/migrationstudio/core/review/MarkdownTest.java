package io.migrationstudio.core.review;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MarkdownTest {
  @Test
  void markdownCellsAreEscapedAndCut() {
    assertEquals("a\\|b\\nc", Markdown.cell("a|b\nc", 40));
    assertEquals("_NULL_", Markdown.cell(null, 40));
    assertEquals("''", Markdown.cell("", 40));
    String cut = Markdown.cell("x".repeat(41), 40);
    assertEquals(40, cut.codePointCount(0, cut.length()));
    assertTrue(cut.endsWith("…"));
    assertEquals("x".repeat(40), Markdown.cell("x".repeat(40), 40));
    String emoji = Markdown.cell("😀".repeat(50), 40);
    assertEquals(40, emoji.codePointCount(0, emoji.length()));
  }
}
