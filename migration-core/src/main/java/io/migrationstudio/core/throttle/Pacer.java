package io.migrationstudio.core.throttle;

/** Time for the throttles: a monotonic clock and a sleep, so tests can run them on a fake clock. */
public interface Pacer {
  /** Monotonic nanoseconds. */
  long nanoTime();

  /** Sleeps {@code nanos} nanoseconds (or until interrupted). */
  void sleep(long nanos) throws InterruptedException;

  /** The real clock. */
  Pacer SYSTEM =
      new Pacer() {
        @Override
        public long nanoTime() {
          return System.nanoTime();
        }

        @Override
        public void sleep(long nanos) throws InterruptedException {
          java.util.concurrent.TimeUnit.NANOSECONDS.sleep(nanos);
        }
      };
}
