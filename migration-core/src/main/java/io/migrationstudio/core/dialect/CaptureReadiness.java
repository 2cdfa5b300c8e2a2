package io.migrationstudio.core.dialect;

import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * Whether a source is ready for change capture ({@code migrate.strategy: online}): the server's log
 * settings, the connected user's privileges, free replication capacity, how long the log is kept,
 * and whether every table in scope can identify its rows in the log. Answered with read-only
 * queries on the source through {@link DataProbe#captureReadiness()}; each unmet prerequisite is a
 * {@link Problem} that names what to change. The risk checks {@code online-*} of the assessment
 * turn them into risks; business code never asks which engine it is.
 */
public interface CaptureReadiness {

  /** The prerequisites, one risk check each. */
  enum Prerequisite {
    /** The server writes a log a reader can decode (wal_level, log_bin, binlog format/image). */
    LOG_SETTINGS,
    /** The user may read the log and create what reading it needs (slot, publication). */
    PRIVILEGES,
    /** A free replication slot and WAL sender (engines that have them). */
    CAPACITY,
    /** How long the log is kept, against the planned copy time, and what it may cost in disk. */
    LOG_RETENTION,
    /** Every table in scope identifies its rows in the log (replica identity, primary key). */
    REPLICA_IDENTITY,
    /**
     * The server ties a consistent snapshot to a log position, which each chunk of the copy records
     * to hand over to the stream (MariaDB's binlog_snapshot_file/_position; MySQL has none).
     */
    SNAPSHOT_POSITION
  }

  /**
   * One unmet prerequisite. {@code blocking}: online cannot work until it is fixed (a critical
   * risk); otherwise a warning (a high risk). {@code object}: the setting, role or table concerned.
   */
  record Problem(
      Prerequisite prerequisite,
      boolean blocking,
      String object,
      String title,
      String detail,
      String remedy) {
    public Problem {
      Objects.requireNonNull(prerequisite, "prerequisite");
      Objects.requireNonNull(object, "object of " + prerequisite);
      Objects.requireNonNull(title, "title of " + prerequisite);
      Objects.requireNonNull(detail, "detail of " + prerequisite);
      Objects.requireNonNull(remedy, "remedy of " + prerequisite);
    }
  }

  /**
   * The unmet prerequisites for capturing changes of {@code tables} (unquoted names in the probe's
   * schema). {@code plannedCopySeconds}: the plan's estimate of the copy, when one was measured;
   * the log must be kept at least that long. Failures are thrown as classified {@code
   * MigrationException}s.
   */
  List<Problem> problems(List<String> tables, OptionalDouble plannedCopySeconds);
}
