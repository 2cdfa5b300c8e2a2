package io.migrationstudio.core.copy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.migrationstudio.core.canonical.ColumnCodec;
import io.migrationstudio.core.schema.CanonicalType;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class CopyTextTest {
  private static String text(CanonicalType t, Object v) {
    StringBuilder sb = new StringBuilder();
    CopyText.append(new ColumnCodec("c", t, null), v, sb);
    return sb.toString();
  }

  @Test
  void nullAndTheTextBackslashNAreDifferent() {
    assertEquals("\\N", text(CanonicalType.TEXT, null));
    assertEquals("\\\\N", text(CanonicalType.TEXT, "\\N"));
    assertEquals("", text(CanonicalType.TEXT, ""));
  }

  @Test
  void controlCharactersAreEscaped() {
    assertEquals("a\\tb\\nc\\rd\\\\e", text(CanonicalType.TEXT, "a\tb\nc\rd\\e"));
    assertEquals("ünï 𝄞 '\"", text(CanonicalType.VARCHAR, "ünï 𝄞 '\""));
    assertEquals("\\\\x\\n", text(CanonicalType.TEXT, "\\x\n"));
    assertEquals("plain text\\t", text(CanonicalType.TEXT, "plain text\t"));
  }

  @Test
  void typedValuesUseExactInputForms() {
    assertEquals("t", text(CanonicalType.BOOLEAN, true));
    assertEquals("0.000001", text(CanonicalType.DECIMAL, new BigDecimal("1E-6")));
    assertEquals("NaN", text(CanonicalType.DECIMAL, Double.NaN));
    assertEquals("-Infinity", text(CanonicalType.DOUBLE, Double.NEGATIVE_INFINITY));
    assertEquals("\\\\x00ff", text(CanonicalType.BYTES, new byte[] {0, -1}));
    assertEquals("0044-03-15 BC", text(CanonicalType.DATE, LocalDate.of(-43, 3, 15)));
    assertEquals("infinity", text(CanonicalType.DATE, LocalDate.MAX));
    assertEquals(
        "2024-03-01 10:00:00.000001",
        text(CanonicalType.TIMESTAMP, LocalDateTime.of(2024, 3, 1, 10, 0, 0, 1_000)));
    assertEquals(
        "2024-03-01 08:00+00",
        text(
            CanonicalType.TIMESTAMPTZ,
            OffsetDateTime.of(2024, 3, 1, 10, 0, 0, 0, ZoneOffset.ofHours(2))));
  }

  @Test
  void nulCharacterIsUnwritable() {
    ColumnCodec c = new ColumnCodec("c", CanonicalType.TEXT, null);
    assertNotNull(CopyText.unwritable(c, "a\0b"));
    assertNull(CopyText.unwritable(c, "ab"));
  }
}
