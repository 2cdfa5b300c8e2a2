package io.migrationstudio.core.mapping;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * What a value map ({@code values} of a column in mapping.yaml) does with a source value it does
 * not list: REJECT quarantines the row with the reason (the default: no value changes silently),
 * KEEP copies the value as it is (converted to the target type like a plain cast), NULL writes
 * NULL.
 */
public enum UnmappedPolicy {
  REJECT,
  KEEP,
  NULL;

  @JsonValue
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The policy a key names; YAML's {@code null} (read as empty text) is NULL. */
  @JsonCreator
  public static UnmappedPolicy fromKey(String key) {
    if (key == null || key.isBlank()) {
      return NULL;
    }
    return valueOf(key.trim().toUpperCase(Locale.ROOT));
  }
}
