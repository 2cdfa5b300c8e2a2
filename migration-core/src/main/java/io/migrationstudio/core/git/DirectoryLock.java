package io.migrationstudio.core.git;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Serialises work on one directory across the threads of this JVM and across processes: an in-JVM
 * reentrant lock per directory (shared by every {@code DirectoryLock} of that directory, as the OS
 * lock below cannot be taken twice by one JVM), then an exclusive OS file lock on {@code
 * <dir>/.studio.lock} while the outermost holder works. Two {@code studio worker} processes started
 * on one home at the same instant so never initialise or fetch into its git repositories at once.
 */
final class DirectoryLock {
  static final String FILE = ".studio.lock";

  private static final ConcurrentHashMap<Path, ReentrantLock> LOCAL = new ConcurrentHashMap<>();

  private final Path file;
  private final ReentrantLock local;

  /** Guarded by {@link #local}: the outermost holder's channel and OS lock. */
  private FileChannel channel;

  private FileLock held;

  private DirectoryLock(Path file, ReentrantLock local) {
    this.file = file;
    this.local = local;
  }

  /** The lock of {@code dir} (created when missing). */
  static DirectoryLock of(Path dir) throws IOException {
    Files.createDirectories(dir);
    Path canonical = dir.toRealPath();
    return new DirectoryLock(
        canonical.resolve(FILE), LOCAL.computeIfAbsent(canonical, d -> new ReentrantLock()));
  }

  /** Waits for the directory; reentrant. */
  void lock() throws IOException {
    local.lock();
    if (local.getHoldCount() > 1) {
      return;
    }
    try {
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      held = channel.lock();
    } catch (IOException | RuntimeException e) {
      closeChannel();
      local.unlock();
      throw e;
    }
  }

  /** Releases one hold; the OS lock goes with the outermost. */
  void unlock() {
    try {
      if (local.getHoldCount() == 1) {
        try {
          if (held != null) {
            held.release();
          }
        } catch (IOException e) {
          // closing the channel below releases it too
        }
        closeChannel();
      }
    } finally {
      local.unlock();
    }
  }

  private void closeChannel() {
    try {
      if (channel != null) {
        channel.close();
      }
    } catch (IOException e) {
      // the OS drops the lock with the descriptor
    } finally {
      channel = null;
      held = null;
    }
  }
}
