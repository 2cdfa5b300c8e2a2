package io.migrationstudio.workflow.deterministic;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.TaskQueues;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import java.time.Duration;

/** Every activity's options in one place, each timeout with its reason. */
final class ActivityOptionsCatalog {
  private ActivityOptionsCatalog() {}

  private static RetryOptions retry(int attempts, Duration maxInterval) {
    return RetryOptions.newBuilder()
        .setInitialInterval(Duration.ofSeconds(1))
        .setBackoffCoefficient(2.0)
        .setMaximumInterval(maxInterval)
        .setMaximumAttempts(attempts)
        // permanent failures (bad spec, wrong password, unreachable database, bad artifact) fail
        // fast instead of starting a retry storm
        .setDoNotRetry(ErrorCode.nonRetryableTypes())
        .build();
  }

  /** Git evidence (branch, spec, reviews, PR): seconds of work; retried through push races. */
  static ActivityOptions evidence() {
    return ActivityOptions.newBuilder()
        .setTaskQueue(TaskQueues.ASSESSMENT)
        .setStartToCloseTimeout(Duration.ofMinutes(2))
        .setRetryOptions(retry(10, Duration.ofSeconds(30)))
        .build();
  }

  /**
   * Stage producers and checkers that read whole catalogs or profile data: up to hours on a large
   * source, no heartbeat (they are re-run whole; their files are byte-stable).
   */
  static ActivityOptions stage(String taskQueue) {
    return ActivityOptions.newBuilder()
        .setTaskQueue(taskQueue)
        .setStartToCloseTimeout(Duration.ofHours(6))
        .setRetryOptions(retry(5, Duration.ofMinutes(1)))
        .build();
  }

  /**
   * One chunk: bounded by chunk_rows/chunk_bytes, but a large chunk_bytes or a slow source can
   * stretch it to hours (a whole large table in one chunk); the heartbeat timeout is what detects a
   * dead worker (kill -9) quickly so the chunk is redone elsewhere.
   */
  static ActivityOptions chunk() {
    return ActivityOptions.newBuilder()
        .setTaskQueue(TaskQueues.MIGRATE)
        .setStartToCloseTimeout(Duration.ofHours(24))
        .setHeartbeatTimeout(Duration.ofSeconds(15))
        .setRetryOptions(retry(20, Duration.ofSeconds(30)))
        .build();
  }

  /**
   * One table's index builds: minutes to hours on a large table; the activity heartbeats from a
   * side thread while its DDL runs, so a lost worker is noticed in seconds; idempotent, so the
   * retry simply builds again.
   */
  static ActivityOptions indexBuild() {
    return ActivityOptions.newBuilder()
        .setTaskQueue(TaskQueues.MIGRATE)
        .setStartToCloseTimeout(Duration.ofHours(6))
        .setHeartbeatTimeout(Duration.ofSeconds(30))
        .setRetryOptions(retry(5, Duration.ofMinutes(1)))
        .build();
  }

  /**
   * The whole dry run in one activity (it reads every row): hours on a big source; heartbeats every
   * chunk's progress, so a dead worker is noticed as with a chunk and the dry run starts over.
   */
  static ActivityOptions dryRun() {
    return ActivityOptions.newBuilder()
        .setTaskQueue(TaskQueues.MIGRATE)
        .setStartToCloseTimeout(Duration.ofHours(12))
        .setHeartbeatTimeout(Duration.ofSeconds(30))
        .setRetryOptions(retry(3, Duration.ofMinutes(1)))
        .build();
  }

