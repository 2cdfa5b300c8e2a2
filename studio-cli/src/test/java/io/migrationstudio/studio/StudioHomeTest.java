package io.migrationstudio.studio;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A studio home is its owner's: a new home and its logs directory are 0700 whatever the umask; an
 * older world-readable logs directory is tightened; a directory the user named that already existed
 * keeps its mode.
 */
class StudioHomeTest {
  @TempDir Path tmp;

  @Test
  void aNewHomeAndItsLogsAreOwnerOnly() throws Exception {
    StudioHome home = StudioHome.of(tmp.resolve("new").resolve(".studio"));
    assertEquals("rwx------", mode(home.root()));
    assertEquals("rwx------", mode(home.logs()));
  }

  @Test
  void anExistingHomeKeepsItsModeAndItsLogsAreTightened() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("project"));
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path logs = Files.createDirectories(root.resolve("logs"));
    Files.setPosixFilePermissions(logs, PosixFilePermissions.fromString("rwxr-xr-x"));
    StudioHome home = StudioHome.of(root);
    assertEquals("rwxr-xr-x", mode(home.root()));
    assertEquals("rwx------", mode(home.logs()));
  }

  private static String mode(Path p) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }
}
