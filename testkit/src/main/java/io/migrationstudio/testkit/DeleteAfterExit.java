package io.migrationstudio.testkit;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Deletes a stopped embedded server's directory in a process of its own that outlives the JVM, so a
 * test JVM's exit does not wait for it. The shared PostgreSQL of a module's ITs holds hundreds of
 * test databases at the end (a few hundred files each): deleting them file by file in a shutdown
 * hook took longer than surefire's 30 s exit timeout, so surefire killed every migration-core fork
 * after 30 s on every CI run, leaving the directory half deleted in {@code /tmp}.
 */
final class DeleteAfterExit {
  /** How long the deleting process waits for the server to remove its pid file: 10 s. */
  private static final String POLLS = "100";

  private DeleteAfterExit() {}

  /** Starts {@code rm -rf dir} in a new process at once; returns at once. */
  static void start(Path dir) {
    start(dir, dir.resolve("no pid file to wait for"));
  }

  /**
   * Starts {@code rm -rf dir} in a new process, once {@code pidFile} (a server's own, which it
   * removes when it has stopped) is gone or after 10 s; returns at once. Best effort: the JVM is
   * going away.
   */
  static void start(Path dir, Path pidFile) {
    try {
      new ProcessBuilder(
              "sh",
              "-c",
              "for i in $(seq 1 \"$2\"); do [ -e \"$1\" ] || break; sleep 0.1; done; rm -rf \"$0\"",
              dir.toString(),
              pidFile.toString(),
              POLLS)
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectError(ProcessBuilder.Redirect.DISCARD)
          .start();
    } catch (IOException ignored) {
      // no shell: the directory stays in the temporary directory
    }
  }
}
