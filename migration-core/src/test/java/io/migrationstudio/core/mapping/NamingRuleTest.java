package io.migrationstudio.core.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NamingRuleTest {

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "AlbumId|album_id",
        "HTTPServer|http_server",
        "InvoiceLineId|invoice_line_id",
        "already_snake|already_snake",
        "Order Items|order_items",
        "albumId|album_id",
        "ID|id",
        "Id|id",
        "userID|user_id",
        "XMLHttpRequest|xml_http_request",
        "getHTTPResponseCode|get_http_response_code",
        "Address2|address2",
        "Line2Id|line2_id",
        "2ndPlace|2nd_place",
        "a__b|a_b",
        "__leading|leading",
        "trailing__|trailing",
        "Order-Items.Total|order_items_total",
        "  spaced  out  |spaced_out",
        "Größe|größe",
        "ÄrgerID|ärger_id",
        "ÉtéSaison|été_saison",
        "naïveCafé|naïve_café",
        "日本語テーブル|日本語テーブル",
        "Quote\"Name|quote_name",
        "select|select",
        "A|a",
        "a|a",
        "ABC|abc",
        "AbC|ab_c",
        "x_Y_z|x_y_z",
        "CamelCase_With_Underscore|camel_case_with_underscore",
      })
  void snakeCase(String source, String expected) {
    assertEquals(expected, NamingRule.SNAKE_CASE.apply(source));
  }

  @Test
  void namesWithoutLettersOrDigitsKeepTheirSpelling() {
    assertEquals("___", NamingRule.SNAKE_CASE.apply("___"));
    assertEquals("$ $", NamingRule.SNAKE_CASE.apply("$ $"));
  }

  @Test
  void identityAndLower() {
    assertEquals("Order Items", NamingRule.IDENTITY.apply("Order Items"));
    assertEquals("order items", NamingRule.LOWER.apply("Order Items"));
    assertEquals("größe", NamingRule.LOWER.apply("GRÖßE"));
    assertEquals("invoicelineid", NamingRule.LOWER.apply("InvoiceLineId"));
  }

  /**
   * Every string of up to four characters over an alphabet with upper and lower case (ASCII and
   * not), digits and separators: the result is lower case, has no doubled, leading or trailing
   * underscore, keeps every letter and digit in order, and is a fixed point of the rule.
   */
  @Test
  void exhaustiveProperties() {
    String alphabet = "aBé É1_ -";
    List<String> inputs = new ArrayList<>();
    inputs.add("");
    for (int len = 1; len <= 4; len++) {
      List<String> next = new ArrayList<>();
      for (String prefix : inputs) {
        if (prefix.length() == len - 1) {
          for (char ch : alphabet.toCharArray()) {
            next.add(prefix + ch);
          }
        }
      }
      inputs.addAll(next);
    }
    int checked = 0;
    for (String in : inputs) {
      String out = NamingRule.SNAKE_CASE.apply(in);
      boolean hasWordChar = in.codePoints().anyMatch(Character::isLetterOrDigit);
      if (!hasWordChar) {
        assertEquals(in, out, "no letters: spelling kept");
        continue;
      }
      checked++;
      assertEquals(out.toLowerCase(java.util.Locale.ROOT), out, in);
      assertFalse(out.contains("__"), in + " -> " + out);
      assertFalse(out.startsWith("_") || out.endsWith("_"), in + " -> " + out);
      assertTrue(out.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '_'), in);
      String keptIn = in.replaceAll("[^\\p{L}\\p{N}]", "").toLowerCase(java.util.Locale.ROOT);
      assertEquals(keptIn, out.replace("_", ""), "letters and digits kept in order: " + in);
      assertEquals(out, NamingRule.SNAKE_CASE.apply(out), "idempotent: " + in);
    }
    assertTrue(checked > 5000, "the loop covered " + checked + " inputs");
  }

  @Test
  void parseAcceptsSpecKeysAndRejectsOthers() {
    assertEquals(NamingRule.IDENTITY, NamingRule.parse(null));
    assertEquals(NamingRule.IDENTITY, NamingRule.parse("identity"));
    assertEquals(NamingRule.LOWER, NamingRule.parse(" LOWER "));
    assertEquals(NamingRule.SNAKE_CASE, NamingRule.parse("snake_case"));
    assertEquals(NamingRule.SNAKE_CASE, NamingRule.parse("snake-case"));
    MigrationException e =
        assertThrows(MigrationException.class, () -> NamingRule.parse("camelCase"));
    assertEquals(ErrorCode.INVALID_SPEC, e.code());
  }
}
