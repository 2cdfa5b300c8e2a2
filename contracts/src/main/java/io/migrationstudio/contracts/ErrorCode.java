package io.migrationstudio.contracts;

/**
 * Error codes of {@code MigrationException}. Activities turn them into Temporal application
 * failures whose type is the code's name; {@link #retryable()} decides whether Temporal retries.
 */
public enum ErrorCode {
  /** The spec breaks a rule; fix the spec. */
  INVALID_SPEC(false),
  /**
   * A database could not be reached at the start of a migration (refused, timeout, DNS), so it has
   * never worked for it: a wrong host or port. Not retried: the migration fails fast naming the
   * database instead of starting a retry storm; fix and re-run. A database that stops answering
   * later (restart, failover, network) is {@link #TRANSIENT_SQL}.
   */
  DATABASE_UNREACHABLE(false),
  /** Wrong user or password, or no permission. Not retried. */
  AUTHENTICATION_FAILED(false),
  /** An object the migration needs does not exist, or SQL was rejected as invalid. */
  MISSING_OBJECT(false),
  /** A type the studio cannot map. */
  UNSUPPORTED_TYPE(false),
  /**
   * A transient failure: a statement on an established connection (serialization, deadlock,
   * connection lost, backend terminated, server shutting down) or a new connection refused during a
   * stage, after the database worked at the start (a restart or failover). Retried with backoff as
   * the activity's retry policy says; a chunk redoes exactly its range.
   */
  TRANSIENT_SQL(true),
  /** A permanent failure of a statement (constraint, data exception). */
  PERMANENT_SQL(false),
  /** An artifact on the branch is malformed or missing. */
  INVALID_ARTIFACT(false),
  /** A commit named by a review is not on the migration branch. */
  INVALID_COMMIT(false),
  /** The git store failed (I/O, push rejected after retries). */
  GIT_FAILURE(true),
  /** More rejected rows than the spec's reject_limit. */
  REJECT_LIMIT_EXCEEDED(false),
  /**
   * Target tables Migrate would write already hold rows and the spec says {@code
   * migrate.target_not_empty: fail} (the default). Not retried: empty them or decide {@code
   * replace}.
   */
  TARGET_NOT_EMPTY(false),
  /**
   * Another migration holds the target's migration lock (a row in the target's studio schema): one
   * live migration per target. Not retried: wait for it to end, or release the lock of a crashed
   * holder with {@code studio unlock}.
   */
  TARGET_LOCKED(false),
  /** The cutover or its rollback drill could not complete. */
  CUTOVER_FAILED(false),
  /**
   * The change stream of an online migration cannot go on (DDL on a captured table, a slot or
   * binlog that is gone): applying more would diverge; the stream stops and says why.
   */
  CAPTURE_STOPPED(false),
  /** Anything else: a bug. */
  INTERNAL(false);

  private final boolean retryable;

  ErrorCode(boolean retryable) {
    this.retryable = retryable;
  }

  public boolean retryable() {
    return retryable;
  }

  /** The failure types Temporal must not retry, for {@code RetryOptions.setDoNotRetry}. */
  public static String[] nonRetryableTypes() {
    return java.util.Arrays.stream(values())
        .filter(c -> !c.retryable)
        .map(Enum::name)
        .toArray(String[]::new);
  }
}
