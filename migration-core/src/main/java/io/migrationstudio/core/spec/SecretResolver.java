package io.migrationstudio.core.spec;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.spec.ConnectionSpec;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.core.dialect.Secrets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resolves secret references in a spec at the last moment, in the worker: {@code ${env:NAME}} reads
 * an environment variable, {@code ${file:/path}} a file (trailing newline trimmed). Values never
 * enter git, logs, reports or Temporal history.
 *
 * <p>A file is read only inside the configured secret directories (the studio's default is {@code
 * <studio home>/secrets}): a spec comes from whoever may start a migration, and a reference to any
 * other file would send that file's content as a password to a server the spec names. A relative
 * {@code ${file:name}} is looked up in the first secret directory. Symbolic links are followed
 * before the check, so a link inside a secret directory to a file outside it is refused too. With
 * no secret directory configured, every file reference is refused.
 *
 * <p>{@link #problems(MigrationSpec)} checks every reference of a spec before anything starts.
 */
public final class SecretResolver implements Secrets {
  public static final Pattern REFERENCE = Pattern.compile("^\\$\\{(env|file):([^}]+)}$");

  private final Function<String, String> env;
  private final List<Path> secretDirs;

  /** The process environment; no secret directory (file references are refused). */
  public SecretResolver() {
    this(System::getenv);
  }

  /** The given environment; no secret directory (file references are refused). */
  public SecretResolver(Map<String, String> env) {
    this(env::get);
  }

  /** The given environment; no secret directory (file references are refused). */
  public SecretResolver(Function<String, String> env) {
    this(env, List.of());
  }

  /** The given environment; files are read only inside {@code secretDirs}. */
  public SecretResolver(Function<String, String> env, List<Path> secretDirs) {
    this.env = env;
    this.secretDirs =
        secretDirs.stream().map(p -> p.toAbsolutePath().normalize()).distinct().toList();
  }

  /** The directories {@code ${file:}} references may read from. */
  public List<Path> secretDirs() {
    return secretDirs;
  }

  /** Whether a value is a secret reference (as opposed to a literal). */
  public static boolean isReference(String value) {
    return value != null && REFERENCE.matcher(value).matches();
  }

  /**
   * Every secret reference of the spec that would fail to resolve here (variable unset, file
   * outside the secret directories or unreadable), each named by its key; empty when all resolve.
   * The values read are dropped at once.
   */
  public List<SpecProblem> problems(MigrationSpec spec) {
    List<SpecProblem> problems = new ArrayList<>();
    check(spec.source(), "source", problems);
    check(spec.target(), "target", problems);
    if (spec.cutover() != null && spec.cutover().switchTo().admin() != null) {
      check(spec.cutover().switchTo().admin(), "cutover.switch.admin", problems);
    }
    return List.copyOf(problems);
  }

  /** {@link #problems} as an INVALID_SPEC {@link SpecException}, when there is any. */
  public void requireResolvable(MigrationSpec spec) {
    List<SpecProblem> problems = problems(spec);
    if (!problems.isEmpty()) {
      throw new SpecException(problems);
    }
  }

  private void check(ConnectionSpec c, String role, List<SpecProblem> problems) {
    if (c == null || c.password() == null) {
      return;
    }
    try {
      resolve(c.password(), role + ".password");
    } catch (MigrationException e) {
      String key = role + ".password";
      String rule = e.getMessage();
      rule = rule.startsWith(key + " ") ? rule.substring(key.length() + 1) : rule;
      problems.add(new SpecProblem(key, c.password(), rule));
    }
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
    Path file = secretFile(name, key);
    try {
      return Files.readString(file, StandardCharsets.UTF_8).stripTrailing();
    } catch (IOException e) {
      throw new MigrationException(
          ErrorCode.INVALID_SPEC,
          key
              + " refers to file "
              + name
              + ", which cannot be read: "
              + e.getClass().getSimpleName()
              + "; create it (readable by the worker) or fix the reference",
          e);
    }
  }

  /** The file a reference names, once it is known to lie inside a secret directory. */
  private Path secretFile(String name, String key) {
    if (secretDirs.isEmpty()) {
      throw new MigrationException(
          ErrorCode.INVALID_SPEC,
          key
              + " refers to file "
              + name
              + ", but no secret directory is configured, so file references are refused; use a"
              + " ${env:NAME} reference or configure a secret directory (STUDIO_SECRET_DIRS)");
    }
    Path given = Path.of(name);
    Path file = (given.isAbsolute() ? given : secretDirs.get(0).resolve(given)).normalize();
    Path real = file;
    try {
      real = file.toRealPath();
    } catch (IOException e) {
      // a missing file is reported by the read below once it is known to be inside a directory
    }
    for (Path dir : secretDirs) {
      Path realDir = dir;
      try {
        realDir = dir.toRealPath();
      } catch (IOException e) {
        // a missing directory holds nothing; compare lexically
      }
      if (real.startsWith(realDir) && !real.equals(realDir)) {
        return real;
      }
    }
    throw new MigrationException(
        ErrorCode.INVALID_SPEC,
        key
            + " refers to file "
            + name
            + ", which is outside the secret "
            + (secretDirs.size() == 1
                ? "directory " + secretDirs.get(0)
                : "directories " + secretDirs)
            + "; secrets are read only from there: move the file into "
            + secretDirs.get(0)
            + " or add its directory to STUDIO_SECRET_DIRS");
  }
}
