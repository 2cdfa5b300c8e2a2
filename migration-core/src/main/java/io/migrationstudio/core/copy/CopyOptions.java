package io.migrationstudio.core.copy;

/**
 * Tuning of {@link ChunkCopier}. {@code fetchSize}: source rows per cursor fetch (memory bound);
 * {@code progressEvery}: rows between progress calls (heartbeats); {@code rejectLimit}: rows of one
 * chunk that may be quarantined before the chunk fails; {@code force}: redo a chunk the ledger
 * shows committed.
 */
public record CopyOptions(int fetchSize, int progressEvery, long rejectLimit, boolean force) {
  public static final int DEFAULT_FETCH_SIZE = 2_000;
  public static final int DEFAULT_PROGRESS_EVERY = 1_000;

  public CopyOptions {
    if (fetchSize < 1 || progressEvery < 1 || rejectLimit < 0) {
      throw new IllegalArgumentException(
          "copy options need fetchSize >= 1, progressEvery >= 1, rejectLimit >= 0; got "
              + fetchSize
              + ", "
              + progressEvery
              + ", "
              + rejectLimit);
    }
  }

  public static CopyOptions defaults() {
    return new CopyOptions(DEFAULT_FETCH_SIZE, DEFAULT_PROGRESS_EVERY, 0, false);
  }

  public CopyOptions withRejectLimit(long limit) {
    return new CopyOptions(fetchSize, progressEvery, limit, force);
  }

  public CopyOptions withForce(boolean f) {
    return new CopyOptions(fetchSize, progressEvery, rejectLimit, f);
  }

  public CopyOptions withProgressEvery(int every) {
    return new CopyOptions(fetchSize, every, rejectLimit, force);
  }
}
