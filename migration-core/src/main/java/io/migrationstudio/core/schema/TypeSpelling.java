package io.migrationstudio.core.schema;

/** Helpers for a source column's native type spelling, as catalogs report it. */
public final class TypeSpelling {
  private TypeSpelling() {}

  /**
   * The type part of a column definition: cuts {@code character set ...}, {@code collate ...} and
   * {@code generated always as ...} suffixes (outside quoted enum/set members), which a type name
   * or glob does not mention.
   */
  public static String typeOnly(String t) {
    boolean quoted = false;
    for (int i = 0; i < t.length(); i++) {
      char c = t.charAt(i);
      if (c == '\'') {
        quoted = !quoted;
      } else if (!quoted
          && c == ' '
          && (t.startsWith(" character set ", i)
              || t.startsWith(" collate ", i)
              || t.startsWith(" generated always as", i))) {
        return t.substring(0, i).trim();
      }
    }
    return t;
  }
}
