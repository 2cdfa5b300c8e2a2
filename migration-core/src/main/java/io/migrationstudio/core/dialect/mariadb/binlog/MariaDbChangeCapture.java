package io.migrationstudio.core.dialect.mariadb.binlog;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.spec.ConnectionSpec;
import io.migrationstudio.core.cdc.ChangeCapture;
import io.migrationstudio.core.cdc.ChangeSource;
import io.migrationstudio.core.cdc.ChunkSnapshot;
import io.migrationstudio.core.cdc.LogRetention;
import io.migrationstudio.core.cdc.StreamPosition;
import io.migrationstudio.core.dialect.Secrets;
import io.migrationstudio.core.dialect.Sessions;
import io.migrationstudio.core.dialect.mariadb.MariaDbDialect;
import io.migrationstudio.core.dialect.mariadb.MariaDbVariables;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * MariaDB/MySQL change capture from the row-based binlog (Debezium's {@code
 * mysql-binlog-connector-java} as the replication client).
 *
 * <p>The server needs {@code log_bin} on, {@code binlog_format=ROW} and {@code
 * binlog_row_image=FULL} ({@link #prepare} checks them and names what to set); the source user
 * needs {@code REPLICATION SLAVE} (to read the binlog) and {@code REPLICATION CLIENT} (MySQL) or
 * {@code BINLOG MONITOR} (MariaDB) to read the binlog position. Nothing is created on the server:
 * the binlog is kept by the server's retention ({@code binlog_expire_logs_seconds}), so {@link
 * #drop} has nothing to drop.
 *
 * <p>Hand-off from the copy: every chunk reads in its own {@code START TRANSACTION WITH CONSISTENT
 * SNAPSHOT} and records {@code binlog_snapshot_file}/{@code _position}, the binlog position exactly
 * consistent with what the chunk reads (MariaDB; MySQL does not report it and is refused).
 */
public final class MariaDbChangeCapture implements ChangeCapture {

  @Override
  public StreamPosition prepare(Connection source, String name, List<String> tables)
      throws SQLException {
    requireSetting(source, "log_bin", "ON", "1", "log_bin (start the server with --log-bin)");
    requireSetting(source, "binlog_format", "ROW", null, "binlog_format=ROW");
    requireSetting(source, "binlog_row_image", "FULL", null, "binlog_row_image=FULL");
    return position(source);
  }

  private static void requireSetting(
      Connection c, String variable, String expected, String alsoOk, String remedy)
      throws SQLException {
    String actual;
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT @@GLOBAL." + variable)) {
      rs.next();
      actual = rs.getString(1);
    }
    String a = actual == null ? "" : actual.toUpperCase(Locale.ROOT);
    if (!a.equals(expected) && !a.equals(alsoOk)) {
      throw new MigrationException(
          ErrorCode.PERMANENT_SQL,
          "change capture (migrate.strategy: online) reads the source's row-based binlog, but the"
              + " server's "
              + variable
              + " is '"
              + actual
              + "' where "
              + expected
              + " is needed: set "
              + remedy
              + " in the server's configuration (my.cnf) and restart it, or use migrate.strategy:"
              + " bulk");
    }
  }

  /**
   * The read of one chunk: {@code START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY}, then the
   * binlog position consistent with that snapshot from {@code SHOW STATUS LIKE 'binlog_snapshot_%'}
   * (a transaction that committed before it is visible to the chunk).
   */
  @Override
  public ChunkSnapshot beginChunkRead(Connection source) throws SQLException {
    Sessions.beginTransaction(source, "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
    String file = null;
    Long position = null;
    try (Statement st = source.createStatement();
        ResultSet rs = st.executeQuery("SHOW STATUS LIKE 'binlog_snapshot_%'")) {
      while (rs.next()) {
        switch (rs.getString(1).toLowerCase(Locale.ROOT)) {
          case "binlog_snapshot_file" -> file = rs.getString(2);
          case "binlog_snapshot_position" -> position = Long.parseLong(rs.getString(2));
          default -> {}
        }
      }
    }
    if (file == null || file.isEmpty() || position == null) {
      throw new MigrationException(
          ErrorCode.PERMANENT_SQL,
          "the source server does not report the binlog position of a consistent snapshot"
              + " (status binlog_snapshot_file/binlog_snapshot_position; MariaDB does, MySQL does"
              + " not) or binary logging is off: migrate.strategy: online needs a MariaDB source"
              + " with log_bin on; use migrate.strategy: bulk otherwise");
    }
    return new ChunkSnapshot.BinlogSnapshot(
        new StreamPosition.BinlogPosition(file, position, null));
  }

  /** A chunk's read: the consistent snapshot's binlog position ties it to the stream. */
  @Override
  public java.util.Optional<StreamPosition> beginPositionedRead(
      ConnectionSpec source, io.migrationstudio.core.dialect.Secrets secrets, Connection reader)
      throws SQLException {
    return java.util.Optional.of(
        ((ChunkSnapshot.BinlogSnapshot) beginChunkRead(reader)).position());
  }

  @Override
  public StreamPosition head(Connection source) throws SQLException {
    return position(source);
  }

  @Override
  public ChangeSource open(
      ConnectionSpec source, Secrets secrets, String name, List<String> tables, StreamPosition from)
      throws SQLException {
    if (!(from instanceof StreamPosition.BinlogPosition start)) {
      throw new IllegalArgumentException(
          "a binlog capture starts from a binlog position, not " + from.text());
    }
    String database =
        source.schema() != null && !source.schema().isBlank()
            ? source.schema()
            : new MariaDbDialect().defaultSchema(source.url());
    if (database.isEmpty()) {
      throw new MigrationException(
          ErrorCode.INVALID_SPEC,
          "the MySQL/MariaDB source URL names no database: name it in the URL"
              + " (jdbc:mariadb://host:port/DATABASE) or set the spec's source schema");
    }
    return BinlogChangeSource.open(source, secrets, name, database, tables, start);
  }

  /**
   * The binlog from {@code applied} to the end of the last file ({@code SHOW BINARY LOGS}: each
   * file's size), what the stream still has to read. Empty when the applied position's file is no
   * longer listed (purged: the stream cannot resume) or the user may not list the files.
   */
  @Override
  public java.util.Optional<Long> retainedBytes(
      Connection source, String name, StreamPosition applied) throws SQLException {
    if (!(applied instanceof StreamPosition.BinlogPosition at)) {
      return java.util.Optional.empty();
    }
    return binaryLogs(source).flatMap(logs -> logs.bytesFrom(at));
  }

  /**
   * The binlog still to read ({@link #retainedBytes}), with a warning by {@link #binlogWarning}
   * against the server's expiry ({@code binlog_expire_logs_seconds}, or {@code expire_logs_days}
   * before MariaDB 10.6 / MySQL 8.0).
   */
  @Override
  public java.util.Optional<LogRetention> retention(
      Connection source, String name, StreamPosition applied, LogRetention.Limits limits)
      throws SQLException {
    if (!(applied instanceof StreamPosition.BinlogPosition at)) {
      return java.util.Optional.empty();
    }
    java.util.Optional<BinaryLogs> logs = binaryLogs(source);
    if (logs.isEmpty()) {
      return java.util.Optional.empty();
    }
    Long age =
        limits.appliedCommitTime() == null
            ? null
            : Math.max(
                0,
                java.time.Duration.between(limits.appliedCommitTime(), java.time.Instant.now())
                    .toSeconds());
    String[] expiry = expiry(source);
    return java.util.Optional.of(
        new LogRetention(
            logs.get().bytesFrom(at).orElse(null),
            binlogWarning(
                    at,
                    logs.get().files().containsKey(at.file()),
                    at.file().equals(logs.get().current()),
                    expiry[0],
                    Long.parseLong(expiry[1]),
                    age)
                .orElse(null)));
  }

  /**
   * When the binlog file the stream reads next (the applied position's) puts the stream at risk: it
   * is gone (purged: the stream cannot resume), or it is no longer the file the server writes (the
   * server never purges that one) while the server purges by age ({@code expireSeconds} > 0) and
   * the last transaction the target holds committed at least half that time ago ({@code
   * appliedAgeSeconds}; the file was last written no earlier, so its age is at most this: the
   * warning may come early, never late).
   */
  static java.util.Optional<String> binlogWarning(
      StreamPosition.BinlogPosition at,
      boolean listed,
      boolean current,
      String setting,
      long expireSeconds,
      Long appliedAgeSeconds) {
    if (!listed) {
      return java.util.Optional.of(
          "binlog file "
              + at.file()
              + " that the stream resumes from ("
              + at.text()
              + ") is no longer on the source (purged; "
              + setting
              + " = "
              + expireSeconds
              + " s): the stream cannot resume; cancel the migration and migrate again with a"
              + " longer binlog retention");
    }
    if (current || expireSeconds <= 0 || appliedAgeSeconds == null) {
      return java.util.Optional.empty();
    }
    if (appliedAgeSeconds * 2 >= expireSeconds) {
      return java.util.Optional.of(
          "binlog file "
              + at.file()
              + " that the stream reads next may be purged soon: the last transaction the target"
              + " holds committed "
              + appliedAgeSeconds
              + " s ago and the source purges binlog files after "
              + expireSeconds
              + " s ("
              + setting
              + "); the stream is stopped or far behind: see `studio status` and the migrate"
              + " workers' logs, or raise "
              + setting
              + " on the source (SET GLOBAL, no restart)");
    }
    return java.util.Optional.empty();
  }

  /**
   * Stops a stream whose position names a binlog file the source no longer lists (purged by its
   * binlog retention or by {@code PURGE BINARY LOGS}): the changes after that position are gone,
   * and reading on from a later file would skip them without a word. Without the right to list the
   * files (or without a binlog) nothing is decided here: the reader's own start reports it.
   */
  static void requireListed(Connection source, StreamPosition.BinlogPosition from) {
    Optional<BinaryLogs> logs;
    try {
      logs = binaryLogs(source);
    } catch (SQLException e) {
      return;
    }
    if (logs.isEmpty() || logs.get().files().isEmpty()) {
      return;
    }
    java.util.Map<String, Long> files = logs.get().files();
    if (!files.containsKey(from.file())) {
      throw new MigrationException(
          ErrorCode.CAPTURE_STOPPED,
          "the binlog file "
              + from.file()
              + " the change stream resumes from ("
              + from.text()
              + ") is no longer on the source (the oldest it keeps is "
              + files.keySet().iterator().next()
              + "; purged by binlog retention or PURGE BINARY LOGS): the changes after that"
              + " position are gone, so the stream stops rather than skip them. Cancel the"
              + " migration and migrate again, with binlog_expire_logs_seconds on the source above"
              + " the time the copy, the reviews and the cutover take");
    }
  }

  /** The files {@code SHOW BINARY LOGS} lists, in order, with their sizes. */
  private record BinaryLogs(java.util.LinkedHashMap<String, Long> files) {
    String current() {
      String last = null;
      for (String f : files.keySet()) {
        last = f;
      }
      return last;
    }

    /** From {@code at} to the end of the last file; empty when {@code at}'s file is not listed. */
    java.util.Optional<Long> bytesFrom(StreamPosition.BinlogPosition at) {
      long bytes = 0;
      boolean found = false;
      for (var e : files.entrySet()) {
        if (e.getKey().equals(at.file())) {
          found = true;
          bytes += Math.max(0, e.getValue() - at.offset());
        } else if (found) {
          bytes += e.getValue();
        }
      }
      return found ? java.util.Optional.of(bytes) : java.util.Optional.empty();
    }
  }

  /** Empty when the user may not list the files (no BINLOG MONITOR / REPLICATION CLIENT). */
  private static java.util.Optional<BinaryLogs> binaryLogs(Connection source) throws SQLException {
    java.util.LinkedHashMap<String, Long> files = new java.util.LinkedHashMap<>();
    try (Statement st = source.createStatement();
        ResultSet rs = st.executeQuery("SHOW BINARY LOGS")) {
      while (rs.next()) {
        files.put(rs.getString(1), rs.getLong(2));
      }
    } catch (SQLException e) {
      if (e.getErrorCode() == 1227) { // not measured
        return java.util.Optional.empty();
      }
      throw e;
    }
    return java.util.Optional.of(new BinaryLogs(files));
  }

  /** The server's binlog expiry: {@code [setting, seconds]} (0: never purged by age). */
  private static String[] expiry(Connection source) throws SQLException {
    Optional<String> seconds = MariaDbVariables.global(source, "binlog_expire_logs_seconds");
    if (seconds.isPresent()) {
      return new String[] {
        "binlog_expire_logs_seconds", Long.toString((long) Double.parseDouble(seconds.get()))
      };
    }
    String days = MariaDbVariables.global(source, "expire_logs_days").orElse("0");
    return new String[] {
      "expire_logs_days", Long.toString((long) (Double.parseDouble(days) * 86_400))
    };
  }

  /** Nothing to drop: the binlog belongs to the server and is kept by its retention. */
  @Override
  public void drop(Connection source, String name) {}

  /**
   * The server's current binlog position and its GTID state, read consistently (the GTID state is
   * read before and after the position until both reads agree).
   */
  static StreamPosition.BinlogPosition position(Connection c) throws SQLException {
    for (int attempt = 0; ; attempt++) {
      String before = gtidState(c);
      String[] filePosition = binlogStatus(c);
      String after = gtidState(c);
      if (java.util.Objects.equals(before, after) || attempt >= 10) {
        return new StreamPosition.BinlogPosition(
            filePosition[0], Long.parseLong(filePosition[1]), after);
      }
    }
  }

  /** File and position of {@code SHOW BINLOG STATUS} (MariaDB) or its MySQL spellings. */
  private static String[] binlogStatus(Connection c) throws SQLException {
    SQLException first = null;
    for (String sql :
        List.of("SHOW BINLOG STATUS", "SHOW BINARY LOG STATUS", "SHOW MASTER STATUS")) {
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery(sql)) {
        if (!rs.next()) {
          throw new MigrationException(
              ErrorCode.PERMANENT_SQL,
              "the source server reports no binlog position ("
                  + sql
                  + " is empty): binary logging is off; start the server with --log-bin and"
                  + " binlog_format=ROW, or use migrate.strategy: bulk");
        }
        return new String[] {rs.getString("File"), rs.getString("Position")};
      } catch (SQLException e) {
        if (e.getErrorCode() == 1227) {
          throw new MigrationException(
              ErrorCode.AUTHENTICATION_FAILED,
              "the source user may not read the binlog position ("
                  + sql
                  + ": "
                  + e.getMessage()
                  + "); grant it with GRANT BINLOG MONITOR ON *.* TO <source user> (MariaDB) or"
                  + " GRANT REPLICATION CLIENT ON *.* TO <source user> (MySQL), and REPLICATION"
                  + " SLAVE to read the binlog itself",
              e);
        }
        if (e.getErrorCode() != 1064 && !MariaDbVariables.unknown(e)) {
          throw e; // not a syntax error: connection
        }
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    throw first;
  }

  /** {@code @@gtid_binlog_pos} (MariaDB), {@code @@gtid_executed} (MySQL), or null. */
  private static String gtidState(Connection c) throws SQLException {
    for (String variable : List.of("gtid_binlog_pos", "gtid_executed")) {
      Optional<String> v = MariaDbVariables.global(c, variable);
      if (v.isPresent()) {
        return v.get().isBlank() ? null : v.get().replace("\n", "");
      }
    }
    return null;
  }
}
