package io.migrationstudio.contracts.spec;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * How a stage's gate opens. AUTO: the checker's PASS advances, FAIL escalates to ASK. ASK: a listed
 * approver decides. EXTERNAL: only approvers listed for that very stage decide (no default
 * approvers, no local bypass).
 */
public enum GateMode {
  AUTO,
  ASK,
  EXTERNAL;

  @JsonValue
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  public static GateMode fromKey(String key) {
    return valueOf(key.trim().toUpperCase(Locale.ROOT));
  }
}
