package io.migrationstudio.core.assess;

import io.migrationstudio.contracts.spec.ConsumerWindow;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.schema.ConsumerInfo;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Samples the sessions connected to the source over a window, to name its consumers (who reads and
 * writes the legacy system). One look misses short-lived clients, so it looks several times (the
 * spec's {@code assessment.consumer_window.samples}, default {@link #SAMPLES}), evenly spread over
 * the window, and merges: a consumer is one (application, user, host); its {@code sessions} is the
 * most sessions it had open in any one look, its {@code state} every state seen in any look. The
 * result is sorted by application, user, host (nulls first).
 *
 * <p>The window is the spec's {@code assessment.consumer_window.duration} (default {@link
 * #DEFAULT_WINDOW}); {@code PT0S} or one sample means a single look.
 */
public final class ConsumerSampler {
  /** Two seconds: long enough to catch a connection pool's periodic checks, short for a stage. */
  public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(2);

  /** Looks per window: the first at the start, the last at the end. */
  public static final int SAMPLES = 5;

  /** How the sampler waits between looks (a test may pass one that does not sleep). */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(Duration d) throws InterruptedException;
  }

  private static final Comparator<String> NULLS_FIRST =
      Comparator.nullsFirst(Comparator.naturalOrder());
  private static final Comparator<ConsumerInfo> ORDER =
      Comparator.comparing(ConsumerInfo::application, NULLS_FIRST)
          .thenComparing(ConsumerInfo::user, NULLS_FIRST)
          .thenComparing(ConsumerInfo::host, NULLS_FIRST);

  private ConsumerSampler() {}

  /** Samples over {@code window} with real sleeps; empty when the dialect has no session list. */
  public static List<ConsumerInfo> sample(
      Dialect dialect, Connection c, String schema, Duration window) throws SQLException {
    return sample(dialect, c, schema, window, SAMPLES, d -> Thread.sleep(d.toMillis()));
  }

  /** Samples as the spec's {@code assessment.consumer_window} says, with real sleeps. */
  public static List<ConsumerInfo> sample(
      Dialect dialect, Connection c, String schema, ConsumerWindow window) throws SQLException {
    return sample(dialect, c, schema, window, Set.of());
  }

  /**
   * As above, also leaving out the sessions {@code alsoOwn} ({@link Dialect.SessionList#sessionId}
   * of the looker's connections that work while it samples).
   */
  public static List<ConsumerInfo> sample(
      Dialect dialect, Connection c, String schema, ConsumerWindow window, Set<Long> alsoOwn)
      throws SQLException {
    return sample(
        dialect,
        c,
        schema,
        Duration.parse(window.duration()),
        window.samples(),
        d -> Thread.sleep(d.toMillis()),
        alsoOwn);
  }

  static List<ConsumerInfo> sample(
      Dialect dialect, Connection c, String schema, Duration window, Sleeper sleeper)
      throws SQLException {
    return sample(dialect, c, schema, window, SAMPLES, sleeper);
  }

  static List<ConsumerInfo> sample(
      Dialect dialect, Connection c, String schema, Duration window, int samples, Sleeper sleeper)
      throws SQLException {
    return sample(dialect, c, schema, window, samples, sleeper, Set.of());
  }

  static List<ConsumerInfo> sample(
      Dialect dialect,
      Connection c,
      String schema,
      Duration window,
      int samples,
      Sleeper sleeper,
      Set<Long> alsoOwn)
      throws SQLException {
    Objects.requireNonNull(window, "window");
    if (window.isNegative()) {
      throw new IllegalArgumentException("consumer sampling window " + window + " is negative");
    }
    if (samples < 1) {
      throw new IllegalArgumentException("consumer sampling needs >= 1 sample, got " + samples);
    }
    Dialect.SessionList sessions = dialect.sessionList().orElse(null);
    if (sessions == null) {
      return List.of();
    }
    int looks = window.isZero() ? 1 : samples;
    Duration pause = looks == 1 ? Duration.ZERO : window.dividedBy(looks - 1);
    List<List<ConsumerInfo>> snapshots = new ArrayList<>();
    for (int i = 0; i < looks; i++) {
      if (i > 0) {
        try {
          sleeper.sleep(pause);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break; // keep what was seen so far
        }
      }
      snapshots.add(sessions.snapshot(c, schema, alsoOwn));
    }
    return merge(snapshots);
  }

  /** Merges snapshots (each grouped by application, user, host and state) into consumers. */
  static List<ConsumerInfo> merge(List<List<ConsumerInfo>> snapshots) {
    Map<List<String>, Integer> most = new HashMap<>();
    Map<List<String>, TreeSet<String>> states = new HashMap<>();
    for (List<ConsumerInfo> snapshot : snapshots) {
      Map<List<String>, Integer> now = new HashMap<>();
      for (ConsumerInfo s : snapshot) {
        List<String> key = Arrays.asList(s.application(), s.user(), s.host());
        now.merge(key, s.sessions(), Integer::sum);
        if (s.state() != null && !s.state().isBlank()) {
          states.computeIfAbsent(key, k -> new TreeSet<>()).add(s.state());
        }
      }
      now.forEach((key, n) -> most.merge(key, n, Math::max));
    }
    List<ConsumerInfo> out = new ArrayList<>();
    most.forEach(
        (key, n) -> {
          TreeSet<String> seen = states.get(key);
          out.add(
              new ConsumerInfo(
                  key.get(0),
                  key.get(1),
                  key.get(2),
                  n,
                  seen == null ? null : String.join(",", seen)));
        });
    out.sort(ORDER);
    return List.copyOf(out);
  }
}
