package io.migrationstudio.studio;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.spec.SecretResolver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One live {@code studio run} per migration id, in a studio home and on a target. Two locks, held
 * for the whole run and released when it ends (or its process dies):
 *
 * <ul>
 *   <li>home: an OS file lock on {@code <home>/locks/<id>.lock}, whose text names the owner (pid,
 *       host, start time);
 *   <li>target: a session-level PostgreSQL advisory lock keyed by the migration id ({@code
 *       pg_try_advisory_lock(STUDIO_KEY, hashtext(id))}) held by one connection whose {@code
 *       application_name} names the owner; the server drops it with the connection, so a killed run
 *       leaves no stale lock.
 * </ul>
 *
 * A second run of the same migration is refused before anything starts, naming the first. A target
 * that cannot be reached is not locked here: the Assessment then fails naming it, as before.
 *
 * <p>{@code studio server} takes the same locks for every migration it drives (started with {@code
 * studio start} or re-created at its start, see {@link HomeLocks}), so a {@code studio run} of one
 * of them on the same home is refused too, told to follow it with {@code --server} instead. The
 * lock file's second line names the operator API of its holder once it listens ({@link #servedAt}).
 */
final class RunLock implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RunLock.class);

  /** First key of the studio's advisory locks ("STUD"); the second is hashtext(migration id). */
  static final int STUDIO_KEY = 0x53545544;

  /** Lock files this JVM holds (the OS lock cannot be taken twice by one JVM). */
  private static final Set<Path> HELD_HERE = new HashSet<>();

  /** Prefix of the lock file's line naming the holder's operator API. */
  private static final String API_LINE = "operator API ";

  private final Path file;
  private final FileChannel channel;
  private final FileLock fileLock;
  private final Connection target;
  private final String owner;
  private boolean closed;

  private RunLock(
      Path file, FileChannel channel, FileLock fileLock, Connection target, String owner) {
    this.file = file;
    this.channel = channel;
    this.fileLock = fileLock;
    this.target = target;
    this.owner = owner;
  }

  /** Takes both locks for {@code spec}'s migration for {@code studio run} or refuses. */
  static RunLock acquire(StudioHome home, MigrationSpec spec) {
    return acquire(home, spec, "studio run " + spec.id());
  }

  /**
   * Takes both locks for {@code spec}'s migration, naming {@code command} ({@code studio run ID},
   * {@code studio server}) as their holder, or refuses (INVALID_SPEC, exit 2) naming the process
   * that holds them.
   */
  static RunLock acquire(StudioHome home, MigrationSpec spec, String command) {
    String owner = owner(command, home);
    Path file = homeLock(home, spec.id());
    FileChannel channel;
    FileLock lock;
    synchronized (HELD_HERE) {
      if (HELD_HERE.contains(file)) {
        throw refusedInHome(spec.id(), home, file);
      }
      try {
        channel =
            FileChannel.open(
                file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
          lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
          lock = null;
        }
        if (lock == null) {
          channel.close();
          throw refusedInHome(spec.id(), home, file);
        }
        channel.truncate(0);
        channel.write(ByteBuffer.wrap((owner + "\n").getBytes(StandardCharsets.UTF_8)), 0);
        channel.force(false);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot lock " + file, e);
      }
      HELD_HERE.add(file);
    }
    try {
      return new RunLock(
          file, channel, lock, lockTarget(spec, owner, Services.secrets(home)), owner);
    } catch (RuntimeException e) {
      release(file, channel, lock);
      throw e;
    }
  }

  private static Path homeLock(StudioHome home, String id) {
    try {
      Path dir = Files.createDirectories(home.root().resolve("locks"));
      return dir.toRealPath().resolve(id + ".lock");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the lock directory of " + home.root(), e);
    }
  }

  /**
   * Names in the lock file the operator API ({@code host:port}) through which the holder's
   * migration can be followed, reviewed and cancelled; a refused process prints it.
   */
  void servedAt(String api) {
    synchronized (HELD_HERE) {
      try {
        byte[] text = (owner + "\n" + API_LINE + api + "\n").getBytes(StandardCharsets.UTF_8);
        channel.truncate(0);
        channel.write(ByteBuffer.wrap(text), 0);
        channel.force(false);
      } catch (IOException e) {
        log.warn("cannot name the operator API in {}: {}", file, e.getMessage());
      }
    }
  }

  /**
   * Who holds the lock: {@code <command> pid <pid> on <host> since <instant> (home <dir>)}, the
   * command {@code studio run <id>} or {@code studio server}.
   */
  private static String owner(String command, StudioHome home) {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      host = "localhost";
    }
    return command
        + " pid "
        + ProcessHandle.current().pid()
        + " on "
        + host
        + " since "
        + Instant.now()
        + " (home "
        + home.root()
        + ")";
  }

  private static MigrationException refusedInHome(String id, StudioHome home, Path file) {
    String holder = "";
    String api = null;
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (line.startsWith(API_LINE)) {
          api = line.substring(API_LINE.length()).strip();
        } else if (holder.isEmpty()) {
          holder = line.strip();
        }
      }
    } catch (IOException e) {
      holder = "";
    }
    String next =
        api == null || api.isEmpty()
            ? "wait for it to end (or stop that process), then run again"
            : "two processes driving one migration could copy or apply it twice. Follow it"
                + " through that process instead: `studio watch "
                + id
                + " --server "
                + api
                + "` (status, review and cancel take the same --server); or stop that process,"
                + " then run again";
    return new MigrationException(
        ErrorCode.INVALID_SPEC,
        "migration "
            + id
            + " is already running from the studio home "
            + home.root()
            + (holder.isEmpty() ? "" : ": " + holder)
            + "; "
            + next);
  }

  /** The target's advisory lock on a connection kept open; null when the target is unreachable. */
  private static Connection lockTarget(MigrationSpec spec, String owner, SecretResolver secrets) {
    if (!spec.target().url().startsWith("jdbc:postgresql:")) {
      return null;
    }
    Connection c;
    try {
      c = Dialects.open(spec.target(), secrets, "target");
    } catch (RuntimeException e) {
      log.warn("target of {} not locked (the run reports why it cannot connect): {}", spec.id(), e);
      return null;
    }
    try {
      c.setAutoCommit(true);
      try (PreparedStatement ps =
          c.prepareStatement("SELECT set_config('application_name', ?, false)")) {
        // application_name holds at most 63 bytes
        ps.setString(1, truncate(owner.substring(0, owner.indexOf(" (home ")), 63));
        ps.execute();
      }
      try (PreparedStatement ps =
          c.prepareStatement("SELECT pg_try_advisory_lock(?, hashtext(?))")) {
        ps.setInt(1, STUDIO_KEY);
        ps.setString(2, spec.id());
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          if (rs.getBoolean(1)) {
            return c;
          }
        }
      }
      String holder = targetHolder(c, spec.id());
      c.close();
      throw new MigrationException(
          ErrorCode.INVALID_SPEC,
          "migration "
              + spec.id()
              + " is already running against its target "
              + MigrationException.redact(spec.target().url())
              + " ("
              + holder
              + "); one process drives a migration on a target: follow it with --server against"
              + " that process, or wait for it to end (or stop it), then run again");
    } catch (SQLException e) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // closing drops any lock taken
      }
      throw new MigrationException(
          ErrorCode.PERMANENT_SQL,
          "cannot take the run lock of migration "
              + spec.id()
              + " on its target: "
              + e.getMessage()
              + " (SQLState "
              + e.getSQLState()
              + ")");
    }
  }

  /** The session holding the migration's advisory lock, as far as this user may see it. */
  private static String targetHolder(Connection c, String id) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT a.pid, a.application_name, a.backend_start, a.client_addr"
                + " FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
                + " WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2"
                + " AND l.classid::bigint = ?"
                + " AND l.objid::bigint = (hashtext(?)::bigint + 4294967296) % 4294967296")) {
      ps.setLong(1, STUDIO_KEY);
      ps.setString(2, id);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return "held by another session";
        }
        String app = rs.getString(2);
        return (app == null || app.isBlank() ? "held by a session" : "held by " + app)
            + ", server pid "
            + rs.getInt(1)
            + (rs.getString(3) == null ? "" : ", connected since " + rs.getString(3))
            + (rs.getString(4) == null ? "" : " from " + rs.getString(4));
      }
    }
  }

  private static String truncate(String s, int bytes) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    if (b.length <= bytes) {
      return s;
    }
    return new String(b, 0, bytes, StandardCharsets.UTF_8).replace("\uFFFD", "");
  }

  @Override
  public void close() {
    synchronized (HELD_HERE) {
      if (closed) {
        return;
      }
      closed = true;
    }
    if (target != null) {
      try {
        target.close(); // the session's advisory lock goes with it
      } catch (SQLException e) {
        log.warn("closing the run lock connection: {}", e.getMessage());
      }
    }
    release(file, channel, fileLock);
  }

  private static void release(Path file, FileChannel channel, FileLock lock) {
    synchronized (HELD_HERE) {
      try {
        lock.release();
      } catch (IOException e) {
        // closing the channel releases it too
      }
      try {
        channel.close();
      } catch (IOException e) {
        log.warn("closing {}: {}", file, e.getMessage());
      }
      HELD_HERE.remove(file);
    }
  }
}
