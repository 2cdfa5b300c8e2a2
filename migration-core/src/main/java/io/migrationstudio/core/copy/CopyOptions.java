package io.migrationstudio.core.copy;

/**
 * Tuning of {@link ChunkCopier}. {@code fetchSize}: source rows per cursor fetch (memory bound);
 * {@code progressEvery}: rows between progress calls (heartbeats); {@code rejectLimit}: rows of one
 * chunk that may be quarantined before the chunk fails; {@code force}: redo a chunk the ledger
 * shows committed; {@code deliveryAttempt}: which delivery of the chunk this is (Temporal's
 * activity attempt, 1 for the first), so that the ledger counts attempts that failed and left no
 * row; {@code leaveOpen}: the copier does not commit the chunk's transaction but leaves it to the
 * caller (the dry run rolls it back); {@code worker}: who copies the chunk (the worker process's
 * identity, recorded in the ledger's {@code worker} column; null leaves it as it was); {@code
 * online}: the copy of a {@code migrate.strategy: online} migration, whose chunks read through the
 * source's change capture ({@code ChangeCapture.beginChunkRead}) and record their snapshot in the
 * ledger for the hand-off to the stream.
 */
public record CopyOptions(
    int fetchSize,
    int progressEvery,
    long rejectLimit,
    boolean force,
    int deliveryAttempt,
    boolean leaveOpen,
    String worker,
    boolean online) {
  public static final int DEFAULT_FETCH_SIZE = 2_000;
  public static final int DEFAULT_PROGRESS_EVERY = 1_000;

  public CopyOptions {
    if (fetchSize < 1 || progressEvery < 1 || rejectLimit < 0 || deliveryAttempt < 1) {
      throw new IllegalArgumentException(
          "copy options need fetchSize >= 1, progressEvery >= 1, rejectLimit >= 0,"
              + " deliveryAttempt >= 1; got "
              + fetchSize
              + ", "
              + progressEvery
              + ", "
              + rejectLimit
              + ", "
              + deliveryAttempt);
    }
  }

  /** The options before dry runs existed: the copier commits. */
  public CopyOptions(
      int fetchSize, int progressEvery, long rejectLimit, boolean force, int deliveryAttempt) {
    this(fetchSize, progressEvery, rejectLimit, force, deliveryAttempt, false, null, false);
  }

  public static CopyOptions defaults() {
    return new CopyOptions(DEFAULT_FETCH_SIZE, DEFAULT_PROGRESS_EVERY, 0, false, 1);
  }

  public CopyOptions withRejectLimit(long limit) {
    return new CopyOptions(
        fetchSize, progressEvery, limit, force, deliveryAttempt, leaveOpen, worker, online);
  }

  public CopyOptions withForce(boolean f) {
    return new CopyOptions(
        fetchSize, progressEvery, rejectLimit, f, deliveryAttempt, leaveOpen, worker, online);
  }

  public CopyOptions withProgressEvery(int every) {
    return new CopyOptions(
        fetchSize, every, rejectLimit, force, deliveryAttempt, leaveOpen, worker, online);
  }

  public CopyOptions withDeliveryAttempt(int attempt) {
    return new CopyOptions(
        fetchSize, progressEvery, rejectLimit, force, attempt, leaveOpen, worker, online);
  }

  public CopyOptions withLeaveOpen(boolean open) {
    return new CopyOptions(
        fetchSize, progressEvery, rejectLimit, force, deliveryAttempt, open, worker, online);
  }

  public CopyOptions withWorker(String who) {
    return new CopyOptions(
        fetchSize, progressEvery, rejectLimit, force, deliveryAttempt, leaveOpen, who, online);
  }

  public CopyOptions withOnline(boolean capture) {
    return new CopyOptions(
        fetchSize, progressEvery, rejectLimit, force, deliveryAttempt, leaveOpen, worker, capture);
  }
}
