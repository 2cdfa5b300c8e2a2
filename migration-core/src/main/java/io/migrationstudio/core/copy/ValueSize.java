package io.migrationstudio.core.copy;

/**
 * The size a value occupies when copied: binary values as they are, everything else by its text
 * form in UTF-8. The assessment's throughput probe and {@link ChunkSize} measure rows with it.
 */
public final class ValueSize {
  private ValueSize() {}

  /** Bytes of {@code value} as copied; 0 for NULL. */
  public static long copiedBytes(Object value) {
    if (value == null) {
      return 0;
    }
    if (value instanceof byte[] b) {
      return b.length;
    }
    String text = value instanceof String s ? s : String.valueOf(value);
    return utf8Length(text);
  }

  private static long utf8Length(String s) {
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (ch < 0x80) {
        n += 1;
      } else if (ch < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(ch)) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }
}
