package io.migrationstudio.core.spec;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.core.dialect.Secrets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resolves secret references in a spec at the last moment, in the worker: {@code ${env:NAME}} reads
 * an environment variable, {@code ${file:/path}} a file (trailing newline trimmed). Values never
 * enter git, logs, reports or Temporal history.
 */
public final class SecretResolver implements Secrets {
  public static final Pattern REFERENCE = Pattern.compile("^\\$\\{(env|file):([^}]+)}$");

  private final Function<String, String> env;

  public SecretResolver() {
    this(System::getenv);
  }

  public SecretResolver(Map<String, String> env) {
    this(env::get);
  }

  public SecretResolver(Function<String, String> env) {
    this.env = env;
  }

  /** Whether a value is a secret reference (as opposed to a literal). */
  public static boolean isReference(String value) {
    return value != null && REFERENCE.matcher(value).matches();
  }

  /** The secret a reference names; null and empty stay as they are. */
  @Override
  public String resolve(String value, String key) {
    if (value == null || value.isEmpty()) {
      return value;
    }
    Matcher m = REFERENCE.matcher(value);
    if (!m.matches()) {
      throw new MigrationException(
          ErrorCode.INVALID_SPEC,
          key + " must be a ${env:NAME} or ${file:/path} reference, not a literal secret");
    }
    String kind = m.group(1);
    String name = m.group(2).trim();
    if (kind.equals("env")) {
      String v = env.apply(name);
      if (v == null) {
        throw new MigrationException(
            ErrorCode.INVALID_SPEC,
            key
                + " refers to environment variable "
                + name
                + ", which is not set in this worker's environment; export it and retry");
      }
      return v;
    }
    try {
      return Files.readString(Path.of(name), StandardCharsets.UTF_8).stripTrailing();
    } catch (IOException e) {
      throw new MigrationException(
          ErrorCode.INVALID_SPEC,
          key
              + " refers to file "
              + name
              + ", which cannot be read: "
              + e.getClass().getSimpleName(),
          e);
    }
  }
}
