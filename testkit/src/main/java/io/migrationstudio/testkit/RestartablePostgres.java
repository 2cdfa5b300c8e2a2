package io.migrationstudio.testkit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * An embedded PostgreSQL of a test class's own, for crash cases that stop a server and start it
 * again on the same data directory and port (the shared server of {@link PostgresExtension} stays
 * up for every other test). Started on first use; {@link #close} stops it and deletes its data.
 */
public final class RestartablePostgres implements AutoCloseable {
  /** How the server is stopped before it starts again. */
  public enum Shutdown {
    /**
     * {@code pg_ctl stop -m fast}: every session is ended (57P01), open transactions roll back, a
     * checkpoint is written; the next start needs no recovery.
     */
    FAST,
    /**
     * SIGQUIT to the postmaster (what {@code pg_ctl stop -m immediate} sends): every process exits
     * at once, without a checkpoint; the next start replays the WAL (crash recovery), as after a
     * power cut of the server process.
     */
    IMMEDIATE
  }

  private static final Duration EXIT_WAIT = Duration.ofSeconds(30);

  private EmbeddedPostgres server;
  private Path data;

  /** A new empty database on this server, named {@code prefix_<random>}. */
  public synchronized TestDatabase createDatabase(String prefix) {
    String name = prefix + "_" + Long.toHexString(System.nanoTime() & 0xffffffL);
    EmbeddedPostgres pg = server();
    try (Connection c = DriverManager.getConnection(pg.getJdbcUrl("postgres", "postgres"));
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create " + name, e);
    }
    return new TestDatabase(
        name, "jdbc:postgresql://localhost:" + pg.getPort() + "/" + name, "postgres");
  }

  /** What a test does while the server is down (connections to its port are refused). */
  @FunctionalInterface
  public interface WhileDown {
    void run() throws Exception;
  }

  /** Stops the server as {@code how} says and starts it again on its port and data. */
  public synchronized void restart(Shutdown how) throws IOException {
    try {
      restart(how, () -> {});
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e); // the empty action throws nothing
    }
  }

  /**
   * Stops the server as {@code how} says, runs {@code whileDown} (a server that is down for a
   * while, and what clients see then), and starts it again on its port and data, also when {@code
   * whileDown} fails.
   */
  public synchronized void restart(Shutdown how, WhileDown whileDown) throws Exception {
    int port = server().getPort();
    if (how == Shutdown.IMMEDIATE) {
      quit(postmasterPid());
    }
    server.close(); // FAST: pg_ctl stop -m fast; IMMEDIATE: finds no server, releases the lock
    try {
      whileDown.run();
    } finally {
      server = start(port);
    }
  }

  @Override
  public synchronized void close() throws IOException {
    if (server == null) {
      return;
    }
    server.close();
    server = null;
    try (Stream<Path> files = Files.walk(data)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private EmbeddedPostgres server() {
    if (server == null) {
      try {
        data = Files.createTempDirectory("restartable-pg");
        server = start(0);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return server;
  }

  private EmbeddedPostgres start(int port) throws IOException {
    return EmbeddedPostgres.builder()
        .setDataDirectory(data)
        .setCleanDataDirectory(false)
        .setPort(port)
        .setServerConfig("fsync", "off")
        .setServerConfig("synchronous_commit", "off")
        .setServerConfig("wal_level", "logical")
        .setServerConfig("max_wal_senders", "10")
        .setServerConfig("max_replication_slots", "10")
        .start();
  }

  /**
   * The postmaster's process id: the first line of {@code postmaster.pid} in the data directory.
   */
  private long postmasterPid() throws IOException {
    List<String> lines = Files.readAllLines(data.resolve("postmaster.pid"));
    return Long.parseLong(lines.get(0).trim());
  }

  /** Sends SIGQUIT to {@code pid} and waits until the process is gone. */
  private static void quit(long pid) throws IOException {
    try {
      Process kill = new ProcessBuilder("kill", "-QUIT", Long.toString(pid)).inheritIO().start();
      if (kill.waitFor() != 0) {
        throw new IOException("kill -QUIT " + pid + " exited with " + kill.exitValue());
      }
      long deadline = System.nanoTime() + EXIT_WAIT.toNanos();
      while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
        if (System.nanoTime() > deadline) {
          throw new IOException("the postmaster " + pid + " did not exit in " + EXIT_WAIT);
        }
        Thread.sleep(20);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while stopping the postmaster " + pid, e);
    }
  }
}
