package io.migrationstudio.contracts.spec;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * How a reviewer proves who they are ({@code reviews.identity}). SSH (the default): every human
 * review carries an SSH signature (SSHSIG, {@code ssh-keygen -Y sign}) by a key listed for the
 * reviewer, verified before the gate moves. NONE: the reviewer's name is taken as given; only where
 * the spec says so (a demo, a sandbox).
 */
public enum ReviewIdentity {
  SSH,
  NONE;

  @JsonValue
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  public static ReviewIdentity fromKey(String key) {
    return valueOf(key.trim().toUpperCase(Locale.ROOT));
  }
}
