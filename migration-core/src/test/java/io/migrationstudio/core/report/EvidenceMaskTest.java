package io.migrationstudio.core.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Keys and messages through the evidence mask. */
class EvidenceMaskTest {

  @Test
  void aKeyIsMaskedPerColumnUnlessThatColumnIsPlain() {
    EvidenceMask masked = EvidenceMask.masked();
    assertEquals("xxx@xx.xx", masked.key("t", List.of("email"), List.of("zoe@ex.de")));
    assertEquals("(##, xx)", masked.key("t", List.of("a", "b"), List.of("42", "ab")));
    EvidenceMask plainA = EvidenceMask.plain(List.of("t.a"));
    assertEquals("(42, xx)", plainA.key("t", List.of("a", "b"), List.of("42", "ab")));
    assertEquals(
        "(42, ab)",
        EvidenceMask.plain(List.of("t")).key("t", List.of("a", "b"), List.of("42", "ab")));
  }

  @Test
  void quotedValuesInAMessageAreMaskedNamesAndExpressionsStay() {
    EvidenceMask masked = EvidenceMask.masked();
    assertEquals(
        "ERROR: invalid input syntax for type integer: \"xxxxxx\" (SQLState 22P02)",
        masked.quoted(
            "codes",
            "code",
            "ERROR: invalid input syntax for type integer: \"twelve\" (SQLState 22P02)",
            List.of("codes", "code")));
    assertEquals(
        "Truncated incorrect INTEGER value: 'xxxxxx' for column \"code\"",
        masked.quoted(
            "codes",
            "code",
            "Truncated incorrect INTEGER value: 'twelve' for column \"code\"",
            List.of("codes", "code")));
    assertEquals(
        "table \"person\" expression 'int(row['nick'])' failed: For input string: \"xxxxxxx\"",
        masked.quoted(
            "person",
            "n",
            "table \"person\" expression 'int(row['nick'])' failed: For input string: \"toolong\"",
            List.of("person", "int(row['nick'])")));
    String plain = "value 'twelve'";
    assertEquals(
        plain, EvidenceMask.plain(List.of("codes.code")).quoted("codes", "code", plain, List.of()));
    assertEquals(
        "value 'xxxxxx'",
        EvidenceMask.plain(List.of("codes.code")).quoted("codes", null, plain, List.of()),
        "no column: plain only when the table is");
    assertEquals(
        plain, EvidenceMask.plain(List.of("codes")).quoted("codes", null, plain, List.of()));
  }
}
