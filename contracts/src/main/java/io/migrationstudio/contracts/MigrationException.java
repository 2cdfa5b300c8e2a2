package io.migrationstudio.contracts;

import java.util.regex.Pattern;

/**
 * The one exception of the studio. Its message says what failed, for which object, expected vs
 * actual, and what to do; it never carries a password or an unredacted JDBC URL.
 */
public class MigrationException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private static final Pattern PASSWORD_PARAM =
      Pattern.compile("(?i)(password|pwd|secret|token)=[^&;\\s]*");
  private static final Pattern USERINFO = Pattern.compile("(//[^/:@\\s]+):[^@/\\s]*@");

  private final ErrorCode code;

  public MigrationException(ErrorCode code, String message) {
    super(redact(message));
    this.code = code;
  }

  public MigrationException(ErrorCode code, String message, Throwable cause) {
    super(redact(message), cause);
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }

  /** Removes passwords from a JDBC URL or a message that quotes one. */
  public static String redact(String text) {
    if (text == null) {
      return null;
    }
    String s = PASSWORD_PARAM.matcher(text).replaceAll("$1=***");
    return USERINFO.matcher(s).replaceAll("$1:***@");
  }
}
