package io.migrationstudio.core.mapping;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * What happens to a column: MAP copies the value unchanged, CAST converts it to the target type,
 * TRANSFORM applies an expression, DERIVE computes it from other columns, DEFAULT fills a value,
 * DROP leaves it behind (with a reason).
 */
public enum Disposition {
  MAP,
  CAST,
  TRANSFORM,
  DERIVE,
  DEFAULT,
  DROP;

  @JsonValue
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  public static Disposition fromKey(String key) {
    return valueOf(key.trim().toUpperCase(Locale.ROOT));
  }
}