  /**
   * One slice of the change stream's apply loop (about 20 s): the heartbeat carries position and
   * lag and detects a dead worker in seconds; retried for about a quarter of an hour (30 attempts,
   * backoff to 30 s: a source or target restart is waited out), then the stream stops with the
   * reason in the status and cdc.json instead of leaving Migrate's checker waiting for a catch-up
   * that cannot come. A stream that cannot go on (CAPTURE_STOPPED and the other permanent failures)
   * stops at once. A pause cancels it: it stops at its next heartbeat (between two batches, within
   * about a second). The workflow does not wait for that (TRY_CANCEL): with
   * WAIT_CANCELLATION_COMPLETED a cancel racing the slice's completion left the stream workflow
   * stuck on Temporal's in-process server (ACTIVITY_UNKNOWN, temporalio/sdk-java#2391), which the
   * embedded mode runs on.
   */
  static ActivityOptions streamSlice() {
    return ActivityOptions.newBuilder()
        .setTaskQueue(TaskQueues.MIGRATE)
        .setStartToCloseTimeout(Duration.ofMinutes(5))
        .setHeartbeatTimeout(Duration.ofSeconds(30))
        .setRetryOptions(retry(30, Duration.ofSeconds(30)))
        .build();
  }

  /**
   * Measuring a paused stream: seconds (it opens the stream and reads a few polls, nothing
   * applied); retried a few times, a failure only leaves the last measure in the status.
   */
  static ActivityOptions streamMeasure() {
    return ActivityOptions.newBuilder()
        .setTaskQueue(TaskQueues.MIGRATE)
        .setStartToCloseTimeout(Duration.ofMinutes(1))
        .setRetryOptions(retry(3, Duration.ofSeconds(10)))
        .build();
  }

  /**
   * A reverse-stream slice (seconds) on the cutover workers: no heartbeat (shorter than its
   * timeout), retried like the forward stream's slices (a restarted worker, a lost connection).
   */
  static ActivityOptions reverseSlice() {
    return ActivityOptions.newBuilder()
        .setTaskQueue(TaskQueues.CUTOVER)
        .setStartToCloseTimeout(Duration.ofMinutes(2))
        .setRetryOptions(retry(30, Duration.ofSeconds(30)))
        .build();
  }

  /**
   * A rollback: minutes (its drain has its own timeout); one attempt, as the cutover's freeze (a
   * failed rollback leaves the target writable and the reverse stream kept: ask again).
   */
  static ActivityOptions rollback() {
    return ActivityOptions.newBuilder()
        .setTaskQueue(TaskQueues.CUTOVER)
        .setStartToCloseTimeout(Duration.ofMinutes(30))
        .setRetryOptions(retry(1, Duration.ofSeconds(1)))
        .build();
  }

  /** Dropping the reverse capture: seconds, on the cutover workers; retried a few times. */
  static ActivityOptions reverseDrop() {
    return ActivityOptions.newBuilder()
        .setTaskQueue(TaskQueues.CUTOVER)
        .setStartToCloseTimeout(Duration.ofMinutes(2))
        .setRetryOptions(retry(5, Duration.ofSeconds(30)))
        .build();
  }

  /** Dropping a capture: seconds; retried a few times, then the status names what to drop. */
  static ActivityOptions captureDrop() {
    return ActivityOptions.newBuilder()
        .setTaskQueue(TaskQueues.MIGRATE)
        .setStartToCloseTimeout(Duration.ofMinutes(2))
        .setRetryOptions(retry(5, Duration.ofSeconds(30)))
        .build();
  }

  /** Cutover steps: minutes, never retried blindly (a freeze is a user-visible act). */
  static ActivityOptions cutover() {
    return ActivityOptions.newBuilder()
        .setTaskQueue(TaskQueues.CUTOVER)
        .setStartToCloseTimeout(Duration.ofHours(1))
        .setRetryOptions(retry(2, Duration.ofSeconds(30)))
        .build();
  }

  /**
   * Hypercare samples and the decommission: minutes (a session list, a few DROPs, a commit);
   * retried a few times, every step is idempotent (a note per day, a drop of what is gone is a
   * no-op).
   */
  static ActivityOptions hypercare() {
    return ActivityOptions.newBuilder()
        .setTaskQueue(TaskQueues.CUTOVER)
        .setStartToCloseTimeout(Duration.ofMinutes(10))
        .setRetryOptions(retry(5, Duration.ofMinutes(1)))
        .build();
  }
}
