package io.migrationstudio.core.dialect;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How an engine treats names: {@code maxBytes} is the longest name it keeps (longer ones are
 * truncated or refused), {@code reservedWords} (lower case) fail unquoted in a table or column
 * position, and {@code plain} matches the names it neither folds nor rejects when unquoted.
 */
public record IdentifierRules(int maxBytes, Set<String> reservedWords, Pattern plain) {
  public IdentifierRules {
    if (maxBytes < 1) {
      throw new IllegalArgumentException("maxBytes must be positive, got " + maxBytes);
    }
    reservedWords = Set.copyOf(reservedWords);
    Objects.requireNonNull(plain, "plain pattern is required");
  }

  /** Whether the name is longer than the engine keeps, counted in UTF-8 bytes. */
  public boolean tooLong(String name) {
    return name.getBytes(StandardCharsets.UTF_8).length > maxBytes;
  }

  /** Whether the name is a reserved word, compared case-insensitively. */
  public boolean reserved(String name) {
    return reservedWords.contains(name.toLowerCase(Locale.ROOT));
  }

  /** Whether the name only works quoted: not plain (case, characters) or reserved. */
  public boolean needsQuoting(String name) {
    return !plain.matcher(name).matches() || reserved(name);
  }
}
