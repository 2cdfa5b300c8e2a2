package io.migrationstudio.core.assess;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.migrationstudio.core.report.MarkdownTable;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReportUnitsTest {

  @Test
  void codeSpansSurviveBackticksPipesAndNewlines() {
    assertEquals("`album`", MarkdownTable.code("album"));
    assertEquals("``a`b``", MarkdownTable.code("a`b"));
    assertEquals("`` `x ``", MarkdownTable.code("`x"));
    assertEquals("`a\\|b`", MarkdownTable.code("a|b"));
    assertEquals("`a b`", MarkdownTable.code("a\nb"));
    assertEquals("`naïve \"quoted\"`", MarkdownTable.code("naïve \"quoted\""));
  }

  @Test
  void numbersDoNotDependOnTheLocale() {
    assertEquals("15,607", ReportUnits.count(15_607));
    assertEquals("512 B", ReportUnits.bytes(512));
    assertEquals("8.00 KiB", ReportUnits.bytes(8192));
    assertEquals("1.00 GiB", ReportUnits.bytes(1L << 30));
    assertEquals("0.04 s", ReportUnits.duration(0.04));
    assertEquals("12.3 s", ReportUnits.duration(12.34));
    assertEquals("3 min 20 s", ReportUnits.duration(200));
    assertEquals("2 h 05 min", ReportUnits.duration(2 * 3600 + 5 * 60 + 10));
  }

  @Test
  void valueBytesCountUtf8AndBinaryExactly() {
    for (String s : List.of("", "abc", "naïve", "Ω", "😀 emoji", "日本語")) {
      assertEquals(s.getBytes(StandardCharsets.UTF_8).length, ThroughputProbe.valueBytes(s), s);
    }
    assertEquals(3, ThroughputProbe.valueBytes(new byte[] {1, 2, 3}));
    assertEquals(0, ThroughputProbe.valueBytes(null));
    assertEquals(5, ThroughputProbe.valueBytes(12345));
  }
}
