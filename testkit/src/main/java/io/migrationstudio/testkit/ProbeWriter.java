package io.migrationstudio.testkit;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Measures write-unavailability the way an application sees it: one thread inserts one row (a
 * sequence number) every {@code interval} into the database the application is pointed at now
 * ({@code endpoint}, asked before every write: e.g. {@link #followConfigFile}), in autocommit, and
 * records every acknowledged write (the insert returned) with the endpoint that took it and the
 * monotonic time. A refused or failed write is counted and not retried under the same number (its
 * outcome may be unknown); the next write takes the next number. The window of a switch is the time
 * from the last acknowledged write on the old endpoint to the first on the new one ({@link
 * #window}); every acknowledged write must be on the final primary ({@link #acknowledged}).
 *
 * <p>The table is {@link #createTableSql}: the key comes from the database's own sequence, so a
 * target whose sequence was not moved past the copied keys refuses the writes after the switch.
 */
public final class ProbeWriter implements AutoCloseable {
  /** Where the application writes: a name for reports and how to connect. */
  public record Endpoint(String name, String jdbcUrl, String user, String password) {
    public Endpoint {
      Objects.requireNonNull(name, "endpoint name is required");
      Objects.requireNonNull(jdbcUrl, "endpoint JDBC URL is required");
      password = password == null ? "" : password;
    }
  }

  /** One acknowledged write: its number, where, and when (monotonic nanoseconds). */
  public record Ack(long seq, String endpoint, long nanos) {}

  /**
   * The measured window of one switch: the last write acknowledged by {@code from} and the first by
   * {@code to}, and the time between them.
   */
  public record Window(Ack lastOnOld, Ack firstOnNew, long millis) {}

  private final String table;
  private final Supplier<Endpoint> endpoint;
  private final Duration interval;
  private final List<Ack> acks = new ArrayList<>();
  private final AtomicLong failures = new AtomicLong();
  private final AtomicBoolean stop = new AtomicBoolean();
  private volatile String lastFailure;
  private Thread thread;

  public ProbeWriter(String table, Supplier<Endpoint> endpoint, Duration interval) {
    this.table = Objects.requireNonNull(table);
    this.endpoint = Objects.requireNonNull(endpoint);
    this.interval = Objects.requireNonNull(interval);
  }

  /** The probe table, PostgreSQL (its key from a sequence; {@code seq} is the writer's number). */
  public static String createTableSql(String table) {
    return "CREATE TABLE "
        + table
        + " (id bigserial PRIMARY KEY, seq bigint NOT NULL UNIQUE,"
        + " written_at timestamptz NOT NULL DEFAULT clock_timestamp())";
  }

  /**
   * The probe table on MariaDB/MySQL, the same shape: the key from AUTO_INCREMENT (the target's
   * identity must be set past it at the cutover, and AUTO_INCREMENT past the target's at a
   * rollback).
   */
  public static String createMariaDbTableSql(String table) {
    return "CREATE TABLE "
        + table
        + " (id bigint AUTO_INCREMENT PRIMARY KEY, seq bigint NOT NULL UNIQUE,"
        + " written_at timestamp(6) NULL DEFAULT CURRENT_TIMESTAMP(6)) ENGINE=InnoDB";
  }

  /**
   * The endpoint a {@code config-file} switch names: {@code to} once the properties file at {@code
   * file} holds {@code url=} its JDBC URL, {@code from} otherwise (no file, another URL, a file
   * being replaced).
   */
  public static Supplier<Endpoint> followConfigFile(Path file, Endpoint from, Endpoint to) {
    return () -> urlIn(file).filter(to.jdbcUrl()::equals).map(u -> to).orElse(from);
  }

  /**
   * For benchmarks: {@code ProbeWriter TABLE CONFIG_FILE SOURCE_URL TARGET_URL USER SECONDS} writes
   * for {@code SECONDS} (0: until the process is terminated, e.g. by SIGTERM) following the {@code
   * config-file} switch at {@code CONFIG_FILE} (password from the environment variable {@code
   * PROBE_PASSWORD}, empty when unset) and prints one JSON line: the window in milliseconds (-1
   * when no switch was seen), the acknowledged writes per side and the refused ones. With {@code
   * PROBE_ACKS} set to a file, every acknowledged write is also written there, one line each:
   * {@code seq endpoint epoch_seconds} (for checking them on the final primary).
   */
  public static void main(String[] args) throws Exception {
    if (args.length != 6) {
      System.err.println(
          "usage: ProbeWriter TABLE CONFIG_FILE SOURCE_URL TARGET_URL USER SECONDS"
              + " (password in PROBE_PASSWORD, acknowledged writes to the file PROBE_ACKS)");
      System.exit(2);
    }
    String password = System.getenv().getOrDefault("PROBE_PASSWORD", "");
    Endpoint from = new Endpoint("source", args[2], args[4], password);
    Endpoint to = new Endpoint("target", args[3], args[4], password);
    ProbeWriter probe =
        new ProbeWriter(
            args[0], followConfigFile(Path.of(args[1]), from, to), Duration.ofMillis(10));
    String acks = System.getenv("PROBE_ACKS");
    // the report runs once, as the JVM exits: after SECONDS, or when terminated
    Runtime.getRuntime().addShutdownHook(new Thread(() -> report(probe, acks), "probe-report"));
    probe.start();
    long seconds = Long.parseLong(args[5]);
    if (seconds <= 0) {
      Thread.currentThread().join();
    }
    Thread.sleep(Duration.ofSeconds(seconds).toMillis());
    System.exit(0);
  }

  private static void report(ProbeWriter probe, String acksFile) {
    try {
      probe.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    long window = probe.window("source", "target").map(Window::millis).orElse(-1L);
    System.out.printf(
        "{\"window_ms\": %d, \"source_acks\": %d, \"target_acks\": %d, \"refused\": %d}%n",
        window, probe.acknowledgedOn("source"), probe.acknowledgedOn("target"), probe.failures());
    System.out.flush();
    if (acksFile == null || acksFile.isBlank()) {
      return;
    }
    long nowNanos = System.nanoTime();
    long nowMillis = System.currentTimeMillis();
    StringBuilder out = new StringBuilder();
    for (Ack a : probe.acknowledged()) {
      double epoch = (nowMillis - (nowNanos - a.nanos()) / 1_000_000.0) / 1000.0;
      out.append(a.seq())
          .append(' ')
          .append(a.endpoint())
          .append(' ')
          .append(String.format(Locale.ROOT, "%.6f", epoch))
          .append('\n');
    }
    try {
      Files.writeString(Path.of(acksFile), out);
    } catch (IOException e) {
      System.err.println("cannot write the acknowledged writes to " + acksFile + ": " + e);
    }
  }

  /** Starts writing on a daemon thread. */
  public ProbeWriter start() {
    thread = new Thread(this::run, "probe-writer-" + table);
    thread.setDaemon(true);
    thread.start();
    return this;
  }

  /** Stops writing and waits for the thread. */
  @Override
  public void close() throws InterruptedException {
    stop.set(true);
    if (thread != null) {
      thread.join(30_000);
    }
  }

  public synchronized List<Ack> acknowledged() {
    return List.copyOf(acks);
  }

  /** Acknowledged writes on one endpoint. */
  public synchronized long acknowledgedOn(String endpointName) {
    return acks.stream().filter(a -> a.endpoint().equals(endpointName)).count();
  }

  public long failures() {
    return failures.get();
  }

  public String lastFailure() {
    return lastFailure;
  }

  /** The window of the switch from {@code from} to {@code to}; empty before both have writes. */
  public synchronized Optional<Window> window(String from, String to) {
    Ack first = acks.stream().filter(a -> a.endpoint().equals(to)).findFirst().orElse(null);
    if (first == null) {
      return Optional.empty();
    }
    Ack last = null;
    for (Ack a : acks) {
      if (a.endpoint().equals(from) && a.nanos() < first.nanos()) {
        last = a;
      }
    }
    if (last == null) {
      return Optional.empty();
    }
    return Optional.of(new Window(last, first, (first.nanos() - last.nanos()) / 1_000_000));
  }

  private void run() {
    Connection c = null;
    Endpoint at = null;
    long seq = 0;
    while (!stop.get()) {
      seq++;
      Endpoint now = endpoint.get();
      try {
        if (c == null || !now.equals(at)) {
          close(c);
          c = null;
          c = DriverManager.getConnection(now.jdbcUrl(), now.user(), now.password());
          at = now;
        }
        try (PreparedStatement ps =
            c.prepareStatement("INSERT INTO " + table + " (seq) VALUES (?)")) {
          ps.setLong(1, seq);
          ps.executeUpdate();
        }
        long acked = System.nanoTime();
        synchronized (this) {
          acks.add(new Ack(seq, now.name(), acked));
        }
      } catch (SQLException e) {
        failures.incrementAndGet();
        lastFailure = now.name() + ": SQLState " + e.getSQLState() + ": " + e.getMessage();
        if (isBroken(c)) {
          close(c);
          c = null;
        }
      }
      sleep();
    }
    close(c);
  }

  private void sleep() {
    try {
      Thread.sleep(interval.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stop.set(true);
    }
  }

  private static boolean isBroken(Connection c) {
    try {
      return c == null || !c.isValid(2);
    } catch (SQLException e) {
      return true;
    }
  }

  private static void close(Connection c) {
    if (c != null) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // a connection to an endpoint we leave; nothing to undo
      }
    }
  }

  private static Optional<String> urlIn(Path file) {
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file)) {
      p.load(r);
    } catch (IOException e) {
      return Optional.empty(); // replaced while read: the next write asks again
    }
    return Optional.ofNullable(p.getProperty("url"));
  }
}
