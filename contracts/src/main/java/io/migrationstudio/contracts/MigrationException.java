package io.migrationstudio.contracts;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one exception of the studio. Its message says what failed, for which object, expected vs
 * actual, and what to do; it never carries a password or an unredacted JDBC URL.
 */
public class MigrationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** A {@code key=value} pair; the key may be percent-encoded ({@code pass%77ord}). */
  private static final Pattern PARAM = Pattern.compile("([\\w.%+-]+)(\\s*=\\s*)([^&;,()\\s]*)");

  /** The user info of a URL ({@code //user:secret@host}), percent-encoded or not. */
  private static final Pattern USERINFO = Pattern.compile("//([^/@\\s?;]+)@");

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
    String s =
        PARAM
            .matcher(text)
            .replaceAll(
                m ->
                    Matcher.quoteReplacement(
                        isSecretKey(m.group(1)) ? m.group(1) + m.group(2) + "***" : m.group()));
    return USERINFO
        .matcher(s)
        .replaceAll(
            m -> {
              String info = m.group(1);
              int colon = percentDecode(info).indexOf(':');
              if (colon < 0) {
                return Matcher.quoteReplacement(m.group());
              }
              String user = percentDecode(info).substring(0, colon);
              return Matcher.quoteReplacement("//" + user + ":***@");
            });
  }

  /**
   * Whether a URL or connection-property key names a credential, in any spelling: case ignored,
   * percent-encoding decoded ({@code PassWord}, {@code pass%77ord}, {@code pwd}, {@code
   * sslpassword}, {@code secret}, {@code token}).
   */
  public static boolean isSecretKey(String key) {
    String k = percentDecode(key).strip().toLowerCase(Locale.ROOT);
    return k.contains("password")
        || k.contains("passwd")
        || k.contains("pwd")
        || k.contains("secret")
        || k.contains("token")
        || k.equals("pass");
  }

  /**
   * Decodes {@code %XX} escapes (UTF-8), repeatedly until stable (a doubly encoded {@code %2577}
   * becomes {@code w}); malformed escapes stay as they are. {@code +} is left alone.
   */
  public static String percentDecode(String s) {
    String current = s;
    for (int round = 0; round < 4; round++) {
      String next = decodeOnce(current);
      if (next.equals(current)) {
        return next;
      }
      current = next;
    }
    return current;
  }

  private static String decodeOnce(String s) {
    StringBuilder out = new StringBuilder(s.length());
    int i = 0;
    while (i < s.length()) {
      if (!isEscape(s, i)) {
        out.append(s.charAt(i++));
        continue;
      }
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      while (isEscape(s, i)) {
        bytes.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
        i += 3;
      }
      out.append(bytes.toString(StandardCharsets.UTF_8));
    }
    return out.toString();
  }

  private static boolean isEscape(String s, int i) {
    return i + 2 < s.length()
        && s.charAt(i) == '%'
        && isHex(s.charAt(i + 1))
        && isHex(s.charAt(i + 2));
  }

  private static boolean isHex(char c) {
    return Character.digit(c, 16) >= 0;
  }
}
