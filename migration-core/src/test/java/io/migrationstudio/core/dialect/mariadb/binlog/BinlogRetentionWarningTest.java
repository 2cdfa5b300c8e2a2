package io.migrationstudio.core.dialect.mariadb.binlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.core.cdc.StreamPosition.BinlogPosition;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * When the binlog a stream needs is warned about ({@link MariaDbChangeCapture#binlogWarning}):
 * gone, or no longer the file the server writes while the applied transaction is at least half the
 * server's expiry old.
 */
class BinlogRetentionWarningTest {
  private static final BinlogPosition AT = new BinlogPosition("bin.000007", 1234, null);
  private static final String SETTING = "binlog_expire_logs_seconds";

  private static Optional<String> rule(boolean listed, boolean current, long expire, Long age) {
    return MariaDbChangeCapture.binlogWarning(AT, listed, current, SETTING, expire, age);
  }

  @Test
  void aPurgedFileIsAWarningThatTheStreamCannotResume() {
    String w = rule(false, false, 3600, 10L).orElseThrow();
    assertTrue(w.contains("bin.000007") && w.contains("cannot resume"), w);
  }

  @Test
  void anOlderFileHalfwayToExpiryIsWarnedAbout() {
    assertEquals(Optional.empty(), rule(true, false, 3600, 1799L));
    String w = rule(true, false, 3600, 1800L).orElseThrow();
    assertTrue(w.contains("1800 s ago") && w.contains("after 3600 s (" + SETTING + ")"), w);
  }

  @Test
  void theFileTheServerWritesNeverPurgingOrNoAgeIsNoRisk() {
    assertEquals(Optional.empty(), rule(true, true, 3600, 1_000_000L));
    assertEquals(Optional.empty(), rule(true, false, 0, 1_000_000L));
    assertEquals(Optional.empty(), rule(true, false, 3600, null));
  }
}
