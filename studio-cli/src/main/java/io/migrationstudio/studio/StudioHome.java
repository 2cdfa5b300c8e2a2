package io.migrationstudio.studio;

import io.migrationstudio.core.git.OwnerOnly;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Where the studio keeps its state: the artifact repository ({@code artifacts/}), logs ({@code
 * logs/}), the demo's embedded databases ({@code demo/}) and the default directory of {@code
 * ${file:}} secrets ({@code secrets/}). Default {@code ./.studio}. Created owner-only (directories
 * 0700), since the evidence and logs describe the source.
 */
public record StudioHome(Path root) {
  public StudioHome {
    root = root.toAbsolutePath().normalize();
  }

  public static StudioHome of(Path option) {
    StudioHome home = new StudioHome(option == null ? Path.of(".studio") : option);
    home.create();
    // named in the target lock this process takes (TargetLock), so its holder can be found
    System.setProperty(
        io.migrationstudio.core.copy.TargetLock.HOME_PROPERTY,
        home.root().toAbsolutePath().toString());
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

  /** The home, its logs and (once created) its repositories: owner-only, see {@link OwnerOnly}. */
  private void create() {
    try {
      OwnerOnly.directoryIfNew(root);
      OwnerOnly.directory(logs());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the studio home " + root, e);
    }
  }
}
