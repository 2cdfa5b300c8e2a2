package io.migrationstudio.core.copy;

/**
 * Told how many rows a chunk has copied so far (every {@link CopyOptions#progressEvery()} rows and
 * once at the end). Activities heartbeat from it; an exception thrown here aborts the chunk and
 * rolls its transaction back.
 */
@FunctionalInterface
public interface ChunkProgress {
  ChunkProgress NONE = rows -> {};

  void rowsCopied(long rows);
}
