package io.migrationstudio.core.cutover;

import io.migrationstudio.contracts.spec.ConnectionSpec;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.core.report.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code config-file} traffic switch: writes the target's connection settings (URL, user,
 * schema and the password <em>reference</em>, never a password) to the configured path, as JSON
 * when the path ends in {@code .json} and as Java properties otherwise. The previous content is
 * returned so the caller can put it back; writes are atomic (temp file + move).
 */
final class ConnectionSwitch {
  static final String CONFIG_FILE = "config-file";

  private ConnectionSwitch() {}

  /** Writes the target settings; returns what the file held before (empty: it did not exist). */
  static Optional<byte[]> apply(MigrationSpec spec) throws IOException {
    Path path = Path.of(spec.cutover().switchTo().path());
    Optional<byte[]> previous =
        Files.exists(path) ? Optional.of(Files.readAllBytes(path)) : Optional.empty();
    write(path, render(spec, path));
    return previous;
  }

  /** Puts back what {@link #apply} replaced (deletes the file when there was none). */
  static void revert(MigrationSpec spec, Optional<byte[]> previous) throws IOException {
    Path path = Path.of(spec.cutover().switchTo().path());
    if (previous.isPresent()) {
      write(path, previous.get());
    } else {
      Files.deleteIfExists(path);
    }
  }

  /** Whether the file currently points at the target. */
  static boolean pointsAtTarget(MigrationSpec spec) throws IOException {
    Path path = Path.of(spec.cutover().switchTo().path());
    return Files.exists(path)
        && java.util.Arrays.equals(Files.readAllBytes(path), render(spec, path));
  }

  /**
   * After a rollback: the file names the source again, with what it held before the cutover when
   * the cutover kept that ({@value CutoverService#PRE_CUTOVER_SUFFIX}), else the source's settings
   * in the form the cutover wrote the target's.
   */
  static String back(MigrationSpec spec) throws IOException {
    Path path = Path.of(spec.cutover().switchTo().path());
    Path backup = Path.of(path + CutoverService.PRE_CUTOVER_SUFFIX);
    if (Files.exists(backup)) {
      write(path, Files.readAllBytes(backup));
      Files.delete(backup);
      return path + " holds its content from before the cutover again";
    }
    write(path, render(spec, spec.source(), path));
    return path + " now names the source";
  }

  static byte[] render(MigrationSpec spec, Path path) {
    return render(spec, spec.target(), path);
  }

  private static byte[] render(MigrationSpec spec, ConnectionSpec t, Path path) {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("migration", spec.id());
    settings.put("url", t.url());
    if (t.user() != null) {
      settings.put("user", t.user());
    }
    if (t.schema() != null) {
      settings.put("schema", t.schema());
    }
    if (t.password() != null) {
      settings.put("password_ref", t.password());
    }
    if (path.getFileName().toString().endsWith(".json")) {
      return Json.bytes(Json.write(settings));
    }
    StringBuilder props =
        new StringBuilder(
            "# Written by Migration Studio at the cutover of "
                + spec.id()
                + ".\n# password_ref is a secret reference: resolve it from your secret store.\n");
    settings.forEach(
        (k, v) -> props.append(k).append('=').append(v.replace("\\", "\\\\")).append('\n'));
    return Json.bytes(props.toString());
  }

  private static void write(Path path, byte[] content) throws IOException {
    Path dir = path.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, ".studio-switch", ".tmp");
    try {
      Files.write(tmp, content);
      Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
