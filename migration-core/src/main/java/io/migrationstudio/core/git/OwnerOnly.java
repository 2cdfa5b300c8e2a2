package io.migrationstudio.core.git;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The studio's state on disk is its owner's alone: the home, the artifact repositories (the
 * evidence, which describes the source) and the logs. Java has no umask, so the studio's own
 * directories are made {@code 0700} when created and when opened (an older home is tightened),
 * which keeps everything below them out of other users' reach; files of a new repository are made
 * {@code 0600}. A home directory that already existed keeps its mode. The {@code ./studio} launcher
 * sets {@code umask 077} as well, so files written later (git objects, log files) are owner-only
 * themselves. On a file system without POSIX permissions nothing is changed.
 */
public final class OwnerOnly {
  public static final Set<PosixFilePermission> DIRECTORY =
      PosixFilePermissions.fromString("rwx------");
  public static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

  private OwnerOnly() {}

  /** Creates {@code dir} (and missing parents) and makes it owner-only; returns it. */
  public static Path directory(Path dir) throws IOException {
    Files.createDirectories(dir);
    restrict(dir, DIRECTORY);
    return dir;
  }

  /**
   * Creates {@code dir} owner-only when it does not exist; an existing directory is left as it is
   * (a home the user pointed at an existing, perhaps shared, directory: the studio's own
   * subdirectories below it are owner-only).
   */
  public static Path directoryIfNew(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      Files.createDirectories(dir);
      restrict(dir, DIRECTORY);
    }
    return dir;
  }

  /** Makes every directory under {@code root} (itself included) 0700 and every file 0600. */
  public static void tree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
              throws IOException {
            restrict(dir, DIRECTORY);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            if (attrs.isRegularFile()) {
              restrict(file, FILE);
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
            if (e instanceof NoSuchFileException) {
              return FileVisitResult.CONTINUE; // a lock or temporary file removed meanwhile
            }
            throw e;
          }
        });
  }

  private static void restrict(Path path, Set<PosixFilePermission> permissions) throws IOException {
    PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
    if (view == null) {
      return;
    }
    try {
      if (!view.readAttributes().permissions().equals(permissions)) {
        view.setPermissions(permissions);
      }
    } catch (NoSuchFileException e) {
      // removed between listing and change (a git lock file): nothing left to restrict
    }
  }
}
