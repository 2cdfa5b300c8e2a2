package io.migrationstudio.core.dialect.mariadb;

import io.migrationstudio.core.dialect.CaptureReadiness;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * MariaDB/MySQL's change-capture prerequisites: the binary log on ({@code log_bin}), in row format
 * ({@code binlog_format = ROW}) with full row images ({@code binlog_row_image = FULL}, so an update
 * carries every column); a user with REPLICATION SLAVE (to read the binlog) and REPLICATION CLIENT
 * (MariaDB 10.5+: BINLOG MONITOR, to read the binlog position); and binlog files kept longer than
 * the copy takes, or the stream would find the files it needs purged.
 *
 * <p>Retention rule: {@code binlog_expire_logs_seconds} (or {@code expire_logs_days}) of 0 means
 * the server never purges by age, which is no risk for the stream (the binlog's size is then the
 * DBA's regime, unchanged by the migration: a binlog reader, unlike a PostgreSQL slot, retains
 * nothing). A retention shorter than the planned copy is critical; shorter than twice the planned
 * copy is a warning (the copy may run slower than measured, and a review gate may hold the stream);
 * without a plan estimate, a retention under one day is a warning.
 *
 * <p>Snapshot position rule: see {@link #snapshotPositionProblem}; a MySQL server is refused here,
 * at the Assessment, rather than by Migrate's first chunk read.
 */
final class MariaDbCaptureReadiness implements CaptureReadiness {
  /** Without a plan estimate, a retention below this is a warning. */
  static final long MIN_RETENTION_WITHOUT_ESTIMATE_SECONDS = 24 * 3600;

  private final MariaDbDialect dialect;
  private final Connection connection;

  MariaDbCaptureReadiness(MariaDbDialect dialect, Connection connection) {
    this.dialect = dialect;
    this.connection = connection;
  }

  @Override
  public List<Problem> problems(List<String> tables, OptionalDouble plannedCopySeconds) {
    String step = "reading the binlog settings of the source";
    try {
      List<Problem> out = new ArrayList<>();
      logSettings(out);
      step = "reading the binlog retention of the source";
      retention(plannedCopySeconds).ifPresent(out::add);
      step = "reading the source user's replication grants";
      grants(out);
      step = "reading whether the source reports a consistent snapshot's binlog position";
      snapshotPositionProblem(
              text("SELECT VERSION()"),
              text("SELECT @@version_comment"),
              statusNames("SHOW GLOBAL STATUS LIKE 'binlog\\_snapshot\\_%'"))
          .ifPresent(out::add);
      return out;
    } catch (SQLException e) {
      throw dialect.classify(e, step);
    }
  }

  private void logSettings(List<Problem> out) throws SQLException {
    String logBin = text("SELECT @@GLOBAL.log_bin");
    if (!"1".equals(logBin) && !"ON".equalsIgnoreCase(logBin)) {
      out.add(
          new Problem(
              Prerequisite.LOG_SETTINGS,
              true,
              "log_bin",
              "The source writes no binary log",
              "log_bin is OFF: there is no binlog to read changes from.",
              "Start the server with log_bin (e.g. log-bin=mysql-bin and a unique server-id in"
                  + " the [mysqld] section) and restart"));
      return; // the format and image mean nothing without a log
    }
    String format = text("SELECT @@GLOBAL.binlog_format");
    if (!"ROW".equalsIgnoreCase(format)) {
      out.add(
          new Problem(
              Prerequisite.LOG_SETTINGS,
              true,
              "binlog_format",
              "binlog_format is " + format + ", change capture needs ROW",
              "binlog_format is "
                  + format
                  + ": statements, not rows, are logged (in MIXED, some of them), so the"
                  + " changed rows cannot be read from the binlog.",
              "SET GLOBAL binlog_format = 'ROW' (new sessions; reconnect the applications) and set"
                  + " binlog_format=ROW in the server's configuration so a restart keeps it"));
    }
    String image = text("SELECT @@GLOBAL.binlog_row_image");
    if (!"FULL".equalsIgnoreCase(image)) {
      out.add(
          new Problem(
              Prerequisite.LOG_SETTINGS,
              true,
              "binlog_row_image",
              "binlog_row_image is " + image + ", change capture needs FULL",
              "binlog_row_image is "
                  + image
                  + ": an update logs only some columns, so the full new row cannot be written"
                  + " to the target.",
              "SET GLOBAL binlog_row_image = 'FULL' and set it in the server's configuration"));
    }
  }

  private java.util.Optional<Problem> retention(OptionalDouble planned) throws SQLException {
    long seconds;
    String setting;
    try {
      seconds = (long) Double.parseDouble(text("SELECT @@GLOBAL.binlog_expire_logs_seconds"));
      setting = "binlog_expire_logs_seconds";
    } catch (SQLException e) {
      // before MariaDB 10.6 / MySQL 8.0 only expire_logs_days exists
      seconds = (long) (Double.parseDouble(text("SELECT @@GLOBAL.expire_logs_days")) * 86_400);
      setting = "expire_logs_days";
    }
    return retentionProblem(setting, seconds, planned);
  }

  /** The retention rule of the class comment, for {@code seconds} of retention (0: never). */
  static java.util.Optional<Problem> retentionProblem(
      String setting, long seconds, OptionalDouble planned) {
    if (seconds <= 0) {
      return java.util.Optional.empty();
    }
    String kept = "binlog files are purged after " + human(seconds) + " (" + setting + ")";
    String remedy =
        "SET GLOBAL binlog_expire_logs_seconds = <at least twice the planned copy, e.g. "
            + Math.max(2 * (long) Math.ceil(planned.orElse(0)), 7 * 86_400)
            + "> (and in the configuration), or purge by hand only after the migration";
    if (planned.isPresent()) {
      double copy = planned.getAsDouble();
      if (seconds < copy) {
        return java.util.Optional.of(
            new Problem(
                Prerequisite.LOG_RETENTION,
                true,
                setting,
                "The binlog is kept for less time than the copy takes",
                kept
                    + ", but the plan estimates the copy at "
                    + human((long) copy)
                    + ": the stream would find the binlog it must start from already purged.",
                remedy));
      }
      if (seconds < 2 * copy) {
        return java.util.Optional.of(
            new Problem(
                Prerequisite.LOG_RETENTION,
                false,
                setting,
                "The binlog is kept for less than twice the planned copy",
                kept
                    + "; the plan estimates the copy at "
                    + human((long) copy)
                    + ". A slower copy, or a stream held at a review gate, would find its binlog"
                    + " purged.",
                remedy));
      }
      return java.util.Optional.empty();
    }
    if (seconds < MIN_RETENTION_WITHOUT_ESTIMATE_SECONDS) {
      return java.util.Optional.of(
          new Problem(
              Prerequisite.LOG_RETENTION,
              false,
              setting,
              "The binlog is kept for less than a day",
              kept
                  + "; no plan estimate of the copy time was available to compare it with"
                  + " (01-assessment/throughput.json).",
              remedy));
    }
    return java.util.Optional.empty();
  }

  /** The status variables a consistent snapshot reports its binlog position in. */
  static final Set<String> SNAPSHOT_STATUS =
      Set.of("binlog_snapshot_file", "binlog_snapshot_position");

  /**
   * The snapshot-position rule, on what the server reports: each chunk of an online copy records
   * the binlog position of its {@code START TRANSACTION WITH CONSISTENT SNAPSHOT} from the status
   * variables {@link #SNAPSHOT_STATUS} (MariaDB; Percona Server too). A server without them (MySQL)
   * cannot tie a chunk to the stream: critical, decided from the variables' absence, not from the
   * URL or the version, which only name the server in the message. {@code statusNames}: the names
   * {@code SHOW GLOBAL STATUS LIKE 'binlog_snapshot_%'} returned.
   */
  static java.util.Optional<Problem> snapshotPositionProblem(
      String version, String versionComment, Set<String> statusNames) {
    Set<String> reported = new java.util.HashSet<>();
    for (String n : statusNames) {
      reported.add(n.toLowerCase(Locale.ROOT));
    }
    if (reported.containsAll(SNAPSHOT_STATUS)) {
      return java.util.Optional.empty();
    }
    String server =
        version
            + (versionComment == null || versionComment.isBlank()
                ? ""
                : " (" + versionComment + ")");
    return java.util.Optional.of(
        new Problem(
            Prerequisite.SNAPSHOT_POSITION,
            true,
            "binlog_snapshot_position",
            "The source cannot tell the binlog position of a consistent snapshot",
            "The source server "
                + server
                + " reports no binlog_snapshot_file/binlog_snapshot_position status (MySQL does"
                + " not have them; MariaDB and Percona Server do): an online copy records that"
                + " position for each chunk to know which streamed changes the chunk already"
                + " holds, so Migrate would stop at its first chunk.",
            "Use migrate.strategy: bulk (stop writes to the source before Migrate and keep them"
                + " stopped until the cutover), or migrate from a MariaDB source"));
  }

  private Set<String> statusNames(String sql) throws SQLException {
    Set<String> names = new java.util.HashSet<>();
    try (PreparedStatement ps = connection.prepareStatement(sql);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        names.add(rs.getString(1));
      }
    }
    return names;
  }

  /** REPLICATION SLAVE and REPLICATION CLIENT (MariaDB 10.5+: BINLOG MONITOR) on *.*. */
  private void grants(List<Problem> out) throws SQLException {
    String user = text("SELECT CURRENT_USER()");
    StringBuilder global = new StringBuilder();
    try (PreparedStatement ps = connection.prepareStatement("SHOW GRANTS FOR CURRENT_USER()");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        String g = rs.getString(1).toUpperCase(Locale.ROOT);
        int on = g.indexOf(" ON *.* TO ");
        if (g.startsWith("GRANT ") && on > 0) {
          global.append(g, 6, on).append(',');
        }
      }
    }
    String privileges = global.toString();
    boolean all = privileges.contains("ALL PRIVILEGES");
    boolean slave =
        all
            || privileges.contains("REPLICATION SLAVE,")
            || privileges.contains("REPLICATION REPLICA");
    boolean client =
        all
            || privileges.contains("REPLICATION CLIENT")
            || privileges.contains("BINLOG MONITOR")
            || privileges.matches("(?s).*\\bSUPER\\b.*");
    List<String> missing = new ArrayList<>();
    if (!slave) {
      missing.add("REPLICATION SLAVE");
    }
    if (!client) {
      missing.add("REPLICATION CLIENT (MariaDB 10.5+: BINLOG MONITOR)");
    }
    if (!missing.isEmpty()) {
      out.add(
          new Problem(
              Prerequisite.PRIVILEGES,
              true,
              user,
              "The source user " + user + " may not read the binlog",
              "Reading the binlog needs REPLICATION SLAVE (the binlog stream) and REPLICATION"
                  + " CLIENT / BINLOG MONITOR (the binlog position) on *.*; "
                  + user
                  + " lacks "
                  + String.join(" and ", missing)
                  + ".",
              "GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO "
                  + quoted(user)
                  + " (MariaDB 10.5+ names the second BINLOG MONITOR; both spellings are"
                  + " accepted)"));
    }
  }

  /** {@code u@h} as {@code 'u'@'h'}. */
  private static String quoted(String user) {
    int at = user.lastIndexOf('@');
    return at < 0
        ? "'" + user + "'"
        : "'" + user.substring(0, at) + "'@'" + user.substring(at + 1) + "'";
  }

  private String text(String sql) throws SQLException {
    try (PreparedStatement ps = connection.prepareStatement(sql);
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static String human(long seconds) {
    if (seconds % 86_400 == 0) {
      return seconds / 86_400 + " d";
    }
    if (seconds >= 3600) {
      return String.format(Locale.ROOT, "%.1f h", seconds / 3600.0);
    }
    return seconds + " s";
  }
}
