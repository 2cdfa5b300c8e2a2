package io.migrationstudio.core.git;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A studio home's artifact repositories are owner-only whatever the process's umask: a new home and
 * every directory of both repositories 0700, every file of a new repository 0600; the repositories
 * of a home made world-readable by an older version are tightened when opened; a home directory
 * that already existed keeps its own mode.
 */
class OwnerOnlyTest {
  @TempDir Path tmp;

  @Test
  void aNewHomeAndItsRepositoriesAreOwnerOnly() throws Exception {
    Path home = tmp.resolve("home");
    try (GitArtifactStore store = GitArtifactStore.open(home, null)) {
      store.commit(
          "main", "test", "a file", Map.of("02-mapping/dry-run.md", "rows".getBytes(UTF_8)));
    }
    assertEquals("rwx------", mode(home));
    assertEquals("rwx------", mode(home.resolve("artifacts")));
    for (String repo : List.of("remote.git", "repo.git")) {
      // what init wrote; directories git writes later (objects/8e) sit below these
      Path root = home.resolve("artifacts").resolve(repo);
      for (Path p : List.of(root, root.resolve("objects"), root.resolve("refs"))) {
        assertEquals("rwx------", mode(p), p.toString());
      }
      assertEquals("rw-------", mode(home.resolve("artifacts").resolve(repo).resolve("config")));
      assertEquals("rw-------", mode(home.resolve("artifacts").resolve(repo).resolve("HEAD")));
    }
  }

  @Test
  void anOlderWorldReadableHomeIsTightenedButAnExistingHomeDirectoryKeepsItsMode()
      throws Exception {
    Path home = Files.createDirectories(tmp.resolve("shared"));
    Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
    try (GitArtifactStore store = GitArtifactStore.open(home, null)) {
      // opened once: repositories exist
    }
    Path artifacts = home.resolve("artifacts");
    for (Path p :
        List.of(artifacts, artifacts.resolve("remote.git"), artifacts.resolve("repo.git"))) {
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    try (GitArtifactStore store = GitArtifactStore.open(home, null)) {
      // reopened: tightened
    }
    assertEquals("rwxr-xr-x", mode(home), "the user's own directory is not changed");
    assertEquals("rwx------", mode(artifacts));
    assertEquals("rwx------", mode(artifacts.resolve("remote.git")));
    assertEquals("rwx------", mode(artifacts.resolve("repo.git")));
  }

  private static String mode(Path p) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }
}
