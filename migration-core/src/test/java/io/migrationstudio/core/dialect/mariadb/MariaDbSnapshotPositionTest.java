package io.migrationstudio.core.dialect.mariadb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.core.dialect.CaptureReadiness.Prerequisite;
import io.migrationstudio.core.dialect.CaptureReadiness.Problem;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The snapshot-position rule of {@link MariaDbCaptureReadiness} on the facts the check reads
 * (version, version comment, the {@code binlog_snapshot_%} status names the server returns): no
 * MySQL server can be had here, so MySQL's facts are given as MySQL 8 reports them.
 */
class MariaDbSnapshotPositionTest {
  private static final Set<String> MARIADB_STATUS =
      Set.of("Binlog_snapshot_file", "Binlog_snapshot_position");

  @Test
  void aMySqlServerWithoutTheSnapshotStatusIsRefusedWithTheRemedy() {
    Problem p =
        MariaDbCaptureReadiness.snapshotPositionProblem(
                "8.0.36", "MySQL Community Server - GPL", Set.of())
            .orElseThrow();
    assertEquals(Prerequisite.SNAPSHOT_POSITION, p.prerequisite());
    assertTrue(p.blocking(), "Migrate would stop at its first chunk: critical");
    assertTrue(p.detail().contains("8.0.36 (MySQL Community Server - GPL)"), p.detail());
    assertTrue(p.remedy().contains("migrate.strategy: bulk"), p.remedy());
    assertTrue(p.remedy().contains("MariaDB source"), p.remedy());
  }

  @Test
  void theStatusVariablesDecideNotTheVersion() {
    // a server that calls itself MariaDB but lacks the variables is refused
    assertTrue(
        MariaDbCaptureReadiness.snapshotPositionProblem("11.4.5-MariaDB", "mariadb.org", Set.of())
            .orElseThrow()
            .blocking());
    // one of the two is not enough
    assertTrue(
        MariaDbCaptureReadiness.snapshotPositionProblem(
                "11.4.5-MariaDB", "", Set.of("Binlog_snapshot_file"))
            .isPresent());
    // MariaDB, and Percona Server for MySQL (which ported them), report both: no problem
    assertEquals(
        Optional.empty(),
        MariaDbCaptureReadiness.snapshotPositionProblem(
            "11.4.5-MariaDB", "MariaDB Server", MARIADB_STATUS));
    assertEquals(
        Optional.empty(),
        MariaDbCaptureReadiness.snapshotPositionProblem(
            "8.0.36-28", "Percona Server (GPL), Release 28", MARIADB_STATUS));
  }
}
