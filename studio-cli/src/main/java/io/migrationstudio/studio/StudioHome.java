package io.migrationstudio.studio;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the studio keeps its state: the artifact repository ({@code artifacts/}), logs ({@code
 * logs/}), the demo's embedded databases ({@code demo/}) and the default directory of {@code
 * ${file:}} secrets ({@code secrets/}). Default {@code ./.studio}.
 */
public record StudioHome(Path root) {
  public StudioHome {
    root = root.toAbsolutePath().normalize();
  }

  public static StudioHome of(Path option) {
    StudioHome home = new StudioHome(option == null ? Path.of(".studio") : option);
    home.create();
    return home;
  }

  public Path logs() {
    return root.resolve("logs");
  }

  /** The default directory of {@code ${file:}} secrets ({@code <home>/secrets}). */
  public Path secrets() {
    return root.resolve("secrets");
  }

  public Path demo() {
    return root.resolve("demo");
  }

  public Path remoteRepository() {
    return root.resolve("artifacts").resolve("remote.git");
  }

  private void create() {
    try {
      Files.createDirectories(logs());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the studio home " + root, e);
    }
  }
}
