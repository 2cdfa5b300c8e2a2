package io.migrationstudio.core.spec;

import io.migrationstudio.contracts.MigrationException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds credentials in a JDBC URL, whatever their spelling, so that the spec can refuse them (the
 * spec is committed to git and travels through Temporal history). The URL is percent-decoded first
 * (repeatedly, so {@code pass%77ord} and {@code pass%2577ord} are {@code password}); then every
 * {@code key=value} pair, wherever it stands ({@code ?a=b&c=d}, {@code ;password=x}, MariaDB's
 * {@code (host=h,password=x)}), is a credential when its key names one in any case ({@link
 * MigrationException#isSecretKey}), and so is a password in the user info ({@code
 * //user:secret@host}).
 */
final class UrlCredentials {
  private static final Pattern PAIR = Pattern.compile("([^?&;,()\\s=/]+)\\s*=");
  private static final Pattern USERINFO = Pattern.compile("//([^/@?;\\s]*)@");

  private UrlCredentials() {}

  /** What the URL carries, described without the secret ({@code pass%77ord=...}); empty: none. */
  static List<String> find(String url) {
    Set<String> found = new LinkedHashSet<>();
    String decoded = MigrationException.percentDecode(url);
    for (String text : List.of(url, decoded)) {
      Matcher pair = PAIR.matcher(text);
      while (pair.find()) {
        if (MigrationException.isSecretKey(pair.group(1))) {
          found.add("parameter " + rawKey(url, pair.group(1)) + "=...");
        }
      }
      Matcher info = USERINFO.matcher(text);
      while (info.find()) {
        if (MigrationException.percentDecode(info.group(1)).contains(":")) {
          found.add("a password in the user info (user:...@host)");
        }
      }
    }
    return new ArrayList<>(found);
  }

  /** The key as the URL spells it, when it can be found there (else the decoded key). */
  private static String rawKey(String url, String key) {
    Matcher pair = PAIR.matcher(url);
    String wanted = MigrationException.percentDecode(key).toLowerCase(Locale.ROOT);
    while (pair.find()) {
      if (MigrationException.percentDecode(pair.group(1)).toLowerCase(Locale.ROOT).equals(wanted)) {
        return pair.group(1);
      }
    }
    return key;
  }
}
