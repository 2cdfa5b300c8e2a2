package io.migrationstudio.studio;

import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a command's wall time goes (issue 17): one line per phase, the milliseconds since the
 * previous mark and since the JVM started. Off by default, and then it costs nothing (a client
 * command must not start the logging for it); {@code STUDIO_TIMINGS=1} in the environment or {@code
 * -Dstudio.timings=true} turns it on, and each line then goes to stderr ({@code studio: timing
 * ...}) and to the log (logger {@code io.migrationstudio.timing}, INFO).
 */
final class Timings {
  /** System property that turns the timing lines on. */
  static final String PROPERTY = "studio.timings";

  /** Environment variable that turns the timing lines on. */
  static final String ENV = "STUDIO_TIMINGS";

  private static final AtomicLong LAST = new AtomicLong(jvmStartMillis());

  private Timings() {}

  /** Whether the timing lines are on (property or environment variable set, not false or 0). */
  static boolean enabled() {
    return on(System.getProperty(PROPERTY)) || on(System.getenv(ENV));
  }

  private static boolean on(String value) {
    return value != null
        && !value.isBlank()
        && !value.equalsIgnoreCase("false")
        && !value.equals("0");
  }

  /** Records that {@code phase} ended now. */
  static void mark(String phase) {
    long now = System.currentTimeMillis();
    long since = now - LAST.getAndSet(now);
    line(
        String.format(
            Locale.ROOT,
            "timing %-34s +%6d ms  (%6d ms since JVM start)",
            phase,
            since,
            now - jvmStartMillis()));
  }

  /** Records a phase whose length was measured elsewhere (an activity), leaving the clock alone. */
  static void span(String phase, long millis, String detail) {
    line(String.format(Locale.ROOT, "timing %-34s  %6d ms  %s", phase, millis, detail));
  }

  private static void line(String text) {
    if (enabled()) {
      System.err.println("studio: " + text);
      Holder.LOG.info(text);
    }
  }

  private static long jvmStartMillis() {
    return ManagementFactory.getRuntimeMXBean().getStartTime();
  }

  /** The logger, created at the first line (after {@link Logs#init} pointed the log file). */
  private static final class Holder {
    static final Logger LOG = LoggerFactory.getLogger("io.migrationstudio.timing");
  }
}
