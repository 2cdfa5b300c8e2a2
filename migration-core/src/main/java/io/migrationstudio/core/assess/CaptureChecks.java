package io.migrationstudio.core.assess;

import io.migrationstudio.core.assess.Risk.Category;
import io.migrationstudio.core.assess.Risk.Likelihood;
import io.migrationstudio.core.assess.Risk.Severity;
import io.migrationstudio.core.dialect.CaptureReadiness;
import io.migrationstudio.core.dialect.CaptureReadiness.Prerequisite;
import io.migrationstudio.core.schema.TableInfo;
import java.util.List;
import java.util.Optional;

/**
 * The prerequisites of {@code migrate.strategy: online} on the source, one check per {@link
 * Prerequisite}, evaluated only for an online migration: the source's dialect answers through
 * {@link CaptureReadiness} (read-only queries) and each unmet prerequisite becomes a risk naming
 * what to change; a blocking one is critical (the Assessment fails), a warning is high.
 */
final class CaptureChecks {
  private CaptureChecks() {}

  static final RiskCheck LOG_SETTINGS =
      check(
          "online-log-settings",
          Prerequisite.LOG_SETTINGS,
          Category.OPERATIONAL,
          "Online: the source's log cannot be decoded (PostgreSQL wal_level not logical; MariaDB"
              + " log_bin off, binlog_format not ROW or binlog_row_image not FULL).",
          "Set wal_level = logical (restart), or log_bin with binlog_format = ROW and"
              + " binlog_row_image = FULL; or use strategy bulk.");

  static final RiskCheck PRIVILEGES =
      check(
          "online-replication-privileges",
          Prerequisite.PRIVILEGES,
          Category.OPERATIONAL,
          "Online: the source user may not read the log (PostgreSQL REPLICATION, CREATE on the"
              + " database and table ownership for the publication; MariaDB REPLICATION SLAVE and"
              + " REPLICATION CLIENT / BINLOG MONITOR).",
          "Grant the privileges README.md lists under Privileges for strategy online.");

  static final RiskCheck CAPACITY =
      check(
          "online-replication-capacity",
          Prerequisite.CAPACITY,
          Category.OPERATIONAL,
          "Online: no free replication slot or WAL sender on the source (max_replication_slots,"
              + " max_wal_senders minus those in use).",
          "Drop unused replication slots or raise max_replication_slots / max_wal_senders"
              + " (restart).");

  static final RiskCheck LOG_RETENTION =
      check(
          "online-log-retention",
          Prerequisite.LOG_RETENTION,
          Category.DOWNTIME,
          "Online: the log is kept without limit (PostgreSQL max_slot_wal_keep_size -1: a stalled"
              + " slot fills the disk) or for less time than the planned copy (MariaDB binlog"
              + " expiry).",
          "Bound max_slot_wal_keep_size and watch the slot; keep binlogs at least twice the"
              + " planned copy time.");

  static final RiskCheck REPLICA_IDENTITY =
      check(
          "online-replica-identity",
          Prerequisite.REPLICA_IDENTITY,
          Category.DATA_LOSS,
          "Online: a table in scope cannot identify its rows in the log (PostgreSQL REPLICA"
              + " IDENTITY NOTHING, or DEFAULT without a primary key).",
          "Add a primary key or set REPLICA IDENTITY USING INDEX / FULL, or exclude the table.");

  static final RiskCheck SNAPSHOT_POSITION =
      check(
          "online-snapshot-position",
          Prerequisite.SNAPSHOT_POSITION,
          Category.OPERATIONAL,
          "Online: the source cannot tell the log position of a consistent snapshot, which ties each"
              + " copied chunk to the stream (MySQL: no binlog_snapshot_file/_position status).",
          "Use strategy bulk (stop writes before Migrate), or migrate from a MariaDB (or Percona"
              + " Server) source that reports binlog_snapshot_file/_position.");

  private static RiskCheck check(
      String key, Prerequisite prerequisite, Category category, String doc, String mitigation) {
    return new CatalogCheck(
        key,
        category,
        doc,
        mitigation,
        CaptureChecks::skipReason,
        c -> risks(c, key, prerequisite, category));
  }

  /** Why the prerequisites are not evaluated: a bulk migration, no probe, no change capture. */
  static Optional<String> skipReason(RiskContext c) {
    if (!c.spec().migrate().online()) {
      return Optional.of(
          "only for migrate.strategy online (this migration is "
              + c.spec().migrate().strategy()
              + ": writes to the source are stopped before Migrate)");
    }
    if (c.probe().isEmpty()) {
      return Optional.of("needs a probe on the source: " + c.sourceProbeMissing());
    }
    if (c.probe().get().captureReadiness().isEmpty()) {
      return Optional.of(c.sourceEngine() + " offers no change capture");
    }
    return Optional.empty();
  }

  private static List<Risk> risks(
      RiskContext c, String key, Prerequisite prerequisite, Category category) {
    CaptureReadiness readiness = c.probe().orElseThrow().captureReadiness().orElseThrow();
    List<String> tables = c.inventory().tables().stream().map(TableInfo::name).toList();
    return readiness.problems(tables, c.plannedCopySeconds()).stream()
        .filter(p -> p.prerequisite() == prerequisite)
        .map(
            p ->
                Risk.of(
                    key,
                    category,
                    p.blocking() ? Severity.CRITICAL : Severity.HIGH,
                    Likelihood.HIGH,
                    p.title(),
                    List.of(p.object()),
                    p.detail(),
                    p.remedy()))
        .toList();
  }
}
